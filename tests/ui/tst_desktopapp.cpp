// The assembled desktop app on a temporary profile: what it records survives a restart, the window shows past
// exchanges, and the tray's profile switch reaches the proxy.
#include "desktopapp.h"
#include "mainwindow.h"
#include "tray.h"

#include "config/settings.h"
#include "net/servicehost.h"
#include "session/exchangelistmodel.h"

#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTableView>
#include <QTreeView>

using namespace Qt::StringLiterals;

class TstDesktopApp final : public QObject
{
    Q_OBJECT

private:
    static Desktop::DesktopApp::Options options(const QTemporaryDir &dir)
    {
        Desktop::DesktopApp::Options o;
        o.historyFile = dir.filePath(u"history.sqlite"_s);
        o.summaryLogFile = dir.filePath(u"switchyard.log"_s);
        return o;
    }

private Q_SLOTS:
    void shouldShowPastExchangesAfterARestart()
    {
        QTemporaryDir dir;
        Proxy::Settings settings(dir.filePath(u"switchyard.ini"_s));
        Proxy::ProxyConfig config = settings.proxyConfig();
        config.listenPort = 0;
        QByteArray requestId;
        {
            Desktop::DesktopApp app(config, &settings, options(dir));
            QVERIFY(app.start());
            QSignalSpy finished(app.host(), &Proxy::ServiceHost::testRequestFinished);
            app.host()->sendTestRequest();
            QVERIFY(finished.wait(20000));
            QCOMPARE(finished.first().at(1).toString(), QString());
            requestId = finished.first().first().toByteArray();
            QTRY_VERIFY(app.window()->exchangeView()->model()->rowCount() > 0);
        }
        Desktop::DesktopApp again(config, &settings, options(dir));
        QVERIFY(again.start());
        QAbstractItemModel *model = again.window()->exchangeView()->model();
        QCOMPARE(model->rowCount(), 1);
        const QModelIndex exchange = model->index(0, 0, model->index(0, 0));
        QCOMPARE(exchange.data(Proxy::ExchangeListModel::RequestIdRole).toByteArray(), requestId);
        QCOMPARE(exchange.siblingAtColumn(Proxy::ExchangeListModel::Status).data().toString(), u"200"_s);
        again.window()->selectExchange(requestId);
        QTRY_VERIFY(again.window()->timelineView()->model()->rowCount() > 10); // its events came back too
    }

    void shouldRecordNothingWhileRecordingIsPausedFromTheTray()
    {
        QTemporaryDir dir;
        Proxy::Settings settings(dir.filePath(u"switchyard.ini"_s));
        Proxy::ProxyConfig config = settings.proxyConfig();
        config.listenPort = 0;
        {
            Desktop::DesktopApp app(config, &settings, options(dir));
            QVERIFY(app.start());
            QAction *record = nullptr;
            const auto actions = app.tray()->menu()->actions();
            for (QAction *a : actions) {
                if (a->text() == u"Record history"_s)
                    record = a;
            }
            QVERIFY(record);
            QVERIFY(record->isChecked());
            record->trigger(); // off
            QVERIFY(settings.value(Proxy::Settings::Key::RecordingPaused).toBool());
            QSignalSpy finished(app.host(), &Proxy::ServiceHost::testRequestFinished);
            app.host()->sendTestRequest();
            QVERIFY(finished.wait(20000));
            QTRY_VERIFY(app.window()->exchangeView()->model()->rowCount() > 0); // shown live all the same
        }
        Desktop::DesktopApp again(config, &settings, options(dir));
        QVERIFY(again.start());
        QCOMPARE(again.window()->exchangeView()->model()->rowCount(), 0); // but not kept
    }
};

QTEST_MAIN(TstDesktopApp)
#include "tst_desktopapp.moc"
