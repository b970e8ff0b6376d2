#pragma once

#include "config/proxyconfig.h"
#include "protocol/error.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <memory>

namespace Proxy {
class Autostart;
class HistoryStore;
class ServiceHost;
class SessionStore;
class Settings;
} // namespace Proxy

namespace Desktop {

class KeyStore;
class MainWindow;
class SettingsDialog;
class SingleInstance;
class Tray;

// The desktop application put together: the proxy on its own thread, the session store the window reads, the
// history database, the keychain, the window, the tray and the settings dialog — and the wiring between them
// (a profile switch applies to the next request; closing the window keeps the proxy running in the tray).
class DesktopApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopApp)

public:
    struct Options
    {
        QString historyFile;        // empty: <AppDataLocation>/history.sqlite
        QString summaryLogFile;     // the summary log (read into the Logs view, written by the proxy)
        bool useEnvironmentKey = false; // the key came from SWITCHYARD_UPSTREAM_KEY: don't replace it from the keychain
        bool upstreamFromCommandLine = false; // --upstream/--model given: the settings' profile doesn't apply
    };

    DesktopApp(Proxy::ProxyConfig config, Proxy::Settings *settings, Options options, QObject *parent = nullptr);
    ~DesktopApp() override;

    // Starts the proxy; on success shows the window (and the tray icon when there is a tray).
    [[nodiscard]] Proxy::Result<QUrl> start();
    // Graceful quit: stop accepting, let streams finish (bounded), then quit the application.
    void quit();

    [[nodiscard]] MainWindow *window() const { return m_window.get(); }
    [[nodiscard]] Tray *tray() const { return m_tray; }
    [[nodiscard]] Proxy::ServiceHost *host() const { return m_host.get(); }
    [[nodiscard]] SettingsDialog *openSettings();
    void showWindow();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applySettings();
    void applyActiveProfile();
    void switchProfile(const QString &name);
    void refreshTrayProfiles();

    Proxy::ProxyConfig m_config;
    Proxy::Settings *m_settings;
    Options m_options;
    std::unique_ptr<Proxy::ServiceHost> m_host;
    Proxy::SessionStore *m_store = nullptr;
    Proxy::HistoryStore *m_history = nullptr;
    KeyStore *m_keys = nullptr;
    std::unique_ptr<Proxy::Autostart> m_autostart;
    std::unique_ptr<MainWindow> m_window;
    Tray *m_tray = nullptr;
    QPointer<SettingsDialog> m_dialog;
    bool m_quitting = false;
    bool m_listenAddressEdited = false;
};

} // namespace Desktop
