// (No raw strings holding \" here: moc 6.4 stops parsing the file at one.)
// SessionStore, ExchangeListModel and TimelineModel fed synthetic exchanges, every model under
// QAbstractItemModelTester.
#include "session/eventhub.h"
#include "session/exchangelistmodel.h"
#include "session/sessionstore.h"
#include "session/timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Proxy;
using namespace Qt::StringLiterals;
using Kind = ObservedEvent::Kind;

namespace {

QByteArray started(const QString &model, const QString &session = {})
{
    return QJsonDocument(QJsonObject{{u"kind"_s, u"request"_s},
                                     {u"time"_s, u"2026-11-26T01:02:03.004Z"_s},
                                     {u"method"_s, u"POST"_s},
                                     {u"path"_s, u"/v1/messages"_s},
                                     {u"client"_s, u"claude-cli/2.1.197 (external, cli)"_s},
                                     {u"session"_s, session},
                                     {u"model"_s, model},
                                     {u"upstream_model"_s, u"gpt-4.1"_s},
                                     {u"upstream"_s, u"openai"_s},
                                     {u"stream"_s, true}})
        .toJson(QJsonDocument::Compact);
}

QByteArray finished(int status, const QString &outcome, bool error = false)
{
    QJsonObject r{{u"kind"_s, u"response"_s}, {u"status"_s, status}, {u"outcome"_s, outcome},
                  {u"duration_ms"_s, 1234}, {u"ttft_ms"_s, 56}, {u"stop_reason"_s, u"tool_use"_s},
                  {u"usage"_s, QJsonObject{{u"input_tokens"_s, 100}, {u"output_tokens"_s, 40}}}};
    if (error)
        r.insert(u"error"_s, QJsonObject{{u"type"_s, u"api_error"_s}, {u"message"_s, u"upstream went away"_s}});
    return QJsonDocument(r).toJson(QJsonDocument::Compact);
}

// A streamed exchange with a text block and a tool call, published like Exchange does.
void publishToolCallExchange(EventHub &hub, const QByteArray &id, const QString &session, bool finish = true)
{
    hub.publish(id, Kind::ExchangeStarted, "request", started(u"claude-sonnet-4-5"_s, session));
    hub.publish(id, Kind::ClientEvent, "message_start",
                R"({"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5"}})");
    const quint64 c1 = hub.publish(id, Kind::UpstreamChunk, "data", R"({"choices":[{"delta":{"content":"Let me check"}}]})");
    hub.publish(id, Kind::ClientEvent, "content_block_start",
                R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})", c1);
    hub.publish(id, Kind::ClientEvent, "content_block_delta",
                R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check"}})", c1);
    const quint64 c2 = hub.publish(id, Kind::UpstreamChunk, "data",
                                   "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}");
    hub.publish(id, Kind::ClientEvent, "content_block_stop", R"({"type":"content_block_stop","index":0})", c2);
    hub.publish(id, Kind::ClientEvent, "content_block_start",
                R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}})", c2);
    hub.publish(id, Kind::ClientEvent, "content_block_delta",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}}", c2);
    const quint64 c3 = hub.publish(id, Kind::UpstreamChunk, "data",
                                   "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Lisbon\\\"}\"}}]}}]}");
    hub.publish(id, Kind::ClientEvent, "content_block_delta",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Lisbon\\\"}\"}}", c3);
    const quint64 c4 = hub.publish(id, Kind::UpstreamChunk, "data", R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})");
    hub.publish(id, Kind::ClientEvent, "content_block_stop", R"({"type":"content_block_stop","index":1})", c4);
    hub.publish(id, Kind::ClientEvent, "message_delta",
                R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":40}})", c4);
    hub.publish(id, Kind::ClientEvent, "message_stop", R"({"type":"message_stop"})", c4);
    if (finish)
        hub.publish(id, Kind::ExchangeFinished, "response", finished(200, u"completed"_s));
}

int rowWhere(const TimelineModel &model, const QString &needle, int column)
{
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.index(r, column).data().toString().contains(needle))
            return r;
    }
    return -1;
}

} // namespace

class TstSessionModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldGroupExchangesBySessionAndUpdateLive()
    {
        EventHub hub;
        SessionStore store;
        ExchangeListModel list(&store);
        QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.attach(&hub, 1'000'000); // polled by hand
        QCOMPARE(list.rowCount(), 0);

        publishToolCallExchange(hub, "req_a", u"session-1"_s, false);
        hub.publish("req_b", Kind::ExchangeStarted, "request", started(u"claude-haiku"_s));
        publishToolCallExchange(hub, "req_c", u"session-1"_s);
        store.poll();
        QCOMPARE(list.rowCount(), 2); // session-1, and requests without a session
        const QModelIndex session = list.index(0, 0);
        QVERIFY(session.data(ExchangeListModel::IsSessionRole).toBool());
        QCOMPARE(list.rowCount(session), 2);
        QVERIFY(session.data().toString().contains(u"session-"_s));
        const QModelIndex a = list.indexOfExchange("req_a");
        QCOMPARE(a.parent(), session);
        QVERIFY(a.data(ExchangeListModel::InFlightRole).toBool());
        QCOMPARE(a.siblingAtColumn(ExchangeListModel::Status).data().toString(), u"streaming…"_s);
        QCOMPARE(a.siblingAtColumn(ExchangeListModel::Model).data().toString(), u"claude-sonnet-4-5 → gpt-4.1"_s);

        QSignalSpy changed(&list, &QAbstractItemModel::dataChanged);
        hub.publish("req_a", Kind::ExchangeFinished, "response", finished(200, u"completed"_s));
        hub.publish("req_b", Kind::ExchangeFinished, "response", finished(502, u"failed"_s, true));
        store.poll();
        QVERIFY(!changed.isEmpty());
        QCOMPARE(a.siblingAtColumn(ExchangeListModel::Status).data().toString(), u"200"_s);
        QCOMPARE(a.siblingAtColumn(ExchangeListModel::FirstToken).data().toString(), u"56 ms"_s);
        QCOMPARE(a.siblingAtColumn(ExchangeListModel::Tokens).data().toString(), u"100 / 40"_s);
        QCOMPARE(a.siblingAtColumn(ExchangeListModel::StopReason).data().toString(), u"tool_use"_s);
        const QModelIndex b = list.indexOfExchange("req_b");
        QVERIFY(b.data(ExchangeListModel::ProblemRole).toBool());
        QVERIFY(b.parent().data(ExchangeListModel::ProblemRole).toBool());
        QVERIFY(!session.data(ExchangeListModel::ProblemRole).toBool());
    }

    void shouldFilterByTextStatusAndModel()
    {
        EventHub hub;
        SessionStore store;
        ExchangeListModel list(&store);
        ExchangeFilterModel filter;
        filter.setSourceModel(&list);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        publishToolCallExchange(hub, "req_a", u"s1"_s);
        hub.publish("req_b", Kind::ExchangeStarted, "request", started(u"claude-haiku"_s, u"s2"_s));
        hub.publish("req_b", Kind::ExchangeFinished, "response", finished(502, u"failed"_s, true));
        store.attach(&hub, 1'000'000);
        QCOMPARE(filter.rowCount(), 2);

        filter.setStatusFilter(ExchangeFilterModel::StatusFilter::Problems);
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, 0).data(ExchangeListModel::SessionRole).toString(), u"s2"_s);
        QCOMPARE(filter.rowCount(filter.index(0, 0)), 1);
        filter.setStatusFilter(ExchangeFilterModel::StatusFilter::All);
        filter.setText(u"went away"_s); // the error message
        QCOMPARE(filter.rowCount(), 1);
        filter.setText({});
        filter.setModelFilter(u"claude-sonnet-4-5"_s);
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, 0).data(ExchangeListModel::SessionRole).toString(), u"s1"_s);
    }

    void shouldLinkClientEventsToTheirChunksAndShowBlocksAsSpans()
    {
        EventHub hub;
        SessionStore store;
        TimelineModel timeline(&store);
        QAbstractItemModelTester tester(&timeline, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.attach(&hub, 1'000'000);
        publishToolCallExchange(hub, "req_a", {});
        store.poll();
        timeline.setExchange("req_a");
        QCOMPARE(timeline.rowCount(), 16);

        const int chunk = rowWhere(timeline, u"tool_calls[0] get_weather"_s, TimelineModel::Upstream);
        QVERIFY(chunk >= 0);
        const QList<int> produced = timeline.index(chunk, 0).data(TimelineModel::LinkedRowsRole).value<QList<int>>();
        QCOMPARE(produced.size(), 3); // text block stop, tool_use start, first json delta
        for (int row : produced) {
            QCOMPARE(timeline.index(row, 0).data(TimelineModel::LaneRole).toInt(), int(TimelineModel::ClientLane));
            QCOMPARE(timeline.index(row, 0).data(TimelineModel::LinkedRowsRole).value<QList<int>>(), QList<int>{chunk});
        }
        const int start = rowWhere(timeline, u"#1 start tool_use get_weather"_s, TimelineModel::Client);
        QVERIFY(produced.contains(start));

        // The tool_use block is a span from its start to its stop, carrying the input accumulated so far.
        const int stop = rowWhere(timeline, u"#1 stop"_s, TimelineModel::Client);
        QVERIFY(stop > start);
        QVERIFY(timeline.index(stop, TimelineModel::Client).data().toString().contains(u"{\"city\":\"Lisbon\"}"_s));
        QCOMPARE(timeline.index(stop, 0).data(TimelineModel::ToolInputRole).toString(), u"{\"city\":\"Lisbon\"}"_s);
        const QVariantList startSpans = timeline.index(start, 0).data(TimelineModel::SpansRole).toList();
        QCOMPARE(startSpans.size(), 1);
        QCOMPARE(startSpans.first().toMap().value(u"phase"_s).toString(), u"start"_s);
        QCOMPARE(startSpans.first().toMap().value(u"type"_s).toString(), u"tool_use"_s);
        const QVariantList stopSpans = timeline.index(stop, 0).data(TimelineModel::SpansRole).toList();
        QCOMPARE(stopSpans.first().toMap().value(u"phase"_s).toString(), u"stop"_s);
        QVERIFY(timeline.index(stop + 1, 0).data(TimelineModel::SpansRole).toList().isEmpty());
    }

    void shouldFollowALiveExchange()
    {
        EventHub hub;
        SessionStore store;
        TimelineModel timeline(&store);
        QAbstractItemModelTester tester(&timeline, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.attach(&hub, 1'000'000);
        hub.publish("req_live", Kind::ExchangeStarted, "request", started(u"m"_s));
        store.poll();
        timeline.setExchange("req_live");
        QCOMPARE(timeline.rowCount(), 1);
        QSignalSpy inserted(&timeline, &QAbstractItemModel::rowsInserted);
        for (int i = 0; i < 100; ++i)
            hub.publish("req_live", Kind::UpstreamChunk, "data", R"({"choices":[{"delta":{"content":"x"}}]})");
        hub.publish("req_other", Kind::ExchangeStarted, "request", started(u"m"_s));
        store.poll();
        QCOMPARE(inserted.size(), 1); // one coalesced insert per poll
        QCOMPARE(timeline.rowCount(), 101);
    }

    void shouldCountEventsAWindowMissedBecauseTheRingMovedOn()
    {
        EventHub hub(50);
        SessionStore store;
        store.attach(&hub, 1'000'000);
        hub.publish("r", Kind::ExchangeStarted, "request", started(u"m"_s));
        store.poll();
        QSignalSpy dropped(&store, &SessionStore::droppedEventsChanged);
        for (int i = 0; i < 200; ++i)
            hub.publish("r", Kind::UpstreamChunk, "data", "{}");
        store.poll();
        QCOMPARE(store.droppedEvents(), quint64(150));
        QCOMPARE(dropped.size(), 1);
        QCOMPARE(store.events("r").size(), 51);
    }

    void shouldStayBoundedAndShowPastExchangesFirst()
    {
        EventHub hub;
        SessionStore store(10);
        ExchangeListModel list(&store);
        QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ExchangeRecord past = ExchangeRecord::fromStarted("req_past", started(u"old-model"_s, u"old"_s));
        past.applyFinished(finished(200, u"completed"_s));
        store.setEventLoader([](const QByteArray &id) {
            return QList<ObservedEvent>{{1, 0, id, Kind::ExchangeStarted, "request", started(u"old-model"_s), 0}};
        });
        store.attach(&hub, 1'000'000);
        hub.publish("req_live", Kind::ExchangeStarted, "request", started(u"m"_s));
        store.poll();
        store.addPast({past});
        QCOMPARE(store.count(), 2);
        QCOMPARE(store.at(0).requestId, QByteArray("req_past"));
        QCOMPARE(store.events("req_past").size(), 1); // loaded on demand
        QVERIFY(list.indexOfExchange("req_past").isValid());

        for (int i = 0; i < 30; ++i)
            hub.publish("req_" + QByteArray::number(i), Kind::ExchangeStarted, "request", started(u"m"_s));
        store.poll();
        QVERIFY(store.count() <= 10);
        QCOMPARE(store.at(store.count() - 1).requestId, QByteArray("req_29"));
        QVERIFY(!list.indexOfExchange("req_past").isValid());
    }
};

QTEST_GUILESS_MAIN(TstSessionModels)
#include "tst_sessionmodels.moc"
