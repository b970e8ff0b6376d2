#include "protocol/responsemapper.h"
#include "testjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using Proxy::ResponseContext;
using Proxy::Result;

namespace {

using TestJson::object;
using TestJson::readJsonFile;

// Compact JSON text: keys are sorted, so equal values print equal and failures are readable.
QString compact(const QJsonValue &value)
{
    const QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

ResponseContext testContext()
{
    ResponseContext context;
    context.clientModel = u"claude-sonnet-4-5"_s;
    context.messageId = "msg_test";
    return context;
}

// A completion with one choice holding `message` (JSON text) and the given choice-level fields.
QJsonObject completion(const QByteArray &message, const QByteArray &choiceFields = R"("finish_reason":"stop")")
{
    return object(R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":)" + message + ','
        + choiceFields + "}]}");
}

QJsonObject mapped(const QJsonObject &body, const ResponseContext &context = testContext())
{
    const Result<QJsonObject> result = Proxy::mapResponse(body, context);
    if (!result)
        qFatal("mapResponse failed: %s", qPrintable(result.error().message));
    return *result;
}

} // namespace

class TstResponseMapper final : public QObject {
    Q_OBJECT

private slots:
    void shouldBuildTheMessageEnvelope();
    void shouldMapContentInOrder_data();
    void shouldMapContentInOrder();
    void shouldGenerateToolUseIdWhenMissing_data();
    void shouldGenerateToolUseIdWhenMissing();
    void shouldRestoreClientToolNames();
    void shouldRestoreLongToolNames();
    void shouldMapStopReason_data();
    void shouldMapStopReason();
    void shouldMapFinishReasonOfACompletion_data();
    void shouldMapFinishReasonOfACompletion();
    void shouldReportMatchedStopSequence_data();
    void shouldReportMatchedStopSequence();
    void shouldMapUsage_data();
    void shouldMapUsage();
    void shouldMapMissingUsageToZeros();
    void shouldParseToolArguments_data();
    void shouldParseToolArguments();
    void shouldSignThinkingDeterministically();
    void shouldRejectUnusableCompletion_data();
    void shouldRejectUnusableCompletion();
    void shouldMatchGoldenResponse_data();
    void shouldMatchGoldenResponse();
};

void TstResponseMapper::shouldBuildTheMessageEnvelope()
{
    const QJsonObject message = mapped(completion(R"({"role":"assistant","content":"Hi"})"));
    QCOMPARE(message.value(u"id"_s).toString(), u"msg_test"_s);
    QCOMPARE(message.value(u"type"_s).toString(), u"message"_s);
    QCOMPARE(message.value(u"role"_s).toString(), u"assistant"_s);
    QCOMPARE(message.value(u"model"_s).toString(), u"claude-sonnet-4-5"_s); // the client's name, not upstream's
    QCOMPARE(message.value(u"stop_reason"_s).toString(), u"end_turn"_s);
    QVERIFY(message.value(u"stop_sequence"_s).isNull());
    QCOMPARE(message.keys(),
        QStringList({ u"content"_s, u"id"_s, u"model"_s, u"role"_s, u"stop_reason"_s, u"stop_sequence"_s, u"type"_s,
            u"usage"_s }));
}

void TstResponseMapper::shouldMapContentInOrder_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("expectedContent");

