#include "mainwindow.h"

#include "timelinedelegate.h"

#include "net/servicehost.h"
#include "session/exchangelistmodel.h"
#include "session/exporters.h"
#include "session/logmodel.h"
#include "session/sessionstore.h"
#include "session/timelinemodel.h"

#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using Proxy::ExchangeListModel;
using Proxy::TimelineModel;

namespace Desktop {

namespace {

QPlainTextEdit *codeView(QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}

QString pretty(const QByteArray &data)
{
    const QJsonDocument document = QJsonDocument::fromJson(data);
    return document.isNull() ? QString::fromUtf8(data) : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}

QString pretty(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
}

} // namespace

MainWindow::MainWindow(Proxy::ServiceHost *host, Proxy::SessionStore *store, QWidget *parent)
    : QMainWindow(parent)
    , m_host(host)
    , m_store(store)
    , m_exchanges(new ExchangeListModel(store, this))
    , m_filter(new Proxy::ExchangeFilterModel(this))
    , m_timeline(new TimelineModel(store, this))
    , m_logs(new Proxy::LogModel(Proxy::LogModel::defaultMaxLines, this))
    , m_logFilter(new QSortFilterProxyModel(this))
{
    setWindowTitle(u"Switchyard"_s);
    setWindowIcon(QIcon(u":/switchyard/switchyard.svg"_s));
    m_filter->setSourceModel(m_exchanges);
    m_logFilter->setSourceModel(m_logs);
    m_logFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addWidget(buildHeader());
    auto *tabs = new QTabWidget(central);
    tabs->setDocumentMode(true);
    auto *split = new QSplitter(Qt::Horizontal, tabs);
    split->addWidget(buildExchangeList());
    split->addWidget(buildExchangeDetail());
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setChildrenCollapsible(false);
    const int em = fontMetrics().horizontalAdvance(u'M');
    split->setSizes({48 * em, 62 * em});
    tabs->addTab(split, tr("Exchanges"));
    tabs->addTab(buildLogs(), tr("Logs"));
    layout->addWidget(tabs, 1);
    setCentralWidget(central);

    m_dropped = new QLabel(this);
    m_dropped->setVisible(false);
    m_history = new QLabel(this);
    statusBar()->addWidget(m_history, 1);
    statusBar()->addPermanentWidget(m_dropped);

    connect(m_store, &Proxy::SessionStore::eventsObserved, m_logs, &Proxy::LogModel::addEvents);
    connect(m_store, &Proxy::SessionStore::droppedEventsChanged, this, [this](quint64 dropped) {
        m_dropped->setText(tr("The window fell behind: %n event(s) not shown (the proxy was not slowed)", nullptr,
                              int(qMin<quint64>(dropped, INT_MAX))));
        m_dropped->setStyleSheet(u"color: #b06000;"_s);
        m_dropped->setVisible(true);
    });
    connect(m_store, &Proxy::SessionStore::exchangesAdded, this, [this] {
        refreshModelFilter();
        if (!m_pendingSelection.isEmpty() && m_store->find(m_pendingSelection))
            selectExchange(std::exchange(m_pendingSelection, QByteArray()));
        else if (selectedExchange().isEmpty() && m_store->count() > 0) // nothing chosen yet: follow the newest
            selectExchange(m_store->at(m_store->count() - 1).requestId);
    });
    connect(m_store, &Proxy::SessionStore::exchangeUpdated, this, [this](qsizetype index) {
        if (m_store->at(index).requestId == selectedExchange()) {
            updateStats();
            updateDetailTabs();
        }
    });
    connect(m_host, &Proxy::ServiceHost::activeExchangeCountChanged, this, &MainWindow::updateHeader);
    connect(m_host, &Proxy::ServiceHost::pausedChanged, this, &MainWindow::updateHeader);
    connect(m_host, &Proxy::ServiceHost::upstreamChanged, this, &MainWindow::updateHeader);
    connect(m_host, &Proxy::ServiceHost::listenChanged, this, &MainWindow::updateHeader);
    connect(m_host, &Proxy::ServiceHost::testRequestStarted, this, [this](const QByteArray &id) {
        if (m_store->find(id))
            selectExchange(id);
        else
            m_pendingSelection = id;
    });
    connect(m_host, &Proxy::ServiceHost::testRequestFinished, this, [this](const QByteArray &, const QString &error) {
        if (!error.isEmpty())
            statusBar()->showMessage(tr("Test request failed: %1").arg(error), 15'000);
    });
    updateHeader();
    resize(1200, 760);
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::buildHeader()
{
    auto *header = new QWidget(this);
    auto *row = new QHBoxLayout(header);
    row->setContentsMargins(0, 0, 0, 0);
    auto *icon = new QLabel(header);
    const int iconSize = fontMetrics().height() * 2;
    icon->setPixmap(QIcon(u":/switchyard/switchyard.svg"_s).pixmap(iconSize, iconSize));
    row->addWidget(icon);
    m_status = new QLabel(header);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(m_status, 1);

    auto *test = new QPushButton(tr("Send test request"), header);
    test->setToolTip(tr("Sends a streaming request with a tool to this proxy, as Claude Code would"));
    connect(test, &QPushButton::clicked, m_host, &Proxy::ServiceHost::sendTestRequest);
    row->addWidget(test);
    m_pause = new QPushButton(tr("Pause"), header);
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("While paused, new requests get a clear 503 error; requests in flight finish"));
    connect(m_pause, &QPushButton::toggled, m_host, &Proxy::ServiceHost::setPaused);
    row->addWidget(m_pause);
    auto *copy = new QPushButton(tr("Copy Claude Code environment"), header);
    copy->setObjectName(u"copyEnvironment"_s);
    copy->setToolTip(tr("ANTHROPIC_BASE_URL and a token line, ready to paste into a shell"));
    connect(copy, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(claudeCodeEnvironment());
        statusBar()->showMessage(tr("Copied. Paste it into the shell that runs Claude Code."), 5'000);
    });
    row->addWidget(copy);
    auto *settings = new QPushButton(tr("Settings…"), header);
    connect(settings, &QPushButton::clicked, this, &MainWindow::settingsRequested);
    row->addWidget(settings);
    return header;
}

QWidget *MainWindow::buildExchangeList()
{
    auto *panel = new QWidget(this);
    auto *column = new QVBoxLayout(panel);
    column->setContentsMargins(0, 4, 0, 0);
    auto *filters = new QHBoxLayout;
    m_search = new QLineEdit(panel);
    m_search->setPlaceholderText(tr("Filter: model, client, error, request id…"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_filter, &Proxy::ExchangeFilterModel::setText);
    filters->addWidget(m_search, 1);
    m_statusFilter = new QComboBox(panel);
    m_statusFilter->addItem(tr("All"), int(Proxy::ExchangeFilterModel::StatusFilter::All));
    m_statusFilter->addItem(tr("Succeeded"), int(Proxy::ExchangeFilterModel::StatusFilter::Succeeded));
    m_statusFilter->addItem(tr("Problems"), int(Proxy::ExchangeFilterModel::StatusFilter::Problems));
    m_statusFilter->addItem(tr("In flight"), int(Proxy::ExchangeFilterModel::StatusFilter::InFlight));
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setStatusFilter(Proxy::ExchangeFilterModel::StatusFilter(m_statusFilter->currentData().toInt()));
    });
    filters->addWidget(m_statusFilter);
    m_modelFilter = new QComboBox(panel);
    m_modelFilter->addItem(tr("Any model"), QString());
    m_modelFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_modelFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setModelFilter(m_modelFilter->currentData().toString()); });
    filters->addWidget(m_modelFilter);
    column->addLayout(filters);

    m_exchangeView = new QTreeView(panel);
    m_exchangeView->setModel(m_filter);
    m_exchangeView->setUniformRowHeights(true);
    m_exchangeView->setAlternatingRowColors(true);
    m_exchangeView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_exchangeView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_exchangeView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_exchangeView->header()->setStretchLastSection(false);
    m_exchangeView->header()->setSectionResizeMode(QHeaderView::Interactive);
    const int em = fontMetrics().horizontalAdvance(u'M');
    const int widths[] = {10, 10, 14, 5, 7, 7, 8, 8};
    for (int c = 0; c < ExchangeListModel::ColumnCount; ++c)
        m_exchangeView->setColumnWidth(c, widths[c] * em);
    // Session rows: their label spans the row, and they open as they appear.
    const auto openSessions = [this] {
        for (int r = 0; r < m_filter->rowCount(); ++r)
            m_exchangeView->setFirstColumnSpanned(r, {}, true);
        m_exchangeView->expandAll();
    };
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this, openSessions](const QModelIndex &parent) {
        if (!parent.isValid())
            openSessions();
        else
            m_exchangeView->expand(parent);
    });
    connect(m_filter, &QAbstractItemModel::modelReset, this, openSessions);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, openSessions);
    connect(m_exchangeView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onExchangeSelected);
    connect(m_exchangeView, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu menu(this);
        const QList<QByteArray> ids = selectedExchanges();
        const QList<QByteArray> session = selectedSessionExchanges();
        menu.addAction(tr("Export selected as JSONL…"), this, [this, ids] { exportInteractively(ids, ExportFormat::Jsonl); })
            ->setEnabled(!ids.isEmpty());
        menu.addAction(tr("Export selected as HAR…"), this, [this, ids] { exportInteractively(ids, ExportFormat::Har); })
            ->setEnabled(!ids.isEmpty());
        menu.addSeparator();
        menu.addAction(tr("Export whole session as JSONL…"), this,
                       [this, session] { exportInteractively(session, ExportFormat::Jsonl); })
            ->setEnabled(!session.isEmpty());
        menu.addAction(tr("Export whole session as HAR…"), this,
                       [this, session] { exportInteractively(session, ExportFormat::Har); })
            ->setEnabled(!session.isEmpty());
        menu.addSeparator();
        menu.addAction(tr("Copy as curl"), this, [this] {
            QGuiApplication::clipboard()->setText(curlForSelection());
        })->setEnabled(!ids.isEmpty());
        menu.exec(m_exchangeView->viewport()->mapToGlobal(at));
    });
    column->addWidget(m_exchangeView, 1);

    auto *exports = new QHBoxLayout;
    auto *exportButton = new QToolButton(panel);
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(exportButton);
    exportMenu->addAction(tr("Selected exchanges as JSONL…"), this,
                          [this] { exportInteractively(selectedExchanges(), ExportFormat::Jsonl); });
    exportMenu->addAction(tr("Selected exchanges as HAR…"), this,
                          [this] { exportInteractively(selectedExchanges(), ExportFormat::Har); });
    exportMenu->addAction(tr("Whole session as JSONL…"), this,
                          [this] { exportInteractively(selectedSessionExchanges(), ExportFormat::Jsonl); });
    exportMenu->addAction(tr("Whole session as HAR…"), this,
                          [this] { exportInteractively(selectedSessionExchanges(), ExportFormat::Har); });
    exportButton->setMenu(exportMenu);
    exports->addWidget(exportButton);
    auto *curl = new QPushButton(tr("Copy as curl"), panel);
    connect(curl, &QPushButton::clicked, this, [this] {
        const QString command = curlForSelection();
        if (command.isEmpty())
            return;
        QGuiApplication::clipboard()->setText(command);
        statusBar()->showMessage(tr("Copied a curl command (the key is read from $ANTHROPIC_API_KEY)."), 5'000);
    });
    exports->addWidget(curl);
    exports->addStretch();
    column->addLayout(exports);
    return panel;
}

