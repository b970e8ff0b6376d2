#pragma once

#include "config/proxyconfig.h"
#include "exchange.h"

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QPointer>
#include <QUrl>

namespace Proxy {


class EventHub;
class UpstreamClient;

// The HTTP face of the proxy and the only class that knows QHttpServer (besides the demo upstream's own
// server). It routes requests, answers the small endpoints itself and hands each Messages request to an
// Exchange it owns until that exchange finishes.
class ProxyServer final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyServer)

public:
    // `hub` may be null (nobody observes).
    ProxyServer(ProxyConfig config, UpstreamClient *upstream, EventHub *hub = nullptr, QObject *parent = nullptr);
    ~ProxyServer() override;

    // Binds host:port (port 0 picks a free one). Returns false with errorString() set on failure.
    [[nodiscard]] bool listen(const QHostAddress &address, quint16 port);
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QUrl url() const;
    [[nodiscard]] QString errorString() const { return m_errorString; }

    // New exchanges use the new profile; in-flight ones finish with the one they started with.
    void setUpstream(const UpstreamProfile &profile, const QByteArray &key);
    [[nodiscard]] const ProxyConfig &config() const { return m_config; }

    // Stops accepting connections (graceful shutdown); in-flight exchanges go on until they finish.
    void stopListening();
    [[nodiscard]] int activeExchangeCount() const { return m_activeExchanges; }
    // Paused: Messages requests get 503 api_error at once; in-flight exchanges finish normally.
    void setPaused(bool paused) { m_paused = paused; }
    [[nodiscard]] bool isPaused() const { return m_paused; }
    // Bytes written to client sockets that the kernel has not taken yet.
    [[nodiscard]] qint64 pendingClientBytes() const;
    // Client sockets still alive (tests check that nothing leaks).
    [[nodiscard]] int clientSocketCount() const;
    // Ends every in-flight exchange with `error` (shutdown after the grace period).
    void abortAll(const Error &error);

Q_SIGNALS:
    void exchangeStarted(Proxy::Exchange *exchange);
    void exchangeFinished(Proxy::Exchange *exchange);
    void drained(); // the last in-flight exchange finished

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void startExchange(const QHttpServerRequest &request, QTcpSocket *socket, const QByteArray &requestId,
                       bool alwaysStream);

    ProxyConfig m_config;
    ModelMapper m_models;
    QPointer<UpstreamClient> m_upstream;
    QPointer<EventHub> m_hub;
    QPointer<QTcpServer> m_listener;
    QString m_errorString;
    int m_activeExchanges = 0;
    bool m_paused = false;
};

} // namespace Proxy