    QTest::addRow("string content") << QByteArray(R"({"content":"Hello"})")
                                    << QByteArray(R"([{"type":"text","text":"Hello"}])");
    QTest::addRow("array of text parts joined")
        << QByteArray(R"({"content":[{"type":"text","text":"Hel"},{"type":"text","text":"lo"}]})")
        << QByteArray(R"([{"type":"text","text":"Hello"}])");
    QTest::addRow("null content, no calls: one empty text block")
        << QByteArray(R"({"content":null})") << QByteArray(R"([{"type":"text","text":""}])");
    QTest::addRow("empty string content: one empty text block")
        << QByteArray(R"({"content":""})") << QByteArray(R"([{"type":"text","text":""}])");
    QTest::addRow("refusal instead of content") << QByteArray(R"({"content":null,"refusal":"I can't help with that."})")
                                                << QByteArray(R"([{"type":"text","text":"I can't help with that."}])");
    QTest::addRow("reasoning_content before text")
        << QByteArray(R"({"content":"42","reasoning_content":"Let me think."})")
        << QByteArray(R"([{"type":"thinking","thinking":"Let me think.","signature":"SIG"},)"
                      R"({"type":"text","text":"42"}])");
    QTest::addRow("reasoning (OpenRouter)")
        << QByteArray(R"({"content":"42","reasoning":"Hmm."})")
        << QByteArray(R"([{"type":"thinking","thinking":"Hmm.","signature":"SIG"},{"type":"text","text":"42"}])");
    QTest::addRow("reasoning_content preferred over reasoning")
        << QByteArray(R"({"content":"","reasoning_content":"A","reasoning":"B"})")
        << QByteArray(R"([{"type":"thinking","thinking":"A","signature":"SIG"}])");
    QTest::addRow("empty reasoning_content falls back to reasoning")
        << QByteArray(R"({"content":"","reasoning_content":"","reasoning":"B"})")
        << QByteArray(R"([{"type":"thinking","thinking":"B","signature":"SIG"}])");
    QTest::addRow("reasoning only") << QByteArray(R"({"content":null,"reasoning_content":"Only thoughts"})")
                                    << QByteArray(
                                           R"([{"type":"thinking","thinking":"Only thoughts","signature":"SIG"}])");
    QTest::addRow("thinking, text, then tool calls")
        << QByteArray(
               R"({"content":"Listing.","reasoning_content":"Need ls.","tool_calls":[)"
               R"({"id":"call_1","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}},)"
               R"({"id":"call_2","type":"function","function":{"name":"Read","arguments":"{\"path\":\"a\"}"}}]})")
        << QByteArray(R"([{"type":"thinking","thinking":"Need ls.","signature":"SIG"},)"
                      R"({"type":"text","text":"Listing."},)"
                      R"({"type":"tool_use","id":"call_1","name":"Bash","input":{"command":"ls"}},)"
                      R"({"type":"tool_use","id":"call_2","name":"Read","input":{"path":"a"}}])");
    QTest::addRow("tool call with null content")
        << QByteArray(R"({"content":null,"tool_calls":[{"id":"c","type":"function",)"
                      R"("function":{"name":"Glob","arguments":""}}]})")
        << QByteArray(R"([{"type":"tool_use","id":"c","name":"Glob","input":{}}])");
    QTest::addRow("arguments sent as an object")
        << QByteArray(R"({"tool_calls":[{"id":"c","function":{"name":"Bash","arguments":{"command":"pwd"}}}]})")
        << QByteArray(R"([{"type":"tool_use","id":"c","name":"Bash","input":{"command":"pwd"}}])");
    QTest::addRow("invalid arguments kept for the client to report")
        << QByteArray(R"({"tool_calls":[{"id":"c","function":{"name":"Bash","arguments":"{\"command\":"}}]})")
        << QByteArray(R"([{"type":"tool_use","id":"c","name":"Bash",)"
                      R"("input":{"_switchyard_invalid_arguments":"{\"command\":"}}])");
    QTest::addRow("arguments sent as an array: reported, not dropped")
        << QByteArray(R"({"tool_calls":[{"id":"c","function":{"name":"Bash","arguments":["ls"]}}]})")
        << QByteArray(R"([{"type":"tool_use","id":"c","name":"Bash",)"
                      R"("input":{"_switchyard_invalid_arguments":"[\"ls\"]"}}])");
    QTest::addRow("arguments sent as a number: reported, not dropped")
        << QByteArray(R"({"tool_calls":[{"id":"c","function":{"name":"Bash","arguments":7}}]})")
        << QByteArray(R"([{"type":"tool_use","id":"c","name":"Bash","input":{"_switchyard_invalid_arguments":"7"}}])");
    QTest::addRow("arguments null or missing")
        << QByteArray(R"({"tool_calls":[{"id":"c","function":{"name":"A","arguments":null}},)"
                      R"({"id":"d","function":{"name":"B"}}]})")
        << QByteArray(R"([{"type":"tool_use","id":"c","name":"A","input":{}},)"
                      R"({"type":"tool_use","id":"d","name":"B","input":{}}])");
    QTest::addRow("legacy function_call")
        << QByteArray(R"({"content":null,"function_call":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}})")
        << QByteArray(R"([{"type":"tool_use","id":"GENERATED","name":"Bash","input":{"command":"ls"}}])");
    QTest::addRow("non-object tool_calls entries skipped")
        << QByteArray(R"({"content":"x","tool_calls":[null,"junk"]})") << QByteArray(R"([{"type":"text","text":"x"}])");
}

