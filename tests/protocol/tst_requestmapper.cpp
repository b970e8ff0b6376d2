#include "protocol/requestmapper.h"
#include "testjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using Proxy::MappedRequest;
using Proxy::MappingOptions;
using Proxy::Result;

namespace {

using TestJson::object;
using TestJson::readJsonFile;

QJsonArray array(const QByteArray &text)
{
    return TestJson::document(text).array();
}

QJsonObject baseRequest()
{
    return object(R"({"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}]})");
}

// The base request with some fields added or replaced.
QJsonObject with(const QByteArray &fields)
{
    QJsonObject request = baseRequest();
    const QJsonObject overrides = object(fields);
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        request.insert(it.key(), it.value());
    return request;
}

QJsonObject without(const QString &field)
{
    QJsonObject request = baseRequest();
    request.remove(field);
    return request;
}

MappingOptions testOptions()
{
    MappingOptions options;
    options.upstreamModel = u"gpt-test"_s;
    return options;
}

// Compact JSON text: QJsonObject keeps its keys sorted, so equal values print equal, and failures are readable.
QString compact(const QJsonValue &value)
{
    const QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

QByteArray errorText(const Result<MappedRequest> &result)
{
    return result ? QByteArray() : result.error().message.toUtf8();
}

void collectKeys(const QJsonValue &value, QSet<QString> &keys)
{
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            collectKeys(item, keys);
    }
    const QJsonObject json = value.toObject();
    for (auto it = json.begin(); it != json.end(); ++it) {
        keys.insert(it.key());
        collectKeys(it.value(), keys);
    }
}

QSet<QString> allKeys(const QJsonObject &json)
{
    QSet<QString> keys;
    collectKeys(json, keys);
    return keys;
}

} // namespace

class TstRequestMapper final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void shouldMapSystemPrompt_data();
    void shouldMapSystemPrompt() { verifyMessages(); }
    void shouldMapUserContent_data();
    void shouldMapUserContent() { verifyMessages(); }
    void shouldMapDocuments_data();
    void shouldMapDocuments() { verifyMessages(); }
    void shouldMapToolResultsToToolMessages_data();
    void shouldMapToolResultsToToolMessages() { verifyMessages(); }
    void shouldMapAssistantMessages_data();
    void shouldMapAssistantMessages() { verifyMessages(); }

    void shouldMapTopLevelFields_data();
    void shouldMapTopLevelFields() { verifyFields(testOptions()); }
    void shouldMapToolsAndToolChoice_data();
    void shouldMapToolsAndToolChoice() { verifyFields(testOptions()); }
    void shouldFollowMappingOptions_data();
    void shouldFollowMappingOptions();
    void shouldMapThinkingToReasoningEffort_data();
    void shouldMapThinkingToReasoningEffort();

    void shouldDescribeTheClientRequest();
    void shouldUseOneToolNameMapEverywhere();
    void shouldRejectInvalidRequest_data();
    void shouldRejectInvalidRequest();
    void shouldRefuseToolSchemasNestedTooDeeply();
    void shouldParseJsonObject_data();
    void shouldParseJsonObject();
    void shouldMatchGoldenRequest_data();
    void shouldMatchGoldenRequest();

    void shouldMergeClaudeCodeSystemPromptsIntoOneLeadingMessage();
    void shouldSendClaudeCodeToolsWithoutSchemaKeywords();
    void shouldMapClaudeCodeToolTurn();
    void shouldMapClaudeCodeSettings();
    void shouldDropAnthropicOnlyFieldsFromClaudeCodeRequest();

private:
    static void addMessageColumns();
    static void addFieldColumns();
    static void verifyMessages();
    static void verifyFields(const MappingOptions &options);

    QJsonObject m_claudeCodeRequest;
    QJsonObject m_claudeCodeBody;
};

void TstRequestMapper::initTestCase()
{
    m_claudeCodeRequest
        = readJsonFile(QStringLiteral(SWITCHYARD_SHARED_FIXTURES_DIR "/claude-code-2.1.197-tool-turn.json"))
              .value("body"_L1)
              .toObject();
    QVERIFY(!m_claudeCodeRequest.isEmpty());
    const Result<MappedRequest> mapped = Proxy::mapRequest(m_claudeCodeRequest, testOptions());
    QVERIFY2(mapped, errorText(mapped).constData());
    m_claudeCodeBody = mapped->body;
}

// ---- messages ----------------------------------------------------------------------------------------------------

void TstRequestMapper::addMessageColumns()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QJsonArray>("expected"); // the upstream "messages"
}

void TstRequestMapper::verifyMessages()
{
    QFETCH(QJsonObject, request);
    QFETCH(QJsonArray, expected);
    const Result<MappedRequest> mapped = Proxy::mapRequest(request, testOptions());
    QVERIFY2(mapped, errorText(mapped).constData());
    QCOMPARE(compact(mapped->body.value("messages"_L1)), compact(expected));
}

void TstRequestMapper::shouldMapSystemPrompt_data()
{
    addMessageColumns();
    QTest::addRow("string") << with(R"({"system":"Be brief."})")
                            << array(R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}])");
    QTest::addRow("text blocks joined by a blank line, cache_control dropped")
        << with(R"({"system":[{"type":"text","text":"A"},
                              {"type":"text","text":"B","cache_control":{"type":"ephemeral"}}]})")
        << array(R"([{"role":"system","content":"A\n\nB"},{"role":"user","content":"Hi"}])");
    QTest::addRow("role system messages move into the leading system message, in order")
        << with(R"({"system":"A","messages":[{"role":"user","content":"Hi"},{"role":"system","content":"B"},
                   {"role":"assistant","content":"Hello"},
                   {"role":"system","content":[{"type":"text","text":"C"},{"type":"text","text":"D"}]},
                   {"role":"user","content":"Go"}]})")
        << array(R"([{"role":"system","content":"A\n\nB\n\nC\n\nD"},{"role":"user","content":"Hi"},
                     {"role":"assistant","content":"Hello"},{"role":"user","content":"Go"}])");
    QTest::addRow("role system message without a system field")
        << with(R"({"messages":[{"role":"user","content":"Hi"},{"role":"system","content":"S"}]})")
        << array(R"([{"role":"system","content":"S"},{"role":"user","content":"Hi"}])");
    QTest::addRow("empty string: no system message")
        << with(R"({"system":""})") << array(R"([{"role":"user","content":"Hi"}])");
    QTest::addRow("empty list: no system message")
        << with(R"({"system":[]})") << array(R"([{"role":"user","content":"Hi"}])");
    QTest::addRow("null: no system message")
        << with(R"({"system":null})") << array(R"([{"role":"user","content":"Hi"}])");
    QTest::addRow("empty blocks skipped")
        << with(R"({"system":[{"type":"text","text":""},{"type":"text","text":"A"}]})")
        << array(R"([{"role":"system","content":"A"},{"role":"user","content":"Hi"}])");
    QTest::addRow("unknown block types dropped")
        << with(R"({"system":[{"type":"future_block","x":1},{"type":"text","text":"A"}]})")
        << array(R"([{"role":"system","content":"A"},{"role":"user","content":"Hi"}])");
}

