#pragma once

#include <QIcon>
#include <QObject>
#include <QStringList>

class QAction;
class QActionGroup;
class QMenu;
class QSystemTrayIcon;

namespace Desktop {

// The tray icon and its menu. The icon tells the state at a glance (serving, streams in flight, paused, an
// error the user should look at); the menu opens the window, switches the upstream profile in one click,
// copies the Claude Code environment, pauses the proxy and quits. Absent tray: isAvailable() is false and
// the application keeps its window open instead.
class Tray final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Tray)

public:
    enum class State { Serving, Active, Paused, Error };
    Q_ENUM(State)

    explicit Tray(QObject *parent = nullptr);
    ~Tray() override;

    [[nodiscard]] static bool isAvailable();
    void show();
    [[nodiscard]] QMenu *menu() const { return m_menu; }
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] static QIcon iconFor(State state);

    void setProfiles(const QStringList &names, const QString &active);
    void setPaused(bool paused);
    void setRecording(bool recording);
    void setActiveExchanges(int count);
    void setError(const QString &message); // empty: no error
    void showMessage(const QString &title, const QString &text);

Q_SIGNALS:
    void openRequested();
    void profileSelected(const QString &name);
    void copyEnvironmentRequested();
    void pauseToggled(bool paused);
    void recordingToggled(bool recording);
    void quitRequested();

private:
    void updateState();

    QSystemTrayIcon *m_icon = nullptr;
    QMenu *m_menu = nullptr;
    QMenu *m_profiles = nullptr;
    QActionGroup *m_profileGroup = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_recording = nullptr;
    QAction *m_status = nullptr;
    State m_state = State::Serving;
    bool m_paused = false;
    int m_active = 0;
    QString m_error;
};

} // namespace Desktop
