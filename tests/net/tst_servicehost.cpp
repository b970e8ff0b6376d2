#include "net/servicehost.h"
#include "session/eventhub.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace Proxy;
using namespace Qt::StringLiterals;

class TstServiceHost final : public QObject
{
    Q_OBJECT

private:
    static ProxyConfig demoConfig()
    {
        ProxyConfig config;
        config.listenPort = 0;
        config.upstream = UpstreamProfile::demo();
        return config;
    }

private Q_SLOTS:
    void shouldServeTheTestRequestOnItsOwnThreadAndPublishIt()
    {
        ServiceHost host(demoConfig());
        const Result<QUrl> url = host.start();
        QVERIFY2(url, url ? "" : qPrintable(url.error().message));
        QVERIFY(url->port() > 0);

        QSignalSpy started(&host, &ServiceHost::testRequestStarted);
        QSignalSpy finished(&host, &ServiceHost::testRequestFinished);
        host.sendTestRequest();
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(1).toString(), QString());
        QCOMPARE(started.size(), 1);
        const QByteArray requestId = started.first().first().toByteArray();
        QVERIFY(requestId.startsWith("req_"));
        QCOMPARE(finished.first().first().toByteArray(), requestId);

        // Read from this (the GUI) thread while the proxy runs on another.
        const QList<ObservedEvent> events = host.hub()->eventsOf(requestId);
        QVERIFY(!events.isEmpty());
        bool sawToolUse = false;
        for (const ObservedEvent &e : events)
            sawToolUse |= e.kind == ObservedEvent::Kind::ClientEvent && e.data.contains("\"tool_use\"");
        QVERIFY(sawToolUse);
        QCOMPARE(events.last().kind, ObservedEvent::Kind::ExchangeFinished);
        QTRY_COMPARE(host.activeExchangeCount(), 0);
    }

    void shouldAnswerClearlyWhilePausedAndServeAgainAfterResume()
    {
        ServiceHost host(demoConfig());
        QVERIFY(host.start());
        QSignalSpy paused(&host, &ServiceHost::pausedChanged);
        host.setPaused(true);
        QVERIFY(paused.wait(5000));
        QVERIFY(host.isPaused());
        QSignalSpy finished(&host, &ServiceHost::testRequestFinished);
        host.sendTestRequest();
        QVERIFY(finished.wait(10000));
        QVERIFY2(finished.first().at(1).toString().contains(u"paused"_s), qPrintable(finished.first().at(1).toString()));

        host.setPaused(false);
        QVERIFY(paused.wait(5000));
        host.sendTestRequest();
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.last().at(1).toString(), QString());
    }

    void shouldLetTheRequestInFlightFinishOnTheProfileItStartedWith()
    {
        ServiceHost host(demoConfig());
        QVERIFY(host.start());
        QSignalSpy started(&host, &ServiceHost::testRequestStarted);
        QSignalSpy finished(&host, &ServiceHost::testRequestFinished);
        QSignalSpy changed(&host, &ServiceHost::upstreamChanged);
        host.sendTestRequest();            // the demo streams for a while (~30 ms per word)
        QVERIFY(started.wait(10000));      // headers are out: the exchange runs on the demo profile
        UpstreamProfile unreachable;
        unreachable.name = u"gone"_s;
        unreachable.baseUrl = QUrl(u"http://127.0.0.1:9/v1"_s);
        host.setUpstream(unreachable, {});
        QVERIFY(changed.wait(5000));
        QCOMPARE(finished.size(), 0);      // the switch happened mid-stream
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(1).toString(), QString()); // the in-flight stream completed on the demo
        host.sendTestRequest();
        QVERIFY(finished.wait(20000));
        QVERIFY(!finished.last().at(1).toString().isEmpty()); // the next one went to the new profile
    }

    void shouldMoveToANewListenAddressWithoutARestart()
    {
        ServiceHost host(demoConfig());
        QVERIFY(host.start());
        const QUrl before = host.url();
        QSignalSpy moved(&host, &ServiceHost::listenChanged);
        host.setListenAddress(u"127.0.0.1"_s, 0);
        QVERIFY(moved.wait(5000));
        QVERIFY(host.url().port() != before.port());
        QSignalSpy finished(&host, &ServiceHost::testRequestFinished);
        host.sendTestRequest(); // goes to the new address
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(1).toString(), QString());

        QSignalSpy failed(&host, &ServiceHost::listenFailed);
        host.setListenAddress(u"not-an-address"_s, 0);
        QVERIFY(failed.wait(5000));
        QCOMPARE(host.url(), moved.first().first().toUrl()); // unchanged
    }

    void shouldSwitchTheUpstreamForTheNextRequest()
    {
        ServiceHost host(demoConfig());
        QVERIFY(host.start());
        QSignalSpy changed(&host, &ServiceHost::upstreamChanged);
        UpstreamProfile other;
        other.name = u"local"_s;
        other.baseUrl = QUrl(u"http://127.0.0.1:9/v1"_s); // discard port: nothing listens
        host.setUpstream(other, "key-1234");
        QVERIFY(changed.wait(5000));
        QCOMPARE(host.upstream().name, u"local"_s);
        QSignalSpy finished(&host, &ServiceHost::testRequestFinished);
        host.sendTestRequest();
        QVERIFY(finished.wait(20000));
        QVERIFY(!finished.first().at(1).toString().isEmpty()); // the new upstream is unreachable: a clear error
    }
};

QTEST_GUILESS_MAIN(TstServiceHost)
#include "tst_servicehost.moc"
