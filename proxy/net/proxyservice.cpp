#include "proxyservice.h"

#include "demoupstream.h"
#include "proxyserver.h"
#include "session/eventhub.h"
#include "upstreamclient.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Proxy {

ProxyService::ProxyService(ProxyConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_client(new UpstreamClient(this))
    , m_hub(new EventHub(EventHub::defaultCapacity, this))
{
}

ProxyService::~ProxyService() = default;

Result<UpstreamProfile> ProxyService::resolve(const UpstreamProfile &profile)
{
    if (!profile.isDemo())
        return profile;
    if (!m_demo) {
        m_demo = new DemoUpstream(this);
        if (!m_demo->start())
            return tl::unexpected(Error::make(ErrorType::Api, u"the built-in demo upstream could not start"_s));
    }
    UpstreamProfile resolved = profile;
    resolved.baseUrl = m_demo->baseUrl();
    resolved.name = u"demo"_s;
    return resolved;
}

Result<QUrl> ProxyService::start()
{
    const Result<UpstreamProfile> upstream = resolve(m_config.upstream);
    if (!upstream)
        return tl::unexpected(upstream.error());
    ProxyConfig effective = m_config;
    effective.upstream = *upstream;
    for (UpstreamTarget &fallback : effective.fallbacks) { // a fallback may be the built-in demo too
        const Result<UpstreamProfile> resolved = resolve(fallback.profile);
        if (!resolved)
            return tl::unexpected(resolved.error());
        fallback.profile = *resolved;
    }

    QHostAddress address;
    if (m_config.listenHost == u"localhost"_s)
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(m_config.listenHost))
        return tl::unexpected(Error::make(ErrorType::Api, u"not an IP address: %1"_s.arg(m_config.listenHost)));

    m_server = new ProxyServer(effective, m_client, m_hub, this);
    m_server->setPaused(m_paused);
    connect(m_server, &ProxyServer::exchangeStarted, this,
            [this] { Q_EMIT activeExchangeCountChanged(activeExchangeCount()); });
    connect(m_server, &ProxyServer::exchangeFinished, this,
            [this] { Q_EMIT activeExchangeCountChanged(activeExchangeCount()); });
    if (!m_server->listen(address, m_config.listenPort)) {
        const QString reason = m_server->errorString();
        delete m_server;
        m_server = nullptr;
        return tl::unexpected(Error::make(ErrorType::Api, u"cannot listen on %1:%2: %3"_s.arg(
                                                              m_config.listenHost,
                                                              QString::number(m_config.listenPort), reason)));
    }
    return m_server->url();
}

QUrl ProxyService::url() const
{
    return m_server ? m_server->url() : QUrl();
}

Result<void> ProxyService::setUpstream(const UpstreamProfile &profile, const QByteArray &key)
{
    const Result<UpstreamProfile> resolved = resolve(profile);
    if (!resolved)
        return tl::unexpected(resolved.error());
    m_config.upstream = profile;
    m_config.upstreamKey = key;
    if (m_server)
        m_server->setUpstream(*resolved, key);
    return {};
}

Result<void> ProxyService::setFallbacks(const QList<UpstreamTarget> &fallbacks)
{
    QList<UpstreamTarget> resolved = fallbacks;
    for (UpstreamTarget &fallback : resolved) {
        const Result<UpstreamProfile> profile = resolve(fallback.profile);
        if (!profile)
            return tl::unexpected(profile.error());
        fallback.profile = *profile;
    }
    m_config.fallbacks = fallbacks;
    if (m_server)
        m_server->setFallbacks(resolved);
    return {};
}

Result<void> ProxyService::setInboundToken(const QByteArray &token)
{
    if (m_server && !m_server->setInboundToken(token)) {
        return tl::unexpected(Error::make(ErrorType::Api, u"an inbound token is required while listening on a "
                                                          "non-loopback address"_s));
    }
    m_config.inboundToken = token;
    return {};
}

void ProxyService::shutdown(int graceMs)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (!m_server) {
        QTimer::singleShot(0, this, &ProxyService::drained);
        return;
    }
    m_server->stopListening();
    connect(m_server, &ProxyServer::drained, this, &ProxyService::waitForFlush);
    if (activeExchangeCount() == 0)
        QTimer::singleShot(0, this, &ProxyService::waitForFlush);
    QTimer::singleShot(graceMs, this, [this] {
        if (activeExchangeCount() > 0)
            m_server->abortAll(Error::make(ErrorType::Overloaded, u"Switchyard is shutting down; retry the request"_s));
    });
}

