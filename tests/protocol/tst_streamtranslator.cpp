#include "protocol/protocolvalidator.h"
#include "protocol/responsemapper.h"
#include "protocol/sseparser.h"
#include "protocol/streamtranslator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace Proxy;
using namespace Qt::StringLiterals;

namespace {

// Golden files: tests/data/streams/<name>.sse is what an upstream sent (raw SSE bytes), <name>.events.jsonl the
// Anthropic events the client must get, one compact JSON payload per line. The expected files are the spec:
// SWITCHYARD_UPDATE_GOLDEN=1 rewrites them from the current output, to be reviewed by hand before committing.
QString streamsDir()
{
    return QStringLiteral(SWITCHYARD_TEST_DATA_DIR "/streams");
}

StreamTranslator::Options testOptions()
{
    StreamTranslator::Options options;
    options.clientModel = u"claude-sonnet-4-5"_s;
    options.messageId = "msg_test";
    options.estimatedInputTokens = 10;
    options.stopSequences = { u"</answer>"_s, u"\n\nHuman:"_s };
    return options;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray sse(const QList<StreamEvent> &events)
{
    QByteArray out;
    for (const StreamEvent &event : events)
        out += event.toSse();
    return out;
}

// Ids the translator had to invent are random; golden files spell them "toolu_<generated>".
QList<QByteArray> normalised(const QList<StreamEvent> &events)
{
    QList<QByteArray> lines;
    for (const StreamEvent &event : events) {
        QJsonObject payload = event.payload;
        QJsonObject block = payload.value("content_block"_L1).toObject();
        const QString id = block.value("id"_L1).toString();
        if (id.startsWith("toolu_"_L1) && id.size() == 30) {
            block.insert(u"id"_s, u"toolu_<generated>"_s);
            payload.insert(u"content_block"_s, block);
        }
        lines.append(compact(payload));
    }
    return lines;
}

// The upstream bytes cut into the given pieces, through SseParser and the translator, then end of input.
QList<StreamEvent> translate(const QList<QByteArrayView> &pieces, StreamTranslator::Options options = testOptions())
{
    StreamTranslator translator(std::move(options));
    SseParser parser;
    QList<StreamEvent> out = translator.start();
    QList<SseEvent> events;
    for (const QByteArrayView piece : pieces) {
        events.clear();
        if (!parser.feed(piece, events))
            qFatal("SSE parser failed");
        for (const SseEvent &event : std::as_const(events))
            out += translator.feed(event.data);
    }
    events.clear();
    parser.finish(events);
    for (const SseEvent &event : std::as_const(events))
        out += translator.feed(event.data);
    out += translator.finish();
    return out;
}

QList<QByteArrayView> wholeEvents(const QByteArray &bytes)
{
    return { QByteArrayView(bytes) };
}

QList<QByteArrayView> byteByByte(const QByteArray &bytes)
{
    QList<QByteArrayView> pieces;
    for (qsizetype i = 0; i < bytes.size(); ++i)
        pieces.append(QByteArrayView(bytes).sliced(i, 1));
    return pieces;
}

QList<QByteArrayView> randomPieces(const QByteArray &bytes, quint32 seed)
{
    QRandomGenerator random(seed);
    const int maxPiece = 1 + int(random.bounded(96));
    QList<QByteArrayView> pieces;
    for (qsizetype at = 0; at < bytes.size();) {
        const qsizetype size = std::min<qsizetype>(random.bounded(0, maxPiece + 1), bytes.size() - at);
        pieces.append(QByteArrayView(bytes).sliced(at, size));
        at += size;
    }
    return pieces;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// A chat.completion.chunk with one choice.
QByteArray chunk(const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue::Null,
    const QJsonValue &usage = QJsonValue::Null)
{
    QJsonObject object{ { u"id"_s, u"chatcmpl-1"_s }, { u"object"_s, u"chat.completion.chunk"_s },
        { u"choices"_s,
            QJsonArray{
                QJsonObject{ { u"index"_s, 0 }, { u"delta"_s, delta }, { u"finish_reason"_s, finishReason } } } } };
    if (!usage.isNull())
        object.insert(u"usage"_s, usage);
    return compact(object);
}

QByteArray textChunk(const QString &text)
{
    return chunk(QJsonObject{ { u"content"_s, text } });
}

QByteArray toolChunk(int index, const QString &id, const QString &name, const QString &arguments)
{
    QJsonObject function;
    if (!name.isEmpty())
        function.insert(u"name"_s, name);
    function.insert(u"arguments"_s, arguments);
    QJsonObject call{ { u"index"_s, index }, { u"function"_s, function } };
    if (!id.isEmpty())
        call.insert(u"id"_s, id);
    return chunk(QJsonObject{ { u"tool_calls"_s, QJsonArray{ call } } });
}

QList<StreamEvent> ofType(const QList<StreamEvent> &events, const QByteArray &type)
{
    QList<StreamEvent> result;
    for (const StreamEvent &event : events) {
        if (event.type == type)
            result.append(event);
    }
    return result;
}

// The concatenated partial_json of every input_json_delta.
QString forwardedArguments(const QList<StreamEvent> &events)
{
    QString json;
    for (const StreamEvent &event : events) {
        const QJsonObject delta = event.payload.value("delta"_L1).toObject();
        if (delta.value("type"_L1) == "input_json_delta"_L1)
            json += delta.value("partial_json"_L1).toString();
    }
    return json;
}

QString violationText(const QList<ProtocolValidator::Violation> &violations)
{
    QStringList lines;
    for (const ProtocolValidator::Violation &violation : violations)
        lines.append(u"#%1: %2"_s.arg(violation.eventIndex).arg(violation.message));
    return lines.join(u'\n');
}

} // namespace

class TstStreamTranslator final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldMatchGoldenEvents_data();
    void shouldMatchGoldenEvents();
    void shouldGiveTheSameEventsForAnyReadSplit_data();
    void shouldGiveTheSameEventsForAnyReadSplit();
    void shouldSatisfyTheProtocolValidator_data();
    void shouldSatisfyTheProtocolValidator();

    void shouldStartWithMessageStartAndPing();
    void shouldStartImplicitlyWhenFedFirst();
    void shouldFormatEventsAsSse();
    void shouldEmitOneErrorEventOnFail();
    void shouldReturnNothingAfterMessageStop();
    void shouldIgnoreDataAfterDone();
    void shouldEstimateUsageWhenUpstreamSendsNone();
    void shouldReportZeroOutputWhenNothingWasEmitted();
    void shouldKeepEstimatedInputTokensWhenUsageLacksPromptTokens();
    void shouldMapUpstreamErrorChunks_data();
    void shouldMapUpstreamErrorChunks();
    void shouldFailOnFinishReasonError();
    void shouldReadChunksAsQJsonDocumentDoes_data();
    void shouldReadChunksAsQJsonDocumentDoes();
    void shouldReplaceInvalidUtf8();
    void shouldCheckToolArgumentsIncrementally_data();
    void shouldCheckToolArgumentsIncrementally();
    void shouldGiveTheStageToAnEarlierCallWaitingForItsId();
    void shouldHoldACallBehindAnOpenCallWithoutArguments();
    void shouldFailWhenAToolCallNeverGetsAName();
    void shouldFailWhenTextInterruptsIncompleteToolArguments();
    void shouldFailWhenArgumentsContinueAfterTheirObject();
    void shouldRestoreClientToolNames();
    void shouldIgnoreChoicesOtherThanTheFirst();
    void shouldUseOneReasoningFieldWhenBothArePresent();
    void shouldAcceptReasoningDetailsAlone();
    void shouldTranslateAReplayedNonStreamingCompletion();
    void shouldSignThinkingWithItsText();
    void shouldReportStopReasonAndBlockCount();
};

// --- golden files ----------------------------------------------------------------------------------------

static void addGoldenRows()
{
    QTest::addColumn<QString>("name");
    const QStringList files = QDir(streamsDir()).entryList({ u"*.sse"_s }, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 25, qPrintable(u"golden transcripts missing in "_s + streamsDir()));
    for (const QString &file : files) {
        const QString name = file.chopped(4);
        QTest::addRow("%s", qPrintable(name)) << name;
    }
}

void TstStreamTranslator::shouldMatchGoldenEvents_data()
{
    addGoldenRows();
}

void TstStreamTranslator::shouldMatchGoldenEvents()
{
    QFETCH(QString, name);
    const QByteArray upstream = readFile(streamsDir() + u'/' + name + u".sse"_s);
    QVERIFY(!upstream.isEmpty());
    const QList<StreamEvent> events = translate(wholeEvents(upstream));
    for (const StreamEvent &event : events)
        QCOMPARE(event.type, event.payload.value("type"_L1).toString().toUtf8());
    const QList<QByteArray> actual = normalised(events);

    const QString expectedPath = streamsDir() + u'/' + name + u".events.jsonl"_s;
    if (qEnvironmentVariableIntValue("SWITCHYARD_UPDATE_GOLDEN") == 1) {
        QFile file(expectedPath);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        for (const QByteArray &line : actual)
            file.write(line + '\n');
    }

    const QList<QByteArray> expectedLines = readFile(expectedPath).trimmed().split('\n');
    QVERIFY2(!expectedLines.isEmpty() && !expectedLines.first().isEmpty(),
        qPrintable(u"no expected events; run with SWITCHYARD_UPDATE_GOLDEN=1 and review "_s + expectedPath));
    for (qsizetype i = 0; i < std::min(actual.size(), expectedLines.size()); ++i) {
        // Compared as JSON values, so the expected files need not follow Qt's key order.
        const QJsonObject expected = QJsonDocument::fromJson(expectedLines.at(i)).object();
        QVERIFY2(!expected.isEmpty(), qPrintable(u"line %1 of %2 is not a JSON object"_s.arg(i + 1).arg(expectedPath)));
        if (QJsonDocument::fromJson(actual.at(i)).object() != expected)
            QCOMPARE(actual.at(i), compact(expected)); // shows both sides
    }
    QCOMPARE(actual.size(), expectedLines.size());
}

void TstStreamTranslator::shouldGiveTheSameEventsForAnyReadSplit_data()
{
    addGoldenRows();
}

void TstStreamTranslator::shouldGiveTheSameEventsForAnyReadSplit()
{
    QFETCH(QString, name);
    const QByteArray upstream = readFile(streamsDir() + u'/' + name + u".sse"_s);
    const QList<QByteArray> reference = normalised(translate(wholeEvents(upstream)));
    QCOMPARE(normalised(translate(byteByByte(upstream))), reference);
    for (quint32 seed = 1; seed <= 40; ++seed) {
        const QList<QByteArray> split = normalised(translate(randomPieces(upstream, seed)));
        if (split != reference)
            QFAIL(qPrintable(u"different events with random split seed %1"_s.arg(seed)));
    }
}

void TstStreamTranslator::shouldSatisfyTheProtocolValidator_data()
{
    addGoldenRows();
}

void TstStreamTranslator::shouldSatisfyTheProtocolValidator()
{
    QFETCH(QString, name);
    const QByteArray upstream = readFile(streamsDir() + u'/' + name + u".sse"_s);
    const QList<StreamEvent> events = translate(wholeEvents(upstream));
    QVERIFY(!events.isEmpty());
    bool endedWithError = false;
    const QList<ProtocolValidator::Violation> violations
        = ProtocolValidator::validateTranscript(sse(events), &endedWithError);
    QVERIFY2(violations.isEmpty(), qPrintable(violationText(violations)));

    const qsizetype errors = ofType(events, "error").size();
    if (events.constLast().type == "error") {
        QCOMPARE(errors, 1);
        QVERIFY(endedWithError);
        QCOMPARE(ofType(events, "message_delta").size(), 0);
    } else {
        QCOMPARE(errors, 0);
        QVERIFY(!endedWithError);
        QCOMPARE(events.constLast().type, QByteArray("message_stop"));
        QCOMPARE(ofType(events, "message_delta").size(), 1);
    }
}

// --- direct unit tests -----------------------------------------------------------------------------------

void TstStreamTranslator::shouldStartWithMessageStartAndPing()
{
    StreamTranslator translator(testOptions());
    const QList<StreamEvent> events = translator.start();
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).type, QByteArray("message_start"));
    QCOMPARE(compact(events.at(0).payload),
        QByteArray(R"({"message":{"content":[],"id":"msg_test","model":"claude-sonnet-4-5","role":"assistant",)"
                   R"("stop_reason":null,"stop_sequence":null,"type":"message","usage":{)"
                   R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0,"input_tokens":10,)"
                   R"("output_tokens":0}},"type":"message_start"})"));
    QCOMPARE(events.at(1), pingEvent());
    QVERIFY(translator.start().isEmpty()); // once
    QVERIFY(!translator.isDone());
}

