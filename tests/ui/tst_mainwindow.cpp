// The window against the real proxy (demo upstream, on its own thread): a test request appears in the list and
// the timeline within seconds, timeline selection links chunks and events, exports carry no secret.
#include "mainwindow.h"
#include "tray.h"

#include "net/servicehost.h"
#include "session/exchangelistmodel.h"
#include "session/sessionstore.h"
#include "session/timelinemodel.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;
using Proxy::TimelineModel;

namespace {

QPushButton *button(QWidget *window, const QString &text)
{
    const auto buttons = window->findChildren<QPushButton *>();
    for (QPushButton *b : buttons) {
        if (b->text() == text)
            return b;
    }
    return nullptr;
}

} // namespace

class TstMainWindow final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Proxy::ServiceHost> m_host;
    std::unique_ptr<Proxy::SessionStore> m_store;
    std::unique_ptr<Desktop::MainWindow> m_window;

    // Sends the built-in test request by clicking the button and waits until its stream has finished.
    QByteArray sendTestRequest()
    {
        QPushButton *send = button(m_window.get(), u"Send test request"_s);
        if (!send)
            return {};
        const qsizetype before = m_store->count();
        QTest::mouseClick(send, Qt::LeftButton);
        if (!QTest::qWaitFor([&] { return m_store->count() > before && m_store->at(m_store->count() - 1).finished; },
                             20'000))
            return {};
        return m_store->at(m_store->count() - 1).requestId;
    }

private Q_SLOTS:
    void init()
    {
        Proxy::ProxyConfig config;
        config.listenPort = 0;
        config.upstreamKey = "sk-planted-upstream-secret-key-0123456789";
        m_host = std::make_unique<Proxy::ServiceHost>(config);
        m_host->setRecordBodies(true);
        QVERIFY(m_host->start().has_value());
        m_store = std::make_unique<Proxy::SessionStore>();
        m_store->attach(m_host->hub());
        m_window = std::make_unique<Desktop::MainWindow>(m_host.get(), m_store.get());
        Proxy::Redactor redactor;
        redactor.addSecret(config.upstreamKey);
        m_window->setRedactor(redactor);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup()
    {
        m_window.reset();
        m_store.reset();
        m_host.reset();
    }

    void shouldShowTheTestRequestInTheListAndTimelineWithinSeconds()
    {
        const QByteArray id = sendTestRequest();
        QVERIFY(!id.isEmpty());
        // The window selects the test request by itself and shows its timeline.
        QTRY_COMPARE(m_window->selectedExchange(), id);
        TimelineModel *timeline = m_window->timelineModel();
        QTRY_VERIFY(timeline->rowCount() > 10);
        bool toolUse = false;
        bool chunks = false;
        for (int r = 0; r < timeline->rowCount(); ++r) {
            toolUse |= timeline->index(r, TimelineModel::Client).data().toString().contains(u"start tool_use get_weather"_s);
            chunks |= timeline->index(r, 0).data(TimelineModel::LaneRole).toInt() == TimelineModel::UpstreamLane;
        }
        QVERIFY(toolUse);
        QVERIFY(chunks);
        const QModelIndex row = m_window->exchangeView()->currentIndex();
        QCOMPARE(row.siblingAtColumn(Proxy::ExchangeListModel::Status).data().toString(), u"200"_s);
        QCOMPARE(row.siblingAtColumn(Proxy::ExchangeListModel::StopReason).data().toString(), u"tool_use"_s);
    }

    void shouldSelectTheChunkAnEventCameFrom()
    {
        QVERIFY(!sendTestRequest().isEmpty());
        QTableView *view = m_window->timelineView();
        TimelineModel *timeline = m_window->timelineModel();
        QTRY_VERIFY(timeline->rowCount() > 10);
        int eventRow = -1;
        for (int r = 0; r < timeline->rowCount() && eventRow < 0; ++r) {
            if (timeline->index(r, TimelineModel::Client).data().toString().contains(u"json"_s))
                eventRow = r;
        }
        QVERIFY(eventRow >= 0);
        view->selectionModel()->setCurrentIndex(timeline->index(eventRow, TimelineModel::Client),
                                                QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        const QList<int> linked = timeline->index(eventRow, 0).data(TimelineModel::LinkedRowsRole).value<QList<int>>();
        QCOMPARE(linked.size(), 1);
        const int chunkRow = linked.first();
        QCOMPARE(timeline->index(chunkRow, 0).data(TimelineModel::LaneRole).toInt(), int(TimelineModel::UpstreamLane));
        QVERIFY(view->selectionModel()->isRowSelected(chunkRow, {}));
        QVERIFY(view->selectionModel()->isRowSelected(eventRow, {}));

        // And the other way: a chunk selects every event it produced.
        view->selectionModel()->setCurrentIndex(timeline->index(chunkRow, TimelineModel::Upstream),
                                                QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY(view->selectionModel()->isRowSelected(eventRow, {}));
        QVERIFY(!view->selectionModel()->isRowSelected(0, {}) || chunkRow == 0);
    }

    void shouldExportJsonlAndHarThatParseBackWithoutSecrets()
    {
        const QByteArray id = sendTestRequest();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE(m_window->selectedExchange(), id);
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(u"out.jsonl"_s);
        const QString har = dir.filePath(u"out.har"_s);
        QVERIFY(m_window->exportTo(jsonl, {id}, Desktop::MainWindow::ExportFormat::Jsonl));
        QVERIFY(m_window->exportTo(har, {id}, Desktop::MainWindow::ExportFormat::Har));

        QFile lines(jsonl);
        QVERIFY(lines.open(QIODevice::ReadOnly));
        const QByteArray jsonlBytes = lines.readAll();
        int events = 0;
        for (const QByteArray &line : jsonlBytes.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError error;
            const QJsonObject record = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            events += record.value(u"type"_s).toString() == u"event"_s;
        }
        QCOMPARE(events, int(m_store->events(id).size()));

        QFile archive(har);
        QVERIFY(archive.open(QIODevice::ReadOnly));
        const QByteArray harBytes = archive.readAll();
        const QJsonObject log = QJsonDocument::fromJson(harBytes).object().value(u"log"_s).toObject();
        QCOMPARE(log.value(u"version"_s).toString(), u"1.2"_s);
        const QJsonObject entry = log.value(u"entries"_s).toArray().first().toObject();
        QCOMPARE(entry.value(u"response"_s).toObject().value(u"status"_s).toInt(), 200);
        QVERIFY(entry.value(u"response"_s).toObject().value(u"content"_s).toObject().value(u"text"_s).toString()
                    .contains(u"event: message_stop"_s));
        for (const QByteArray &bytes : {jsonlBytes, harBytes})
            QVERIFY(!bytes.contains("planted-upstream-secret"));

        const QString curl = m_window->curlForSelection();
        QVERIFY(curl.startsWith(u"curl"_s));
        QVERIFY(!curl.contains(u"planted-upstream-secret"_s));
    }

    void shouldCopyTheClaudeCodeEnvironment()
    {
        QVERIFY(!m_window->windowIcon().pixmap(16, 16).isNull()); // the SVG renders at tray size
        auto *copy = m_window->findChild<QPushButton *>(u"copyEnvironment"_s);
        QVERIFY(copy);
        QApplication::clipboard()->clear();
        QTest::mouseClick(copy, Qt::LeftButton);
        const QString text = QApplication::clipboard()->text();
        QVERIFY(text.contains(u"ANTHROPIC_BASE_URL=%1"_s.arg(m_host->url().toString())));
        QVERIFY(text.contains(u"ANTHROPIC_AUTH_TOKEN="_s));
    }

    void shouldPauseFromTheWindow()
    {
        QPushButton *pause = button(m_window.get(), u"Pause"_s);
        QVERIFY(pause);
        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_VERIFY(m_host->isPaused());
        QTRY_COMPARE(pause->text(), u"Resume"_s);
        QTest::mouseClick(pause, Qt::LeftButton);
        QTRY_VERIFY(!m_host->isPaused());
    }

    void shouldShowTheTrayStateAndMenu()
    {
        Desktop::Tray tray;
        for (auto state : {Desktop::Tray::State::Serving, Desktop::Tray::State::Active, Desktop::Tray::State::Paused,
                           Desktop::Tray::State::Error})
            QVERIFY(!Desktop::Tray::iconFor(state).pixmap(16, 16).isNull());
        QCOMPARE(tray.state(), Desktop::Tray::State::Serving);
        tray.setActiveExchanges(2);
        QCOMPARE(tray.state(), Desktop::Tray::State::Active);
        tray.setPaused(true);
        QCOMPARE(tray.state(), Desktop::Tray::State::Paused);
        tray.setError(u"history could not be written"_s);
        QCOMPARE(tray.state(), Desktop::Tray::State::Error);

        tray.setProfiles({u"demo"_s, u"openrouter"_s}, u"demo"_s);
        QStringList texts;
        const auto actions = tray.menu()->actions();
        for (QAction *a : actions)
            texts.append(a->text());
        for (const QString &expected : {u"Open Switchyard"_s, u"Copy Claude Code environment"_s, u"Pause proxy"_s,
                                        u"Record history"_s, u"Quit Switchyard"_s})
            QVERIFY2(texts.contains(expected), qPrintable(texts.join(u", "_s)));
        QSignalSpy selected(&tray, &Desktop::Tray::profileSelected);
        QMenu *profiles = nullptr;
        for (QAction *a : actions) {
            if (a->menu())
                profiles = a->menu();
        }
        QVERIFY(profiles);
        QCOMPARE(profiles->actions().size(), 2);
        profiles->actions().at(1)->trigger();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().first().toString(), u"openrouter"_s);
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
