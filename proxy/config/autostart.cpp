#include "autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

#include <utility>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

Error failure(const QString &message)
{
    return Error::make(ErrorType::Api, message);
}

bool hasControlCharacter(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return true;
    }
    return false;
}

// The [Desktop Entry] group's value for key, or a null string.
QString entryValue(const QByteArray &contents, QLatin1StringView key)
{
    bool inMainGroup = false;
    const QList<QByteArray> lines = contents.split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(u'[')) {
            inMainGroup = line == u"[Desktop Entry]"_s;
            continue;
        }
        if (!inMainGroup || line.startsWith(u'#'))
            continue;
        const qsizetype equals = line.indexOf(u'=');
        if (equals > 0 && QStringView(line).left(equals).trimmed() == key)
            return line.mid(equals + 1).trimmed();
    }
    return {};
}

// A string value: backslash and the control characters the spec names are escaped.
QString escapeStringValue(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size());
    for (const QChar c : text) {
        if (c == u'\\')
            escaped += u"\\\\"_s;
        else
            escaped += c;
    }
    return escaped;
}

} // namespace

Autostart::Autostart(QString directory, QString executable, QStringList arguments)
    : m_directory(std::move(directory))
    , m_executable(std::move(executable))
    , m_arguments(std::move(arguments))
{
}

QString Autostart::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + u"/autostart"_s;
}

QString Autostart::defaultExecutable()
{
    // An AppImage's own path lives in a mount that disappears when it exits; $APPIMAGE names the file itself.
    const QString appImage = qEnvironmentVariable("APPIMAGE");
    if (!appImage.isEmpty())
        return appImage;
    if (QCoreApplication::instance() != nullptr) {
        const QString path = QCoreApplication::applicationFilePath();
        if (!path.isEmpty())
            return path;
    }
    return u"switchyard"_s;
}

QString Autostart::filePath() const
{
    return QDir(m_directory).filePath(desktopId.toString() + u".desktop"_s);
}

bool Autostart::isEnabled() const
{
    QFile file(filePath());
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray contents = file.read(64 * 1024); // an entry is a few hundred bytes
    if (entryValue(contents, "Hidden"_L1) == u"true"_s)
        return false;
    if (entryValue(contents, "X-GNOME-Autostart-enabled"_L1) == u"false"_s)
        return false;
    return true;
}

QString Autostart::quoteExecArgument(const QString &argument)
{
    // Desktop entry spec, "The Exec key": these characters make an argument need double quotes, inside which
    // the quote, backquote, dollar and backslash take a backslash. '%' always doubles (field codes). The
    // string-value escaping (one backslash becomes two) comes last.
    static const QString reserved = u" \t\n\"'\\><~|&;$*?#()`"_s;
    bool needsQuotes = argument.isEmpty();
    for (const QChar c : argument) {
        if (reserved.contains(c)) {
            needsQuotes = true;
            break;
        }
    }
    QString quoted;
    if (needsQuotes) {
        quoted += u'"';
        for (const QChar c : argument) {
            if (c == u'"' || c == u'`' || c == u'$' || c == u'\\')
                quoted += u'\\';
            quoted += c;
        }
        quoted += u'"';
    } else {
        quoted = argument;
    }
    quoted.replace(u'%', u"%%"_s);
    return escapeStringValue(quoted);
}

QByteArray Autostart::desktopEntry() const
{
    if (m_executable.isEmpty() || hasControlCharacter(m_executable))
        return {};
    QStringList exec{quoteExecArgument(m_executable)};
    for (const QString &argument : m_arguments) {
        if (hasControlCharacter(argument))
            return {};
        exec.append(quoteExecArgument(argument));
    }
    QString entry = u"[Desktop Entry]\n"
                    "Type=Application\n"
                    "Name=Switchyard\n"
                    "Comment=Anthropic Messages API in front of OpenAI-compatible upstreams\n"_s;
    entry += u"Exec="_s + exec.join(u' ') + u'\n';
    // Absolute paths only: TryExec with a bare name would search $PATH, which an autostart session may not share.
    if (QFileInfo(m_executable).isAbsolute())
        entry += u"TryExec="_s + escapeStringValue(m_executable) + u'\n';
    entry += u"Icon="_s + desktopId.toString() + u'\n';
    entry += u"Terminal=false\n"
             "X-GNOME-Autostart-enabled=true\n"_s;
    return entry.toUtf8();
}

Result<void> Autostart::setEnabled(bool enabled)
{
    const QString path = filePath();
    if (!enabled) {
        if (!QFileInfo::exists(path))
            return {};
        QFile file(path);
        if (!file.remove())
            return tl::unexpected(failure(u"Cannot remove the autostart entry %1: %2"_s.arg(path, file.errorString())));
        return {};
    }

    const QByteArray entry = desktopEntry();
    if (entry.isEmpty())
        return tl::unexpected(failure(u"Cannot start \"%1\" at login: not a usable program path"_s.arg(m_executable)));
    if (!QDir().mkpath(m_directory))
        return tl::unexpected(failure(u"Cannot create the autostart folder %1"_s.arg(m_directory)));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tl::unexpected(failure(u"Cannot write the autostart entry %1: %2"_s.arg(path, file.errorString())));
    file.write(entry);
    if (!file.commit())
        return tl::unexpected(failure(u"Cannot write the autostart entry %1: %2"_s.arg(path, file.errorString())));
    return {};
}

} // namespace Proxy