void TstStreamTranslator::shouldStartImplicitlyWhenFedFirst()
{
    StreamTranslator::Options options = testOptions();
    options.estimatedInputTokens = 0; // never 0 on the wire
    StreamTranslator translator(options);
    const QList<StreamEvent> events = translator.feed(textChunk(u"Hi"_s));
    QCOMPARE(events.size(), 4); // message_start, ping, content_block_start, content_block_delta
    QCOMPARE(events.at(0).type, QByteArray("message_start"));
    QCOMPARE(events.at(0).payload["message"_L1]["usage"_L1]["input_tokens"_L1].toInt(), 1);
    QCOMPARE(events.at(3).type, QByteArray("content_block_delta"));
}

void TstStreamTranslator::shouldFormatEventsAsSse()
{
    QCOMPARE(pingEvent().toSse(), QByteArray("event: ping\ndata: {\"type\":\"ping\"}\n\n"));
    QCOMPARE(errorEvent(Error::make(ErrorType::Overloaded, u"Busy"_s)).toSse(),
        QByteArray("event: error\ndata: {\"error\":{\"message\":\"Busy\",\"type\":\"overloaded_error\"},"
                   "\"type\":\"error\"}\n\n"));
    StreamTranslator translator(testOptions());
    const QList<StreamEvent> events = translator.feed(textChunk(u"é\n\"x\""_s));
    QCOMPARE(events.constLast().toSse(),
        QByteArray("event: content_block_delta\ndata: {\"delta\":{\"text\":\"é\\n\\\"x\\\"\",\"type\":"
                   "\"text_delta\"},\"index\":0,\"type\":\"content_block_delta\"}\n\n"));
}

