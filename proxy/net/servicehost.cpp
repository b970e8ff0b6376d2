#include "servicehost.h"

#include "proxyservice.h"
#include "session/eventhub.h"

#include <QMetaObject>

namespace Proxy {

ServiceHost::ServiceHost(ProxyConfig config, QObject *parent)
    : QObject(parent)
    , m_upstream(config.upstream)
{
    m_thread.setObjectName(QStringLiteral("switchyard-proxy"));
    m_service = new ProxyService(std::move(config));
    m_hub = m_service->hub();
    m_service->moveToThread(&m_thread);

    // Cross-thread connections: queued into this object's thread.
    connect(m_service, &ProxyService::drained, this, &ServiceHost::drained);
    connect(m_service, &ProxyService::pausedChanged, this, [this](bool paused) {
        m_paused = paused;
        Q_EMIT pausedChanged(paused);
    });
    connect(m_service, &ProxyService::activeExchangeCountChanged, this, [this](int count) {
        m_active = count;
        Q_EMIT activeExchangeCountChanged(count);
    });
    connect(m_service, &ProxyService::testRequestStarted, this, &ServiceHost::testRequestStarted);
    connect(m_service, &ProxyService::testRequestFinished, this, &ServiceHost::testRequestFinished);
    m_thread.start();
}

ServiceHost::~ServiceHost()
{
    ProxyService *service = m_service;
    QMetaObject::invokeMethod(service, [service] { delete service; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

Result<QUrl> ServiceHost::start()
{
    Result<QUrl> result = tl::unexpected(Error::make(ErrorType::Api, QStringLiteral("not started")));
    ProxyService *service = m_service;
    const std::optional<SummaryLog::Options> log = m_summaryLog;
    QMetaObject::invokeMethod(
        service,
        [service, log, &result] {
            result = service->start();
            if (result && log) {
                auto *summary = new SummaryLog(*log, service);
                summary->attach(service->hub());
            }
        },
        Qt::BlockingQueuedConnection);
    if (result)
        m_url = *result;
    return result;
}

UpstreamProfile ServiceHost::upstream() const
{
    QMutexLocker locker(&m_mutex);
    return m_upstream;
}

void ServiceHost::setUpstream(const UpstreamProfile &profile, const QByteArray &key)
{
    ProxyService *service = m_service;
    QMetaObject::invokeMethod(service, [this, service, profile, key] {
        const Result<void> applied = service->setUpstream(profile, key);
        // Back to the host's thread with the outcome.
        QMetaObject::invokeMethod(this, [this, profile, applied] {
            if (!applied) {
                Q_EMIT upstreamChangeFailed(applied.error().message);
                return;
            }
            {
                QMutexLocker locker(&m_mutex);
                m_upstream = profile;
            }
            Q_EMIT upstreamChanged(profile);
        });
    });
}

void ServiceHost::setListenAddress(const QString &host, quint16 port)
{
    ProxyService *service = m_service;
    QMetaObject::invokeMethod(service, [this, service, host, port] {
        const Result<QUrl> url = service->setListenAddress(host, port);
        QMetaObject::invokeMethod(this, [this, url] {
            if (!url) {
                Q_EMIT listenFailed(url.error().message);
                return;
            }
            m_url = *url;
            Q_EMIT listenChanged(*url);
        });
    });
}

void ServiceHost::setPaused(bool paused)
{
    ProxyService *service = m_service;
    QMetaObject::invokeMethod(service, [service, paused] { service->setPaused(paused); });
}

void ServiceHost::setRecordBodies(bool on)
{
    m_hub->setRecordBodies(on); // an atomic flag: safe from any thread
}

void ServiceHost::sendTestRequest()
{
    ProxyService *service = m_service;
    QMetaObject::invokeMethod(service, [service] { service->sendTestRequest(); });
}

void ServiceHost::shutdown(int graceMs)
{
    m_shuttingDown = true;
    ProxyService *service = m_service;
    QMetaObject::invokeMethod(service, [service, graceMs] { service->shutdown(graceMs); });
}

} // namespace Proxy
