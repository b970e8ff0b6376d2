#include "connectiontester.h"

#include "config/upstreamprofile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr qsizetype maxQuotedChars = 200;

// The upstream's own words: OpenAI's {"error":{"message":…}}, {"error":"…"}, {"message":…} or the plain body,
// on one line, shortened, with the key masked out.
QString upstreamSaid(const QByteArray &body, const QByteArray &key)
{
    QString text;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QJsonObject object = doc.object();
        const QJsonValue error = object.value(u"error"_s);
        if (error.isObject())
            text = error.toObject().value(u"message"_s).toString();
        else if (error.isString())
            text = error.toString();
        if (text.isEmpty())
            text = object.value(u"message"_s).toString();
        if (text.isEmpty())
            text = object.value(u"detail"_s).toString();
    }
    if (text.isEmpty() && !doc.isObject() && !doc.isArray())
        text = QString::fromUtf8(body);
    if (!key.isEmpty())
        text.replace(QString::fromUtf8(key), u"[key]"_s);
    text = text.simplified();
    if (text.size() > maxQuotedChars)
        text = text.left(maxQuotedChars - 1) + u'…';
    return text;
}

QString withQuote(const QString &sentence, const QString &quote)
{
    return quote.isEmpty() ? sentence : sentence + u" (upstream said: "_s + quote + u')';
}

QString networkProblem(QNetworkReply::NetworkError error, const QUrl &url, const QString &detail)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return u"connection refused (is the server running on %1:%2?)"_s.arg(
            url.host(), QString::number(url.port(url.scheme() == u"https"_s ? 443 : 80)));
    case QNetworkReply::HostNotFoundError:
        return u"host not found (%1)"_s.arg(url.host());
    case QNetworkReply::RemoteHostClosedError:
        return u"the server closed the connection"_s;
    case QNetworkReply::SslHandshakeFailedError:
        return u"TLS handshake failed (%1)"_s.arg(detail);
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
        return u"the network proxy failed (%1)"_s.arg(detail);
    case QNetworkReply::ProtocolUnknownError:
        return u"unsupported URL scheme (use http or https)"_s;
    default:
        return detail;
    }
}

} // namespace

ConnectionTester::ConnectionTester(QNetworkAccessManager *manager, QObject *parent)
    : QObject(parent)
    , m_manager(manager ? manager : new QNetworkAccessManager(this))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionTester::onTimeout);
}

ConnectionTester::~ConnectionTester()
{
    cancel();
}

QUrl ConnectionTester::modelsUrl(const UpstreamProfile &profile)
{
    QUrl url = profile.baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/models"_s);
    return url;
}

ConnectionTester::Result ConnectionTester::resultForHttp(
    int httpStatus, const QByteArray &body, const QByteArray &key, const QUrl &url, const QByteArray &location)
{
    Result result;
    result.httpStatus = httpStatus;
    if (httpStatus >= 200 && httpStatus < 300) {
        result.ok = true;
        const QJsonDocument doc = QJsonDocument::fromJson(body);
        // OpenAI and most servers: {"object":"list","data":[…]}; a few answer with the bare array.
        const QJsonArray models = doc.isArray() ? doc.array() : doc.object().value(u"data"_s).toArray();
        if (doc.isArray() || doc.object().value(u"data"_s).isArray()) {
            result.modelCount = int(models.size());
            result.message
                = result.modelCount == 1 ? u"Connected: 1 model"_s : u"Connected: %1 models"_s.arg(result.modelCount);
        } else {
            result.message = u"Connected (HTTP %1), but the server sent no model list"_s.arg(httpStatus);
        }
        return result;
    }
    const QString quote = upstreamSaid(body, key);
    const QString status = u"HTTP %1: "_s.arg(httpStatus);
    switch (httpStatus) {
    case 401:
        result.message
            = withQuote(status + (key.isEmpty() ? u"this upstream needs an API key"_s : u"invalid API key"_s), quote);
        break;
    case 403:
        result.message = withQuote(status + u"access denied for this key"_s, quote);
        break;
    case 404:
        result.message = withQuote(status
                + u"no model list at %1; check the base URL (it usually ends in /v1)"_s.arg(
                    url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)),
            quote);
        break;
    case 429:
        result.message = withQuote(status + u"rate limited or out of credit"_s, quote);
        break;
    default:
        if (httpStatus >= 300 && httpStatus < 400) {
            result.message
                = status + u"redirected to %1; use that address as the base URL"_s.arg(QString::fromUtf8(location));
        } else if (httpStatus >= 500) {
            result.message = withQuote(status + u"the upstream has a problem"_s, quote);
        } else {
            result.message = withQuote(status + u"unexpected answer"_s, quote);
        }
    }
    return result;
}

void ConnectionTester::test(const UpstreamProfile &profile, const QByteArray &key)
{
    cancel();
    m_running = true;
    const quint64 generation = ++m_generation;
    const auto finishLater = [this, generation](Result result) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, result] {
                if (m_running && m_generation == generation)
                    finish(result);
            },
            Qt::QueuedConnection);
    };
    if (profile.isDemo()) {
        finishLater({ true, 0, -1, u"Built-in demo upstream: nothing to connect to, always available"_s });
        return;
    }
    const QUrl url = modelsUrl(profile);
    if (!url.isValid() || url.host().isEmpty() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s)) {
        finishLater({ false, 0, -1, u"Invalid base URL: use http:// or https://, e.g. https://api.openai.com/v1"_s });
        return;
    }

    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Switchyard/" SWITCHYARD_VERSION));
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("Accept-Encoding", "identity");
    if (!key.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + key);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    m_key = key;
    m_reply = m_manager->get(request);
    connect(m_reply, &QNetworkReply::finished, this, &ConnectionTester::onReplyFinished);
    m_timer.start(m_timeoutMs);
}

void ConnectionTester::cancel()
{
    m_running = false;
    ++m_generation;
    m_timer.stop();
    m_key.clear();
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply.clear();
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void ConnectionTester::finish(const Result &result)
{
    cancel();
    Q_EMIT finished(result);
}

void ConnectionTester::onReplyFinished()
{
    QNetworkReply *reply = m_reply.data();
    if (!reply)
        return;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    Result result;
    if (status.isValid()) {
        // Bounded: a model list is a few hundred kB at most.
        const QByteArray body = reply->read(4 * 1024 * 1024);
        result = resultForHttp(status.toInt(), body, m_key, reply->url(), reply->rawHeader("Location"));
    } else {
        result.message = u"Could not connect: "_s + networkProblem(reply->error(), reply->url(), reply->errorString());
    }
    finish(result);
}

void ConnectionTester::onTimeout()
{
    const int seconds = (m_timeoutMs + 999) / 1000;
    finish({ false, 0, -1, seconds == 1 ? u"Timed out after 1 s"_s : u"Timed out after %1 s"_s.arg(seconds) });
}

} // namespace Proxy
