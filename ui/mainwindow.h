#pragma once

#include <QMainWindow>

class QLabel;

namespace Proxy {
class ProxyService;
}

namespace Desktop {

// The first window: where the proxy listens, which upstream it uses, and the environment line that points
// Claude Code at it. The live event timeline grows here (desktop issue).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(Proxy::ProxyService *service, QWidget *parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] QString claudeCodeEnvironment() const;

private:
    void updateCounters();

    Proxy::ProxyService *m_service;
    QLabel *m_counters = nullptr;
    int m_finished = 0;
};

} // namespace Desktop