void TstRequestMapper::shouldMapUserContent_data()
{
    addMessageColumns();
    QTest::addRow("string stays a string") << baseRequest() << array(R"([{"role":"user","content":"Hi"}])");
    QTest::addRow("text blocks collapse to one string joined by newlines")
        << with(R"({"messages":[{"role":"user","content":[{"type":"text","text":"A"},
                   {"type":"text","text":"B","cache_control":{"type":"ephemeral"}}]}]})")
        << array(R"([{"role":"user","content":"A\nB"}])");
    QTest::addRow("base64 image becomes a data URL")
        << with(R"({"messages":[{"role":"user","content":[{"type":"text","text":"Look"},
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]})")
        << array(R"([{"role":"user","content":[{"type":"text","text":"Look"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}])");
    QTest::addRow("url image")
        << with(R"({"messages":[{"role":"user","content":[
                   {"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}}]}]})")
        << array(
               R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.jpg"}}]}])");
    QTest::addRow("thinking blocks dropped")
        << with(R"({"messages":[{"role":"user","content":[{"type":"thinking","thinking":"t","signature":"s"},
                   {"type":"redacted_thinking","data":"d"},{"type":"text","text":"A"}]}]})")
        << array(R"([{"role":"user","content":"A"}])");
    QTest::addRow("unknown block types dropped")
        << with(R"({"messages":[{"role":"user","content":[{"type":"search_result_v9","x":1},
                   {"type":"text","text":"A"}]}]})")
        << array(R"([{"role":"user","content":"A"}])");
    QTest::addRow("empty text blocks dropped")
        << with(R"({"messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"A"}]}]})")
        << array(R"([{"role":"user","content":"A"}])");
    QTest::addRow("message left empty is skipped")
        << with(R"({"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},
                   {"role":"user","content":[]},{"role":"user","content":""}]})")
        << array(R"([{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}])");
    QTest::addRow("consecutive user messages stay separate")
        << with(
               R"({"messages":[{"role":"user","content":"A"},{"role":"user","content":[{"type":"text","text":"B"}]}]})")
        << array(R"([{"role":"user","content":"A"},{"role":"user","content":"B"}])");
}

void TstRequestMapper::shouldMapDocuments_data()
{
    addMessageColumns();
    QTest::addRow("base64 PDF becomes a file part named by its title")
        << with(R"({"messages":[{"role":"user","content":[{"type":"document","title":"spec.pdf","context":"c",
                   "citations":{"enabled":true},
                   "source":{"type":"base64","media_type":"application/pdf","data":"JVBE"}},
                   {"type":"text","text":"Summarise"}]}]})")
        << array(R"([{"role":"user","content":[{"type":"file","file":{"filename":"spec.pdf",
                     "file_data":"data:application/pdf;base64,JVBE"}},{"type":"text","text":"Summarise"}]}])");
    QTest::addRow("base64 PDF without title or media type")
        << with(
               R"({"messages":[{"role":"user","content":[
                   {"type":"document","source":{"type":"base64","data":"JVBE"}}]}]})")
        << array(R"([{"role":"user","content":[{"type":"file","file":{"filename":"document.pdf",
                     "file_data":"data:application/pdf;base64,JVBE"}}]}])");
    QTest::addRow("text source with title")
        << with(R"({"messages":[{"role":"user","content":[{"type":"document","title":"Notes",
                   "source":{"type":"text","media_type":"text/plain","data":"body"}},{"type":"text","text":"Q"}]}]})")
        << array(R"([{"role":"user","content":"Notes\n\nbody\nQ"}])");
    QTest::addRow("text source without title") << with(
        R"({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","data":"body"}}]}]})")
                                               << array(R"([{"role":"user","content":"body"}])");
    QTest::addRow("url source becomes a note with the URL")
        << with(R"({"messages":[{"role":"user","content":[{"type":"document","title":"Paper",
                   "source":{"type":"url","url":"https://example.com/p.pdf"}}]}]})")
        << array(R"([{"role":"user","content":"Paper\n\nDocument URL: https://example.com/p.pdf"}])");
    QTest::addRow("content source becomes text parts")
        << with(R"({"messages":[{"role":"user","content":[{"type":"document","title":"T","source":{"type":"content",
                   "content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]}}]}]})")
        << array(R"([{"role":"user","content":"T\nA\nB"}])");
    QTest::addRow("content source with an image keeps parts")
        << with(R"({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"content",
                   "content":[{"type":"text","text":"A"},
                   {"type":"image","source":{"type":"url","url":"https://example.com/i.png"}}]}}]}]})")
        << array(R"([{"role":"user","content":[{"type":"text","text":"A"},
                     {"type":"image_url","image_url":{"url":"https://example.com/i.png"}}]}])");
    QTest::addRow("content source as a string") << with(
        R"({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"content","content":"S"}}]}]})")
                                                << array(R"([{"role":"user","content":"S"}])");
}