// "SIG" stands for thinkingSignature(thinking), "GENERATED" for an id made up by the mapper.
void TstResponseMapper::shouldMapContentInOrder()
{
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, expectedContent);
    QJsonArray content = mapped(completion(message)).value(u"content"_s).toArray();
    for (qsizetype i = 0; i < content.size(); ++i) {
        QJsonObject block = content.at(i).toObject();
        if (block.contains(u"signature"_s)) {
            QCOMPARE(block.value(u"signature"_s).toString(),
                Proxy::thinkingSignature(block.value(u"thinking"_s).toString()));
            block.insert(u"signature"_s, u"SIG"_s);
        }
        if (block.value(u"id"_s).toString().startsWith("toolu_"_L1))
            block.insert(u"id"_s, u"GENERATED"_s);
        content.replace(i, block);
    }
    QCOMPARE(compact(content), compact(QJsonDocument::fromJson(expectedContent).array()));
}

void TstResponseMapper::shouldGenerateToolUseIdWhenMissing_data()
{
    QTest::addColumn<QByteArray>("call");
    QTest::addRow("no id") << QByteArray(R"({"function":{"name":"Bash","arguments":"{}"}})");
    QTest::addRow("empty id") << QByteArray(R"({"id":"","function":{"name":"Bash","arguments":"{}"}})");
    QTest::addRow("null id") << QByteArray(R"({"id":null,"function":{"name":"Bash","arguments":"{}"}})");
}

void TstResponseMapper::shouldGenerateToolUseIdWhenMissing()
{
    QFETCH(QByteArray, call);
    const QByteArray message = R"({"content":null,"tool_calls":[)" + call + ',' + call + "]}";
    const QJsonArray content = mapped(completion(message)).value(u"content"_s).toArray();
    QCOMPARE(content.size(), 2);
    const QString first = content.at(0)[u"id"_s].toString();
    QVERIFY2(QRegularExpression(u"^toolu_[0-9A-Za-z]{24}$"_s).match(first).hasMatch(), qPrintable(first));
    QVERIFY(first != content.at(1)[u"id"_s].toString()); // tool_result must be able to tell them apart
}

void TstResponseMapper::shouldRestoreClientToolNames()
{
    ResponseContext context = testContext();
    const QString clientName = u"mcp.github/search issues"_s;
    const QString upstreamName = context.toolNames.toUpstream(clientName);
    QVERIFY(upstreamName != clientName);
    (void)context.toolNames.toUpstream(u"Bash"_s);
    const QByteArray message = R"({"tool_calls":[{"id":"a","function":{"name":")" + upstreamName.toUtf8()
        + R"(","arguments":"{}"}},{"id":"b","function":{"name":"Bash","arguments":"{}"}}]})";
    const QJsonArray content = mapped(completion(message), context).value(u"content"_s).toArray();
    QCOMPARE(content.at(0)[u"name"_s].toString(), clientName);
    QCOMPARE(content.at(1)[u"name"_s].toString(), u"Bash"_s);
}

