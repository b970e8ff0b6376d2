#pragma once

#include "protocol/error.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace Proxy {

// "Start Switchyard when I log in", through an XDG autostart entry: <directory>/<desktopId>.desktop, normally
// $XDG_CONFIG_HOME/autostart. Desktop settings tools switch an entry off by adding Hidden=true or
// X-GNOME-Autostart-enabled=false rather than deleting it, so such an entry counts as disabled.
// The entry carries TryExec=, so it goes quiet once the package is removed.
class Autostart final
{
public:
    // The application id shared by the launcher entry, the AppStream metainfo and the icon names.
    static constexpr QStringView desktopId = u"io.github.switchyard.Switchyard";

    // directory: where the entry lives (tests pass a temporary one); executable: what the entry starts;
    // arguments: passed to it (already split, quoted here).
    explicit Autostart(QString directory = defaultDirectory(), QString executable = defaultExecutable(),
                       QStringList arguments = {});

    // $XDG_CONFIG_HOME/autostart (~/.config/autostart).
    [[nodiscard]] static QString defaultDirectory();
    // The running program: $APPIMAGE inside an AppImage, otherwise the application's file path, "switchyard" when
    // there is no application object yet.
    [[nodiscard]] static QString defaultExecutable();

    [[nodiscard]] QString filePath() const;
    [[nodiscard]] bool isEnabled() const;
    // Writes the entry (creating the directory) or removes it. Enabling twice rewrites it; disabling when there is
    // no entry succeeds.
    [[nodiscard]] Result<void> setEnabled(bool enabled);

    // The entry's contents; empty when the executable cannot be written into an Exec line.
    [[nodiscard]] QByteArray desktopEntry() const;
    // One argument quoted for an Exec line, with the string-value escaping applied (desktop entry spec 1.5).
    [[nodiscard]] static QString quoteExecArgument(const QString &argument);

private:
    QString m_directory;
    QString m_executable;
    QStringList m_arguments;
};

} // namespace Proxy