void TstStreamTranslator::shouldEmitOneErrorEventOnFail()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    (void)translator.feed(textChunk(u"partial"_s));
    const QList<StreamEvent> events = translator.fail(Error::make(ErrorType::Api, u"Upstream reset the connection"_s));
    QCOMPARE(events.size(), 1);
    QCOMPARE(compact(events.at(0).payload),
        QByteArray(R"({"error":{"message":"Upstream reset the connection","type":"api_error"},"type":"error"})"));
    QVERIFY(translator.isDone());
    QVERIFY(translator.hasFailed());
    QVERIFY(translator.fail(Error::make(ErrorType::Api, u"again"_s)).isEmpty());
    QVERIFY(translator.feed(textChunk(u"more"_s)).isEmpty());
    QVERIFY(translator.feed("[DONE]").isEmpty());
    QVERIFY(translator.finish().isEmpty());
    QVERIFY(translator.start().isEmpty());
}

void TstStreamTranslator::shouldReturnNothingAfterMessageStop()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    (void)translator.feed(chunk(QJsonObject{ { u"content"_s, u"Hi"_s } }, u"stop"_s));
    const QList<StreamEvent> end = translator.feed("[DONE]");
    QCOMPARE(end.constLast().type, QByteArray("message_stop"));
    QVERIFY(translator.isDone());
    QVERIFY(!translator.hasFailed());
    QVERIFY(translator.feed(textChunk(u"late"_s)).isEmpty());
    QVERIFY(translator.feed("[DONE]").isEmpty());
    QVERIFY(translator.finish().isEmpty());
    QVERIFY(translator.fail(Error::make(ErrorType::Api, u"late failure"_s)).isEmpty());
    QVERIFY(!translator.hasFailed());
    QCOMPARE(translator.stopReason(), u"end_turn"_s);
}

