#pragma once

#include "clientconnection.h"
#include "config/proxyconfig.h"
#include "config/upstreamprofile.h"
#include "protocol/error.h"
#include "protocol/protocolvalidator.h"
#include "protocol/requestmapper.h"
#include "protocol/sseparser.h"
#include "protocol/streamtranslator.h"
#include "session/observedevent.h"
#include "session/redactor.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class QNetworkReply;

namespace Proxy {

class EventHub;
class UpstreamClient;

// What the server copied out of the HTTP request (the request object itself is reused by its connection).
struct ExchangeRequest
{
    QByteArray requestId;  // "req_…", sent back as the request-id header
    QByteArray method = "POST";
    QByteArray path;       // as received, percent-encoded, with the query
    HeaderList headers;    // names in lower case
    QByteArray body;
    bool alwaysStream = false; // /v1/messages/stream

    [[nodiscard]] QByteArray header(const QByteArray &lowerCaseName) const;
};

// What every exchange shares: where to send, how to observe, what to hide.
struct ExchangeContext
{
    QPointer<UpstreamClient> upstream;
    QPointer<EventHub> hub;         // may be null: nobody observes
    Redactor redactor;
    UpstreamProfile profile;
    ModelMapper models;             // the profile's rules, compiled once
    QByteArray upstreamKey;
    int pingIntervalMs = 15'000;    // ping while the upstream is silent
    QList<UpstreamTarget> fallbacks; // tried in order when `profile` fails before the first byte
    RetryPolicy retry;
    Limits limits;
};

// One Messages request from arrival to its last byte: maps it, calls the upstream, maps the answer back —
// as one JSON body or live as server-sent events — and answers the client exactly once. It keeps the profile it
// started with, so settings changes never touch an in-flight request. The upstream's HTTP status is known
// before the client sees anything, so upstream errors before the first byte are real HTTP errors; after the
// 200, failures become an `error` event. Emits finished() exactly once.
class Exchange final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Exchange)

public:
    enum class Outcome { Pending, Completed, Failed, Cancelled };
    Q_ENUM(Outcome)

    // One upstream request of this exchange (retries and fallbacks make several).
    struct Attempt
    {
        QString upstream;   // display name of the profile
        QString model;      // upstream model
        int httpStatus = 0; // 0: no HTTP answer (connection failure, timeout)
        QString error;      // empty when it succeeded
        qint64 startMs = 0; // since the exchange began
        qint64 durationMs = 0;
    };

    Exchange(ExchangeRequest request, std::unique_ptr<ClientConnection> client, ExchangeContext context,
             QObject *parent = nullptr);
    ~Exchange() override;

    void start();
    // Ends the exchange now with `error` (an HTTP error before the stream began, an error event after).
    void abort(const Error &error);

    [[nodiscard]] const ExchangeRequest &request() const { return m_request; }
    // The upstream in use: the configured one, or the fallback the exchange moved on to.
    [[nodiscard]] const UpstreamProfile &profile() const { return m_targets[m_targetIndex].profile; }
    [[nodiscard]] const QList<Attempt> &attempts() const { return m_attempts; }
    // Exchange objects alive in the process (tests check that none leaks).
    [[nodiscard]] static int liveCount();
    [[nodiscard]] Outcome outcome() const { return m_outcome; }
    [[nodiscard]] bool isStreaming() const { return m_streaming; }
    [[nodiscard]] int httpStatus() const { return m_httpStatus; }
    [[nodiscard]] std::optional<Error> error() const { return m_error; }
    [[nodiscard]] QString upstreamModel() const { return m_upstreamModel; }
    [[nodiscard]] const QList<ProtocolValidator::Violation> &violations() const { return m_validator.violations(); }
    [[nodiscard]] QJsonObject requestRecord() const;  // redacted summary, no message text
    [[nodiscard]] QJsonObject responseRecord() const;

Q_SIGNALS:
    void finished();

private:
    [[nodiscard]] Result<MappedRequest> mapFor(qsizetype targetIndex);
    void sendUpstream();
    void afterFailedAttempt(const Error &error, int httpStatus, bool retryable, const QByteArray &retryAfter);
    void recordAttempt(int httpStatus, const QString &error);
    void stopForUpstreamLimit();
    void cutSlowClient();
    void onUpstreamHeaders();
    void onUpstreamData();
    void onUpstreamFinished();
    void onClientGone();
    void onTimeout(const QString &which, int afterMs);
    void onPing();

    void beginStream();
    void translateUpstreamBytes(const QByteArray &bytes);
    // causes[i]: the upstream chunk events[i] came from (ObservedEvent::cause), when known.
    void sendEvents(const QList<StreamEvent> &events, const QList<quint64> &causes = {});
    void endStream();
    void finishNonStreaming(int status, const QByteArray &body);
    void convertJsonToStream(const QJsonObject &completion);

    [[nodiscard]] Error networkError(QNetworkReply *reply) const;
    void answer(int status, const QByteArray &body, HeaderList headers = {});
    void fail(const Error &error);
    void finish(Outcome outcome);
    void abortUpstream();
    quint64 publish(ObservedEvent::Kind kind, const QByteArray &name, const QByteArray &data, quint64 cause = 0);

    ExchangeRequest m_request;
    std::unique_ptr<ClientConnection> m_client;
    ExchangeContext m_context;

    QList<UpstreamTarget> m_targets; // the profile, then the fallbacks
    qsizetype m_targetIndex = 0;
    int m_retries = 0;               // on the current target
    bool m_retriedClosedConnection = false; // the one free retry of a connection the upstream had closed
    QList<Attempt> m_attempts;
    QElapsedTimer m_attemptClock;
    QJsonObject m_body;              // the client's request, mapped again for each target
    std::optional<MappedRequest> m_mapped;
    QString m_clientModel;
    QString m_upstreamModel;
    bool m_streaming = false;
    QPointer<QNetworkReply> m_reply;
    QTimer m_connectTimer;
    QTimer m_firstByteTimer; // request sent -> status line
    QTimer m_backoffTimer;   // between attempts
    QTimer m_totalTimer;  // whole exchange (totalTimeoutMs, or streamTimeoutMs when streaming)
    QTimer m_idleTimer;   // streaming: longest upstream silence
    QTimer m_pingTimer;
    std::optional<Error> m_timeoutError; // set just before a timer aborts the reply
    QString m_timeoutKind;
    QElapsedTimer m_clock;

    // Streaming state.
    bool m_streamStarted = false;
    SseParser m_parser;
    std::optional<StreamTranslator> m_translator;
    ProtocolValidator m_validator;
    QMap<QByteArray, int> m_eventCounts;
    qint64 m_firstTokenMs = -1;
    qint64 m_upstreamBytes = 0;

    Outcome m_outcome = Outcome::Pending;
    int m_httpStatus = 0;
    QString m_stopReason;
    QJsonObject m_usage;
    std::optional<Error> m_error;
};

} // namespace Proxy
