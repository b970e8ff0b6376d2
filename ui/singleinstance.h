#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace Desktop {

// One desktop instance per user: the first launch listens on a local socket; a second launch finds it, asks it
// to raise its window and exits. Headless runs don't take part (several headless proxies may run side by side).
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)

public:
    explicit SingleInstance(QString name, QObject *parent = nullptr);
    ~SingleInstance() override;

    // True: another instance answered and was asked to show itself; this process should exit.
    [[nodiscard]] bool notifyRunningInstance(int timeoutMs = 1'000) const;
    // Becomes the instance others find. False when the socket cannot be created.
    [[nodiscard]] bool listen();
    // A per-user name (the settings file path makes test and portable setups distinct).
    [[nodiscard]] static QString defaultName(const QString &settingsFile);

Q_SIGNALS:
    void activationRequested();

private:
    QString m_name;
    QLocalServer *m_server = nullptr;
};

} // namespace Desktop
