#include "session/eventhub.h"
#include "session/historystore.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QDir>
#include <QFileInfo>
#include <QTest>

#include <memory>

using namespace Proxy;
using namespace Qt::StringLiterals;
using Kind = ObservedEvent::Kind;

namespace {

// Events as a hub would publish them: increasing sequences, a monotonic clock that does not start at 0.
class Feed
{
public:
    ObservedEvent event(const QByteArray &id, Kind kind, const QByteArray &name, const QByteArray &data,
                        quint64 cause = 0)
    {
        m_ns += 1'500'000;
        return {m_sequence++, m_ns, id, kind, name, data, cause};
    }

    static QByteArray started(const QByteArray &id, const QDateTime &time = QDateTime::currentDateTimeUtc(),
                              bool stream = true)
    {
        return QJsonDocument(QJsonObject{{u"kind"_s, u"request"_s},
                                         {u"request_id"_s, QString::fromLatin1(id)},
                                         {u"time"_s, time.toString(Qt::ISODateWithMs)},
                                         {u"method"_s, u"POST"_s},
                                         {u"path"_s, u"/v1/messages"_s},
                                         {u"model"_s, u"claude-sonnet-4-5"_s},
                                         {u"upstream_model"_s, u"gpt-4o"_s},
                                         {u"stream"_s, stream},
                                         {u"headers"_s, QJsonObject{{u"x-api-key"_s, u"[redacted]"_s}}}})
            .toJson(QJsonDocument::Compact);
    }

    static QByteArray finished(const QByteArray &id, const QString &outcome = u"completed"_s)
    {
        return QJsonDocument(QJsonObject{{u"kind"_s, u"response"_s},
                                         {u"request_id"_s, QString::fromLatin1(id)},
                                         {u"status"_s, 200},
                                         {u"outcome"_s, outcome},
                                         {u"duration_ms"_s, 120},
                                         {u"ttft_ms"_s, 40},
                                         {u"stop_reason"_s, u"end_turn"_s},
                                         {u"usage"_s, QJsonObject{{u"input_tokens"_s, 12}, {u"output_tokens"_s, 7}}}})
            .toJson(QJsonDocument::Compact);
    }

    // A streamed exchange: start, two upstream chunks, three client events linked to them, finish.
    QList<ObservedEvent> streamed(const QByteArray &id, bool finish = true, const QByteArray &text = "Hello",
                                  const QDateTime &time = QDateTime::currentDateTimeUtc())
    {
        QList<ObservedEvent> events;
        events.append(event(id, Kind::ExchangeStarted, "request", started(id, time)));
        const ObservedEvent first = event(id, Kind::UpstreamChunk, "data",
                                          R"({"choices":[{"delta":{"content":")" + text + R"("}}]})");
        events.append(first);
        events.append(event(id, Kind::ClientEvent, "message_start", R"({"type":"message_start"})", first.sequence));
        events.append(event(id, Kind::ClientEvent, "content_block_delta",
                            R"({"delta":{"text":")" + text + R"(","type":"text_delta"},"type":"content_block_delta"})",
                            first.sequence));
        const ObservedEvent done = event(id, Kind::UpstreamChunk, "data", "[DONE]");
        events.append(done);
        events.append(event(id, Kind::ClientEvent, "message_stop", R"({"type":"message_stop"})", done.sequence));
        if (finish)
            events.append(event(id, Kind::ExchangeFinished, "response", finished(id)));
        return events;
    }

private:
    quint64 m_sequence = 41;
    qint64 m_ns = 7'000'000'000;
};

QByteArray fileBytes(const QString &path)
{
    QByteArray bytes;
    for (const QString &file : QStringList{path, path + u"-wal"_s, path + u"-journal"_s}) {
        QFile f(file);
        if (f.open(QIODevice::ReadOnly))
            bytes += f.readAll();
    }
    return bytes;
}

void appendAll(HistoryStore &store, const QList<ObservedEvent> &events)
{
    for (const ObservedEvent &event : events)
        store.append(event);
}

} // namespace

