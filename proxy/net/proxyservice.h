#pragma once

#include "config/proxyconfig.h"
#include "protocol/error.h"

#include <QElapsedTimer>
#include <QObject>
#include <QUrl>

class QNetworkAccessManager;

namespace Proxy {

class DemoUpstream;
class EventHub;
class TestRequest;
class ProxyServer;
class UpstreamClient;

// The core's one facade for the composition root and the UI: starts the built-in demo upstream when the
// profile asks for it, the upstream client and the HTTP server; switches upstreams; shuts down gracefully.
class ProxyService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyService)

public:
    explicit ProxyService(ProxyConfig config, QObject *parent = nullptr);
    ~ProxyService() override;

    // Binds the listen address; the error says what failed (address in use, demo could not start, …).
    [[nodiscard]] Result<QUrl> start();
    [[nodiscard]] QUrl url() const;
    [[nodiscard]] ProxyServer *server() const { return m_server; }
    // Every exchange's upstream chunks and client events (snapshot, then subscribe).
    [[nodiscard]] EventHub *hub() const { return m_hub; }
    [[nodiscard]] const UpstreamProfile &upstream() const { return m_config.upstream; }

    // New exchanges use the new upstream; in-flight ones finish on the old one.
    [[nodiscard]] Result<void> setUpstream(const UpstreamProfile &profile, const QByteArray &key);
    // The fallback chain (each profile with its key), tried in order before the first byte (docs/SECURITY.md).
    [[nodiscard]] Result<void> setFallbacks(const QList<UpstreamTarget> &fallbacks);
    // The inbound token clients must send; empty turns the check off (refused on a non-loopback address).
    [[nodiscard]] Result<void> setInboundToken(const QByteArray &token);

    // Stops accepting connections and emits drained() once no exchange is in flight (at once if none is).
    // Exchanges still running after graceMs end with a retryable overloaded_error (an error event when
    // streaming), so clients retry elsewhere instead of seeing a cut connection.
    void shutdown(int graceMs);
    [[nodiscard]] bool isShuttingDown() const { return m_shuttingDown; }
    [[nodiscard]] int activeExchangeCount() const;

    // Listens on a new address; connections on the old one finish, new ones go to the new one. On failure the
    // old address stays.
    [[nodiscard]] Result<QUrl> setListenAddress(const QString &host, quint16 port);

    // Paused: new Messages requests get a clear 503; in-flight ones finish.
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }

    // Sends one streaming request with a tool to this proxy, as a client would ("Send test request"). With the
    // demo upstream it shows a tool call; with a real upstream it costs one small request.
    void sendTestRequest();

Q_SIGNALS:
    void drained();
    void pausedChanged(bool paused);
    void activeExchangeCountChanged(int count);
    void testRequestStarted(const QByteArray &requestId);
    void testRequestFinished(const QByteArray &requestId, const QString &error); // error empty: it worked

private:
    [[nodiscard]] Result<UpstreamProfile> resolve(const UpstreamProfile &profile);
    void waitForFlush();

    ProxyConfig m_config;
    UpstreamClient *m_client = nullptr;
    EventHub *m_hub = nullptr;
    DemoUpstream *m_demo = nullptr;
    ProxyServer *m_server = nullptr;
    QNetworkAccessManager *m_testClient = nullptr;
    bool m_paused = false;
    bool m_shuttingDown = false;
    bool m_drained = false;
    QElapsedTimer m_flushClock;
};

} // namespace Proxy