void TstRequestMapper::shouldMapToolResultsToToolMessages_data()
{
    addMessageColumns();
    QTest::addRow("string content") << with(
        R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"out",
                   "cache_control":{"type":"ephemeral"}}]}]})")
                                    << array(R"([{"role":"tool","tool_call_id":"t1","content":"out"}])");
    QTest::addRow("text blocks joined by newlines")
        << with(R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1",
                   "content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]}]}]})")
        << array(R"([{"role":"tool","tool_call_id":"t1","content":"A\nB"}])");
    QTest::addRow("is_error prefixes Error") << with(
        R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"boom",
                   "is_error":true}]}]})") << array(R"([{"role":"tool","tool_call_id":"t1","content":"Error: boom"}])");
    QTest::addRow("is_error false changes nothing") << with(
        R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok",
                   "is_error":false}]}]})") << array(R"([{"role":"tool","tool_call_id":"t1","content":"ok"}])");
    QTest::addRow("missing content is empty")
        << with(R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]})")
        << array(R"([{"role":"tool","tool_call_id":"t1","content":""}])");
    QTest::addRow("empty content list is empty")
        << with(R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[]}]}]})")
        << array(R"([{"role":"tool","tool_call_id":"t1","content":""}])");
    QTest::addRow("one tool message per result, before the remaining user content")
        << with(R"({"messages":[{"role":"user","content":[{"type":"text","text":"Also this"},
                   {"type":"tool_result","tool_use_id":"t1","content":"one"},
                   {"type":"tool_result","tool_use_id":"t2","content":"two"}]}]})")
        << array(R"([{"role":"tool","tool_call_id":"t1","content":"one"},
                     {"role":"tool","tool_call_id":"t2","content":"two"},{"role":"user","content":"Also this"}])");
    QTest::addRow("images follow in a user message")
        << with(R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1",
                   "content":[{"type":"text","text":"shot"},
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]},
                   {"type":"text","text":"next"}]}]})")
        << array(R"([{"role":"tool","tool_call_id":"t1","content":"shot"},
                     {"role":"user","content":[{"type":"text","text":"Image from tool result t1:"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
                     {"type":"text","text":"next"}]}])");
    QTest::addRow("full tool turn")
        << with(R"({"messages":[{"role":"user","content":"Run it"},{"role":"assistant","content":[
                   {"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}]},
                   {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"a.txt"}]}]})")
        << array(R"([{"role":"user","content":"Run it"},{"role":"assistant","content":null,"tool_calls":[{"id":"t1",
                     "type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}}]},
                     {"role":"tool","tool_call_id":"t1","content":"a.txt"}])");
}

void TstRequestMapper::shouldMapAssistantMessages_data()
{
    addMessageColumns();
    QTest::addRow("string content")
        << with(R"({"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]})")
        << array(R"([{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}])");
    QTest::addRow("text blocks joined by newlines") << with(
        R"({"messages":[{"role":"assistant","content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]}]})")
                                                    << array(R"([{"role":"assistant","content":"A\nB"}])");
    QTest::addRow("tool_use becomes tool_calls with compact JSON arguments")
        << with(R"({"messages":[{"role":"assistant","content":[{"type":"text","text":"Running"},
                   {"type":"tool_use","id":"t1","name":"Bash",
                    "input":{"command":"ls -la","n":2,"opts":{"a":[1,true]}}}]}]})")
        << array(R"([{"role":"assistant","content":"Running","tool_calls":[{"id":"t1","type":"function",
                     "function":{"name":"Bash",
                     "arguments":"{\"command\":\"ls -la\",\"n\":2,\"opts\":{\"a\":[1,true]}}"}}]}])");
    QTest::addRow("several tool_use blocks keep their order, content null without text")
        << with(R"({"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"A","input":{}},
                   {"type":"text","text":""},{"type":"tool_use","id":"t2","name":"B","input":{"x":1}}]}]})")
        << array(R"([{"role":"assistant","content":null,"tool_calls":[
                     {"id":"t1","type":"function","function":{"name":"A","arguments":"{}"}},
                     {"id":"t2","type":"function","function":{"name":"B","arguments":"{\"x\":1}"}}]}])");
    QTest::addRow("thinking blocks dropped")
        << with(R"({"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},
                   {"type":"redacted_thinking","data":"d"},{"type":"text","text":"A"}]}]})")
        << array(R"([{"role":"assistant","content":"A"}])");
    QTest::addRow("unknown blocks dropped")
        << with(R"({"messages":[{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search",
                   "input":{}},{"type":"web_search_tool_result","tool_use_id":"s","content":[]},
                   {"type":"text","text":"A"}]}]})")
        << array(R"([{"role":"assistant","content":"A"}])");
    QTest::addRow("message with neither text nor tool calls skipped")
        << with(R"({"messages":[{"role":"user","content":"Hi"},
                   {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"}]},
                   {"role":"assistant","content":""},{"role":"assistant","content":[]},
                   {"role":"user","content":"Go"}]})")
        << array(R"([{"role":"user","content":"Hi"},{"role":"user","content":"Go"}])");
    QTest::addRow("consecutive assistant messages stay separate")
        << with(R"({"messages":[{"role":"assistant","content":"A"},{"role":"assistant","content":"B"}]})")
        << array(R"([{"role":"assistant","content":"A"},{"role":"assistant","content":"B"}])");
}

// ---- top-level fields --------------------------------------------------------------------------------------------

void TstRequestMapper::addFieldColumns()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QJsonObject>("expected"); // keys that must be in the body, with these values
    QTest::addColumn<QStringList>("absent"); // keys that must not be in the body
}

void TstRequestMapper::verifyFields(const MappingOptions &options)
{
    QFETCH(QJsonObject, request);
    QFETCH(QJsonObject, expected);
    QFETCH(QStringList, absent);
    const Result<MappedRequest> mapped = Proxy::mapRequest(request, options);
    QVERIFY2(mapped, errorText(mapped).constData());
    for (auto it = expected.constBegin(); it != expected.constEnd(); ++it) {
        QVERIFY2(mapped->body.contains(it.key()), qPrintable(it.key()));
        QCOMPARE(compact(QJsonObject{ { it.key(), mapped->body.value(it.key()) } }),
            compact(QJsonObject{ { it.key(), it.value() } }));
    }
    for (const QString &key : std::as_const(absent))
        QVERIFY2(!mapped->body.contains(key), qPrintable(key));
}

