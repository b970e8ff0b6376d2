#include "protocol/tokenestimator.h"
#include "testjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;

namespace {

using TestJson::object;

// A request whose only message has `content` (JSON text).
QJsonObject userMessage(const QByteArray &content)
{
    return object(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":)" + content + "}]}");
}

} // namespace

class TstTokenEstimator final : public QObject {
    Q_OBJECT

private slots:
    void shouldEstimateHandComputedRequests_data();
    void shouldEstimateHandComputedRequests();
    void shouldGrowWithEveryMessage();
    void shouldGrowWithEveryTool();
    void shouldBeDeterministic();
    void shouldSaturateInsteadOfOverflowing();
};

// Each row's comment is the hand computation: ceil(UTF-8 bytes / 4) per text, +4 per message, +8 per tool.
void TstTokenEstimator::shouldEstimateHandComputedRequests_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<int>("expected");
    QTest::addRow("empty request is at least 1") << QJsonObject() << 1;
    QTest::addRow("string content") << userMessage(R"("Hello, world")") << 3 + 4; // 12 bytes
    QTest::addRow("text rounds up") << userMessage(R"("Hello")") << 2 + 4; // 5 bytes
    QTest::addRow("empty text") << userMessage(R"("")") << 4;
    QTest::addRow("UTF-8 bytes, not characters") << userMessage(R"("日本語")") << 3 + 4; // 9 bytes
    QTest::addRow("text blocks each rounded")
        << userMessage(R"([{"type":"text","text":"abcde"},{"type":"text","text":"fgh"}])") << 2 + 1 + 4;
    QTest::addRow("system string") << object(R"({"system":"You are helpful.","messages":[]})") << 4; // 16 bytes
    QTest::addRow("system blocks") << object(
        R"({"system":[{"type":"text","text":"abcde"},{"type":"text","text":"abcd",)"
        R"("cache_control":{"type":"ephemeral"}}]})")
                                   << 2 + 1;
    QTest::addRow("image base64") << userMessage(R"([{"type":"image","source":{"type":"base64",)"
                                                 R"("media_type":"image/png","data":"iVBORw0KGgo="}}])")
                                  << 1600 + 4;
    QTest::addRow("image url") << userMessage(R"([{"type":"image","source":{"type":"url","url":"https://x/y.png"}}])")
                               << 1600 + 4;
    QTest::addRow("tool_use name and compact input") << object(
        R"({"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash",)"
        R"("input":{ "command" : "ls" }}]}]})") << 1 + 4 + 4; // "Bash" 4 bytes; {"command":"ls"} 16 bytes
    QTest::addRow("tool_result string") << userMessage(R"([{"type":"tool_result","tool_use_id":"t",)"
                                                       R"("content":"file.txt"}])")
                                        << 2 + 4;
    QTest::addRow("tool_result blocks recursively")
        << userMessage(R"([{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"abc"},)"
                       R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]}])")
        << 1 + 1600 + 4;
    QTest::addRow("thinking text") << object(R"({"messages":[{"role":"assistant","content":[{"type":"thinking",)"
                                             R"("thinking":"hmm, ok","signature":"sig"}]}]})")
                                   << 2 + 4; // 7 bytes; the signature is not counted
    QTest::addRow("document base64: decoded size / 4") << userMessage(
        R"([{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":")"
        + QByteArray(400, 'A') + R"("}}])") << 75 + 4; // 400 * 3 / 4 = 300 bytes -> 75
    QTest::addRow("document text source")
        << userMessage(R"([{"type":"document","source":{"type":"text","media_type":"text/plain","data":"12345678"}}])")
        << 2 + 4;
    QTest::addRow("document content source")
        << userMessage(R"([{"type":"document","source":{"type":"content","content":[{"type":"text","text":"abcd"}]}}])")
        << 1 + 4;
    QTest::addRow("unknown blocks count nothing") << userMessage(R"([{"type":"server_tool_use","name":"x"}])") << 4;
    QTest::addRow("tool") << object(R"({"tools":[{"name":"Bash","description":"Run a command",)"
                                    R"("input_schema":{"type":"object"}}]})")
                          << 8 + 1 + 4 + 5; // 4, 13 and 17 bytes
    QTest::addRow("tool without description")
        << object(R"({"tools":[{"name":"abcde","input_schema":{}}]})") << 8 + 2 + 1; // "{}" is 2 bytes
    QTest::addRow("everything together") << object(
        R"({"system":"You are helpful.","messages":[{"role":"user","content":"Hello, world"},)"
        R"({"role":"assistant","content":"Hi"}],"tools":[{"name":"abcde","input_schema":{}}]})")
                                         << 4 + (3 + 4) + (1 + 4) + (8 + 2 + 1);
}