// Claude Code's MCP tools can exceed OpenAI's 64 characters; the upstream only ever saw the shortened name.
void TstResponseMapper::shouldRestoreLongToolNames()
{
    ResponseContext context = testContext();
    const QString clientName = u"mcp__"_s + QString(65, u'x');
    QCOMPARE(clientName.size(), 70);
    const QString upstreamName = context.toolNames.toUpstream(clientName);
    QVERIFY(upstreamName.size() <= 64);
    const QByteArray message = R"({"content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":")"
        + upstreamName.toUtf8() + R"(","arguments":"{\"q\":1}"}}]})";
    const QJsonObject reply = mapped(completion(message, R"("finish_reason":"tool_calls")"), context);
    const QJsonObject block = reply.value(u"content"_s).toArray().at(0).toObject();
    QCOMPARE(block.value(u"type"_s).toString(), u"tool_use"_s);
    QCOMPARE(block.value(u"name"_s).toString(), clientName);
    QCOMPARE(block.value(u"input"_s).toObject(), QJsonObject({ { u"q"_s, 1 } }));
    QCOMPARE(reply.value(u"stop_reason"_s).toString(), u"tool_use"_s);
}

void TstResponseMapper::shouldMapStopReason_data()
{
    QTest::addColumn<QString>("finishReason");
    QTest::addColumn<bool>("hasToolCalls");
    QTest::addColumn<QString>("expected");
    QTest::addRow("stop") << u"stop"_s << false << u"end_turn"_s;
    QTest::addRow("stop after tool calls") << u"stop"_s << true << u"tool_use"_s;
    QTest::addRow("length") << u"length"_s << false << u"max_tokens"_s;
    QTest::addRow("length wins over tool calls") << u"length"_s << true << u"max_tokens"_s;
    QTest::addRow("tool_calls") << u"tool_calls"_s << true << u"tool_use"_s;
    QTest::addRow("tool_calls without calls") << u"tool_calls"_s << false << u"tool_use"_s;
    QTest::addRow("function_call") << u"function_call"_s << true << u"tool_use"_s;
    QTest::addRow("content_filter") << u"content_filter"_s << false << u"refusal"_s;
    QTest::addRow("null") << QString() << false << u"end_turn"_s;
    QTest::addRow("null after tool calls") << QString() << true << u"tool_use"_s;
    QTest::addRow("unknown (eos)") << u"eos"_s << false << u"end_turn"_s;
}

void TstResponseMapper::shouldMapStopReason()
{
    QFETCH(QString, finishReason);
    QFETCH(bool, hasToolCalls);
    QFETCH(QString, expected);
    QCOMPARE(Proxy::mapStopReason(finishReason, hasToolCalls), expected);
}

void TstResponseMapper::shouldMapFinishReasonOfACompletion_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("choiceFields");
    QTest::addColumn<QString>("expected");
    const QByteArray call = R"({"content":null,"tool_calls":[{"id":"c","function":{"name":"Bash","arguments":"{}"}}]})";
    QTest::addRow("length") << QByteArray(R"({"content":"trunc"})") << QByteArray(R"("finish_reason":"length")")
                            << u"max_tokens"_s;
    QTest::addRow("tool_calls") << call << QByteArray(R"("finish_reason":"tool_calls")") << u"tool_use"_s;
    QTest::addRow("stop with tool calls") << call << QByteArray(R"("finish_reason":"stop")") << u"tool_use"_s;
    QTest::addRow("missing finish_reason")
        << QByteArray(R"({"content":"x"})") << QByteArray(R"("logprobs":null)") << u"end_turn"_s;
    QTest::addRow("content_filter") << QByteArray(R"({"content":""})")
                                    << QByteArray(R"("finish_reason":"content_filter")") << u"refusal"_s;
}

void TstResponseMapper::shouldMapFinishReasonOfACompletion()
{
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, choiceFields);
    QFETCH(QString, expected);
    QCOMPARE(mapped(completion(message, choiceFields)).value(u"stop_reason"_s).toString(), expected);
}

