// Streaming exchanges end to end inside the process: the real server and exchange against a scripted SSE
// upstream. Every stream the client receives is checked by the ProtocolValidator.
#include "proxyharness.h"

#include "protocol/protocolvalidator.h"
#include "protocol/sseparser.h"
#include "session/summarylog.h"

#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace Proxy;

namespace {

QByteArray chunk(const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue::Null)
{
    const QJsonObject object{
        {u"id"_s, u"chatcmpl-s"_s},
        {u"object"_s, u"chat.completion.chunk"_s},
        {u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0}, {u"delta"_s, delta}, {u"finish_reason"_s, finishReason}}}},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray text(const QString &t)
{
    return chunk({{u"content"_s, t}});
}

QByteArray usageChunk(int prompt, int completion)
{
    return QJsonDocument(QJsonObject{{u"choices"_s, QJsonArray{}},
                                     {u"usage"_s, QJsonObject{{u"prompt_tokens"_s, prompt},
                                                              {u"completion_tokens"_s, completion}}}})
        .toJson(QJsonDocument::Compact);
}

const QByteArray stop = chunk({}, u"stop"_s);

struct Streamed
{
    int status = 0;
    QByteArray contentType;
    QByteArray cacheControl;
    QByteArray body;
    QList<QPair<QByteArray, QJsonObject>> events;
    int upstreamInFlightAtFirstDelta = -1;

    [[nodiscard]] QList<QByteArray> types() const
    {
        QList<QByteArray> result;
        for (const auto &e : events)
            result.append(e.first);
        return result;
    }
    [[nodiscard]] QString text() const
    {
        QString result;
        for (const auto &[type, payload] : events) {
            if (type == "content_block_delta" && payload[u"delta"_s][u"type"_s].toString() == u"text_delta"_s)
                result += payload[u"delta"_s][u"text"_s].toString();
        }
        return result;
    }
};

} // namespace

class TstExchange final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ProxyHarness> m_h;

    Streamed stream(const QString &path, const QByteArray &body, QNetworkReply **keep = nullptr)
    {
        Streamed result;
        QNetworkReply *reply = m_h->nam.post(m_h->request(path), body);
        if (keep) { // the caller drives the reply
            *keep = reply;
            return result;
        }
        SseParser parser;
        QList<SseEvent> events;
        connect(reply, &QNetworkReply::readyRead, reply, [&] {
            QVERIFY(parser.feed(reply->readAll(), events));
            for (; result.events.size() < events.size();) {
                const SseEvent &e = events[result.events.size()];
                result.events.append({e.event, QJsonDocument::fromJson(e.data).object()});
                if (e.event == "content_block_delta" && result.upstreamInFlightAtFirstDelta < 0)
                    result.upstreamInFlightAtFirstDelta = m_h->upstream.inFlight;
            }
        });
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            finished.wait(20000);
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.contentType = reply->rawHeader("content-type");
        result.cacheControl = reply->rawHeader("cache-control");
        result.body = reply->readAll();
        reply->deleteLater();
        return result;
    }

    static void expectValid(const Streamed &streamed, bool expectError = false)
    {
        ProtocolValidator validator;
        for (const auto &[type, payload] : streamed.events)
            validator.feed(type, payload);
        validator.finish();
        QStringList problems;
        for (const auto &v : validator.violations())
            problems.append(v.message);
        QVERIFY2(validator.isValid(), qPrintable(problems.join(u"; "_s)));
        QCOMPARE(validator.endedWithError(), expectError);
        QCOMPARE(validator.completed(), !expectError);
    }

