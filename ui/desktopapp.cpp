#include "desktopapp.h"

#include "keystore.h"
#include "mainwindow.h"
#include "settingsdialog.h"
#include "tray.h"

#include "config/autostart.h"
#include "config/settings.h"
#include "net/servicehost.h"
#include "session/historystore.h"
#include "session/sessionstore.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QStandardPaths>
#include <QTimer>

using namespace Qt::StringLiterals;
using Key = Proxy::Settings::Key;

namespace Desktop {

DesktopApp::DesktopApp(Proxy::ProxyConfig config, Proxy::Settings *settings, Options options, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_settings(settings)
    , m_options(std::move(options))
{
}

DesktopApp::~DesktopApp()
{
    if (m_dialog)
        delete m_dialog;
    m_window.reset();
    if (m_store)
        m_store->poll(); // the last events the window has not fetched yet go to the history too
    if (m_history)
        m_history->flush();
}

Proxy::Result<QUrl> DesktopApp::start()
{
    m_host = std::make_unique<Proxy::ServiceHost>(m_config);
    if (!m_options.summaryLogFile.isEmpty())
        m_host->setSummaryLog({m_options.summaryLogFile, false});
    m_host->setRecordBodies(m_settings->value(Key::RecordBodies).toBool());
    const Proxy::Result<QUrl> url = m_host->start();
    if (!url)
        return url;

    m_store = new Proxy::SessionStore(2'000, this);
    // History: opened here, fed from the window's batches (so a frozen window can't hold the proxy up).
    const QString historyFile = !m_options.historyFile.isEmpty()
        ? m_options.historyFile
        : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/history.sqlite"_s;
    m_history = new Proxy::HistoryStore(historyFile, this);
    m_history->setRetention(m_settings->value(Key::HistoryRetentionDays).toInt(),
                            qint64(m_settings->value(Key::HistoryMaxMegabytes).toInt()) * 1024 * 1024);
    m_history->setPaused(m_settings->value(Key::RecordingPaused).toBool());
    Proxy::Redactor redactor;
    redactor.addSecret(m_config.upstreamKey);
    redactor.addSecret(m_config.inboundToken);
    m_history->setRedactor(redactor);
    const Proxy::Result<void> opened = m_history->open();
    if (opened) {
        QList<Proxy::ExchangeRecord> past = m_history->exchanges(1'000);
        std::reverse(past.begin(), past.end()); // oldest first
        m_store->addPast(past);
        m_store->setEventLoader([history = m_history](const QByteArray &id) { return history->events(id); });
        connect(m_store, &Proxy::SessionStore::eventsObserved, m_history, [history = m_history](const QList<Proxy::ObservedEvent> &batch) {
            for (const Proxy::ObservedEvent &event : batch)
                history->append(event);
        });
    }
    m_store->attach(m_host->hub());

    m_keys = new KeyStore(nullptr, KeyStore::defaultKeyFile(), this);
    if (m_settings->value(Key::KeyFileFallback).toBool())
        m_keys->setFileFallback(true);
    m_autostart = std::make_unique<Proxy::Autostart>();

    m_window = std::make_unique<MainWindow>(m_host.get(), m_store);
    m_window->setRedactor(redactor);
    m_window->setInboundToken(m_config.inboundToken);
    m_window->loadLogFile(m_options.summaryLogFile);
    m_window->installEventFilter(this);
    if (!opened) {
        m_window->setHistoryStatus(tr("History is off: %1").arg(opened.error().message), true);
    } else {
        m_window->setHistoryStatus(m_history->isPaused() ? tr("History recording is paused")
                                                         : tr("Recording history to %1").arg(QDir::toNativeSeparators(historyFile)),
                                   false);
    }
    connect(m_history, &Proxy::HistoryStore::writeFailed, this, [this](const QString &message) {
        m_window->setHistoryStatus(tr("History could not be written: %1 (the proxy keeps running)").arg(message), true);
        if (m_tray)
            m_tray->setError(tr("history could not be written"));
    });
    connect(m_history, &Proxy::HistoryStore::writeRecovered, this, [this] {
        m_window->setHistoryStatus(tr("History recording resumed"), false);
        if (m_tray)
            m_tray->setError({});
    });
    connect(m_window.get(), &MainWindow::settingsRequested, this, &DesktopApp::openSettings);
    connect(m_settings, &Proxy::Settings::changed, this, [this](Proxy::Settings::Key key) {
        m_listenAddressEdited |= key == Key::ListenHost || key == Key::ListenPort;
    });

    m_tray = new Tray(this);
    connect(m_tray, &Tray::openRequested, this, &DesktopApp::showWindow);
    connect(m_tray, &Tray::quitRequested, this, &DesktopApp::quit);
    connect(m_tray, &Tray::pauseToggled, m_host.get(), &Proxy::ServiceHost::setPaused);
    connect(m_tray, &Tray::profileSelected, this, &DesktopApp::switchProfile);
    m_tray->setRecording(!m_history->isPaused());
    connect(m_tray, &Tray::recordingToggled, this, [this](bool recording) {
        m_settings->set(Key::RecordingPaused, !recording);
        m_history->setPaused(!recording);
        m_window->setHistoryStatus(recording ? tr("Recording history") : tr("History recording is paused"), false);
    });
    connect(m_tray, &Tray::copyEnvironmentRequested, this,
            [this] { QGuiApplication::clipboard()->setText(m_window->claudeCodeEnvironment()); });
    connect(m_host.get(), &Proxy::ServiceHost::pausedChanged, m_tray, &Tray::setPaused);
    connect(m_host.get(), &Proxy::ServiceHost::activeExchangeCountChanged, m_tray, &Tray::setActiveExchanges);
    connect(m_host.get(), &Proxy::ServiceHost::upstreamChangeFailed, this, [this](const QString &message) {
        m_tray->setError(message);
        m_window->setHistoryStatus(tr("Upstream not changed: %1").arg(message), true);
    });
    connect(m_host.get(), &Proxy::ServiceHost::upstreamChanged, this, [this] { m_tray->setError({}); });
    connect(m_host.get(), &Proxy::ServiceHost::listenFailed, this, [this](const QString &message) {
        m_window->setHistoryStatus(tr("Still on the old address: %1").arg(message), true);
    });
    connect(m_host.get(), &Proxy::ServiceHost::drained, qApp, &QCoreApplication::quit);
    refreshTrayProfiles();
    m_tray->show();

    // The active profile's key lives in the keychain: fetch it, then hand profile and key to the proxy.
    connect(m_keys, &KeyStore::fetched, this, [this](const QString &profile) {
        if (profile == m_settings->activeProfile().name)
            applyActiveProfile();
    });
    if (!m_options.upstreamFromCommandLine && !m_options.useEnvironmentKey)
        m_keys->fetch(m_settings->activeProfile().name);

    m_window->show();
    return url;
}

void DesktopApp::showWindow()
{
    m_window->show();
    m_window->setWindowState((m_window->windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    m_window->raise();
    m_window->activateWindow();
}

bool DesktopApp::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window.get() && event->type() == QEvent::Close && !m_quitting) {
        if (!Tray::isAvailable()) { // no tray to come back from: closing the window quits
            event->ignore();
            quit();
            return true;
        }
        event->ignore();
        m_window->hide();
        if (!m_settings->value(Key::TrayNoticeShown).toBool()) {
            m_tray->showMessage(tr("Switchyard is still running"),
                                tr("The proxy keeps serving in the tray. Use Quit in the tray menu to stop it."));
            m_settings->set(Key::TrayNoticeShown, true);
        }
        return true;
    }
    return QObject::eventFilter(watched, event);
}

void DesktopApp::quit()
{
    if (m_quitting) {
        QCoreApplication::quit();
        return;
    }
    m_quitting = true;
    if (m_history)
        m_history->flush();
    m_host->shutdown(m_config.shutdownGraceMs); // drained() quits
}

SettingsDialog *DesktopApp::openSettings()
{
    if (!m_dialog) {
        m_dialog = new SettingsDialog(m_settings, m_keys, m_autostart.get(), m_window.get());
        m_dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_dialog, &SettingsDialog::applied, this, &DesktopApp::applySettings);
    }
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
    return m_dialog;
}

void DesktopApp::applySettings()
{
    m_host->setRecordBodies(m_settings->value(Key::RecordBodies).toBool());
    m_history->setPaused(m_settings->value(Key::RecordingPaused).toBool());
    m_tray->setRecording(!m_history->isPaused());
    m_history->setRetention(m_settings->value(Key::HistoryRetentionDays).toInt(),
                            qint64(m_settings->value(Key::HistoryMaxMegabytes).toInt()) * 1024 * 1024);
    if (std::exchange(m_listenAddressEdited, false)) // only when the user changed it (not a --listen override)
        m_host->setListenAddress(m_settings->listenHost(), m_settings->listenPort());
    m_options.upstreamFromCommandLine = false; // the user chose in the dialog: settings win from now on
    m_options.useEnvironmentKey = false;
    applyActiveProfile();
    refreshTrayProfiles();
}

void DesktopApp::applyActiveProfile()
{
    const Proxy::UpstreamProfile profile = m_settings->activeProfile();
    // New requests use it; requests in flight finish on the profile they started with.
    m_host->setUpstream(profile, m_keys->cachedKey(profile.name));
}

void DesktopApp::switchProfile(const QString &name)
{
    m_settings->set(Key::ActiveProfile, name);
    m_options.upstreamFromCommandLine = false;
    m_options.useEnvironmentKey = false;
    if (m_keys->hasCachedKey(name))
        applyActiveProfile();
    else
        m_keys->fetch(name); // fetched() applies it
    refreshTrayProfiles();
}

void DesktopApp::refreshTrayProfiles()
{
    QStringList names;
    const QList<Proxy::UpstreamProfile> profiles = m_settings->profiles();
    for (const Proxy::UpstreamProfile &p : profiles)
        names.append(p.name);
    if (names.isEmpty())
        names.append(u"demo"_s);
    m_tray->setProfiles(names, m_settings->activeProfile().name);
}

} // namespace Desktop
