#include "localaccess.h"

#include <QCryptographicHash>
#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

// The host part of a Host header value, lower case, without port or IPv6 brackets.
QByteArray hostName(QByteArray host)
{
    host = host.trimmed().toLower();
    if (host.startsWith('[')) { // [::1]:8082
        const qsizetype close = host.indexOf(']');
        host = close > 0 ? host.mid(1, close - 1) : QByteArray();
    } else if (host.count(':') == 1) { // name:port (a bare IPv6 address has several colons)
        host = host.left(host.indexOf(':'));
    }
    if (host.endsWith('.')) // "localhost." is the same name
        host.chop(1);
    return host;
}

bool isLoopbackName(const QByteArray &host)
{
    if (host == "localhost" || host.endsWith(".localhost"))
        return true;
    const QHostAddress address(QString::fromLatin1(host));
    return !address.isNull() && address.isLoopback();
}

bool isListed(const QByteArray &value, const QStringList &list)
{
    for (const QString &entry : list) {
        if (QString::fromLatin1(value).compare(entry.trimmed(), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

std::optional<Error> checkLocalAccess(const QByteArray &host, const QByteArray &origin, bool listeningOnLoopback,
                                      const QStringList &allowedHosts, const QStringList &allowedOrigins)
{
    if (!origin.isEmpty() && !isListed(origin.trimmed(), allowedOrigins)) {
        return Error::make(ErrorType::Permission,
                           u"Requests from web pages are refused (Origin: %1): Switchyard spends your upstream key, "
                           "so only local programs may use it"_s.arg(QString::fromLatin1(origin.left(200))));
    }
    const QByteArray name = hostName(host);
    if (isListed(name, allowedHosts))
        return std::nullopt;
    if (listeningOnLoopback ? isLoopbackName(name)
                            : (allowedHosts.isEmpty() || isLoopbackName(name)
                               || !QHostAddress(QString::fromLatin1(name)).isNull()))
        return std::nullopt;
    return Error::make(ErrorType::Permission,
                       u"Host \"%1\" is not a loopback name or an allowed host; Switchyard only answers requests "
                       "addressed to localhost, 127.0.0.1 or a configured name (this protects against DNS "
                       "rebinding)"_s.arg(QString::fromLatin1(host.left(200))));
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    const QByteArray x = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray y = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < x.size(); ++i)
        diff |= static_cast<unsigned char>(x[i] ^ y[i]);
    return diff == 0;
}

std::optional<Error> checkInboundToken(const QByteArray &apiKey, const QByteArray &authorization,
                                       const QByteArray &token)
{
    if (token.isEmpty())
        return std::nullopt;
    bool ok = false;
    if (!apiKey.isEmpty())
        ok = constantTimeEquals(apiKey.trimmed(), token);
    const QByteArray bearer = authorization.trimmed();
    if (!ok && bearer.size() > 7 && bearer.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        ok = constantTimeEquals(bearer.mid(7).trimmed(), token);
    if (ok)
        return std::nullopt;
    return Error::make(ErrorType::Authentication,
                       apiKey.isEmpty() && authorization.isEmpty()
                           ? u"Switchyard requires its inbound token: send it as x-api-key or Authorization: Bearer"_s
                           : u"Invalid inbound token: the x-api-key or Authorization: Bearer value does not match "
                             "Switchyard's token"_s);
}

} // namespace Proxy