private Q_SLOTS:
    void init()
    {
        m_h = std::make_unique<ProxyHarness>();
        QVERIFY(m_h->start());
    }

    void cleanup() { m_h.reset(); }

    void shouldStreamTextLiveWhileUpstreamIsGenerating()
    {
        m_h->upstream.enqueue(FakeUpstream::sse({chunk({{u"role"_s, u"assistant"_s}}), text(u"Hel"_s), text(u"lo"_s),
                                                 text(u" \u00e9\u6f22"_s), stop, usageChunk(11, 3), "[DONE]"},
                                                100));
        const Streamed s = stream(u"/v1/messages?beta=true"_s, ProxyHarness::messagesBody(u"claude-x"_s, true));
        QCOMPARE(s.status, 200);
        QVERIFY(s.contentType.startsWith("text/event-stream"));
        QCOMPARE(s.cacheControl, QByteArray("no-cache"));
        expectValid(s);
        QCOMPARE(s.text(), u"Hello \u00e9\u6f22"_s);
        QCOMPARE(s.types().first(), QByteArray("message_start"));
        QCOMPARE(s.types()[1], QByteArray("ping"));
        QCOMPARE(s.events.first().second[u"message"_s][u"model"_s].toString(), u"claude-x"_s);
        QVERIFY(s.events.first().second[u"message"_s][u"usage"_s][u"input_tokens"_s].toInt() > 0);
        QCOMPARE(s.upstreamInFlightAtFirstDelta, 1); // the first delta arrived before the upstream finished
        const QJsonObject delta = s.events[s.events.size() - 2].second;
        QCOMPARE(delta[u"type"_s].toString(), u"message_delta"_s);
        QCOMPARE(delta[u"delta"_s][u"stop_reason"_s].toString(), u"end_turn"_s);
        QCOMPARE(delta[u"usage"_s][u"output_tokens"_s].toInt(), 3);

        const QJsonObject sent = m_h->upstream.requests.first().json();
        QCOMPARE(sent[u"stream"_s].toBool(), true);
        QCOMPARE(sent[u"stream_options"_s][u"include_usage"_s].toBool(), true);
        QCOMPARE(m_h->upstream.requests.first().header("accept-encoding"), QByteArray("identity"));
    }

    void shouldAlwaysStreamOnTheStreamAlias()
    {
        m_h->upstream.enqueue(FakeUpstream::sse({text(u"ok"_s), stop, "[DONE]"}));
        const Streamed s = stream(u"/v1/messages/stream"_s, ProxyHarness::messagesBody(u"m"_s, false));
        QCOMPARE(s.status, 200);
        expectValid(s);
        QCOMPARE(s.text(), u"ok"_s);
    }

    void shouldOmitStreamOptionsWhenTheProfileSaysSo()
    {
        UpstreamProfile profile;
        profile.includeStreamUsage = false;
        QVERIFY(m_h->start(profile));
        m_h->upstream.enqueue(FakeUpstream::sse({text(u"ok"_s), stop}));
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s);
        QVERIFY(!m_h->upstream.requests.first().json().contains(u"stream_options"_s));
    }

    void shouldTurnUpstreamErrorStatusIntoHttpError()
    {
        FakeReply limited = FakeUpstream::json({{u"error"_s, QJsonObject{{u"message"_s, u"slow down"_s}}}}, 429);
        limited.headers.append(qMakePair("Retry-After"_ba, "3"_ba));
        m_h->upstream.enqueue(limited);
        const HttpResult r = m_h->send("POST", u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        QCOMPARE(r.status, 429);
        QCOMPARE(r.errorType(), u"rate_limit_error"_s);
        QVERIFY(r.errorMessage().contains(u"slow down"_s));
        QCOMPARE(r.headers.value("retry-after"), QByteArray("3"));
    }

    void shouldEndWithErrorEventOnUpstreamErrorChunk()
    {
        m_h->upstream.enqueue(FakeUpstream::sse(
            {text(u"partial"_s), R"({"error":{"message":"model crashed","type":"server_error"}})", "[DONE]"}));
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        QCOMPARE(s.status, 200);
        expectValid(s, true);
        QCOMPARE(s.types().last(), QByteArray("error"));
        QVERIFY(!s.types().contains("message_stop"));
        QVERIFY(s.events.last().second[u"error"_s][u"message"_s].toString().contains(u"model crashed"_s));
    }

    void shouldEndWithErrorEventOnTruncatedStream()
    {
        FakeReply truncated = FakeUpstream::sse({text(u"half an ans"_s)});
        truncated.resetAtEnd = true;
        m_h->upstream.enqueue(truncated);
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s, true);
        QVERIFY(!s.types().contains("message_stop"));
    }

    void shouldEndWithErrorEventWhenUpstreamGoesSilent()
    {
        UpstreamProfile profile;
        profile.idleTimeoutMs = 300;
        QVERIFY(m_h->start(profile));
        FakeReply stall = FakeUpstream::sse({text(u"thinking about it"_s)});
        stall.chunks.append({60'000, "data: [DONE]\n\n"});
        m_h->upstream.enqueue(stall);
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s, true);
        QVERIFY2(s.events.last().second[u"error"_s][u"message"_s].toString().contains(u"idle"_s),
                 qPrintable(s.events.last().second[u"error"_s][u"message"_s].toString()));
        QTRY_COMPARE(m_h->upstream.clientsGone, 1);
    }

    void shouldEndWithErrorEventOnAnOversizedLine()
    {
        FakeReply huge = FakeUpstream::sse({text(u"before"_s)});
        huge.chunks.append({10, "data: \"" + QByteArray(SseParser::defaultMaxLineBytes + 1024, 'x')});
        huge.chunks.append({60'000, "\"\n\n"}); // never reached: only the proxy's abort can end this request
        m_h->upstream.enqueue(huge);
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s, true);
        QCOMPARE(s.text(), u"before"_s);
        QVERIFY(s.events.last().second[u"error"_s][u"message"_s].toString().contains(u"longer than"_s));
        QTRY_COMPARE(m_h->upstream.clientsGone, 1); // and the upstream request was dropped
    }

    void shouldPingWhileUpstreamIsSilent()
    {
        QVERIFY(m_h->start({}, 100));
        FakeReply slow = FakeUpstream::sse({text(u"a"_s)});
        slow.chunks.append({450, "data: " + stop + "\n\n"});
        m_h->upstream.enqueue(slow);
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s);
        QVERIFY2(s.types().count("ping") >= 3, qPrintable(QString::number(s.types().count("ping"))));
    }

    void shouldPingWhenUpstreamSendsOnlyKeepAlives()
    {
        QVERIFY(m_h->start({}, 100));
        FakeReply reply;
        reply.headers = {{"Content-Type", "text/event-stream"}};
        for (int i = 0; i < 10; ++i) // OpenRouter-style comments: upstream bytes, but nothing for the client
            reply.chunks.append({50, ": OPENROUTER PROCESSING\n\n"});
        reply.chunks.append({0, "data: " + text(u"done"_s) + "\n\n"});
        reply.chunks.append({0, "data: " + stop + "\n\n"});
        m_h->upstream.enqueue(reply);
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s);
        QVERIFY2(s.types().count("ping") >= 3, qPrintable(QString::number(s.types().count("ping"))));
    }

    void shouldCancelUpstreamWhenClientLeavesMidStream()
    {
        m_h->upstream.enqueue(FakeUpstream::sse({text(u"one"_s), text(u"two"_s), text(u"three"_s), stop}, 300));
        QSignalSpy finished(m_h->server.get(), &ProxyServer::exchangeFinished);
        QNetworkReply *reply = nullptr;
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true), &reply);
        Q_UNUSED(s)
        QTRY_VERIFY(reply->bytesAvailable() > 0); // the stream has begun
        reply->abort();
        reply->deleteLater();
        QVERIFY(finished.wait(3000));
        QCOMPARE(finished.first().first().value<Exchange *>()->outcome(), Exchange::Outcome::Cancelled);
        QTRY_COMPARE(m_h->upstream.clientsGone, 1);
    }

    void shouldEndInFlightStreamsWithRetryableErrorOnShutdown()
    {
        m_h->upstream.enqueue(FakeUpstream::sse({text(u"one"_s), text(u"two"_s), stop}, 400));
        QTimer::singleShot(200, m_h->server.get(), [this] {
            m_h->server->stopListening();
            m_h->server->abortAll(Error::make(ErrorType::Overloaded, u"Switchyard is shutting down"_s));
        });
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s, true);
        QCOMPARE(s.events.last().second[u"error"_s][u"type"_s].toString(), u"overloaded_error"_s);
        QTRY_COMPARE(m_h->server->activeExchangeCount(), 0);
        QTRY_COMPARE(m_h->upstream.clientsGone, 1);
    }

    void shouldStreamAnUpstreamThatAnsweredJson()
    {
        m_h->upstream.enqueue(FakeUpstream::json(ProxyHarness::completion(u"whole answer"_s)));
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        QCOMPARE(s.status, 200);
        expectValid(s);
        QCOMPARE(s.text(), u"whole answer"_s);
    }

    void shouldPublishEveryExchangeToTheHubInOrder()
    {
        m_h->upstream.enqueue(FakeUpstream::sse({text(u"hi"_s), stop, "[DONE]"}));
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s);
        const QList<ObservedEvent> events = m_h->hub.snapshot();
        QVERIFY(events.size() >= 3 + s.events.size());
        QCOMPARE(events.first().kind, ObservedEvent::Kind::ExchangeStarted);
        QCOMPARE(events.last().kind, ObservedEvent::Kind::ExchangeFinished);
        int clientEvents = 0;
        int chunks = 0;
        for (qsizetype i = 1; i < events.size(); ++i) {
            QVERIFY(events[i].sequence > events[i - 1].sequence);
            QVERIFY(events[i].timestampNs >= events[i - 1].timestampNs);
            QCOMPARE(events[i].requestId, events.first().requestId);
            clientEvents += events[i].kind == ObservedEvent::Kind::ClientEvent;
            chunks += events[i].kind == ObservedEvent::Kind::UpstreamChunk;
            QVERIFY(events[i].kind != ObservedEvent::Kind::Violation);
        }
        QCOMPARE(clientEvents, s.events.size());
        QCOMPARE(chunks, 3);
        const QJsonObject summary = QJsonDocument::fromJson(events.last().data).object();
        QCOMPARE(summary[u"outcome"_s].toString(), u"completed"_s);
        QCOMPARE(summary[u"stop_reason"_s].toString(), u"end_turn"_s);
    }

    void shouldLinkEveryClientEventToTheChunkItCameFrom()
    {
        m_h->upstream.enqueue(FakeUpstream::sse({text(u"one"_s), text(u"two"_s), stop, "[DONE]"}));
        const Streamed s = stream(u"/v1/messages"_s, ProxyHarness::messagesBody(u"m"_s, true));
        expectValid(s);
        const QList<ObservedEvent> events = m_h->hub.snapshot();
        QHash<quint64, QByteArray> chunks;
        for (const ObservedEvent &e : events) {
            if (e.kind == ObservedEvent::Kind::UpstreamChunk)
                chunks.insert(e.sequence, e.data);
        }
        int linked = 0;
        for (const ObservedEvent &e : events) {
            // message_start answers the upstream's 200 status, pings its silence: neither comes from a chunk.
            if (e.kind != ObservedEvent::Kind::ClientEvent || e.name == "ping" || e.name == "message_start")
                continue;
            QVERIFY2(e.cause != 0, e.name.constData());
            QVERIFY(chunks.contains(e.cause));
            QVERIFY(e.cause < e.sequence); // the chunk was published before what it produced
            if (e.name == "content_block_delta") {
                const QString piece = QJsonDocument::fromJson(e.data)[u"delta"_s][u"text"_s].toString();
                QVERIFY2(chunks.value(e.cause).contains(piece.toUtf8()), qPrintable(piece));
                ++linked;
            }
        }
        QCOMPARE(linked, 2);
    }

    void shouldRecordTheRedactedRequestBodyOnlyWhenAsked()
    {
        const QByteArray prompt = "PROMPT-MARKER sk-ant-api03-plantedplantedplantedplanted";
        m_h->upstream.enqueue(FakeUpstream::json(ProxyHarness::completion(u"a"_s)));
        m_h->upstream.enqueue(FakeUpstream::json(ProxyHarness::completion(u"b"_s)));
        const QByteArray body = ProxyHarness::messagesBody(u"m"_s, false, QString::fromLatin1(prompt));
        QCOMPARE(m_h->send("POST", u"/v1/messages"_s, body).status, 200);
        for (const ObservedEvent &e : m_h->hub.snapshot())
            QVERIFY(e.kind != ObservedEvent::Kind::RequestBody);

        m_h->hub.setRecordBodies(true);
        QCOMPARE(m_h->send("POST", u"/v1/messages"_s, body).status, 200);
        QList<ObservedEvent> bodies;
        for (const ObservedEvent &e : m_h->hub.snapshot()) {
            if (e.kind == ObservedEvent::Kind::RequestBody)
                bodies.append(e);
        }
        QCOMPARE(bodies.size(), 1);
        QCOMPARE(bodies.first().name, QByteArray("body"));
        QVERIFY(bodies.first().data.contains("PROMPT-MARKER"));
        QVERIFY(!bodies.first().data.contains("plantedplanted")); // key-shaped text is redacted
    }

    void shouldKeepSecretsAndPromptsOutOfTheSummaryLog()
    {
        QTemporaryDir dir;
        SummaryLog log({dir.filePath(u"state/switchyard.log"_s), false});
        log.attach(&m_h->hub);
        const QByteArray prompt = "PROMPT-MARKER-the-user-text";
        m_h->upstream.enqueue(FakeUpstream::sse({text(u"REPLY-MARKER"_s), stop}));
        m_h->upstream.enqueue(FakeUpstream::json(ProxyHarness::completion(u"REPLY-MARKER"_s)));
        const QList<QPair<QByteArray, QByteArray>> secrets{{"x-api-key", "sk-ant-planted-client-secret"},
                                                           {"authorization", "Bearer planted-bearer-secret"},
                                                           {"cookie", "session=planted-cookie-secret"}};
        QNetworkReply *streamed = m_h->nam.post(
            m_h->request(u"/v1/messages?key=planted-query-secret"_s, secrets),
            ProxyHarness::messagesBody(u"m"_s, true, QString::fromLatin1(prompt)));
        QTRY_VERIFY(streamed->isFinished());
        streamed->deleteLater();
        QCOMPARE(m_h->send("POST", u"/v1/messages?api_key=planted-query-secret"_s,
                           ProxyHarness::messagesBody(u"m"_s, false, QString::fromLatin1(prompt)), secrets)
                     .status,
                 200);
        QFile file(log.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray contents = file.readAll();
        QCOMPARE(contents.count('\n'), 4); // request + response, twice
        for (const QByteArray &needle : {"planted-client-secret"_ba, "planted-bearer-secret"_ba,
                                         "planted-cookie-secret"_ba, "planted-query-secret"_ba,
                                         QByteArray(ProxyHarness::upstreamKey), prompt, "REPLY-MARKER"_ba})
            QVERIFY2(!contents.contains(needle), needle.constData());
        QVERIFY(contents.contains("\"kind\":\"request\""));
        QVERIFY(contents.contains("[redacted]"));
    }
};

QTEST_GUILESS_MAIN(TstExchange)
#include "tst_exchange.moc"
