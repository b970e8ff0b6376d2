#include "protocol/protocolvalidator.h"

#include <QJsonDocument>
#include <QTest>

using namespace Proxy;
using namespace Qt::StringLiterals;

namespace {

QByteArray sse(const QByteArray &name, const QByteArray &data)
{
    return "event: " + name + "\ndata: " + data + "\n\n";
}

QByteArray payloadOf(const QByteArray &event)
{
    return event.sliced(event.indexOf("data: ") + 6).trimmed();
}

QByteArray renamed(const QByteArray &event, const QByteArray &name)
{
    return sse(name, payloadOf(event));
}

// An event named after its JSON type, as a correct proxy sends it.
QByteArray ev(const QByteArray &json)
{
    return sse(QJsonDocument::fromJson(json).object().value("type"_L1).toString().toUtf8(), json);
}

QByteArray messageStart(const QByteArray &usage = R"({"input_tokens":12,"output_tokens":1})")
{
    return ev(R"({"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant",)"
              R"("model":"claude-sonnet-4","content":[],"stop_reason":null,"stop_sequence":null,"usage":)"
              + usage + "}}");
}

QByteArray blockStart(int index, const QByteArray &block)
{
    return ev(R"({"type":"content_block_start","index":)" + QByteArray::number(index) + R"(,"content_block":)" + block
              + "}");
}

QByteArray delta(int index, const QByteArray &delta)
{
    return ev(R"({"type":"content_block_delta","index":)" + QByteArray::number(index) + R"(,"delta":)" + delta + "}");
}

QByteArray blockStop(int index)
{
    return ev(R"({"type":"content_block_stop","index":)" + QByteArray::number(index) + "}");
}

QByteArray messageDelta(const QByteArray &stopReason = R"("end_turn")",
                        const QByteArray &usage = R"({"output_tokens":9})")
{
    return ev(R"({"type":"message_delta","delta":{"stop_reason":)" + stopReason + R"(,"stop_sequence":null},"usage":)"
              + usage + "}");
}

const QByteArray textStart = R"({"type":"text","text":""})";
const QByteArray thinkingStart = R"({"type":"thinking","thinking":""})";
const QByteArray toolStart = R"({"type":"tool_use","id":"toolu_01","name":"Bash","input":{}})";
const QByteArray messageStop = ev(R"({"type":"message_stop"})");
const QByteArray ping = ev(R"({"type":"ping"})");
const QByteArray error = ev(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");

QByteArray textDelta(int index, const QByteArray &text = "Hi")
{
    return delta(index, R"({"type":"text_delta","text":")" + text + "\"}");
}

QByteArray jsonDelta(int index, const QByteArray &partialJson)
{
    return delta(index, QJsonDocument(QJsonObject{{u"type"_s, u"input_json_delta"_s},
                                                  {u"partial_json"_s, QString::fromUtf8(partialJson)}})
                            .toJson(QJsonDocument::Compact));
}

QByteArray textBlock(int index)
{
    return blockStart(index, textStart) + textDelta(index) + blockStop(index);
}

QByteArray toolBlock(int index, const QByteArray &argumentsFirst, const QByteArray &argumentsRest)
{
    return blockStart(index, toolStart) + jsonDelta(index, argumentsFirst) + jsonDelta(index, argumentsRest)
        + blockStop(index);
}

QByteArray thinkingBlock(int index, bool signed_ = true)
{
    return blockStart(index, thinkingStart) + delta(index, R"({"type":"thinking_delta","thinking":"Let me see."})")
        + (signed_ ? delta(index, R"({"type":"signature_delta","signature":"EqQBCkYIARgC"})") : QByteArray())
        + blockStop(index);
}

const QByteArray textStream = messageStart() + ping + textBlock(0) + messageDelta() + messageStop;
const QByteArray ending = messageDelta() + messageStop;

} // namespace

class TstProtocolValidator final : public QObject
{
    Q_OBJECT

private slots:
    void shouldAcceptValidStreams_data();
    void shouldAcceptValidStreams();
    void shouldReportEachGrammarViolationOnce_data();
    void shouldReportEachGrammarViolationOnce();
    void shouldReturnViolationsFromTheEventThatCausedThem();
    void shouldReportAnUnfinishedStreamOnlyOnce();
    void shouldNotOverflowAtTheLargestIndex();
};