void TstResponseMapper::shouldReportMatchedStopSequence_data()
{
    QTest::addColumn<QByteArray>("choiceFields");
    QTest::addColumn<QStringList>("stopSequences");
    QTest::addColumn<QString>("expectedStopReason");
    QTest::addColumn<QJsonValue>("expectedStopSequence");
    const QStringList stops{ u"###"_s, u"END"_s };
    const QJsonValue null(QJsonValue::Null);
    QTest::addRow("vLLM stop_reason string") << QByteArray(R"("finish_reason":"stop","stop_reason":"END")") << stops
                                             << u"stop_sequence"_s << QJsonValue(u"END"_s);
    QTest::addRow("SGLang matched_stop string") << QByteArray(R"("finish_reason":"stop","matched_stop":"###")") << stops
                                                << u"stop_sequence"_s << QJsonValue(u"###"_s);
    QTest::addRow("OpenAI says nothing") << QByteArray(R"("finish_reason":"stop")") << stops << u"end_turn"_s << null;
    QTest::addRow("vLLM stop token id") << QByteArray(R"("finish_reason":"stop","stop_reason":128001)") << stops
                                        << u"end_turn"_s << null;
    QTest::addRow("SGLang EOS token id") << QByteArray(R"("finish_reason":"stop","matched_stop":2)") << stops
                                         << u"end_turn"_s << null;
    QTest::addRow("null stop_reason") << QByteArray(R"("finish_reason":"stop","stop_reason":null)") << stops
                                      << u"end_turn"_s << null;
    QTest::addRow("string not requested")
        << QByteArray(R"("finish_reason":"stop","stop_reason":"</s>")") << stops << u"end_turn"_s << null;
    QTest::addRow("no stop_sequences in request")
        << QByteArray(R"("finish_reason":"stop","stop_reason":"END")") << QStringList() << u"end_turn"_s << null;
    QTest::addRow("length with matched string")
        << QByteArray(R"("finish_reason":"length","stop_reason":"END")") << stops << u"max_tokens"_s << null;
}

void TstResponseMapper::shouldReportMatchedStopSequence()
{
    QFETCH(QByteArray, choiceFields);
    QFETCH(QStringList, stopSequences);
    QFETCH(QString, expectedStopReason);
    QFETCH(QJsonValue, expectedStopSequence);
    ResponseContext context = testContext();
    context.stopSequences = stopSequences;
    const QJsonObject message = mapped(completion(R"({"content":"a"})", choiceFields), context);
    QCOMPARE(message.value(u"stop_reason"_s).toString(), expectedStopReason);
    QCOMPARE(message.value(u"stop_sequence"_s), expectedStopSequence);
}

void TstResponseMapper::shouldMapUsage_data()
{
    QTest::addColumn<QByteArray>("usage");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("plain") << QByteArray(R"({"prompt_tokens":100,"completion_tokens":20,"total_tokens":120})")
                           << QByteArray(R"({"input_tokens":100,"output_tokens":20,)"
                                         R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0})");
    QTest::addRow("OpenAI cached tokens")
        << QByteArray(R"({"prompt_tokens":100,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":64}})")
        << QByteArray(R"({"input_tokens":36,"output_tokens":20,)"
                      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":64})");
    QTest::addRow("DeepSeek prompt_cache_hit_tokens")
        << QByteArray(R"({"prompt_tokens":100,"completion_tokens":5,"prompt_cache_hit_tokens":80,)"
                      R"("prompt_cache_miss_tokens":20})")
        << QByteArray(R"({"input_tokens":20,"output_tokens":5,)"
                      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":80})");
    QTest::addRow("prompt_tokens_details wins over prompt_cache_hit_tokens")
        << QByteArray(R"({"prompt_tokens":100,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":10},)"
                      R"("prompt_cache_hit_tokens":80})")
        << QByteArray(R"({"input_tokens":90,"output_tokens":5,)"
                      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":10})");
    QTest::addRow("null prompt_tokens_details")
        << QByteArray(R"({"prompt_tokens":7,"prompt_tokens_details":null})")
        << QByteArray(R"({"input_tokens":7,"output_tokens":0,)"
                      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0})");
    QTest::addRow("cached more than prompt is capped")
        << QByteArray(R"({"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":50}})")
        << QByteArray(R"({"input_tokens":0,"output_tokens":1,)"
                      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":10})");
    QTest::addRow("negative numbers become zero")
        << QByteArray(R"({"prompt_tokens":-5,"completion_tokens":-1,"prompt_tokens_details":{"cached_tokens":-3}})")
        << QByteArray(R"({"input_tokens":0,"output_tokens":0,)"
                      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0})");
    QTest::addRow("empty") << QByteArray("{}")
                           << QByteArray(R"({"input_tokens":0,"output_tokens":0,)"
                                         R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0})");
}

