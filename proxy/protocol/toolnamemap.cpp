#include "toolnamemap.h"

#include <QCryptographicHash>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr qsizetype maxNameLength = 64;
constexpr qsizetype hashLength = 8;

bool isValidNameCharacter(char32_t c)
{
    return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') || c == U'_' || c == U'-';
}

// One '_' per code point (not per UTF-16 unit), so an emoji does not turn into two underscores.
QString sanitised(const QString &name)
{
    QString result;
    for (const char32_t c : name.toUcs4())
        result += isValidNameCharacter(c) ? QChar(c) : QChar(u'_');
    return result;
}

} // namespace

bool ToolNameMap::isValidUpstreamName(const QString &name)
{
    if (name.isEmpty() || name.size() > maxNameLength)
        return false;
    return std::all_of(name.cbegin(), name.cend(), [](QChar c) { return isValidNameCharacter(c.unicode()); });
}

QString ToolNameMap::toUpstream(const QString &clientName)
{
    if (isValidUpstreamName(clientName))
        return clientName;
    // The hash of the original keeps two names that sanitise to the same prefix apart.
    const QByteArray hash = QCryptographicHash::hash(clientName.toUtf8(), QCryptographicHash::Sha1).toHex();
    QString upstreamName = sanitised(clientName).left(maxNameLength - hashLength - 1) + u'_'
        + QString::fromLatin1(hash.left(hashLength));
    m_toClient.insert(upstreamName, clientName);
    return upstreamName;
}

QString ToolNameMap::toClient(const QString &upstreamName) const
{
    return m_toClient.value(upstreamName, upstreamName);
}

} // namespace Proxy