void TstProtocolValidator::shouldAcceptValidStreams_data()
{
    QTest::addColumn<QByteArray>("transcript");
    QTest::addColumn<bool>("endedWithError");

    QTest::addRow("text") << textStream << false;
    QTest::addRow("text and tool")
        << messageStart() + textBlock(0) + toolBlock(1, R"({"command":)", R"("ls -la"})")
            + messageDelta(R"("tool_use")") + ping + messageStop
        << false;
    QTest::addRow("thinking, redacted thinking, text and tools")
        << messageStart() + thinkingBlock(0)
            + blockStart(1, R"({"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"})") + blockStop(1)
            + textBlock(2) + ping
            + blockStart(3, R"({"type":"tool_use","id":"toolu_02","name":"Read","input":{"path":"a.txt"}})")
            + blockStop(3) // input given in the start, no deltas
            + blockStart(4, toolStart) + jsonDelta(4, "") + blockStop(4) // Anthropic's form of a no-argument call
            + messageDelta(R"("tool_use")") + messageStop
        << false;
    QTest::addRow("error mid-block") << messageStart() + blockStart(0, textStart) + textDelta(0) + error << true;
    QTest::addRow("error before anything") << error << true;
    QTest::addRow("pings before message_start") << ping + ping + textStream << false;
    QTest::addRow("no content blocks") << messageStart() + messageDelta(R"("max_tokens")") + messageStop << false;
    QByteArray crlf = textStream;
    QTest::addRow("crlf framing without spaces") << crlf.replace("\n", "\r\n").replace(": ", ":") << false;
}

void TstProtocolValidator::shouldAcceptValidStreams()
{
    QFETCH(QByteArray, transcript);
    QFETCH(bool, endedWithError);
    bool errored = !endedWithError;
    const auto violations = ProtocolValidator::validateTranscript(transcript, &errored);
    QVERIFY2(violations.isEmpty(), qPrintable(violations.value(0).message));
    QCOMPARE(errored, endedWithError);
}