void TstResponseMapper::shouldMapUsage()
{
    QFETCH(QByteArray, usage);
    QFETCH(QByteArray, expected);
    QCOMPARE(compact(Proxy::mapUsage(object(usage))), compact(object(expected)));
}

void TstResponseMapper::shouldMapMissingUsageToZeros()
{
    const QJsonObject usage = mapped(completion(R"({"content":"x"})")).value(u"usage"_s).toObject();
    QCOMPARE(compact(usage), compact(Proxy::mapUsage({})));
    QCOMPARE(usage.value(u"input_tokens"_s), QJsonValue(0));
    QCOMPARE(usage.size(), 4); // Claude Code crashes on a missing usage field
}

void TstResponseMapper::shouldParseToolArguments_data()
{
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("object") << uR"({"command":"ls -la","timeout":5})"_s
                            << QByteArray(R"({"command":"ls -la","timeout":5})");
    QTest::addRow("nested object") << uR"({"a":{"b":[1,2]}})"_s << QByteArray(R"({"a":{"b":[1,2]}})");
    QTest::addRow("empty string") << QString() << QByteArray("{}");
    QTest::addRow("whitespace") << u" \n\t "_s << QByteArray("{}");
    QTest::addRow("empty object") << u"{}"_s << QByteArray("{}");
    QTest::addRow("trailing whitespace") << u"{\"a\":1}\n  "_s << QByteArray(R"({"a":1})");
    QTest::addRow("leading whitespace") << u"  {\"a\":1}"_s << QByteArray(R"({"a":1})");
    QTest::addRow("null") << u"null"_s << QByteArray("{}");
    QTest::addRow("null with whitespace") << u" null\n"_s << QByteArray("{}");
    QTest::addRow("truncated") << uR"({"command":"ls)"_s
                               << QByteArray(R"({"_switchyard_invalid_arguments":"{\"command\":\"ls"})");
    QTest::addRow("array") << u"[1,2]"_s << QByteArray(R"({"_switchyard_invalid_arguments":"[1,2]"})");
    QTest::addRow("string") << uR"("ls")"_s << QByteArray(R"({"_switchyard_invalid_arguments":"\"ls\""})");
    QTest::addRow("number") << u"42"_s << QByteArray(R"({"_switchyard_invalid_arguments":"42"})");
    QTest::addRow("two objects") << u"{\"a\":1}{\"b\":2}"_s
                                 << QByteArray(R"({"_switchyard_invalid_arguments":"{\"a\":1}{\"b\":2}"})");
    QTest::addRow("prose") << u"run ls"_s << QByteArray(R"({"_switchyard_invalid_arguments":"run ls"})");
}

void TstResponseMapper::shouldParseToolArguments()
{
    QFETCH(QString, arguments);
    QFETCH(QByteArray, expected);
    QCOMPARE(compact(Proxy::toolInputFromArguments(arguments)), compact(object(expected)));
}

void TstResponseMapper::shouldSignThinkingDeterministically()
{
    const QString signature = Proxy::thinkingSignature(u"Let me think."_s);
    QCOMPARE(signature, Proxy::thinkingSignature(u"Let me think."_s));
    QVERIFY(signature != Proxy::thinkingSignature(u"Let me think!"_s));
    // "sy1" + base64 of 16 bytes
    QVERIFY2(QRegularExpression(u"^sy1[A-Za-z0-9+/]{22}==$"_s).match(signature).hasMatch(), qPrintable(signature));
    QVERIFY(!Proxy::thinkingSignature(QString()).isEmpty());
}