QWidget *MainWindow::buildExchangeDetail()
{
    auto *split = new QSplitter(Qt::Vertical, this);
    auto *top = new QWidget(split);
    auto *column = new QVBoxLayout(top);
    column->setContentsMargins(0, 4, 0, 0);
    m_stats = new QLabel(tr("Select an exchange, or press “Send test request”."), top);
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stats->setWordWrap(true);
    column->addWidget(m_stats);

    m_timelineView = new QTableView(top);
    m_timelineView->setModel(m_timeline);
    m_delegate = new TimelineDelegate(m_timelineView);
    m_timelineView->setItemDelegate(m_delegate);
    m_timelineView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_timelineView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_timelineView->setShowGrid(false);
    m_timelineView->setWordWrap(false);
    m_timelineView->verticalHeader()->setVisible(false);
    m_timelineView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_timelineView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    const int em = fontMetrics().horizontalAdvance(u'M');
    m_timelineView->horizontalHeader()->setSectionResizeMode(TimelineModel::Time, QHeaderView::Interactive);
    m_timelineView->setColumnWidth(TimelineModel::Time, 6 * em);
    m_timelineView->horizontalHeader()->setSectionResizeMode(TimelineModel::Upstream, QHeaderView::Stretch);
    m_timelineView->horizontalHeader()->setSectionResizeMode(TimelineModel::Client, QHeaderView::Stretch);
    m_timelineView->horizontalHeader()->setSectionResizeMode(TimelineModel::Blocks, QHeaderView::Interactive);
    m_timelineView->setColumnWidth(TimelineModel::Blocks, 5 * em);
    connect(m_timelineView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onTimelineCurrentChanged);
    // Follow a live stream at the bottom unless the user scrolled away.
    connect(m_timelineView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        m_followTail = value >= m_timelineView->verticalScrollBar()->maximum();
    });
    connect(m_timeline, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followTail && !m_timelineView->selectionModel()->hasSelection())
            m_timelineView->scrollToBottom();
    });
    column->addWidget(m_timelineView, 1);

    auto *legend = new QLabel(top);
    legend->setTextFormat(Qt::RichText);
    auto dot = [](const QString &type, const QString &label) {
        return u"<span style='color:%1'>●</span>&nbsp;%2"_s.arg(TimelineDelegate::colorFor(type).name(), label);
    };
    legend->setText(tr("■ upstream chunk &nbsp; ● client event &nbsp;&nbsp; %1 &nbsp; %2 &nbsp; %3 &nbsp; %4 &nbsp; %5")
                        .arg(dot(u"text"_s, tr("text")), dot(u"tool_use"_s, tr("tool use")),
                             dot(u"thinking"_s, tr("thinking")), dot(u"message_start"_s, tr("message")),
                             dot(u"error"_s, tr("error / finding"))));
    column->addWidget(legend);

    m_details = new QTabWidget(split);
    m_eventText = codeView(m_details);
    m_requestText = codeView(m_details);
    m_responseText = codeView(m_details);
    m_details->addTab(m_eventText, tr("Event"));
    m_details->addTab(m_requestText, tr("Request"));
    m_details->addTab(m_responseText, tr("Response"));
    split->addWidget(top);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    return split;
}

