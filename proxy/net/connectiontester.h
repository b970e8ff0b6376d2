#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace Proxy {

struct UpstreamProfile;

// The settings dialog's "Test connection": GET <base URL>/models with the profile's key, one clear sentence as
// the answer. The key goes only into the Authorization header; it is never logged and is masked out of any
// upstream message that echoes it.
class ConnectionTester final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionTester)

public:
    struct Result {
        bool ok = false;
        int httpStatus = 0; // 0 when no HTTP answer arrived
        int modelCount = -1; // models listed; -1 when unknown
        QString message; // for people: "Connected: 42 models", "HTTP 401: invalid API key (…)", …
        friend bool operator==(const Result &, const Result &) = default;
    };

    static constexpr int defaultTimeoutMs = 10'000;

    // manager: the QNAM to use (tests, sharing); nullptr makes a private one.
    explicit ConnectionTester(QNetworkAccessManager *manager = nullptr, QObject *parent = nullptr);
    ~ConnectionTester() override;

    [[nodiscard]] int timeoutMs() const { return m_timeoutMs; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    // Starts a test; finished() follows exactly once, never before this returns. A test still running is
    // abandoned without a finished() of its own. The built-in demo (empty base URL) answers ok at once.
    void test(const UpstreamProfile &profile, const QByteArray &key);
    // Abandons the running test, if any: no finished() for it.
    void cancel();
    [[nodiscard]] bool isRunning() const { return m_running; }

    // <baseUrl>/models (a trailing slash on the base is tolerated).
    [[nodiscard]] static QUrl modelsUrl(const UpstreamProfile &profile);
    // The verdict on one HTTP answer to GET url; key only serves to mask it out of upstream messages, location
    // is the answer's Location header (redirects).
    [[nodiscard]] static Result resultForHttp(int httpStatus, const QByteArray &body, const QByteArray &key,
        const QUrl &url = {}, const QByteArray &location = {});

Q_SIGNALS:
    void finished(const Proxy::ConnectionTester::Result &result);

private:
    void finish(const Result &result);
    void onReplyFinished();
    void onTimeout();

    QNetworkAccessManager *m_manager;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timer;
    QByteArray m_key; // for masking only, cleared when the test ends
    quint64 m_generation = 0;
    int m_timeoutMs = defaultTimeoutMs;
    bool m_running = false;
};

} // namespace Proxy

Q_DECLARE_METATYPE(Proxy::ConnectionTester::Result)