void TstResponseMapper::shouldRejectUnusableCompletion_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expectedMessage");
    QTest::addRow("error object") << QByteArray(R"({"error":{"message":"model overloaded","code":503}})")
                                  << u"Upstream returned an error: model overloaded"_s;
    QTest::addRow("error string") << QByteArray(R"({"error":"bad things"})")
                                  << u"Upstream returned an error: bad things"_s;
    QTest::addRow("error object without message")
        << QByteArray(R"({"error":{"code":42}})") << uR"(Upstream returned an error: {"code":42})"_s;
    QTest::addRow("error next to choices")
        << QByteArray(R"({"error":{"message":"late failure"},"choices":[{"message":{"content":"x"}}]})")
        << u"Upstream returned an error: late failure"_s;
    QTest::addRow("no choices") << QByteArray(R"({"id":"x","object":"chat.completion"})")
                                << u"Upstream response has no choices"_s;
    QTest::addRow("empty choices") << QByteArray(R"({"choices":[]})") << u"Upstream response has no choices"_s;
    QTest::addRow("choices not an array")
        << QByteArray(R"({"choices":{"message":{}}})") << u"Upstream response has no choices"_s;
    QTest::addRow("choice without message")
        << QByteArray(R"({"choices":[{"index":0,"finish_reason":"stop"}]})") << u"Upstream response has no choices"_s;
    QTest::addRow("message not an object")
        << QByteArray(R"({"choices":[{"message":"hi"}]})") << u"Upstream response has no choices"_s;
    QTest::addRow("empty object") << QByteArray("{}") << u"Upstream response has no choices"_s;
    // OpenRouter: HTTP 200, then the provider failed part-way; the partial text is not a finished answer.
    QTest::addRow("finish_reason error with choice.error")
        << QByteArray(R"({"choices":[{"message":{"content":"Half an ans"},"finish_reason":"error",)"
                      R"("error":{"code":502,"message":"Provider returned error"}}]})")
        << u"Upstream ended the response with finish_reason \"error\": Provider returned error"_s;
    QTest::addRow("finish_reason error without details")
        << QByteArray(R"({"choices":[{"message":{"content":"x"},"finish_reason":"error"}]})")
        << u"Upstream ended the response with finish_reason \"error\""_s;
}

void TstResponseMapper::shouldRejectUnusableCompletion()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expectedMessage);
    const Result<QJsonObject> result = Proxy::mapResponse(object(body), testContext());
    QVERIFY(!result);
    QCOMPARE(result.error().type, Proxy::ErrorType::Api);
    QCOMPARE(result.error().httpStatus, 502);
    QCOMPARE(result.error().message, expectedMessage);
}

// tests/data/responses/<name>.completion.json (a recorded chat.completion) -> <name>.expected.json, mapped with
// testContext() plus the context fields given in the completion file's "_context" key.
void TstResponseMapper::shouldMatchGoldenResponse_data()
{
    QTest::addColumn<QString>("completionPath");
    QTest::addColumn<QString>("expectedPath");
    TestJson::addGoldenRows(u"responses"_s, u".completion.json"_s, u".expected.json"_s);
}

void TstResponseMapper::shouldMatchGoldenResponse()
{
    QFETCH(QString, completionPath);
    QFETCH(QString, expectedPath);
    QJsonObject body = readJsonFile(completionPath);
    const QJsonObject extra = body.take(u"_context"_s).toObject();
    ResponseContext context = testContext();
    const QJsonArray stops = extra.value(u"stopSequences"_s).toArray();
    for (const QJsonValue &stop : stops)
        context.stopSequences.append(stop.toString());
    const QJsonArray toolNames = extra.value(u"toolNames"_s).toArray();
    for (const QJsonValue &name : toolNames)
        (void)context.toolNames.toUpstream(name.toString());
    QCOMPARE(compact(mapped(body, context)), compact(readJsonFile(expectedPath)));
}

QTEST_GUILESS_MAIN(TstResponseMapper)
#include "tst_responsemapper.moc"