void TstTokenEstimator::shouldEstimateHandComputedRequests()
{
    QFETCH(QJsonObject, request);
    QFETCH(int, expected);
    QCOMPARE(Proxy::estimateInputTokens(request), expected);
}

void TstTokenEstimator::shouldGrowWithEveryMessage()
{
    QJsonObject request = userMessage(R"("Hello")");
    int previous = Proxy::estimateInputTokens(request);
    for (const QString &content : { u"Hi"_s, QString(), u"A longer reply with several words."_s }) {
        QJsonArray messages = request.value(u"messages"_s).toArray();
        messages.append(QJsonObject{ { u"role"_s, u"assistant"_s }, { u"content"_s, content } });
        request.insert(u"messages"_s, messages);
        const int current = Proxy::estimateInputTokens(request);
        QVERIFY2(current > previous, qPrintable(u"%1 <= %2"_s.arg(current).arg(previous)));
        previous = current;
    }
}

void TstTokenEstimator::shouldGrowWithEveryTool()
{
    QJsonObject request = userMessage(R"("Hello")");
    int previous = Proxy::estimateInputTokens(request);
    QJsonArray tools;
    // Even a tool with an empty name and no schema adds its fixed 8.
    for (const QByteArray &tool : { QByteArray(R"({"name":""})"), QByteArray(R"({"name":"Read"})"),
             QByteArray(R"({"name":"Bash","description":"Run","input_schema":{}})") }) {
        tools.append(object(tool));
        request.insert(u"tools"_s, tools);
        const int current = Proxy::estimateInputTokens(request);
        QVERIFY2(current > previous, qPrintable(u"%1 <= %2"_s.arg(current).arg(previous)));
        previous = current;
    }
    QCOMPARE(previous, (2 + 4) + 8 + (8 + 1) + (8 + 1 + 1 + 1)); // "Hello"; "", "Read"; "Bash", "Run", "{}"
}

void TstTokenEstimator::shouldBeDeterministic()
{
    const QJsonObject request = userMessage(R"([{"type":"tool_use","name":"Bash","input":{"b":1,"a":[2,3]}}])");
    QCOMPARE(Proxy::estimateInputTokens(request), Proxy::estimateInputTokens(QJsonObject(request)));
    QCOMPARE(Proxy::estimateInputTokens(request), 1 + 5 + 4); // {"a":[2,3],"b":1}: 17 bytes, keys sorted
}

// 1,342,178 image blocks (1,600 tokens each) fit in a 23 MB body, under the 32 MiB limit, and add up to more than
// INT_MAX: the sum used to overflow (undefined behaviour, a negative or wrapped estimate).
void TstTokenEstimator::shouldSaturateInsteadOfOverflowing()
{
    constexpr int images = 1'342'178;
    const QByteArray image = R"({"type":"image"},)";
    QByteArray content = "[" + image.repeated(images);
    content.back() = ']';
    QVERIFY(content.size() < 32 * 1024 * 1024);
    const QJsonObject request = userMessage(content);
    QCOMPARE(request.value(u"messages"_s)[0][u"content"_s].toArray().size(), images);
    QCOMPARE(Proxy::estimateInputTokens(request), std::numeric_limits<int>::max());
}

QTEST_GUILESS_MAIN(TstTokenEstimator)
#include "tst_tokenestimator.moc"