// The last exchange answered, but its bytes may still sit in a socket buffer: quitting now would cut the
// response. Wait (briefly, bounded) until every client socket has written everything.
void ProxyService::waitForFlush()
{
    static constexpr int flushLimitMs = 3'000;
    if (m_drained)
        return;
    if (!m_flushClock.isValid())
        m_flushClock.start();
    if (m_server->pendingClientBytes() > 0 && m_flushClock.elapsed() < flushLimitMs) {
        QTimer::singleShot(10, this, &ProxyService::waitForFlush);
        return;
    }
    m_drained = true;
    Q_EMIT drained();
}

Result<QUrl> ProxyService::setListenAddress(const QString &host, quint16 port)
{
    if (!m_server)
        return tl::unexpected(Error::make(ErrorType::Api, u"the proxy is not running"_s));
    QHostAddress address;
    if (host == u"localhost"_s)
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return tl::unexpected(Error::make(ErrorType::Api, u"not an IP address: %1"_s.arg(host)));
    if (!m_server->listen(address, port)) {
        return tl::unexpected(Error::make(ErrorType::Api, u"cannot listen on %1:%2: %3"_s.arg(
                                                              host, QString::number(port), m_server->errorString())));
    }
    m_config.listenHost = host;
    m_config.listenPort = port;
    return m_server->url();
}

void ProxyService::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (m_server)
        m_server->setPaused(paused);
    Q_EMIT pausedChanged(paused);
}

namespace {

QByteArray testRequestBody()
{
    const QJsonObject weatherTool{
        {u"name"_s, u"get_weather"_s},
        {u"description"_s, u"Current weather for a city"_s},
        {u"input_schema"_s,
         QJsonObject{{u"type"_s, u"object"_s},
                     {u"properties"_s, QJsonObject{{u"city"_s, QJsonObject{{u"type"_s, u"string"_s}}},
                                                   {u"unit"_s, QJsonObject{{u"type"_s, u"string"_s},
                                                                           {u"enum"_s, QJsonArray{u"celsius"_s,
                                                                                                  u"fahrenheit"_s}}}}}},
                     {u"required"_s, QJsonArray{u"city"_s}}}}};
    const QJsonObject body{
        {u"model"_s, u"claude-sonnet-4-5"_s},
        {u"max_tokens"_s, 256},
        {u"stream"_s, true},
        {u"tools"_s, QJsonArray{weatherTool}},
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s},
                                               {u"content"_s, u"What is the weather in Lisbon right now?"_s}}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace

void ProxyService::sendTestRequest()
{
    if (!m_server)
        return;
    if (!m_testClient) {
        m_testClient = new QNetworkAccessManager(this);
        m_testClient->setCookieJar(nullptr);
    }
    QUrl target = url();
    target.setPath(u"/v1/messages"_s);
    QNetworkRequest request(target);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("switchyard-test/" SWITCHYARD_VERSION));
    request.setRawHeader("anthropic-version", "2023-06-01");
    if (!m_config.inboundToken.isEmpty())
        request.setRawHeader("x-api-key", m_config.inboundToken);
    request.setRawHeader("Accept-Encoding", "identity");
    if (!m_config.inboundToken.isEmpty()) // the proxy demands it of every client, this one included
        request.setRawHeader("x-api-key", m_config.inboundToken);
    QNetworkReply *reply = m_testClient->post(request, testRequestBody());
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        Q_EMIT testRequestStarted(reply->rawHeader("request-id"));
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QString error;
        if (reply->error() != QNetworkReply::NoError || status != 200) {
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            const QString message = body.value(u"error"_s).toObject().value(u"message"_s).toString();
            error = !message.isEmpty() ? message : reply->errorString();
        }
        Q_EMIT testRequestFinished(reply->rawHeader("request-id"), error);
    });
}

int ProxyService::activeExchangeCount() const
{
    return m_server ? m_server->activeExchangeCount() : 0;
}

} // namespace Proxy
