#pragma once

#include "config/proxyconfig.h"
#include "protocol/error.h"
#include "session/summarylog.h"

#include <QMutex>
#include <QObject>
#include <QThread>
#include <QUrl>

#include <atomic>
#include <optional>

namespace Proxy {

class EventHub;
class ProxyService;

// Runs a ProxyService on a thread of its own, so a busy or frozen window never delays a stream. The desktop
// app commands the proxy only through this object (its calls are queued to the service thread) and observes it
// by polling the EventHub, whose reads are thread-safe and bounded. Signals arrive in the caller's thread.
class ServiceHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceHost)

public:
    explicit ServiceHost(ProxyConfig config, QObject *parent = nullptr);
    // Destroys the service on its thread (exchanges still running are cut), then joins the thread.
    ~ServiceHost() override;

    // The summary log to attach on the service thread when start() succeeds.
    void setSummaryLog(const SummaryLog::Options &options) { m_summaryLog = options; }
    // Binds the listen address (blocks until the service thread answers).
    [[nodiscard]] Result<QUrl> start();

    [[nodiscard]] QUrl url() const { return m_url; }
    [[nodiscard]] EventHub *hub() const { return m_hub; }
    [[nodiscard]] UpstreamProfile upstream() const;
    [[nodiscard]] bool isPaused() const { return m_paused; }
    [[nodiscard]] int activeExchangeCount() const { return m_active; }
    [[nodiscard]] bool isShuttingDown() const { return m_shuttingDown; }

    // New requests use the new upstream; in-flight ones finish on the old one. Failure: upstreamChangeFailed.
    void setUpstream(const UpstreamProfile &profile, const QByteArray &key);
    void setPaused(bool paused);
    // Listens on a new address (listenChanged or listenFailed follows); connections on the old one finish.
    void setListenAddress(const QString &host, quint16 port);
    void setRecordBodies(bool on);
    void sendTestRequest();
    // Graceful: see ProxyService::shutdown; drained() follows.
    void shutdown(int graceMs);

Q_SIGNALS:
    void drained();
    void pausedChanged(bool paused);
    void activeExchangeCountChanged(int count);
    void upstreamChanged(const Proxy::UpstreamProfile &profile);
    void upstreamChangeFailed(const QString &message);
    void listenChanged(const QUrl &url);
    void listenFailed(const QString &message);
    void testRequestStarted(const QByteArray &requestId);
    void testRequestFinished(const QByteArray &requestId, const QString &error);

private:
    QThread m_thread;
    ProxyService *m_service = nullptr; // lives on m_thread
    EventHub *m_hub = nullptr;         // owned by the service
    std::optional<SummaryLog::Options> m_summaryLog;
    QUrl m_url;
    mutable QMutex m_mutex;
    UpstreamProfile m_upstream;        // guarded by m_mutex
    std::atomic_bool m_paused = false;
    std::atomic_int m_active = 0;
    bool m_shuttingDown = false;
};

} // namespace Proxy
