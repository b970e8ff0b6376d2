#pragma once

#include "clientconnection.h"
#include "config/upstreamprofile.h"
#include "protocol/error.h"
#include "protocol/requestmapper.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class QNetworkReply;

namespace Proxy {

class UpstreamClient;

// What the server copied out of the HTTP request (the request object itself is reused by its connection).
struct ExchangeRequest
{
    QByteArray requestId;  // "req_…", sent back as the request-id header
    QByteArray path;       // as received, percent-encoded
    HeaderList headers;    // names in lower case
    QByteArray body;
    bool alwaysStream = false; // /v1/messages/stream

    [[nodiscard]] QByteArray header(const QByteArray &lowerCaseName) const;
};

// One Messages request from arrival to its last byte: maps it, calls the upstream, maps the answer back and
// answers the client exactly once. It keeps the profile it started with, so settings changes never touch an
// in-flight request. Emits finished() exactly once, after the client got its answer or went away.
class Exchange final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Exchange)

public:
    enum class Outcome { Pending, Completed, Failed, Cancelled };
    Q_ENUM(Outcome)

    Exchange(ExchangeRequest request, std::unique_ptr<ClientConnection> client, UpstreamClient *upstream,
             UpstreamProfile profile, QByteArray upstreamKey, QObject *parent = nullptr);
    ~Exchange() override;

    void start();

    [[nodiscard]] const ExchangeRequest &request() const { return m_request; }
    [[nodiscard]] const UpstreamProfile &profile() const { return m_profile; }
    [[nodiscard]] Outcome outcome() const { return m_outcome; }
    [[nodiscard]] int httpStatus() const { return m_httpStatus; }
    [[nodiscard]] std::optional<Error> error() const { return m_error; }
    [[nodiscard]] QString upstreamModel() const { return m_upstreamModel; }
    [[nodiscard]] qint64 elapsedMs() const { return m_clock.elapsed(); }

Q_SIGNALS:
    void finished();

private:
    void onUpstreamFinished();
    void onClientGone();
    void onTimeout(const QString &what, int afterMs);
    [[nodiscard]] Error networkError(QNetworkReply *reply) const;
    void answer(int status, const QByteArray &body, HeaderList headers = {});
    void fail(const Error &error);
    void finish(Outcome outcome);
    void abortUpstream();

    ExchangeRequest m_request;
    std::unique_ptr<ClientConnection> m_client;
    QPointer<UpstreamClient> m_upstream;
    UpstreamProfile m_profile;
    QByteArray m_upstreamKey;

    std::optional<MappedRequest> m_mapped;
    QString m_upstreamModel;
    QPointer<QNetworkReply> m_reply;
    QTimer m_connectTimer;
    QTimer m_totalTimer;
    std::optional<Error> m_timeoutError; // set just before a timer aborts the reply
    QElapsedTimer m_clock;

    Outcome m_outcome = Outcome::Pending;
    int m_httpStatus = 0;
    std::optional<Error> m_error;
};

} // namespace Proxy