void TstRequestMapper::shouldMapTopLevelFields_data()
{
    addFieldColumns();
    QTest::addRow("minimal request") << baseRequest() << object(R"({"model":"gpt-test","max_tokens":1024})")
                                     << QStringList{ u"max_completion_tokens"_s, u"stream"_s, u"stream_options"_s,
                                            u"stop"_s, u"user"_s, u"tools"_s, u"tool_choice"_s,
                                            u"parallel_tool_calls"_s, u"temperature"_s, u"top_p"_s,
                                            u"reasoning_effort"_s };
    QTest::addRow("temperature and top_p pass through")
        << with(R"({"temperature":0.7,"top_p":0.9})") << object(R"({"temperature":0.7,"top_p":0.9})") << QStringList();
    QTest::addRow("top_k dropped") << with(R"({"top_k":40})") << QJsonObject() << QStringList{ u"top_k"_s };
    QTest::addRow("stop_sequences become stop")
        << with(R"({"stop_sequences":["END","\n\nHuman:"]})") << object(R"({"stop":["END","\n\nHuman:"]})")
        << QStringList{ u"stop_sequences"_s };
    QTest::addRow("empty stop_sequences: no stop")
        << with(R"({"stop_sequences":[]})") << QJsonObject() << QStringList{ u"stop"_s, u"stop_sequences"_s };
    QTest::addRow("metadata.user_id becomes user")
        << with(R"({"metadata":{"user_id":"u-1"}})") << object(R"({"user":"u-1"})") << QStringList{ u"metadata"_s };
    QTest::addRow("metadata without user_id")
        << with(R"({"metadata":{"user_id":null}})") << QJsonObject() << QStringList{ u"user"_s, u"metadata"_s };
    QTest::addRow("stream true adds stream_options")
        << with(R"({"stream":true})") << object(R"({"stream":true,"stream_options":{"include_usage":true}})")
        << QStringList();
    QTest::addRow("stream false: no stream key")
        << with(R"({"stream":false})") << QJsonObject() << QStringList{ u"stream"_s, u"stream_options"_s };
    QTest::addRow("null optional fields count as absent")
        << with(R"({"temperature":null,"stream":null,"tools":null,"tool_choice":null,"thinking":null})")
        << QJsonObject()
        << QStringList{ u"temperature"_s, u"stream"_s, u"tools"_s, u"tool_choice"_s, u"reasoning_effort"_s };
    QTest::addRow("Anthropic-only and unknown fields dropped")
        << with(R"({"context_management":{"edits":[]},"output_config":{"effort":"high"},"container":"c",
                   "mcp_servers":[{"type":"url","url":"https://x","name":"x"}],"service_tier":"auto",
                   "frobnicate":1,"system":"S"})")
        << QJsonObject()
        << QStringList{ u"context_management"_s, u"output_config"_s, u"container"_s, u"mcp_servers"_s,
               u"service_tier"_s, u"frobnicate"_s, u"system"_s, u"reasoning_effort"_s };
}

void TstRequestMapper::shouldMapToolsAndToolChoice_data()
{
    addFieldColumns();
    const QByteArray readTool =
        R"({"name":"Read","description":"Reads","cache_control":{"type":"ephemeral"},"input_schema":{
            "$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
            "properties":{"path":{"type":"string","format":"uri"}}}})";
    const QByteArray mappedRead =
        R"({"type":"function","function":{"name":"Read","description":"Reads",
            "parameters":{"type":"object","properties":{"path":{"type":"string"}}}}})";
    const auto withTools = [&](const QByteArray &extra) {
        return with("{\"tools\":[" + readTool + "]" + extra + "}");
    };

    QTest::addRow("custom tool becomes a function with a cleaned schema") << withTools(
        {}) << object("{\"tools\":[" + mappedRead + "]}") << QStringList{ u"tool_choice"_s, u"parallel_tool_calls"_s };
    QTest::addRow("no description: no description key")
        << with(R"({"tools":[{"type":"custom","name":"T","input_schema":{"type":"object"}}]})")
        << object(
               R"({"tools":[{"type":"function",
                   "function":{"name":"T","parameters":{"type":"object","properties":{}}}}]})")
        << QStringList();
    QTest::addRow("server tools dropped")
        << with("{\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":3},"
                "{\"type\":\"bash_20250124\",\"name\":\"bash\"},"
               + readTool + "]}")
        << object("{\"tools\":[" + mappedRead + "]}") << QStringList();
    QTest::addRow("only server tools: no tools, no tool_choice")
        << with(R"({"tools":[{"type":"web_search_20250305","name":"web_search"}],"tool_choice":{"type":"auto"}})")
        << QJsonObject() << QStringList{ u"tools"_s, u"tool_choice"_s };
    QTest::addRow("empty tools: no tools") << with(R"({"tools":[]})") << QJsonObject() << QStringList{ u"tools"_s };
    QTest::addRow("tool_choice auto") << withTools(R"(,"tool_choice":{"type":"auto"})")
                                      << object(R"({"tool_choice":"auto"})") << QStringList{ u"parallel_tool_calls"_s };
    QTest::addRow("tool_choice any becomes required")
        << withTools(R"(,"tool_choice":{"type":"any"})") << object(R"({"tool_choice":"required"})") << QStringList();
    QTest::addRow("tool_choice none") << withTools(R"(,"tool_choice":{"type":"none"})")
                                      << object(R"({"tool_choice":"none"})") << QStringList();
    QTest::addRow("tool_choice tool names a function")
        << withTools(R"(,"tool_choice":{"type":"tool","name":"Read"})")
        << object(R"({"tool_choice":{"type":"function","function":{"name":"Read"}}})") << QStringList();
    QTest::addRow("disable_parallel_tool_use becomes parallel_tool_calls false")
        << withTools(R"(,"tool_choice":{"type":"auto","disable_parallel_tool_use":true})")
        << object(R"({"tool_choice":"auto","parallel_tool_calls":false})") << QStringList();
    QTest::addRow("disable_parallel_tool_use false: no parallel_tool_calls")
        << withTools(R"(,"tool_choice":{"type":"any","disable_parallel_tool_use":false})")
        << object(R"({"tool_choice":"required"})") << QStringList{ u"parallel_tool_calls"_s };
    QTest::addRow("tool_choice without tools omitted")
        << with(R"({"tool_choice":{"type":"any","disable_parallel_tool_use":true}})") << QJsonObject()
        << QStringList{ u"tools"_s, u"tool_choice"_s, u"parallel_tool_calls"_s };
}

void TstRequestMapper::shouldFollowMappingOptions_data()
{
    addFieldColumns();
    QTest::addColumn<QString>("maxTokensField");
    QTest::addColumn<bool>("sendReasoningEffort");
    QTest::addColumn<bool>("includeStreamUsage");

    const QJsonObject request
        = with(R"({"stream":true,"max_tokens":500,"thinking":{"type":"enabled","budget_tokens":2000}})");
    QTest::addRow("defaults") << request
                              << object(R"({"max_tokens":500,"stream":true,"stream_options":{"include_usage":true},
                                           "reasoning_effort":"low"})")
                              << QStringList{ u"max_completion_tokens"_s } << u"max_tokens"_s << true << true;
    QTest::addRow("max_completion_tokens")
        << request << object(R"({"max_completion_tokens":500})") << QStringList{ u"max_tokens"_s }
        << u"max_completion_tokens"_s << true << true;
    QTest::addRow("no reasoning_effort") << request << QJsonObject() << QStringList{ u"reasoning_effort"_s }
                                         << u"max_tokens"_s << false << true;
    QTest::addRow("no stream_options") << request << object(R"({"stream":true})") << QStringList{ u"stream_options"_s }
                                       << u"max_tokens"_s << true << false;
}

void TstRequestMapper::shouldFollowMappingOptions()
{
    QFETCH(QString, maxTokensField);
    QFETCH(bool, sendReasoningEffort);
    QFETCH(bool, includeStreamUsage);
    MappingOptions options = testOptions();
    options.maxTokensField = maxTokensField;
    options.sendReasoningEffort = sendReasoningEffort;
    options.includeStreamUsage = includeStreamUsage;
    verifyFields(options);
}

