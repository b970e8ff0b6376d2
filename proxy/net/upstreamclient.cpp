#include "upstreamclient.h"

#include "config/upstreamprofile.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <numeric>

namespace Proxy {

UpstreamClient::UpstreamClient(QObject *parent)
    : QObject(parent)
{
}

UpstreamClient::~UpstreamClient() = default;

int UpstreamClient::activeRequestCount() const
{
    return std::accumulate(m_active.cbegin(), m_active.cend(), 0);
}

QNetworkAccessManager *UpstreamClient::freeManager()
{
    for (QNetworkAccessManager *manager : std::as_const(m_managers)) {
        if (m_active.value(manager) < maxRequestsPerManager)
            return manager;
    }
    auto *manager = new QNetworkAccessManager(this);
    // Keep-alive connections are reused; cookies never travel between exchanges.
    manager->setCookieJar(nullptr);
    m_managers.append(manager);
    return manager;
}

QNetworkReply *UpstreamClient::postChatCompletions(const UpstreamProfile &profile, const QByteArray &key,
                                                   const QByteArray &body, bool stream)
{
    QNetworkRequest request(profile.chatCompletionsUrl());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Switchyard/" SWITCHYARD_VERSION));
    request.setRawHeader("Accept", stream ? "text/event-stream" : "application/json");
    // A compressing upstream that doesn't flush delivers a whole stream at its end; ask for plain bytes.
    request.setRawHeader("Accept-Encoding", "identity");
    if (!key.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + key);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);

    QNetworkAccessManager *manager = freeManager();
    QNetworkReply *reply = manager->post(request, body);
    ++m_active[manager];
    // Counted until the reply object is gone, whichever way its exchange ended.
    connect(reply, &QObject::destroyed, this, [this, manager] { --m_active[manager]; });
    return reply;
}

void UpstreamClient::clearConnectionCaches()
{
    for (QNetworkAccessManager *manager : std::as_const(m_managers))
        manager->clearConnectionCache();
}

} // namespace Proxy