void TstProtocolValidator::shouldReportEachGrammarViolationOnce_data()
{
    QTest::addColumn<QByteArray>("transcript");
    QTest::addColumn<QString>("message"); // the start of the only violation
    QTest::addColumn<qsizetype>("eventIndex");

    const auto row = [](const char *name, const QByteArray &transcript, const QString &message, qsizetype index) {
        QTest::addRow("%s", name) << transcript << message << index;
    };
    row("missing message_start", textBlock(0) + ending, u"event 0: content_block_start before message_start"_s, 0);
    row("wrong first event", ending, u"event 0: message_delta before message_start"_s, 0);
    row("second message_start", messageStart() + textStream,
        u"event 1: message_start after the message has begun"_s, 1);
    row("index skip", messageStart() + textBlock(1) + ending,
        u"event 1: content_block_start for index 1 skips an index (expected 0)"_s, 1);
    row("index reuse", messageStart() + textBlock(0) + textBlock(0) + textBlock(1) + ending,
        u"event 4: content_block_start for index 0 reuses an index (expected 1)"_s, 4);
    row("missing index", messageStart() + ev(R"({"type":"content_block_start","content_block":)" + textStart + "}")
            + textDelta(-1) + blockStop(-1) + ending,
        u"event 1: content_block_start without a valid index"_s, 1);
    row("block started while another is open", messageStart() + blockStart(0, textStart) + textBlock(1) + ending,
        u"event 2: content_block_start for index 1 while block 0 is still open"_s, 2);
    row("delta for another index", messageStart() + ping + blockStart(0, textStart) + textDelta(0) + textDelta(0)
            + textDelta(1) + blockStop(0) + ending,
        u"event 5: content_block_delta for index 1 but the open block is 0"_s, 5);
    row("delta after stop", messageStart() + textBlock(0) + textDelta(0) + ending,
        u"event 4: content_block_delta for index 0 but no block is open"_s, 4);
    row("stop for another index", messageStart() + blockStart(0, textStart) + blockStop(1) + ending,
        u"event 2: content_block_stop for index 1 but the open block is 0"_s, 2);
    row("wrong delta type", messageStart() + blockStart(0, toolStart) + jsonDelta(0, "{}") + textDelta(0)
            + blockStop(0) + ending,
        u"event 3: text_delta inside a tool_use block"_s, 3);
    row("delta in redacted thinking", messageStart() + blockStart(0, R"({"type":"redacted_thinking","data":"x"})")
            + delta(0, R"({"type":"thinking_delta","thinking":"a"})") + blockStop(0) + ending,
        u"event 2: thinking_delta inside a redacted_thinking block"_s, 2);
    row("unknown delta type", messageStart() + blockStart(0, textStart) + delta(0, R"({"type":"citations_delta"})")
            + blockStop(0) + ending,
        u"event 2: unknown delta type \"citations_delta\""_s, 2);
    row("delta without its string", messageStart() + blockStart(0, textStart) + delta(0, R"({"type":"text_delta"})")
            + blockStop(0) + ending,
        u"event 2: text_delta without a string text"_s, 2);
    row("text start with text", messageStart() + blockStart(0, R"({"type":"text","text":"Hi"})") + blockStop(0)
            + ending,
        u"event 1: text block start: text is \"Hi\", not \"\""_s, 1);
    row("tool start without id", messageStart() + blockStart(0, R"({"type":"tool_use","name":"Bash","input":{}})")
            + blockStop(0) + ending,
        u"event 1: tool_use block start without id"_s, 1);
    row("tool start input not an object", messageStart()
            + blockStart(0, R"({"type":"tool_use","id":"t","name":"Bash","input":"{}"})") + blockStop(0) + ending,
        u"event 1: tool_use block start: input is \"{}\", not an object"_s, 1);
    row("unknown block type", messageStart() + blockStart(0, R"({"type":"image"})") + blockStop(0) + ending,
        u"event 1: unknown content block type \"image\""_s, 1);
    row("invalid tool json at stop", messageStart() + toolBlock(0, R"({"command":)", R"("ls")") + ending,
        u"event 4: tool_use input at content_block_stop is not a JSON object: "_s, 4);
    row("tool json not an object", messageStart() + toolBlock(0, "[1,", "2]") + ending,
        u"event 4: tool_use input at content_block_stop is not a JSON object: [1,2]"_s, 4);
    row("thinking without signature", messageStart() + thinkingBlock(0, false) + textBlock(1) + ending,
        u"event 3: thinking block 0 stopped without a signature_delta"_s, 3);
    row("block left open at message_delta", messageStart() + blockStart(0, textStart) + textDelta(0) + ending,
        u"event 3: message_delta while block 0 is still open"_s, 3);
    row("block left open at message_stop", messageStart() + blockStart(0, textStart) + messageStop,
        u"event 2: message_stop while block 0 is still open"_s, 2);
    row("block after message_delta", messageStart() + messageDelta() + textBlock(0) + messageStop,
        u"event 2: content_block_start after message_delta"_s, 2);
    row("two message_deltas", messageStart() + textBlock(0) + messageDelta() + ending,
        u"event 5: second message_delta"_s, 5);
    row("message_stop without message_delta", messageStart() + textBlock(0) + messageStop,
        u"event 4: message_stop without message_delta"_s, 4);
    row("missing usage in message_start",
        ev(R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
           R"("model":"m","content":[]}})")
            + textBlock(0) + ending,
        u"event 0: message_start without usage"_s, 0);
    row("missing input_tokens in message_start", messageStart(R"({"output_tokens":0})") + textBlock(0) + ending,
        u"event 0: message_start usage without input_tokens"_s, 0);
    row("message id without msg_ prefix", messageStart().replace("msg_01", "chatcmpl-1") + textBlock(0) + ending,
        u"event 0: message_start message.id is \"chatcmpl-1\", not \"msg_…\""_s, 0);
    row("missing output_tokens in message_delta", messageStart() + textBlock(0) + messageDelta(R"("end_turn")", "{}")
            + messageStop,
        u"event 4: message_delta usage without output_tokens"_s, 4);
    row("bad stop_reason", messageStart() + textBlock(0) + messageDelta(R"("stop")") + messageStop,
        u"event 4: message_delta stop_reason \"stop\" is not one of end_turn, max_tokens, stop_sequence, tool_use, "
         "pause_turn, refusal"_s, 4);
    row("null stop_reason", messageStart() + textBlock(0) + messageDelta("null") + messageStop,
        u"event 4: message_delta stop_reason null is not one of"_s, 4);
    row("events after message_stop", textStream + ping + ending,
        u"event 7: ping after message_stop"_s, 7);
    row("event after error", messageStart() + error + ending, u"event 2: message_delta after error"_s, 2);
    row("malformed error event", messageStart() + ev(R"({"type":"error","error":"boom"})"),
        u"event 1: error event without error.type and error.message"_s, 1);
    row("event name differs from type", messageStart() + renamed(blockStart(0, textStart), "content_block_delta")
            + textDelta(0) + blockStop(0) + ending,
        u"event 1: SSE event name \"content_block_delta\" but JSON type \"content_block_start\""_s, 1);
    row("event without a name", messageStart() + "data: " + payloadOf(ping) + "\n\n" + textBlock(0) + ending,
        u"event 1: SSE event name \"\" but JSON type \"ping\""_s, 1);
    row("unknown event type", messageStart() + ev(R"({"type":"completion"})") + textBlock(0) + ending,
        u"event 1: unknown event type \"completion\""_s, 1);
    row("payload without type", messageStart() + sse("ping", "{}") + textBlock(0) + ending,
        u"event 1: payload without a \"type\""_s, 1);
    row("stream ending without message_stop", messageStart() + textBlock(0) + messageDelta(),
        u"stream ended without message_stop or error"_s, 5);
    row("stream ending mid-block", messageStart() + blockStart(0, textStart) + textDelta(0),
        u"stream ended without message_stop or error"_s, 3);
    row("unparseable data", messageStart() + blockStart(0, textStart) + sse("content_block_delta", "{\"type\":\"conte")
            + blockStop(0) + ending,
        u"event 2: data is not a JSON object: "_s, 2);
    row("done marker forwarded", textStream + "data: [DONE]\n\n", u"event 7: data is not a JSON object: "_s, 7);
}

