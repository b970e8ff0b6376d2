#include "tray.h"

#include <QActionGroup>
#include <QMenu>
#include <QSystemTrayIcon>

using namespace Qt::StringLiterals;

namespace Desktop {

Tray::Tray(QObject *parent)
    : QObject(parent)
    , m_menu(new QMenu)
{
    m_status = m_menu->addAction(QString());
    m_status->setEnabled(false);
    m_menu->addSeparator();
    m_menu->addAction(tr("Open Switchyard"), this, &Tray::openRequested);
    m_profiles = m_menu->addMenu(tr("Upstream profile"));
    m_profileGroup = new QActionGroup(this);
    m_profileGroup->setExclusive(true);
    m_menu->addAction(tr("Copy Claude Code environment"), this, &Tray::copyEnvironmentRequested);
    m_pause = m_menu->addAction(tr("Pause proxy"));
    m_pause->setCheckable(true);
    connect(m_pause, &QAction::toggled, this, &Tray::pauseToggled);
    m_recording = m_menu->addAction(tr("Record history"));
    m_recording->setCheckable(true);
    m_recording->setChecked(true);
    connect(m_recording, &QAction::toggled, this, &Tray::recordingToggled);
    m_menu->addSeparator();
    m_menu->addAction(tr("Quit Switchyard"), this, &Tray::quitRequested);

    if (isAvailable()) {
        m_icon = new QSystemTrayIcon(this);
        m_icon->setContextMenu(m_menu);
        connect(m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                Q_EMIT openRequested();
        });
    }
    updateState();
}

Tray::~Tray()
{
    delete m_menu; // a top-level menu has no parent
}

bool Tray::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void Tray::show()
{
    if (m_icon)
        m_icon->show();
}

QIcon Tray::iconFor(State state)
{
    switch (state) {
    case State::Serving: return QIcon(u":/switchyard/tray/switchyard-serving.svg"_s);
    case State::Active: return QIcon(u":/switchyard/tray/switchyard-active.svg"_s);
    case State::Paused: return QIcon(u":/switchyard/tray/switchyard-paused.svg"_s);
    case State::Error: return QIcon(u":/switchyard/tray/switchyard-error.svg"_s);
    }
    return {};
}

void Tray::setProfiles(const QStringList &names, const QString &active)
{
    m_profiles->clear();
    const auto actions = m_profileGroup->actions();
    for (QAction *action : actions)
        m_profileGroup->removeAction(action);
    for (const QString &name : names) {
        QAction *action = m_profiles->addAction(name);
        action->setCheckable(true);
        action->setChecked(name == active);
        m_profileGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, name] { Q_EMIT profileSelected(name); });
    }
}

void Tray::setPaused(bool paused)
{
    m_paused = paused;
    const QSignalBlocker blocker(m_pause);
    m_pause->setChecked(paused);
    updateState();
}

void Tray::setRecording(bool recording)
{
    const QSignalBlocker blocker(m_recording);
    m_recording->setChecked(recording);
}

void Tray::setActiveExchanges(int count)
{
    m_active = count;
    updateState();
}

void Tray::setError(const QString &message)
{
    m_error = message;
    updateState();
}

void Tray::showMessage(const QString &title, const QString &text)
{
    if (m_icon)
        m_icon->showMessage(title, text, iconFor(m_state), 8'000);
}

void Tray::updateState()
{
    QString text;
    if (!m_error.isEmpty()) {
        m_state = State::Error;
        text = tr("Problem: %1").arg(m_error);
    } else if (m_paused) {
        m_state = State::Paused;
        text = tr("Paused: new requests are refused");
    } else if (m_active > 0) {
        m_state = State::Active;
        text = tr("Serving: %n request(s) in flight", nullptr, m_active);
    } else {
        m_state = State::Serving;
        text = tr("Serving: idle");
    }
    m_status->setText(text);
    if (m_icon) {
        m_icon->setIcon(iconFor(m_state));
        m_icon->setToolTip(u"Switchyard — "_s + text);
    }
}

} // namespace Desktop
