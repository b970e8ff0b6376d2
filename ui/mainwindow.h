#pragma once

#include "session/redactor.h"

#include <QByteArray>
#include <QMainWindow>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTreeView;

namespace Proxy {
class ExchangeFilterModel;
class ExchangeListModel;
class LogModel;
class ServiceHost;
class SessionStore;
class TimelineModel;
} // namespace Proxy

namespace Desktop {

class TimelineDelegate;

// The window: every exchange (live, grouped by Claude Code session, filterable), the selected exchange's
// timeline — upstream chunks and client events on one time axis, linked — its details and stats, and the
// redacted summary log. It observes the core through SessionStore (polled, coalesced) and commands it through
// ServiceHost; nothing here blocks the proxy, which runs on its own thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class ExportFormat { Jsonl, Har };

    MainWindow(Proxy::ServiceHost *host, Proxy::SessionStore *store, QWidget *parent = nullptr);
    ~MainWindow() override;

    // What "Copy Claude Code environment" copies; `token` is what clients must send (placeholder when none).
    [[nodiscard]] QString claudeCodeEnvironment() const;
    void setInboundToken(const QByteArray &token) { m_inboundToken = token; }
    // Secrets exports must never contain (keys, the inbound token); the records are already redacted.
    void setRedactor(const Proxy::Redactor &redactor) { m_redactor = redactor; }
    // Starts the log view from the summary log file of earlier runs.
    void loadLogFile(const QString &path);
    // Shown in the status bar: recording state or a history write failure.
    void setHistoryStatus(const QString &text, bool isError);

    void selectExchange(const QByteArray &requestId);
    [[nodiscard]] QByteArray selectedExchange() const;
    [[nodiscard]] QList<QByteArray> selectedExchanges() const;
    // Every exchange of the selected exchange's session (or of the selection's sessions).
    [[nodiscard]] QList<QByteArray> selectedSessionExchanges() const;
    [[nodiscard]] bool exportTo(const QString &path, const QList<QByteArray> &requestIds, ExportFormat format,
                                QString *error = nullptr) const;
    [[nodiscard]] QString curlForSelection() const;

    [[nodiscard]] Proxy::TimelineModel *timelineModel() const { return m_timeline; }
    [[nodiscard]] QTableView *timelineView() const { return m_timelineView; }
    [[nodiscard]] QTreeView *exchangeView() const { return m_exchangeView; }

Q_SIGNALS:
    void settingsRequested();

private:
    QWidget *buildHeader();
    QWidget *buildExchangeList();
    QWidget *buildExchangeDetail();
    QWidget *buildLogs();
    void onExchangeSelected();
    void onTimelineCurrentChanged();
    void updateHeader();
    void updateStats();
    void updateDetailTabs();
    void exportInteractively(const QList<QByteArray> &requestIds, ExportFormat format);
    void refreshModelFilter();

    Proxy::ServiceHost *m_host;
    Proxy::SessionStore *m_store;
    Proxy::ExchangeListModel *m_exchanges = nullptr;
    Proxy::ExchangeFilterModel *m_filter = nullptr;
    Proxy::TimelineModel *m_timeline = nullptr;
    Proxy::LogModel *m_logs = nullptr;
    QSortFilterProxyModel *m_logFilter = nullptr;
    Proxy::Redactor m_redactor;
    QByteArray m_inboundToken;
    QByteArray m_pendingSelection; // the test request, selected as soon as it appears

    QLabel *m_status = nullptr;
    QPushButton *m_pause = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QComboBox *m_modelFilter = nullptr;
    QTreeView *m_exchangeView = nullptr;
    QLabel *m_stats = nullptr;
    QTableView *m_timelineView = nullptr;
    TimelineDelegate *m_delegate = nullptr;
    QTabWidget *m_details = nullptr;
    QPlainTextEdit *m_eventText = nullptr;
    QPlainTextEdit *m_requestText = nullptr;
    QPlainTextEdit *m_responseText = nullptr;
    QLabel *m_dropped = nullptr;
    QLabel *m_history = nullptr;
    bool m_followTail = true;
};

} // namespace Desktop