QWidget *MainWindow::buildLogs()
{
    auto *panel = new QWidget(this);
    auto *column = new QVBoxLayout(panel);
    column->setContentsMargins(0, 4, 0, 0);
    auto *search = new QLineEdit(panel);
    search->setPlaceholderText(tr("Search the summary log (redacted: no keys, no message text)"));
    search->setClearButtonEnabled(true);
    connect(search, &QLineEdit::textChanged, m_logFilter, &QSortFilterProxyModel::setFilterFixedString);
    column->addWidget(search);
    auto *view = new QListView(panel);
    view->setModel(m_logFilter);
    view->setUniformItemSizes(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setAlternatingRowColors(true);
    connect(m_logFilter, &QAbstractItemModel::rowsInserted, view, [view] {
        if (view->verticalScrollBar()->value() >= view->verticalScrollBar()->maximum() - 2)
            view->scrollToBottom();
    });
    column->addWidget(view, 1);
    return panel;
}

void MainWindow::loadLogFile(const QString &path)
{
    m_logs->loadFile(path);
}

void MainWindow::setHistoryStatus(const QString &text, bool isError)
{
    m_history->setText(text);
    m_history->setStyleSheet(isError ? u"color: #b02020; font-weight: bold;"_s : QString());
}

QString MainWindow::claudeCodeEnvironment() const
{
    const QString token = m_inboundToken.isEmpty() ? u"switchyard"_s : QString::fromUtf8(m_inboundToken);
    return u"export ANTHROPIC_BASE_URL=%1\nexport ANTHROPIC_AUTH_TOKEN=%2\n"_s.arg(m_host->url().toString(), token);
}

void MainWindow::updateHeader()
{
    const QString upstream = m_host->upstream().isDemo() ? tr("built-in demo upstream") : m_host->upstream().displayName();
    QString state = m_host->isPaused() ? tr("<b style='color:#b06000'>Paused</b>") : tr("<b style='color:#2e7d32'>Serving</b>");
    m_status->setText(tr("%1 on <b>%2</b> · upstream <b>%3</b> (%4) · %n in flight", nullptr,
                         m_host->activeExchangeCount())
                          .arg(state, m_host->url().toString(), m_host->upstream().name.toHtmlEscaped(),
                               upstream.toHtmlEscaped()));
    const QSignalBlocker blocker(m_pause);
    m_pause->setChecked(m_host->isPaused());
    m_pause->setText(m_host->isPaused() ? tr("Resume") : tr("Pause"));
}

void MainWindow::refreshModelFilter()
{
    QStringList models;
    for (qsizetype i = 0; i < m_store->count(); ++i) {
        const QString model = m_store->at(i).model;
        if (!model.isEmpty() && !models.contains(model))
            models.append(model);
    }
    for (const QString &model : std::as_const(models)) {
        if (m_modelFilter->findData(model) < 0)
            m_modelFilter->addItem(model, model);
    }
}

void MainWindow::selectExchange(const QByteArray &requestId)
{
    const QModelIndex source = m_exchanges->indexOfExchange(requestId);
    const QModelIndex index = m_filter->mapFromSource(source);
    if (!index.isValid())
        return;
    m_exchangeView->expand(index.parent());
    m_exchangeView->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_exchangeView->scrollTo(index);
}

QByteArray MainWindow::selectedExchange() const
{
    return m_exchangeView->currentIndex().data(ExchangeListModel::RequestIdRole).toByteArray();
}

QList<QByteArray> MainWindow::selectedExchanges() const
{
    QList<QByteArray> ids;
    const QModelIndexList rows = m_exchangeView->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        if (row.data(ExchangeListModel::IsSessionRole).toBool()) { // a session row selects its exchanges
            for (int r = 0; r < m_filter->rowCount(row); ++r)
                ids.append(m_filter->index(r, 0, row).data(ExchangeListModel::RequestIdRole).toByteArray());
        } else {
            ids.append(row.data(ExchangeListModel::RequestIdRole).toByteArray());
        }
    }
    ids.removeAll(QByteArray());
    ids.removeIf([seen = QSet<QByteArray>()](const QByteArray &id) mutable {
        if (seen.contains(id))
            return true;
        seen.insert(id);
        return false;
    });
    return ids;
}

