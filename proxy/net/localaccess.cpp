#include "localaccess.h"

#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

bool isLoopbackName(QByteArray host)
{
    host = host.trimmed().toLower();
    if (host.startsWith('[')) { // [::1]:8082
        const qsizetype close = host.indexOf(']');
        host = close > 0 ? host.mid(1, close - 1) : QByteArray();
    } else if (host.count(':') == 1) { // name:port (a bare IPv6 address has several colons)
        host = host.left(host.indexOf(':'));
    }
    if (host == "localhost" || host.endsWith(".localhost"))
        return true;
    const QHostAddress address(QString::fromLatin1(host));
    return !address.isNull() && address.isLoopback();
}

} // namespace

std::optional<Error> checkLocalAccess(const QByteArray &host, const QByteArray &origin, bool listeningOnLoopback)
{
    if (!listeningOnLoopback)
        return std::nullopt; // reachable from elsewhere by the user's choice; names are theirs to pick
    if (!origin.isEmpty()) {
        return Error::make(ErrorType::Permission,
                           u"Requests from web pages are refused (Origin: %1): Switchyard spends your upstream key, "
                           "so only local programs may use it"_s.arg(QString::fromLatin1(origin.left(200))));
    }
    if (!isLoopbackName(host)) {
        return Error::make(ErrorType::Permission,
                           u"Host \"%1\" is not a loopback name; Switchyard only answers requests addressed to "
                           "localhost or 127.0.0.1 (this protects against DNS rebinding)"_s.arg(
                               QString::fromLatin1(host.left(200))));
    }
    return std::nullopt;
}

} // namespace Proxy