void TstStreamTranslator::shouldIgnoreDataAfterDone()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    (void)translator.feed(textChunk(u"Hi"_s));
    QCOMPARE(translator.feed("[DONE]").constLast().type, QByteArray("message_stop"));
    QVERIFY(translator.feed("not json at all").isEmpty());
    QVERIFY(translator.feed(R"({"error":{"message":"late"}})").isEmpty());
    QVERIFY(!translator.hasFailed());
}

void TstStreamTranslator::shouldEstimateUsageWhenUpstreamSendsNone()
{
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    events += translator.feed(chunk(QJsonObject{ { u"reasoning_content"_s, u"ü"_s } })); // 2 bytes
    events += translator.feed(textChunk(u"abcdefghi"_s)); // 9 bytes
    events += translator.feed(toolChunk(0, u"call_1"_s, u"f"_s, u"{\"a\":1}"_s)); // 7 bytes
    events += translator.feed(chunk(QJsonObject(), u"tool_calls"_s));
    events += translator.finish(); // no [DONE]: the finish_reason is enough
    const QList<StreamEvent> deltas = ofType(events, "message_delta");
    QCOMPARE(deltas.size(), 1);
    const QJsonObject expectedUsage{ { u"input_tokens"_s, 10 }, { u"output_tokens"_s, 5 }, // ceil(18 / 4)
        { u"cache_creation_input_tokens"_s, 0 }, { u"cache_read_input_tokens"_s, 0 } };
    QCOMPARE(deltas.at(0).payload.value("usage"_L1).toObject(), expectedUsage);
    QCOMPARE(translator.usage(), expectedUsage);
    QCOMPARE(deltas.at(0).payload["delta"_L1]["stop_reason"_L1].toString(), u"tool_use"_s);
}

void TstStreamTranslator::shouldReportZeroOutputWhenNothingWasEmitted()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    (void)translator.feed(chunk(QJsonObject{ { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } }, u"stop"_s));
    const QList<StreamEvent> events = translator.feed("[DONE]");
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).payload["usage"_L1]["output_tokens"_L1].toInt(-1), 0);
    QCOMPARE(translator.blockCount(), 0);
}

void TstStreamTranslator::shouldKeepEstimatedInputTokensWhenUsageLacksPromptTokens()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    (void)translator.feed(
        chunk(QJsonObject{ { u"content"_s, u"Hello"_s } }, u"stop"_s, QJsonObject{ { u"completion_tokens"_s, 3 } }));
    const QList<StreamEvent> events = translator.feed("[DONE]");
    QCOMPARE(events.at(events.size() - 2).payload["usage"_L1]["input_tokens"_L1].toInt(), 10);
    QCOMPARE(events.at(events.size() - 2).payload["usage"_L1]["output_tokens"_L1].toInt(), 3);
}

void TstStreamTranslator::shouldMapUpstreamErrorChunks_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("message");

    QTest::addRow("openrouter 429") << QByteArray(R"({"error":{"message":"Rate limit exceeded","code":429}})")
                                    << u"rate_limit_error"_s << u"Upstream error: Rate limit exceeded"_s;
    QTest::addRow("429 as string") << QByteArray(R"({"error":{"message":"Slow down","code":"429"}})")
                                   << u"rate_limit_error"_s << u"Upstream error: Slow down"_s;
    QTest::addRow("openai rate type") << QByteArray(
        R"({"error":{"message":"Too many tokens","type":"tokens","code":"rate_limit_exceeded"}})")
                                      << u"rate_limit_error"_s << u"Upstream error: Too many tokens"_s;
    QTest::addRow("anthropic-style overloaded")
        << QByteArray(R"({"error":{"type":"overloaded_error","message":"Overloaded"}})") << u"overloaded_error"_s
        << u"Upstream error: Overloaded"_s;
    QTest::addRow("503") << QByteArray(R"({"error":{"message":"No capacity","code":503}})") << u"overloaded_error"_s
                         << u"Upstream error: No capacity"_s;
    QTest::addRow("status 503") << QByteArray(R"({"error":{"message":"Busy","status":503}})") << u"overloaded_error"_s
                                << u"Upstream error: Busy"_s;
    QTest::addRow("rate limit words") << QByteArray(R"({"error":{"message":"Slow","type":"RateLimitError"}})")
                                      << u"rate_limit_error"_s << u"Upstream error: Slow"_s;
    QTest::addRow("google exhausted") << QByteArray(R"({"error":{"message":"Quota","code":"RESOURCE_EXHAUSTED"}})")
                                      << u"rate_limit_error"_s << u"Upstream error: Quota"_s;
    QTest::addRow("moderation is not a rate limit")
        << QByteArray(R"({"error":{"message":"Flagged","code":"moderation_blocked"}})") << u"api_error"_s
        << u"Upstream error: Flagged"_s;
    QTest::addRow("server_error") << QByteArray(R"({"error":{"message":"Internal","code":"server_error"}})")
                                  << u"api_error"_s << u"Upstream error: Internal"_s;
    QTest::addRow("error string") << QByteArray(R"({"error":"model crashed"})") << u"api_error"_s
                                  << u"Upstream error: model crashed"_s;
    QTest::addRow("no message") << QByteArray(R"({"error":{"code":400}})") << u"api_error"_s
                                << u"Upstream error: {\"code\":400}"_s;
    QTest::addRow("not json") << QByteArray("event stream broke") << u"api_error"_s
                              << u"Upstream sent a chunk that is not valid JSON: event stream broke"_s;
    QTest::addRow("json array") << QByteArray("[1,2]") << u"api_error"_s
                                << u"Upstream sent a chunk that is not a JSON object: [1,2]"_s;
    const QByteArray longGarbage = "<html>" + QByteArray(300, 'x');
    QTest::addRow("long garbage is cut") << longGarbage << u"api_error"_s
                                         << u"Upstream sent a chunk that is not valid JSON: "_s
            + QString::fromLatin1(longGarbage.left(200));
}