QList<QByteArray> MainWindow::selectedSessionExchanges() const
{
    QSet<QString> sessions;
    const QModelIndexList rows = m_exchangeView->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        sessions.insert(row.data(ExchangeListModel::SessionRole).toString());
    QList<QByteArray> ids;
    for (qsizetype i = 0; i < m_store->count(); ++i) {
        if (!rows.isEmpty() && sessions.contains(m_store->at(i).session))
            ids.append(m_store->at(i).requestId);
    }
    return ids;
}

void MainWindow::onExchangeSelected()
{
    const QByteArray id = selectedExchange();
    if (id == m_timeline->exchange())
        return;
    m_followTail = true;
    m_timeline->setExchange(id);
    m_delegate->setLinkedRows({});
    m_eventText->clear();
    updateStats();
    updateDetailTabs();
}

void MainWindow::onTimelineCurrentChanged()
{
    const QModelIndex current = m_timelineView->currentIndex();
    if (!current.isValid())
        return;
    m_eventText->setPlainText(current.data(TimelineModel::JsonRole).toString());
    m_details->setCurrentWidget(m_eventText);
    // Linked selection: the chunk an event came from, or the events a chunk produced.
    const QList<int> linked = current.data(TimelineModel::LinkedRowsRole).value<QList<int>>();
    QSet<int> rows(linked.cbegin(), linked.cend());
    m_delegate->setLinkedRows(rows);
    QItemSelection selection;
    selection.select(current.siblingAtColumn(0), current.siblingAtColumn(TimelineModel::ColumnCount - 1));
    for (int row : linked)
        selection.select(m_timeline->index(row, 0), m_timeline->index(row, TimelineModel::ColumnCount - 1));
    m_timelineView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!linked.isEmpty())
        m_timelineView->scrollTo(m_timeline->index(linked.first(), 0));
    m_timelineView->viewport()->update();
}