void TstRequestMapper::shouldMapThinkingToReasoningEffort_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QString>("effort"); // empty: no reasoning_effort

    const auto budget = [](int tokens) {
        return with(R"({"thinking":{"type":"enabled","budget_tokens":)" + QByteArray::number(tokens) + "}}");
    };
    QTest::addRow("budget 1024") << budget(1024) << u"low"_s;
    QTest::addRow("budget 4095") << budget(4095) << u"low"_s;
    QTest::addRow("budget 4096") << budget(4096) << u"medium"_s;
    QTest::addRow("budget 16383") << budget(16383) << u"medium"_s;
    QTest::addRow("budget 16384") << budget(16384) << u"high"_s;
    QTest::addRow("budget 64000") << budget(64000) << u"high"_s;
    QTest::addRow("adaptive without effort") << with(R"({"thinking":{"type":"adaptive"}})") << u"medium"_s;
    for (const char *effort : { "low", "medium", "high" }) {
        QTest::addRow("adaptive, effort %s", effort)
            << with(R"({"thinking":{"type":"adaptive"},"output_config":{"effort":")" + QByteArray(effort) + "\"}}")
            << QString::fromLatin1(effort);
    }
    QTest::addRow("adaptive, effort max")
        << with(R"({"thinking":{"type":"adaptive"},"output_config":{"effort":"max"}})") << u"high"_s;
    QTest::addRow("disabled") << with(R"({"thinking":{"type":"disabled"}})") << QString();
    QTest::addRow("absent") << baseRequest() << QString();
    QTest::addRow("effort without thinking") << with(R"({"output_config":{"effort":"high"}})") << QString();
    QTest::addRow("unknown thinking type") << with(R"({"thinking":{"type":"telepathic"}})") << QString();
}

void TstRequestMapper::shouldMapThinkingToReasoningEffort()
{
    QFETCH(QJsonObject, request);
    QFETCH(QString, effort);
    const Result<MappedRequest> mapped = Proxy::mapRequest(request, testOptions());
    QVERIFY2(mapped, errorText(mapped).constData());
    QCOMPARE(mapped->body.contains("reasoning_effort"_L1), !effort.isEmpty());
    QCOMPARE(mapped->body.value("reasoning_effort"_L1).toString(), effort);
}

// ---- the MappedRequest around the body ---------------------------------------------------------------------------

void TstRequestMapper::shouldDescribeTheClientRequest()
{
    const QJsonObject request = object(R"({"model":"claude-opus-4-1","max_tokens":77,"stream":true,
        "stop_sequences":["END","STOP"],
        "messages":[{"role":"user","content":"A"},{"role":"assistant","content":"B"},{"role":"user","content":"C"}],
        "tools":[{"name":"Read","input_schema":{"type":"object"}},
                 {"type":"web_search_20250305","name":"web_search"}]})");
    const Result<MappedRequest> mapped = Proxy::mapRequest(request, testOptions());
    QVERIFY2(mapped, errorText(mapped).constData());
    QCOMPARE(mapped->clientModel, u"claude-opus-4-1"_s);
    QCOMPARE(mapped->body.value("model"_L1).toString(), u"gpt-test"_s);
    QVERIFY(mapped->stream);
    QCOMPARE(mapped->stopSequences, (QStringList{ u"END"_s, u"STOP"_s }));
    QCOMPARE(mapped->messageCount, 3);
    QCOMPARE(mapped->toolCount, 2);
    QCOMPARE(mapped->maxTokens, 77);
    QVERIFY(mapped->toolNames.isEmpty());
}

void TstRequestMapper::shouldUseOneToolNameMapEverywhere()
{
    const QString longName = u"mcp__"_s + QString(65, u'x');
    const QString dottedName = u"server.read_file"_s;
    QCOMPARE(longName.size(), 70);
    QJsonObject request = object(R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Hi"},
        {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"LONG","input":{}},
                                       {"type":"tool_use","id":"t2","name":"DOTTED","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"a"},
                                  {"type":"tool_result","tool_use_id":"t2","content":"b"}]}],
        "tools":[{"name":"LONG","input_schema":{"type":"object"}},{"name":"DOTTED","input_schema":{"type":"object"}}],
        "tool_choice":{"type":"tool","name":"DOTTED"}})");
    request = object(compact(request).replace(u"LONG"_s, longName).replace(u"DOTTED"_s, dottedName).toUtf8());

    const Result<MappedRequest> mapped = Proxy::mapRequest(request, testOptions());
    QVERIFY2(mapped, errorText(mapped).constData());
    const QJsonObject &body = mapped->body;
    const QJsonArray tools = body.value("tools"_L1).toArray();
    const QJsonArray toolCalls = body.value("messages"_L1)[1]["tool_calls"_L1].toArray();
    const QString upstreamLong = tools.at(0)["function"_L1]["name"_L1].toString();
    const QString upstreamDotted = tools.at(1)["function"_L1]["name"_L1].toString();

    for (const QString &name : { upstreamLong, upstreamDotted })
        QVERIFY2(Proxy::ToolNameMap::isValidUpstreamName(name), qPrintable(name));
    QVERIFY(upstreamLong != longName);
    QVERIFY(upstreamDotted != dottedName);
    QCOMPARE(toolCalls.at(0)["function"_L1]["name"_L1].toString(), upstreamLong);
    QCOMPARE(toolCalls.at(1)["function"_L1]["name"_L1].toString(), upstreamDotted);
    QCOMPARE(body.value("tool_choice"_L1)["function"_L1]["name"_L1].toString(), upstreamDotted);
    QCOMPARE(mapped->toolNames.toClient(upstreamLong), longName);
    QCOMPARE(mapped->toolNames.toClient(upstreamDotted), dottedName);
}

// ---- validation --------------------------------------------------------------------------------------------------