void TstProtocolValidator::shouldReportEachGrammarViolationOnce()
{
    QFETCH(QByteArray, transcript);
    QFETCH(QString, message);
    QFETCH(qsizetype, eventIndex);
    const auto violations = ProtocolValidator::validateTranscript(transcript);
    QStringList messages;
    for (const auto &violation : violations)
        messages += violation.message;
    // Exactly one: the validator recovers instead of flagging everything after the first problem.
    QVERIFY2(violations.size() == 1, qPrintable(messages.join(u" | "_s)));
    QVERIFY2(violations.first().message.startsWith(message), qPrintable(violations.first().message));
    QCOMPARE(violations.first().eventIndex, eventIndex);
}

void TstProtocolValidator::shouldReturnViolationsFromTheEventThatCausedThem()
{
    ProtocolValidator validator;
    const QJsonObject start = QJsonDocument::fromJson(payloadOf(messageStart())).object();
    QVERIFY(validator.feed("message_start", start).isEmpty());
    // Wrong name and a skipped index in one event: still one finding.
    const auto violations = validator.feed(
        "ping", QJsonObject{{u"type"_s, u"content_block_start"_s}, {u"index"_s, 3},
                            {u"content_block"_s, QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u""_s}}}});
    QCOMPARE(violations.size(), 1);
    QCOMPARE(violations.first().eventIndex, 1);
    QVERIFY(validator.feed("content_block_stop", {{u"type"_s, u"content_block_stop"_s}, {u"index"_s, 3}}).isEmpty());
    QVERIFY(!validator.isValid());
    QCOMPARE(validator.violations().size(), 1);
    QVERIFY(!validator.completed());
}

void TstProtocolValidator::shouldReportAnUnfinishedStreamOnlyOnce()
{
    ProtocolValidator validator;
    QCOMPARE(validator.finish().size(), 1);
    QVERIFY(validator.finish().isEmpty());
    QCOMPARE(validator.violations().size(), 1);
    QVERIFY(!validator.completed());
    QVERIFY(!validator.endedWithError());
}

// Seen in review, replayed by fuzz_sseparser (fuzz/regressions/sseparser/validator-index-int-max): index + 1
// overflowed an int.
void TstProtocolValidator::shouldNotOverflowAtTheLargestIndex()
{
    const auto violations
        = ProtocolValidator::validateTranscript(messageStart() + textBlock(2147483647) + textBlock(0) + ending);
    QCOMPARE(violations.size(), 2);
    QVERIFY2(violations[0].message.startsWith(
                 u"event 1: content_block_start for index 2147483647 skips an index (expected 0)"_s),
             qPrintable(violations[0].message));
    QVERIFY2(violations[1].message.startsWith(
                 u"event 4: content_block_start for index 0 reuses an index (expected 2147483648)"_s),
             qPrintable(violations[1].message));
}

QTEST_GUILESS_MAIN(TstProtocolValidator)
#include "tst_protocolvalidator.moc"