class TstHistoryStore final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_files = 0;

    QString newFile() { return m_dir.filePath(u"history-%1/history.sqlite"_s.arg(++m_files)); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void shouldKeepExchangesAndEventsAcrossARestart()
    {
        const QString file = newFile();
        Feed feed;
        const QList<ObservedEvent> first = feed.streamed("req_first");
        const QList<ObservedEvent> second = feed.streamed("req_second", true, "Bye");
        {
            HistoryStore store(file);
            QVERIFY(store.open().has_value());
            appendAll(store, first);
            appendAll(store, second);
        } // the destructor flushes

        HistoryStore store(file);
        const Result<void> opened = store.open();
        QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().message));
        const QList<ExchangeRecord> exchanges = store.exchanges();
        QCOMPARE(exchanges.size(), 2);
        QCOMPARE(exchanges[0].requestId, QByteArray("req_second")); // newest first
        QCOMPARE(exchanges[1].requestId, QByteArray("req_first"));
        QVERIFY(exchanges[0].finished);
        QCOMPARE(exchanges[0].outcome, u"completed"_s);
        QCOMPARE(exchanges[0].model, u"claude-sonnet-4-5"_s);
        QCOMPARE(exchanges[0].outputTokens, 7);
        QCOMPARE(exchanges[0].startedNs, 0);
        QVERIFY(exchanges[0].stream);

        const QList<ObservedEvent> events = store.events("req_first");
        QCOMPARE(events.size(), first.size());
        for (qsizetype i = 0; i < events.size(); ++i) {
            QCOMPARE(events[i].requestId, first[i].requestId);
            QCOMPARE(events[i].kind, first[i].kind);
            QCOMPARE(events[i].name, first[i].name);
            QCOMPARE(events[i].data, first[i].data);
            QCOMPARE(events[i].sequence, first[i].sequence);
            QCOMPARE(events[i].cause, first[i].cause);
            // Relative to the exchange's start, so the timeline can be drawn after a restart.
            QCOMPARE(events[i].timestampNs, first[i].timestampNs - first[0].timestampNs);
        }
        // Cause links resolve within the exchange.
        QCOMPARE(events[2].kind, Kind::ClientEvent);
        QCOMPARE(events[2].cause, events[1].sequence);
        QCOMPARE(events[5].cause, events[4].sequence);

        const RecordedExchange loaded = store.load("req_second");
        QCOMPARE(loaded.record.requestId, QByteArray("req_second"));
        QCOMPARE(loaded.events.size(), second.size());
        QVERIFY(loaded.events[3].data.contains("Bye"));
        QVERIFY(store.load("req_unknown").events.isEmpty());
    }

    void shouldMarkExchangesLeftInFlightAsInterrupted()
    {
        const QString file = newFile();
        Feed feed;
        const QList<ObservedEvent> running = feed.streamed("req_running", false);
        {
            HistoryStore store(file);
            QVERIFY(store.open().has_value());
            appendAll(store, running);
            store.flush();
            const QList<ExchangeRecord> exchanges = store.exchanges();
            QCOMPARE(exchanges.size(), 1);
            QVERIFY(!exchanges[0].finished); // finished or not, it is listed
        }
        HistoryStore store(file);
        QVERIFY(store.open().has_value());
        const RecordedExchange loaded = store.load("req_running");
        QVERIFY(loaded.record.finished);
        QCOMPARE(loaded.record.outcome, u"interrupted"_s);
        QVERIFY(loaded.record.hasProblem());
        QCOMPARE(loaded.events.size(), running.size() + 1);
        QCOMPARE(loaded.events.last().kind, Kind::ExchangeFinished);
        QCOMPARE(loaded.events.last().timestampNs, loaded.events[running.size() - 1].timestampNs);
    }

    void shouldPruneExchangesOlderThanTheRetentionDays()
    {
        HistoryStore store(newFile());
        QVERIFY(store.open().has_value());
        Feed feed;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        appendAll(store, feed.streamed("req_old", true, "old", now.addDays(-40)));
        appendAll(store, feed.streamed("req_recent", true, "recent", now.addDays(-2)));
        appendAll(store, feed.streamed("req_new", true, "new", now));
        store.flush();
        QCOMPARE(store.exchanges().size(), 3);

        store.setRetention(30, 0);
        store.prune();
        const QList<ExchangeRecord> kept = store.exchanges();
        QCOMPARE(kept.size(), 2);
        QCOMPARE(kept[0].requestId, QByteArray("req_new"));
        QCOMPARE(kept[1].requestId, QByteArray("req_recent"));
        QVERIFY(store.events("req_old").isEmpty()); // its events went with it

        store.setRetention(1, 0);
        store.prune();
        QCOMPARE(store.exchanges().size(), 1);
    }

    void shouldPruneTheOldestExchangesBeyondTheSizeLimit()
    {
        HistoryStore store(newFile());
        QVERIFY(store.open().has_value());
        store.setRetention(0, 0);
        Feed feed;
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-100);
        for (int i = 0; i < 10; ++i) {
            const QByteArray id = "req_" + QByteArray::number(i);
            appendAll(store, feed.streamed(id, true, QByteArray(10'000, char('a' + i)), start.addSecs(i)));
        }
        store.flush();
        QCOMPARE(store.exchanges().size(), 10);
        const qint64 before = store.contentBytes();
        QVERIFY(before > 10 * 20'000);
        QVERIFY(store.sizeBytes() > 0);

        const qint64 limit = before / 2;
        store.setRetention(0, limit);
        store.prune();
        QVERIFY(store.contentBytes() <= limit);
        const QList<ExchangeRecord> kept = store.exchanges();
        QVERIFY(kept.size() >= 3 && kept.size() < 10);
        QCOMPARE(kept.first().requestId, QByteArray("req_9")); // the newest survive, in order
        for (qsizetype i = 0; i < kept.size(); ++i)
            QCOMPARE(kept[i].requestId, "req_" + QByteArray::number(9 - i));

        // Crossing the limit while recording prunes without being asked.
        for (int i = 10; i < 16; ++i) {
            const QByteArray id = "req_" + QByteArray::number(i);
            appendAll(store, feed.streamed(id, true, QByteArray(10'000, 'z'), start.addSecs(i)));
        }
        store.flush();
        QVERIFY(store.contentBytes() <= limit);
        QCOMPARE(store.exchanges().first().requestId, QByteArray("req_15"));
    }

    void shouldWriteNothingWhilePaused()
    {
        const QString file = newFile();
        HistoryStore store(file);
        QVERIFY(store.open().has_value());
        store.setPaused(true);
        QVERIFY(store.isPaused());
        Feed feed;
        const QList<ObservedEvent> events = feed.streamed("req_paused", true, "PAUSED-MARKER-TEXT");
        appendAll(store, events);
        store.flush();
        QVERIFY(store.exchanges().isEmpty());
        QVERIFY(store.events("req_paused").isEmpty());
        QCOMPARE(store.droppedEvents(), events.size());
        QVERIFY(!fileBytes(file).contains("PAUSED-MARKER-TEXT"));

        store.setPaused(false);
        appendAll(store, feed.streamed("req_resumed"));
        store.flush();
        QCOMPARE(store.exchanges().size(), 1);
        QCOMPARE(store.droppedEvents(), events.size());
    }

    void shouldFinishAnExchangeRecordedBeforeThePause()
    {
        HistoryStore store(newFile());
        QVERIFY(store.open().has_value());
        Feed feed;
        const QList<ObservedEvent> events = feed.streamed("req_split");
        store.append(events[0]);
        store.append(events[1]);
        store.setPaused(true);
        for (qsizetype i = 2; i < events.size(); ++i)
            store.append(events[i]);
        store.flush();
        const RecordedExchange loaded = store.load("req_split");
        QVERIFY(loaded.record.finished);
        QCOMPARE(loaded.record.outcome, u"completed"_s);
        QCOMPARE(loaded.events.size(), 3); // start, first chunk, finish
        QCOMPARE(store.droppedEvents(), events.size() - 3);
    }

    void shouldReportAWriteFailureWithoutBlockingAndRecover()
    {
        const QString file = newFile();
        HistoryStore store(file);
        QVERIFY(store.open().has_value());
        QSignalSpy failed(&store, &HistoryStore::writeFailed);
        QSignalSpy recovered(&store, &HistoryStore::writeRecovered);

        // Another connection (another program, in real life) holds the write lock.
        const QString lockName = u"locker"_s;
        {
            QSqlDatabase locker = QSqlDatabase::addDatabase(u"QSQLITE"_s, lockName);
            locker.setDatabaseName(file);
            QVERIFY(locker.open());
            QSqlQuery lock(locker);
            QVERIFY(lock.exec(u"BEGIN EXCLUSIVE"_s));

            Feed feed;
            const QList<ObservedEvent> events = feed.streamed("req_locked");
            QElapsedTimer clock;
            clock.start();
            appendAll(store, events);
            QVERIFY2(clock.elapsed() < 50, "append() must only buffer");
            clock.restart();
            store.flush();
            QVERIFY2(clock.elapsed() < 2000, "a locked database must not stall the caller");
            QCOMPARE(failed.size(), 1);
            const QString message = failed.first().first().toString();
            QVERIFY(message.contains(file));
            QVERIFY(message.contains(u"locked"_s, Qt::CaseInsensitive));
            QVERIFY(!store.lastError().isEmpty());

            // Still failing: reported once per episode; the proxy's events keep being accepted.
            appendAll(store, feed.streamed("req_locked_too"));
            store.flush();
            QCOMPARE(failed.size(), 1);
            QCOMPARE(recovered.size(), 0);

            QVERIFY(lock.exec(u"ROLLBACK"_s));
            lock.finish();
            locker.close();
        }
        QSqlDatabase::removeDatabase(lockName);

        store.flush();
        QCOMPARE(recovered.size(), 1);
        QVERIFY(store.lastError().isEmpty());
        // Nothing was lost: the buffer was kept and written on the retry.
        QCOMPARE(store.exchanges().size(), 2);
        QCOMPARE(store.events("req_locked").size(), 7);
        QCOMPARE(store.droppedEvents(), 0);
    }

    void shouldRetryOnItsOwnAfterAFailure()
    {
        const QString file = newFile();
        HistoryStore store(file);
        QVERIFY(store.open().has_value());
        QSignalSpy recovered(&store, &HistoryStore::writeRecovered);
        const QString lockName = u"locker2"_s;
        {
            QSqlDatabase locker = QSqlDatabase::addDatabase(u"QSQLITE"_s, lockName);
            locker.setDatabaseName(file);
            QVERIFY(locker.open());
            QSqlQuery lock(locker);
            QVERIFY(lock.exec(u"BEGIN EXCLUSIVE"_s));
            Feed feed;
            appendAll(store, feed.streamed("req_retry"));
            store.flush();
            QVERIFY(!store.lastError().isEmpty());
            QVERIFY(lock.exec(u"ROLLBACK"_s));
            lock.finish();
            locker.close();
        }
        QSqlDatabase::removeDatabase(lockName);
        QVERIFY(recovered.wait(5000)); // the timer retries
        QCOMPARE(store.exchanges().size(), 1);
    }

    void shouldReportAnUnusablePathAndStillAcceptEvents()
    {
        // A regular file where the directory should be: no permission trick, so it also fails as root.
        const QString blocker = m_dir.filePath(u"not-a-directory"_s);
        {
            QFile file(blocker);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("x");
        }
        HistoryStore store(blocker + u"/history.sqlite"_s);
        const Result<void> opened = store.open();
        QVERIFY(!opened.has_value());
        QVERIFY(!opened.error().message.isEmpty());
        QVERIFY(!store.isOpen());
        Feed feed;
        const QList<ObservedEvent> events = feed.streamed("req_nowhere");
        appendAll(store, events);
        store.flush();
        QCOMPARE(store.droppedEvents(), events.size());
        QVERIFY(store.exchanges().isEmpty());
    }

    void shouldKeepPlantedSecretsOutOfTheDatabaseFile()
    {
        const QString file = newFile();
        const QByteArray secret = "planted-upstream-secret-4242";
        const QByteArray fieldSecret = "field-secret-value-9999";
        {
            HistoryStore store(file);
            Redactor redactor;
            redactor.addSecret(secret);
            store.setRedactor(redactor);
            QVERIFY(store.open().has_value());
            Feed feed;
            const QByteArray id = "req_secret";
            store.append(feed.event(id, Kind::ExchangeStarted, "request", Feed::started(id)));
            store.append(feed.event(id, Kind::RequestBody, "body",
                                    R"({"model":"m","api_key":")" + fieldSecret + R"(","messages":[]})"));
            store.append(feed.event(id, Kind::UpstreamChunk, "data", R"({"echo":")" + secret + R"("})"));
            store.append(feed.event(id, Kind::ClientEvent, "content_block_delta", "key " + secret));
            store.append(feed.event(id, Kind::ExchangeFinished, "response", Feed::finished(id)));
            store.flush();
            const QList<ObservedEvent> events = store.events(id);
            QCOMPARE(events.size(), 5);
            QVERIFY(events[1].data.contains(Redactor::mask));
            QVERIFY(events[2].data.contains(Redactor::mask));
            QVERIFY(fileBytes(file).size() > 0);
            QVERIFY(!fileBytes(file).contains(secret));
            QVERIFY(!fileBytes(file).contains(fieldSecret));
        }
        const QByteArray bytes = fileBytes(file);
        QVERIFY(bytes.size() > 0);
        QVERIFY(!bytes.contains(secret));
        QVERIFY(!bytes.contains(fieldSecret));
    }

    void shouldKeepTheDatabaseFilesToTheirOwner()
    {
        const QString file = newFile();
        QVERIFY(QDir().mkpath(QFileInfo(file).absolutePath()));
        {
            QFile loose(file); // an existing database someone made readable by all is tightened too
            QVERIFY(loose.open(QIODevice::WriteOnly));
            loose.close();
            QVERIFY(loose.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther
                                         | QFileDevice::ReadGroup));
        }
        HistoryStore store(file);
        QVERIFY(store.open().has_value());
        Feed feed;
        store.append(feed.event("req_mode", Kind::ExchangeStarted, "request", Feed::started("req_mode")));
        store.flush();
        const QFileDevice::Permissions ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        for (const QString &path : QStringList{file, file + u"-wal"_s}) {
            if (!QFile::exists(path))
                continue;
            const QFileDevice::Permissions others = QFile::permissions(path)
                & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther);
            QVERIFY2(others == QFileDevice::Permissions(), qPrintable(path));
            QVERIFY((QFile::permissions(path) & ownerOnly) == ownerOnly);
        }
    }

    void shouldRecordWhatTheHubPublishes()
    {
        EventHub hub;
        HistoryStore store(newFile());
        QVERIFY(store.open().has_value());
        store.attach(&hub);
        const quint64 chunk = [&] {
            hub.publish("req_hub", Kind::ExchangeStarted, "request", Feed::started("req_hub"));
            return hub.publish("req_hub", Kind::UpstreamChunk, "data", "{}");
        }();
        hub.publish("req_hub", Kind::ClientEvent, "ping", R"({"type":"ping"})", chunk);
        hub.publish("req_hub", Kind::ExchangeFinished, "response", Feed::finished("req_hub"));
        // The timer writes the batch without being asked.
        QTRY_COMPARE_WITH_TIMEOUT(store.events("req_hub").size(), 4, 5000);
        const QList<ObservedEvent> events = store.events("req_hub");
        QCOMPARE(events[2].cause, events[1].sequence);
        QCOMPARE(events[0].timestampNs, 0);
        QVERIFY(events[3].timestampNs >= events[2].timestampNs);
    }

    void shouldRemoveAndClearExchanges()
    {
        HistoryStore store(newFile());
        QVERIFY(store.open().has_value());
        Feed feed;
        appendAll(store, feed.streamed("req_a"));
        appendAll(store, feed.streamed("req_b"));
        store.flush();
        store.remove({"req_a"});
        QCOMPARE(store.exchanges().size(), 1);
        QVERIFY(store.events("req_a").isEmpty());
        store.clear();
        QVERIFY(store.exchanges().isEmpty());
        QCOMPARE(store.contentBytes(), 0);
    }

    void shouldUseOneConnectionPerStore()
    {
        HistoryStore a(newFile());
        HistoryStore b(newFile());
        QVERIFY(a.open().has_value());
        QVERIFY(b.open().has_value());
        Feed feed;
        appendAll(a, feed.streamed("req_in_a"));
        a.flush();
        QCOMPARE(a.exchanges().size(), 1);
        QVERIFY(b.exchanges().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstHistoryStore)
#include "tst_historystore.moc"