void TstRequestMapper::shouldRejectInvalidRequest_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QString>("message");

    const auto messages = [](const QByteArray &list) {
        return with("{\"messages\":" + list + "}");
    };

    QTest::addRow("model missing") << without(u"model"_s) << u"model: Field required"_s;
    QTest::addRow("model not a string") << with(R"({"model":5})") << u"model: Input should be a valid string"_s;
    QTest::addRow("model empty") << with(R"({"model":""})") << u"model: String should have at least 1 character"_s;
    QTest::addRow("model null") << with(R"({"model":null})") << u"model: Input should be a valid string"_s;
    QTest::addRow("max_tokens missing") << without(u"max_tokens"_s) << u"max_tokens: Field required"_s;
    QTest::addRow("max_tokens a string") << with(R"({"max_tokens":"100"})")
                                         << u"max_tokens: Input should be a valid integer"_s;
    QTest::addRow("max_tokens a fraction")
        << with(R"({"max_tokens":1.5})") << u"max_tokens: Input should be a valid integer"_s;
    QTest::addRow("max_tokens beyond 32 bits")
        << with(R"({"max_tokens":3000000000})") << u"max_tokens: Input should be a valid integer"_s;
    QTest::addRow("max_tokens zero") << with(R"({"max_tokens":0})")
                                     << u"max_tokens: Input should be greater than or equal to 1"_s;
    QTest::addRow("messages missing") << without(u"messages"_s) << u"messages: Field required"_s;
    QTest::addRow("messages an object") << messages("{}") << u"messages: Input should be a valid list"_s;
    QTest::addRow("messages empty") << messages("[]") << u"messages: at least one message is required"_s;
    QTest::addRow("message not an object")
        << messages("[\"Hi\"]") << u"messages.0: Input should be a valid dictionary"_s;
    QTest::addRow("role missing") << messages(R"([{"content":"Hi"}])") << u"messages.0.role: Field required"_s;
    QTest::addRow("role unknown") << messages(R"([{"role":"bot","content":"Hi"}])")
                                  << u"messages.0.role: Input should be 'user', 'assistant' or 'system'"_s;
    QTest::addRow("content missing") << messages(R"([{"role":"user"}])") << u"messages.0.content: Field required"_s;
    QTest::addRow("content a number") << messages(
        R"([{"role":"user","content":"Hi"},{"role":"assistant","content":5}])")
                                      << u"messages.1.content: Input should be a valid list or string"_s;
    QTest::addRow("block not an object") << messages(R"([{"role":"user","content":["Hi"]}])")
                                         << u"messages.0.content.0: Input should be a valid dictionary"_s;
    QTest::addRow("block without type") << messages(R"([{"role":"user","content":[{"text":"Hi"}]}])")
                                        << u"messages.0.content.0.type: Field required"_s;
    QTest::addRow("block type not a string") << messages(R"([{"role":"user","content":[{"type":1}]}])")
                                             << u"messages.0.content.0.type: Input should be a valid string"_s;
    QTest::addRow("text block without text") << messages(R"([{"role":"user","content":[{"type":"text"}]}])")
                                             << u"messages.0.content.0.text: Field required"_s;
    QTest::addRow("image without source") << messages(R"([{"role":"user","content":[{"type":"image"}]}])")
                                          << u"messages.0.content.0.source: Field required"_s;
    QTest::addRow("image with a file source")
        << messages(R"([{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}])")
        << u"messages.0.content.0.source.type: Input should be 'base64' or 'url'"_s;
    QTest::addRow("base64 image without media_type")
        << messages(R"([{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"AA"}}]}])")
        << u"messages.0.content.0.source.media_type: Field required"_s;
    QTest::addRow("document with a file source")
        << messages(R"([{"role":"user","content":[{"type":"document","source":{"type":"file","file_id":"f"}}]}])")
        << u"messages.0.content.0.source.type: Input should be 'base64', 'text', 'url' or 'content'"_s;
    QTest::addRow("text document without data")
        << messages(R"([{"role":"user","content":[{"type":"document","source":{"type":"text"}}]}])")
        << u"messages.0.content.0.source.data: Field required"_s;
    QTest::addRow("tool_use in a user message")
        << messages(R"([{"role":"user","content":[{"type":"tool_use","id":"t","name":"n","input":{}}]}])")
        << u"messages.0.content.0.type: 'tool_use' blocks are not allowed in user messages"_s;
    QTest::addRow("tool_result in an assistant message")
        << messages(R"([{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t"}]}])")
        << u"messages.0.content.0.type: 'tool_result' blocks are not allowed in assistant messages"_s;
    QTest::addRow("image in an assistant message")
        << messages(R"([{"role":"assistant","content":[{"type":"image","source":{"type":"url","url":"u"}}]}])")
        << u"messages.0.content.0.type: 'image' blocks are not allowed in assistant messages"_s;
    QTest::addRow("image in a system message")
        << messages(R"([{"role":"system","content":[{"type":"image","source":{"type":"url","url":"u"}}]}])")
        << u"messages.0.content.0.type: 'image' blocks are not allowed in system content"_s;
    QTest::addRow("tool_result inside a tool_result")
        << messages(R"([{"role":"user","content":[{"type":"tool_result","tool_use_id":"t",
                       "content":[{"type":"tool_result","tool_use_id":"u"}]}]}])")
        << u"messages.0.content.0.content.0.type: 'tool_result' blocks are not allowed in tool_result content"_s;
    QTest::addRow("tool_use without id") << messages(
        R"([{"role":"user","content":"Hi"},
                       {"role":"assistant","content":[{"type":"tool_use","name":"n","input":{}}]}])")
                                         << u"messages.1.content.0.id: Field required"_s;
    QTest::addRow("tool_use without name")
        << messages(R"([{"role":"assistant","content":[{"type":"tool_use","id":"t","input":{}}]}])")
        << u"messages.0.content.0.name: Field required"_s;
    QTest::addRow("tool_use without input")
        << messages(R"([{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n"}]}])")
        << u"messages.0.content.0.input: Field required"_s;
    QTest::addRow("tool_use input not an object")
        << messages(R"([{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":"{}"}]}])")
        << u"messages.0.content.0.input: Input should be a valid dictionary"_s;
    QTest::addRow("tool_result without tool_use_id")
        << messages(R"([{"role":"user","content":[{"type":"tool_result"}]}])")
        << u"messages.0.content.0.tool_use_id: Field required"_s;
    QTest::addRow("tool_result content a number")
        << messages(R"([{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":1}]}])")
        << u"messages.0.content.0.content: Input should be a valid list or string"_s;
    QTest::addRow("tool_result is_error a string")
        << messages(R"([{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":"yes"}]}])")
        << u"messages.0.content.0.is_error: Input should be a valid boolean"_s;
    QTest::addRow("system a number") << with(R"({"system":1})") << u"system: Input should be a valid list or string"_s;
    QTest::addRow("system block without text")
        << with(R"({"system":[{"type":"text"}]})") << u"system.0.text: Field required"_s;
    QTest::addRow("system image block") << with(R"({"system":[{"type":"image","source":{}}]})")
                                        << u"system.0.type: 'image' blocks are not allowed in system content"_s;
    QTest::addRow("temperature a string")
        << with(R"({"temperature":"hot"})") << u"temperature: Input should be a valid number"_s;
    QTest::addRow("top_p a string") << with(R"({"top_p":"x"})") << u"top_p: Input should be a valid number"_s;
    QTest::addRow("top_k a fraction") << with(R"({"top_k":0.5})") << u"top_k: Input should be a valid integer"_s;
    QTest::addRow("stop_sequences a string")
        << with(R"({"stop_sequences":"END"})") << u"stop_sequences: Input should be a valid list"_s;
    QTest::addRow("stop_sequences with a number")
        << with(R"({"stop_sequences":["END",5]})") << u"stop_sequences.1: Input should be a valid string"_s;
    QTest::addRow("stream a string") << with(R"({"stream":"yes"})") << u"stream: Input should be a valid boolean"_s;
    QTest::addRow("metadata a string") << with(R"({"metadata":"m"})")
                                       << u"metadata: Input should be a valid dictionary"_s;
    QTest::addRow("metadata.user_id a number")
        << with(R"({"metadata":{"user_id":1}})") << u"metadata.user_id: Input should be a valid string"_s;
    QTest::addRow("tools an object") << with(R"({"tools":{}})") << u"tools: Input should be a valid list"_s;
    QTest::addRow("tool not an object") << with(R"({"tools":["Read"]})")
                                        << u"tools.0: Input should be a valid dictionary"_s;
    QTest::addRow("tool without name") << with(R"({"tools":[{"input_schema":{}}]})")
                                       << u"tools.0.name: Field required"_s;
    QTest::addRow("tool with empty name") << with(R"({"tools":[{"name":"","input_schema":{}}]})")
                                          << u"tools.0.name: String should have at least 1 character"_s;
    QTest::addRow("tool without input_schema") << with(R"({"tools":[{"name":"a","input_schema":{}},{"name":"b"}]})")
                                               << u"tools.1.input_schema: Field required"_s;
    QTest::addRow("tool description a number") << with(R"({"tools":[{"name":"a","description":1,"input_schema":{}}]})")
                                               << u"tools.0.description: Input should be a valid string"_s;
    QTest::addRow("tool_choice a string")
        << with(R"({"tool_choice":"auto"})") << u"tool_choice: Input should be a valid dictionary"_s;
    QTest::addRow("tool_choice without type") << with(R"({"tool_choice":{}})") << u"tool_choice.type: Field required"_s;
    QTest::addRow("tool_choice type unknown") << with(R"({"tool_choice":{"type":"some"}})")
                                              << u"tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"_s;
    QTest::addRow("tool_choice tool without name")
        << with(R"({"tool_choice":{"type":"tool"}})") << u"tool_choice.name: Field required"_s;
    QTest::addRow("disable_parallel_tool_use a string")
        << with(R"({"tool_choice":{"type":"auto","disable_parallel_tool_use":"yes"}})")
        << u"tool_choice.disable_parallel_tool_use: Input should be a valid boolean"_s;
    QTest::addRow("thinking a string") << with(R"({"thinking":"on"})")
                                       << u"thinking: Input should be a valid dictionary"_s;
    QTest::addRow("thinking without type") << with(R"({"thinking":{}})") << u"thinking.type: Field required"_s;
    QTest::addRow("enabled thinking without budget")
        << with(R"({"thinking":{"type":"enabled"}})") << u"thinking.budget_tokens: Field required"_s;
    QTest::addRow("first error wins") << object(R"({"messages":[]})") << u"model: Field required"_s;
}