void TstStreamTranslator::shouldMapUpstreamErrorChunks()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, type);
    QFETCH(QString, message);
    StreamTranslator translator(testOptions());
    (void)translator.start();
    (void)translator.feed(textChunk(u"Some text"_s));
    const QList<StreamEvent> events = translator.feed(data);
    QCOMPARE(events.size(), 1); // the open text block is not closed: the error ends the stream
    QCOMPARE(events.at(0).type, QByteArray("error"));
    QCOMPARE(events.at(0).payload["error"_L1]["type"_L1].toString(), type);
    QCOMPARE(events.at(0).payload["error"_L1]["message"_L1].toString(), message);
    QVERIFY(translator.hasFailed());
}

void TstStreamTranslator::shouldFailOnFinishReasonError()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    const QList<StreamEvent> events = translator.feed(chunk(QJsonObject{ { u"content"_s, u""_s } }, u"error"_s));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).type, QByteArray("error"));
    QVERIFY(translator.hasFailed());
}

// The translator reads chunks with its own scanner; on every well-formed or broken chunk it must agree with
// QJsonDocument about validity and about the text of the strings it reads.
void TstStreamTranslator::shouldReadChunksAsQJsonDocumentDoes_data()
{
    QTest::addColumn<QByteArray>("data");

    const auto row = [](const char *name, const char *data) {
        QTest::addRow("%s", name) << QByteArray(data);
    };
    row("compact", R"({"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})");
    row("pretty", "{\n\t\"choices\" : [ {\r\n \"index\" : 0 , \"delta\" : { \"content\" : \"Hi\" } } ] \n}\n");
    row("escapes", R"({"choices":[{"delta":{"content":"a\"b\\c\/d\b\f\n\r\t\u00e9\u4E16\ud83d\ude00 end"}}]})");
    row("lone surrogate escape", R"({"choices":[{"delta":{"content":"x\ud800y"}}]})");
    row("raw utf-8",
        "{\"choices\":[{\"delta\":{\"content\":\"Gr\xC3\xBC\xC3\x9F\x65 \xE4\xB8\x96 \xF0\x9F\x91\x8B\"}}]}");
    row("escaped key", R"({"choices":[{"delta":{"cont\u0065nt":"via escaped key"}}]})");
    row("unknown nested values",
        R"({"x":{"a":[1,-2.5e-3,true,false,null,{"b":[]},[[]]],"c":"\""},"choices":[{"logprobs":{"content":[{"token":"T","logprob":-0.01,"bytes":[84],"top_logprobs":[]}]},"delta":{"content":"T"}}]})");
    row("numbers",
        R"({"created":0,"a":-0,"b":0.5,"c":1E+2,"d":12e-1,"choices":[{"index":0,"delta":{"content":"n"}}]})");
    row("index after delta",
        R"({"choices":[{"delta":{"content":"second"},"index":1},{"delta":{"content":"first"},"index":0}]})");
    row("choices not an array", R"({"choices":{"delta":{"content":"x"}}})");
    row("delta null", R"({"choices":[{"index":0,"delta":null,"finish_reason":null}]})");
    row("content number", R"({"choices":[{"delta":{"content":5}}]})");
    row("empty object", "{}");
    row("truncated", R"({"choices":[{"delta":{"content":"Hi"})");
    row("truncated string", R"({"choices":[{"delta":{"content":"Hi)");
    row("trailing comma in object", R"({"choices":[],})");
    row("trailing comma in array", R"({"choices":[{},]})");
    row("missing comma", R"({"a":1 "b":2})");
    row("missing colon", R"({"a" 1})");
    row("single quotes", "{'choices':[]}");
    row("unquoted key", "{choices:[]}");
    row("raw control character", "{\"choices\":[{\"delta\":{\"content\":\"tab\there\"}}]}");
    row("unknown escape", R"({"choices":[{"delta":{"content":"\x41"}}]})");
    row("short unicode escape", R"({"choices":[{"delta":{"content":"\u41"}}]})");
    row("no integer digits", R"({"created":.5,"x":-.25})");
    row("lone dot", R"({"created":.})");
    row("leading zero", R"({"created":01})");
    row("bare minus", R"({"created":-})");
    row("dot without digits", R"({"created":1.})");
    row("exponent without digits", R"({"created":1e})");
    row("plus sign", R"({"created":+1})");
    row("NaN", R"({"created":NaN})");
    row("bad literal", R"({"usage":nul})");
    row("data after the object", R"({"choices":[]} x)");
    row("two objects", "{}{}");
    row("array at the top", "[]");
    row("string at the top", "\"text\"");
    row("number at the top", "42");
    row("html", "<html>502</html>");
    QTest::addRow("deep nesting") << "{\"x\":" + QByteArray(100000, '[') + QByteArray(100000, ']') + '}';
}

