#include "session/eventhub.h"

#include <QSignalSpy>
#include <QTest>

using namespace Proxy;
using Kind = ObservedEvent::Kind;

class TstEventHub final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldNumberEventsInOrder()
    {
        EventHub hub;
        const quint64 a = hub.publish("req_1", Kind::ExchangeStarted, "request", "{}");
        const quint64 b = hub.publish("req_1", Kind::ClientEvent, "ping", "{}");
        QVERIFY(b > a);
        QCOMPARE(hub.lastSequence(), b);
        const QList<ObservedEvent> all = hub.snapshot();
        QCOMPARE(all.size(), 2);
        QVERIFY(all[1].timestampNs >= all[0].timestampNs);
        QCOMPARE(all[1].name, QByteArray("ping"));
    }

    void shouldDropTheOldestWhenFull()
    {
        EventHub hub(3);
        for (int i = 0; i < 5; ++i)
            hub.publish("req", Kind::UpstreamChunk, "data", QByteArray::number(i));
        const QList<ObservedEvent> kept = hub.snapshot();
        QCOMPARE(kept.size(), 3);
        QCOMPARE(kept.first().data, QByteArray("2"));
        QCOMPARE(kept.last().data, QByteArray("4"));
        QCOMPARE(kept.first().sequence, quint64(3)); // sequence numbers are never reused
    }

    void shouldBoundTheRingByBytesToo()
    {
        EventHub hub;
        hub.setCapacityBytes(1000);
        for (int i = 0; i < 10; ++i)
            hub.publish("req", Kind::UpstreamChunk, "data", QByteArray(300, char('a' + i)));
        QVERIFY(hub.sizeBytes() <= 1000);
        const QList<ObservedEvent> kept = hub.snapshot();
        QCOMPARE(kept.size(), 3);
        QCOMPARE(kept.last().data.front(), 'j');
        QCOMPARE(hub.sizeBytes(), 900);
        // One event larger than the budget is still kept (alone): nothing is silently dropped on arrival.
        hub.publish("req", Kind::RequestBody, "body", QByteArray(5000, 'x'));
        QCOMPARE(hub.snapshot().size(), 1);
    }

    void shouldCarryTheCauseOfAClientEvent()
    {
        EventHub hub;
        const quint64 chunk = hub.publish("r", Kind::UpstreamChunk, "data", "{}");
        hub.publish("r", Kind::ClientEvent, "content_block_delta", "{}", chunk);
        QCOMPARE(hub.snapshot().last().cause, chunk);
    }

    void shouldLetAViewSnapshotThenSubscribeWithoutGapsOrDuplicates()
    {
        EventHub hub;
        hub.publish("a", Kind::ClientEvent, "x", {});
        hub.publish("b", Kind::ClientEvent, "y", {});
        const QList<ObservedEvent> snapshot = hub.snapshot();
        QSignalSpy appended(&hub, &EventHub::eventAppended);
        hub.publish("a", Kind::ClientEvent, "z", {});
        QCOMPARE(appended.size(), 1);
        const auto next = appended.first().first().value<ObservedEvent>();
        QCOMPARE(next.sequence, snapshot.last().sequence + 1);
        QCOMPARE(hub.snapshot(snapshot.last().sequence).size(), 1);
        QCOMPARE(hub.eventsOf("a").size(), 2);
    }
};

QTEST_GUILESS_MAIN(TstEventHub)
#include "tst_eventhub.moc"