void TstRequestMapper::shouldRejectInvalidRequest()
{
    QFETCH(QJsonObject, request);
    QFETCH(QString, message);
    const Result<MappedRequest> mapped = Proxy::mapRequest(request, testOptions());
    QVERIFY(!mapped);
    QCOMPARE(mapped.error().message, message);
    QCOMPARE(mapped.error().type, Proxy::ErrorType::InvalidRequest);
    QCOMPARE(mapped.error().httpStatus, 400);
}

// Seen with fuzz_requestmapper (fuzz/regressions/requestmapper/tool-schema-nested-1020): a schema the client's JSON
// could hold made an upstream body QJsonDocument could no longer read.
void TstRequestMapper::shouldRefuseToolSchemasNestedTooDeeply()
{
    const auto request = [](int depth) {
        QJsonObject schema; // {"not":{"not":…{}}}, `depth` objects
        for (int i = 1; i < depth; ++i)
            schema = QJsonObject{ { u"not"_s, schema } };
        QJsonObject withTool = baseRequest();
        withTool.insert(u"tools"_s, QJsonArray{ QJsonObject{ { u"name"_s, u"t"_s }, { u"input_schema"_s, schema } } });
        return withTool;
    };
    const Result<MappedRequest> deepest = Proxy::mapRequest(request(100), testOptions());
    QVERIFY2(deepest, errorText(deepest).constData());
    const Result<MappedRequest> tooDeep = Proxy::mapRequest(request(101), testOptions());
    QVERIFY(!tooDeep);
    QCOMPARE(tooDeep.error().message, u"tools.0.input_schema: Schema should not be nested deeper than 100 levels"_s);
    QCOMPARE(tooDeep.error().httpStatus, 400);
}

void TstRequestMapper::shouldParseJsonObject_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message"); // empty: parses

    QTest::addRow("object") << R"({"model":"m"})"_ba << QString();
    // The parser's own words (Qt 6.4), so the client sees where its JSON broke.
    QTest::addRow("truncated") << R"({"model":)"_ba
                               << u"Request body is not valid JSON: unterminated object at offset 9"_s;
    QTest::addRow("garbage") << "hello"_ba << u"Request body is not valid JSON: illegal value at offset 1"_s;
    QTest::addRow("empty") << QByteArray() << u"Request body is not valid JSON: illegal value at offset 0"_s;
    QTest::addRow("top-level string, which QJsonDocument does not accept")
        << R"("text")"_ba << u"Request body is not valid JSON: illegal value at offset 1"_s;
    QTest::addRow("array") << "[1,2]"_ba << u"Request body must be a JSON object"_s;
    QTest::addRow("empty array") << "[]"_ba << u"Request body must be a JSON object"_s;
}

void TstRequestMapper::shouldParseJsonObject()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const Result<QJsonObject> parsed = Proxy::parseJsonObject(body);
    QCOMPARE(parsed.has_value(), message.isEmpty());
    if (parsed) {
        QCOMPARE(parsed->value("model"_L1).toString(), u"m"_s);
        return;
    }
    QCOMPARE(parsed.error().message, message);
    QCOMPARE(parsed.error().type, Proxy::ErrorType::InvalidRequest);
    QCOMPARE(parsed.error().httpStatus, 400);
}