void TstStreamTranslator::shouldReadChunksAsQJsonDocumentDoes()
{
    QFETCH(QByteArray, data);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);

    StreamTranslator translator(testOptions());
    (void)translator.start();
    const QList<StreamEvent> events = translator.feed(data);
    if (!document.isObject()) {
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.at(0).type, QByteArray("error"));
        const QString message = events.at(0).payload["error"_L1]["message"_L1].toString();
        QCOMPARE(message.contains(u"not valid JSON"_s), parseError.error != QJsonParseError::NoError);
        return;
    }
    QString expectedText;
    const QJsonArray choices = document.object().value("choices"_L1).toArray();
    for (const QJsonValue choice : choices) {
        if (choice["index"_L1].toInt(0) == 0 && choice["delta"_L1]["content"_L1].isString())
            expectedText += choice["delta"_L1]["content"_L1].toString();
    }
    QString text;
    for (const StreamEvent &event : ofType(events, "content_block_delta"))
        text += event.payload["delta"_L1]["text"_L1].toString();
    QCOMPARE(text, expectedText);
    QVERIFY(!translator.isDone());
}

// QJsonDocument rejects a chunk with invalid UTF-8 in a string; the translator keeps the stream and shows U+FFFD.
void TstStreamTranslator::shouldReplaceInvalidUtf8()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    QList<StreamEvent> events = translator.feed("{\"choices\":[{\"delta\":{\"content\":\"a\xFF"
                                                "b\xE4\xB8\\n\"}}]}");
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(1).payload["delta"_L1]["text"_L1].toString(), u"a\uFFFDb\uFFFD\uFFFD\n"_s);
    // An escaped multi-byte character is that character.
    events = translator.feed("{\"choices\":[{\"delta\":{\"content\":\"\\\xC3\xA9!\"}}]}");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).payload["delta"_L1]["text"_L1].toString(), u"\u00E9!"_s);
}

void TstStreamTranslator::shouldCheckToolArgumentsIncrementally_data()
{
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<bool>("valid");

    const auto valid = [](const char *name, const QString &json) {
        QTest::addRow("valid: %s", name) << json << true;
    };
    const auto invalid = [](const char *name, const QString &json) {
        QTest::addRow("invalid: %s", name) << json << false;
    };
    valid("empty", QString());
    valid("whitespace", u"  \n"_s);
    valid("empty object", u"{}"_s);
    valid("leading whitespace", u" \n {\"a\": 1}"_s);
    valid("trailing whitespace", u"{\"a\":1}\n "_s);
    valid("nested", u"{\"a\":{\"b\":[1,2,{\"c\":[]}],\"d\":{}},\"e\":[[],[[]]]}"_s);
    valid("numbers", u"{\"a\":[0,-0,1.5,-12.25e+3,1E-2,10,0.0e0]}"_s);
    valid("literals", u"{\"t\":true,\"f\":false,\"n\":null}"_s);
    valid("escapes", u"{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\uD83D\\uDE00\"}"_s);
    valid("unicode", u"{\"名前\":\"😀 ü\"}"_s);
    invalid("array at the top", u"[1,2]"_s);
    invalid("string at the top", u"\"x\""_s);
    invalid("number at the top", u"42"_s);
    invalid("missing value", u"{\"a\": }"_s);
    invalid("trailing comma", u"{\"a\":1,}"_s);
    invalid("trailing comma in array", u"{\"a\":[1,]}"_s);
    invalid("leading comma", u"{,\"a\":1}"_s);
    invalid("missing colon", u"{\"a\" 1}"_s);
    invalid("unquoted key", u"{a:1}"_s);
    invalid("single quotes", u"{'a':1}"_s);
    invalid("leading zero", u"{\"a\":01}"_s);
    invalid("bare minus", u"{\"a\":-}"_s);
    invalid("dot without digits", u"{\"a\":1.}"_s);
    invalid("exponent without digits", u"{\"a\":1e}"_s);
    invalid("plus sign", u"{\"a\":+1}"_s);
    invalid("bad literal", u"{\"a\":tru}"_s);
    invalid("bad escape", u"{\"a\":\"\\x\"}"_s);
    invalid("bad unicode escape", u"{\"a\":\"\\u12G4\"}"_s);
    invalid("raw newline in string", u"{\"a\":\"line\nbreak\"}"_s);
    invalid("mismatched bracket", u"{\"a\":[1}"_s);
    invalid("two objects", u"{}{}"_s);
    invalid("data after the object", u"{\"a\":1} x"_s);
    invalid("truncated", u"{\"a\":"_s);
    invalid("truncated string", u"{\"a\":\"abc"_s);
    invalid("truncated number", u"{\"a\":1"_s);
    invalid("unclosed", u"{"_s);
    invalid("nested too deeply", u"{\"a\":"_s + QString(600, u'[') + QString(600, u']') + u'}');
    valid("nested deeply", u"{\"a\":"_s + QString(500, u'[') + QString(500, u']') + u'}');
}