void MainWindow::updateStats()
{
    const Proxy::ExchangeRecord *found = m_store->find(selectedExchange());
    if (!found) {
        m_stats->setText(tr("Select an exchange, or press “Send test request”."));
        return;
    }
    const Proxy::ExchangeRecord &r = *found;
    QStringList parts;
    parts.append(u"<b>%1</b> %2"_s.arg(QString::fromLatin1(r.requestId), r.stream ? tr("stream") : tr("JSON")));
    if (!r.finished) {
        parts.append(tr("in flight"));
    } else {
        if (r.firstTokenMs >= 0)
            parts.append(tr("first token <b>%1 ms</b>").arg(r.firstTokenMs));
        if (r.tokensPerSecond() > 0)
            parts.append(tr("<b>%1</b> tokens/s").arg(r.tokensPerSecond(), 0, 'f', 1));
        if (r.durationMs >= 0)
            parts.append(tr("duration <b>%1 ms</b>").arg(r.durationMs));
        if (!r.stopReason.isEmpty())
            parts.append(tr("stop <b>%1</b>").arg(r.stopReason));
        if (r.inputTokens >= 0)
            parts.append(tr("usage in %1 / out %2").arg(r.inputTokens).arg(qMax(r.outputTokens, 0)));
        if (!r.errorType.isEmpty())
            parts.append(u"<span style='color:#b02020'><b>%1</b>: %2</span>"_s.arg(r.errorType, r.errorMessage.toHtmlEscaped()));
        if (r.violations > 0)
            parts.append(u"<span style='color:#b02020'>%1</span>"_s.arg(tr("%n protocol finding(s)", nullptr, r.violations)));
    }
    m_stats->setText(parts.join(u" · "_s));
}