// ---- golden files: tests/data/requests/<name>.request.json -> <name>.expected.json (upstream model "gpt-test") ----

void TstRequestMapper::shouldMatchGoldenRequest_data()
{
    QTest::addColumn<QString>("requestPath");
    QTest::addColumn<QString>("expectedPath");
    TestJson::addGoldenRows(u"requests"_s, u".request.json"_s, u".expected.json"_s);
}

void TstRequestMapper::shouldMatchGoldenRequest()
{
    QFETCH(QString, requestPath);
    QFETCH(QString, expectedPath);
    const Result<MappedRequest> mapped = Proxy::mapRequest(readJsonFile(requestPath), testOptions());
    QVERIFY2(mapped, errorText(mapped).constData());
    QCOMPARE(compact(mapped->body), compact(readJsonFile(expectedPath)));
}

// ---- the real Claude Code request (../shared/fixtures) -----------------------------------------------------------

void TstRequestMapper::shouldMergeClaudeCodeSystemPromptsIntoOneLeadingMessage()
{
    QStringList systemTexts;
    for (const QJsonValue &block : m_claudeCodeRequest.value("system"_L1).toArray())
        systemTexts.append(block["text"_L1].toString());
    QCOMPARE(systemTexts.size(), 3);
    const QJsonArray clientMessages = m_claudeCodeRequest.value("messages"_L1).toArray();
    QCOMPARE(clientMessages.at(1)["role"_L1].toString(), u"system"_s);
    systemTexts.append(clientMessages.at(1)["content"_L1].toString());

    const QJsonArray messages = m_claudeCodeBody.value("messages"_L1).toArray();
    QCOMPARE(messages.at(0)["role"_L1].toString(), u"system"_s);
    QCOMPARE(messages.at(0)["content"_L1].toString(), systemTexts.join(u"\n\n"_s));
    QStringList roles;
    for (const QJsonValue &message : messages)
        roles.append(message["role"_L1].toString());
    QCOMPARE(roles, (QStringList{ u"system"_s, u"user"_s, u"assistant"_s, u"tool"_s }));
    QCOMPARE(messages.at(1)["content"_L1].toString(),
        clientMessages.at(0)["content"_L1][0]["text"_L1].toString() + u'\n'
            + clientMessages.at(0)["content"_L1][1]["text"_L1].toString());
}

void TstRequestMapper::shouldSendClaudeCodeToolsWithoutSchemaKeywords()
{
    const QJsonArray clientTools = m_claudeCodeRequest.value("tools"_L1).toArray();
    const QJsonArray tools = m_claudeCodeBody.value("tools"_L1).toArray();
    QCOMPARE(tools.size(), 24);
    QCOMPARE(clientTools.size(), 24);
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QJsonObject function = tools.at(i)["function"_L1].toObject();
        QCOMPARE(tools.at(i)["type"_L1].toString(), u"function"_s);
        QCOMPARE(function.value("name"_L1).toString(), clientTools.at(i)["name"_L1].toString());
        QCOMPARE(function.value("description"_L1).toString(), clientTools.at(i)["description"_L1].toString());
        QCOMPARE(function.value("parameters"_L1)["type"_L1].toString(), u"object"_s);
    }
    QVERIFY(allKeys(m_claudeCodeRequest).contains(u"$schema"_s));
    QVERIFY(!allKeys(m_claudeCodeBody).contains(u"$schema"_s));
}

void TstRequestMapper::shouldMapClaudeCodeToolTurn()
{
    const QJsonArray clientMessages = m_claudeCodeRequest.value("messages"_L1).toArray();
    const QJsonObject toolUse = clientMessages.at(2)["content"_L1][1].toObject();
    QCOMPARE(toolUse.value("type"_L1).toString(), u"tool_use"_s);

    const QJsonArray messages = m_claudeCodeBody.value("messages"_L1).toArray();
    const QJsonObject assistant = messages.at(2).toObject();
    QCOMPARE(assistant.value("content"_L1).toString(), u"I will run it."_s);
    const QJsonArray toolCalls = assistant.value("tool_calls"_L1).toArray();
    QCOMPARE(toolCalls.size(), 1);
    QCOMPARE(toolCalls.at(0)["id"_L1].toString(), u"toolu_stub4"_s);
    QCOMPARE(toolCalls.at(0)["type"_L1].toString(), u"function"_s);
    QCOMPARE(toolCalls.at(0)["function"_L1]["name"_L1].toString(), u"Bash"_s);
    const QByteArray arguments = toolCalls.at(0)["function"_L1]["arguments"_L1].toString().toUtf8();
    QCOMPARE(QJsonDocument::fromJson(arguments).object(), toolUse.value("input"_L1).toObject());

    const QJsonObject tool = messages.at(3).toObject();
    QCOMPARE(tool.value("role"_L1).toString(), u"tool"_s);
    QCOMPARE(tool.value("tool_call_id"_L1).toString(), u"toolu_stub4"_s);
    QCOMPARE(tool.value("content"_L1).toString(), u"hello-from-tool"_s);
}

void TstRequestMapper::shouldMapClaudeCodeSettings()
{
    QCOMPARE(m_claudeCodeBody.value("model"_L1).toString(), u"gpt-test"_s);
    QCOMPARE(m_claudeCodeBody.value("max_tokens"_L1).toInt(), 64000);
    QCOMPARE(m_claudeCodeBody.value("reasoning_effort"_L1).toString(), u"high"_s);
    QCOMPARE(m_claudeCodeBody.value("stream"_L1).toBool(), true);
    QCOMPARE(m_claudeCodeBody.value("stream_options"_L1), QJsonValue(QJsonObject{ { u"include_usage"_s, true } }));
    QCOMPARE(m_claudeCodeBody.value("user"_L1).toString(), u"<opaque user id string>"_s);
    QVERIFY(!m_claudeCodeBody.contains("tool_choice"_L1));
}

void TstRequestMapper::shouldDropAnthropicOnlyFieldsFromClaudeCodeRequest()
{
    // Anywhere in the body: these keys are never tool parameter names in this request.
    const QSet<QString> keys = allKeys(m_claudeCodeBody);
    for (const QString &key : { u"context_management"_s, u"output_config"_s, u"cache_control"_s, u"input_schema"_s })
        QVERIFY2(!keys.contains(key), qPrintable(key));
    // At the top level only: two tools have a parameter named "metadata".
    for (const QString &key : { u"thinking"_s, u"metadata"_s, u"system"_s })
        QVERIFY2(!m_claudeCodeBody.contains(key), qPrintable(key));
}

QTEST_GUILESS_MAIN(TstRequestMapper)
#include "tst_requestmapper.moc"