void TstStreamTranslator::shouldCheckToolArgumentsIncrementally()
{
    QFETCH(QString, arguments);
    QFETCH(bool, valid);
    // Whole, and one UTF-16 unit per fragment (the worst split an upstream can make).
    for (const bool perCharacter : { false, true }) {
        StreamTranslator translator(testOptions());
        QList<StreamEvent> events = translator.start();
        events += translator.feed(toolChunk(0, u"call_1"_s, u"f"_s, perCharacter ? QString() : arguments));
        if (perCharacter) {
            for (const QChar c : std::as_const(arguments))
                events += translator.feed(toolChunk(0, QString(), QString(), QString(c)));
        }
        events += translator.feed(chunk(QJsonObject(), u"tool_calls"_s));
        events += translator.feed("[DONE]");

        bool endedWithError = false;
        const auto violations = ProtocolValidator::validateTranscript(sse(events), &endedWithError);
        QVERIFY2(violations.isEmpty(), qPrintable(violationText(violations)));
        QCOMPARE(endedWithError, !valid);
        const QString forwarded = forwardedArguments(events);
        if (valid) {
            QCOMPARE(forwarded.trimmed(), arguments.trimmed());
        } else {
            QVERIFY(arguments.startsWith(forwarded)); // never more than a valid prefix
            QCOMPARE(ofType(events, "error").size(), 1);
            QVERIFY(ofType(events, "error").at(0).payload["error"_L1]["message"_L1].toString().contains(u"\"f\""_s));
        }
    }
}

// A call that has its name but no id waits for the id; when another call needs the stage it goes first, with an
// id of ours, so the blocks keep the upstream's order.
void TstStreamTranslator::shouldGiveTheStageToAnEarlierCallWaitingForItsId()
{
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    QCOMPARE(translator.feed(toolChunk(0, QString(), u"first"_s, u"{\"a\":"_s)).size(), 0);
    const QList<StreamEvent> second = translator.feed(toolChunk(1, u"call_b"_s, u"second"_s, u"{\"b\":"_s));
    events += second;
    QCOMPARE(second.size(), 2); // the first call's start and its buffered arguments; the second call waits
    QVERIFY(second.at(0).payload["content_block"_L1]["id"_L1].toString().startsWith("toolu_"_L1));
    QCOMPARE(second.at(1).payload["delta"_L1]["partial_json"_L1].toString(), u"{\"a\":"_s);
    events += translator.feed(toolChunk(0, QString(), QString(), u"1}"_s)); // complete: the second call starts
    events += translator.feed(toolChunk(1, QString(), QString(), u"2}"_s));
    events += translator.feed(chunk(QJsonObject(), u"tool_calls"_s));
    events += translator.feed("[DONE]");

    const QList<StreamEvent> starts = ofType(events, "content_block_start");
    QCOMPARE(starts.size(), 2);
    QCOMPARE(starts.at(0).payload["content_block"_L1]["name"_L1].toString(), u"first"_s);
    QCOMPARE(starts.at(1).payload["content_block"_L1]["id"_L1].toString(), u"call_b"_s);
    QCOMPARE(forwardedArguments(events), u"{\"a\":1}{\"b\":2}"_s);
    bool endedWithError = true;
    const auto violations = ProtocolValidator::validateTranscript(sse(events), &endedWithError);
    QVERIFY2(violations.isEmpty(), qPrintable(violationText(violations)));
    QVERIFY(!endedWithError);
}

// An open call whose arguments have not begun may still get them, so a new call waits (buffered) until the end.
void TstStreamTranslator::shouldHoldACallBehindAnOpenCallWithoutArguments()
{
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    events += translator.feed(toolChunk(0, u"call_1"_s, u"f"_s, QString()));
    QCOMPARE(translator.feed(toolChunk(0, u"call_2"_s, u"g"_s, u"{\"x\":1}"_s)).size(), 0);
    events += translator.feed(chunk(QJsonObject(), u"tool_calls"_s));
    const QList<StreamEvent> end = translator.feed("[DONE]");
    events += end;
    QCOMPARE(end.at(0),
        StreamEvent(
            { "content_block_stop", QJsonObject{ { u"type"_s, u"content_block_stop"_s }, { u"index"_s, 0 } } }));
    QCOMPARE(end.at(1).payload["content_block"_L1]["id"_L1].toString(), u"call_2"_s);
    QCOMPARE(forwardedArguments(events), u"{\"x\":1}"_s);
    QVERIFY(ProtocolValidator::validateTranscript(sse(events)).isEmpty());
}

void TstStreamTranslator::shouldFailWhenAToolCallNeverGetsAName()
{
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    events += translator.feed(toolChunk(0, u"call_1"_s, QString(), u"{\"a\":1}"_s));
    events += translator.feed(chunk(QJsonObject(), u"tool_calls"_s));
    events += translator.feed("[DONE]");
    QCOMPARE(events.constLast().type, QByteArray("error"));
    QVERIFY(events.constLast().payload["error"_L1]["message"_L1].toString().contains(u"without a function name"_s));
    QCOMPARE(ofType(events, "content_block_start").size(), 0);
}

void TstStreamTranslator::shouldFailWhenTextInterruptsIncompleteToolArguments()
{
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    events += translator.feed(toolChunk(0, u"call_1"_s, u"f"_s, u"{\"a\":"_s));
    events += translator.feed(textChunk(u"oops"_s));
    QCOMPARE(events.constLast().type, QByteArray("error"));
    QCOMPARE(ofType(events, "content_block_stop").size(), 0);
}

void TstStreamTranslator::shouldFailWhenArgumentsContinueAfterTheirObject()
{
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    events += translator.feed(toolChunk(0, u"call_1"_s, u"f"_s, u"{\"a\":1}"_s));
    events += translator.feed(textChunk(u"Done."_s)); // closes the call
    events += translator.feed(toolChunk(0, QString(), QString(), u"\n"_s)); // whitespace: harmless
    QVERIFY(!translator.isDone());
    events += translator.feed(toolChunk(0, QString(), QString(), u",\"b\":2}"_s));
    QCOMPARE(events.constLast().type, QByteArray("error"));
}