void MainWindow::updateDetailTabs()
{
    const QByteArray id = selectedExchange();
    if (id.isEmpty()) {
        m_requestText->clear();
        m_responseText->clear();
        return;
    }
    const Proxy::RecordedExchange recorded = m_store->recorded(id);
    QString request = tr("# Request summary and headers (redacted)\n") + pretty(recorded.record.request);
    QByteArray body;
    for (const Proxy::ObservedEvent &e : recorded.events) {
        if (e.kind == Proxy::ObservedEvent::Kind::RequestBody)
            body = e.data;
    }
    request += body.isEmpty() ? tr("\n# Body not recorded (turn on “Record request bodies” in Settings)\n")
                              : tr("\n# Body (redacted)\n") + pretty(body);
    m_requestText->setPlainText(request);
    QString response = recorded.record.finished ? tr("# Response summary\n") + pretty(recorded.record.response)
                                                : tr("# In flight\n");
    response += tr("\n# Body as the client received it\n")
        + QString::fromUtf8(Proxy::clientResponseBody(recorded, m_redactor));
    m_responseText->setPlainText(response);
}

bool MainWindow::exportTo(const QString &path, const QList<QByteArray> &requestIds, ExportFormat format,
                          QString *error) const
{
    QList<Proxy::RecordedExchange> exchanges;
    for (const QByteArray &id : requestIds)
        exchanges.append(m_store->recorded(id));
    const QByteArray bytes = format == ExportFormat::Jsonl
        ? Proxy::exportJsonl(exchanges, m_redactor)
        : Proxy::exportHar(exchanges, m_redactor, QStringLiteral(SWITCHYARD_VERSION), m_host->url());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void MainWindow::exportInteractively(const QList<QByteArray> &requestIds, ExportFormat format)
{
    if (requestIds.isEmpty()) {
        statusBar()->showMessage(tr("Select one or more exchanges first."), 5'000);
        return;
    }
    const bool jsonl = format == ExportFormat::Jsonl;
    const QString suggested = u"switchyard-%1.%2"_s.arg(QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s),
                                                         jsonl ? u"jsonl"_s : u"har"_s);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export %n exchange(s)", nullptr, int(requestIds.size())),
                                                      suggested,
                                                      jsonl ? tr("JSON Lines (*.jsonl)") : tr("HTTP Archive (*.har)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, requestIds, format, &error))
        QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
    else
        statusBar()->showMessage(tr("Exported %n exchange(s) to %1", nullptr, int(requestIds.size())).arg(path), 8'000);
}

QString MainWindow::curlForSelection() const
{
    const QByteArray id = selectedExchange();
    if (id.isEmpty())
        return {};
    return Proxy::curlCommand(m_store->recorded(id), m_host->url(), m_redactor);
}

} // namespace Desktop