void TstStreamTranslator::shouldRestoreClientToolNames()
{
    StreamTranslator::Options options = testOptions();
    const QString clientName = u"mcp__my.server__a tool with a name far longer than sixty-four characters in all"_s;
    const QString upstreamName = options.toolNames.toUpstream(clientName);
    QVERIFY(upstreamName != clientName);
    StreamTranslator translator(options);
    (void)translator.start();
    const QList<StreamEvent> events = translator.feed(toolChunk(0, u"call_1"_s, upstreamName, QString()));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).payload["content_block"_L1]["name"_L1].toString(), clientName);
}

void TstStreamTranslator::shouldIgnoreChoicesOtherThanTheFirst()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    const QJsonObject data{ { u"choices"_s,
        QJsonArray{ QJsonObject{ { u"index"_s, 1 }, { u"delta"_s, QJsonObject{ { u"content"_s, u"B"_s } } } },
            QJsonObject{ { u"index"_s, 0 }, { u"delta"_s, QJsonObject{ { u"content"_s, u"A"_s } } } } } } };
    const QList<StreamEvent> events = translator.feed(compact(data));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(1).payload["delta"_L1]["text"_L1].toString(), u"A"_s);
}

void TstStreamTranslator::shouldUseOneReasoningFieldWhenBothArePresent()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    const QList<StreamEvent> events
        = translator.feed(chunk(QJsonObject{ { u"reasoning_content"_s, u"think"_s }, { u"reasoning"_s, u"think"_s } }));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(1).payload["delta"_L1]["thinking"_L1].toString(), u"think"_s);
}

void TstStreamTranslator::shouldAcceptReasoningDetailsAlone()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    const QJsonArray details{
        QJsonObject{ { u"type"_s, u"reasoning.text"_s }, { u"text"_s, u"step"_s } },
        QJsonObject{ { u"type"_s, u"reasoning.encrypted"_s }, { u"data"_s, u"opaque"_s } },
    };
    const QList<StreamEvent> events = translator.feed(chunk(QJsonObject{ { u"reasoning_details"_s, details } }));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).payload["content_block"_L1]["type"_L1].toString(), u"thinking"_s);
    QCOMPARE(events.at(1).payload["delta"_L1]["thinking"_L1].toString(), u"step"_s);
}

// Exchange replays a JSON completion (an upstream that ignored stream: true) as one chunk.
void TstStreamTranslator::shouldTranslateAReplayedNonStreamingCompletion()
{
    const QJsonObject call{ { u"index"_s, 0 }, { u"id"_s, u"call_9"_s }, { u"type"_s, u"function"_s },
        { u"function"_s, QJsonObject{ { u"name"_s, u"Bash"_s }, { u"arguments"_s, u"{\"command\":\"ls\"}"_s } } } };
    const QJsonObject message{ { u"role"_s, u"assistant"_s }, { u"content"_s, u"Listing."_s },
        { u"tool_calls"_s, QJsonArray{ call } } };
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    events += translator.feed(
        chunk(message, u"tool_calls"_s, QJsonObject{ { u"prompt_tokens"_s, 12 }, { u"completion_tokens"_s, 6 } }));
    events += translator.feed("[DONE]");
    QCOMPARE(ofType(events, "content_block_start").size(), 2);
    QCOMPARE(forwardedArguments(events), u"{\"command\":\"ls\"}"_s);
    QCOMPARE(translator.stopReason(), u"tool_use"_s);
    QCOMPARE(translator.usage().value("output_tokens"_L1).toInt(), 6);
    bool endedWithError = true;
    QVERIFY(ProtocolValidator::validateTranscript(sse(events), &endedWithError).isEmpty());
    QVERIFY(!endedWithError);
}

void TstStreamTranslator::shouldSignThinkingWithItsText()
{
    StreamTranslator translator(testOptions());
    QList<StreamEvent> events = translator.start();
    events += translator.feed(chunk(QJsonObject{ { u"reasoning_content"_s, u"a"_s } }));
    events += translator.feed(chunk(QJsonObject{ { u"reasoning_content"_s, u"b"_s } }));
    events += translator.feed(textChunk(u"answer"_s));
    const QList<StreamEvent> deltas = ofType(events, "content_block_delta");
    QCOMPARE(deltas.size(), 4); // thinking a, thinking b, signature, text
    QCOMPARE(deltas.at(2).payload["delta"_L1]["type"_L1].toString(), u"signature_delta"_s);
    QCOMPARE(deltas.at(2).payload["delta"_L1]["signature"_L1].toString(), thinkingSignature(u"ab"_s));
}

void TstStreamTranslator::shouldReportStopReasonAndBlockCount()
{
    StreamTranslator translator(testOptions());
    (void)translator.start();
    QCOMPARE(translator.stopReason(), QString());
    (void)translator.feed(chunk(QJsonObject{ { u"reasoning_content"_s, u"hmm"_s } }));
    (void)translator.feed(textChunk(u"Text"_s));
    QCOMPARE(translator.blockCount(), 2);
    (void)translator.feed(chunk(QJsonObject(), u"length"_s));
    QCOMPARE(translator.stopReason(), u"max_tokens"_s);
    (void)translator.feed("[DONE]");
    QCOMPARE(translator.stopReason(), u"max_tokens"_s);
}

QTEST_GUILESS_MAIN(TstStreamTranslator)
#include "tst_streamtranslator.moc"
