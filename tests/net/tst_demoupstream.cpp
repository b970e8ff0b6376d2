// The built-in demo upstream: scripted but useful replies, reached through the real proxy like any upstream.
#include "net/demoupstream.h"
#include "net/proxyservice.h"
#include "protocol/protocolvalidator.h"
#include "protocol/streamtranslator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

namespace {

QJsonObject userTurn(const QString &text)
{
    return {{u"role"_s, u"user"_s}, {u"content"_s, text}};
}

QJsonObject messageOf(const QJsonObject &completion)
{
    return completion[u"choices"_s][0][u"message"_s].toObject();
}

} // namespace

class TstDemoUpstream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldEchoThePromptInPlainText()
    {
        const QJsonObject reply = DemoUpstream::completionFor({{u"messages"_s, QJsonArray{userTurn(u"ping 42"_s)}}});
        QVERIFY(messageOf(reply)[u"content"_s].toString().contains(u"ping 42"_s));
        QCOMPARE(reply[u"choices"_s][0][u"finish_reason"_s].toString(), u"stop"_s);
        QVERIFY(reply[u"usage"_s][u"prompt_tokens"_s].toInt() > 0);
    }

    void shouldCallAnOfferedToolWithRequiredArguments()
    {
        const QJsonObject tool{
            {u"type"_s, u"function"_s},
            {u"function"_s, QJsonObject{{u"name"_s, u"get_weather"_s},
                                        {u"parameters"_s, QJsonObject{
                                             {u"type"_s, u"object"_s},
                                             {u"properties"_s, QJsonObject{{u"city"_s, QJsonObject{{u"type"_s, u"string"_s}}},
                                                                           {u"days"_s, QJsonObject{{u"type"_s, u"integer"_s}}}}},
                                             {u"required"_s, QJsonArray{u"city"_s, u"days"_s}}}}}},
        };
        const QJsonObject reply = DemoUpstream::completionFor(
            {{u"messages"_s, QJsonArray{userTurn(u"weather in Oslo"_s)}}, {u"tools"_s, QJsonArray{tool}}});
        QCOMPARE(reply[u"choices"_s][0][u"finish_reason"_s].toString(), u"tool_calls"_s);
        const QJsonObject call = messageOf(reply)[u"tool_calls"_s][0].toObject();
        QCOMPARE(call[u"function"_s][u"name"_s].toString(), u"get_weather"_s);
        const QJsonObject arguments =
            QJsonDocument::fromJson(call[u"function"_s][u"arguments"_s].toString().toUtf8()).object();
        QVERIFY(arguments[u"city"_s].isString());
        QVERIFY(arguments[u"days"_s].isDouble());
    }

    void shouldEchoWhatTheUserTypedAndCallTheToolItNames()
    {
        const auto tool = [](const QString &name) {
            return QJsonObject{{u"type"_s, u"function"_s},
                               {u"function"_s, QJsonObject{{u"name"_s, name},
                                                           {u"parameters"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}};
        };
        const QJsonObject turn{{u"role"_s, u"user"_s},
                               {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"<system-reminder>ctx</system-reminder>"_s}},
                                                         QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"please use Glob now"_s}}}}};
        const QJsonObject plain = DemoUpstream::completionFor({{u"messages"_s, QJsonArray{turn}}});
        QVERIFY(messageOf(plain)[u"content"_s].toString().contains(u"please use Glob now"_s));
        QVERIFY(!messageOf(plain)[u"content"_s].toString().contains(u"ctx"_s));
        const QJsonObject withTools = DemoUpstream::completionFor(
            {{u"messages"_s, QJsonArray{turn}}, {u"tools"_s, QJsonArray{tool(u"Bash"_s), tool(u"Glob"_s)}}});
        QCOMPARE(messageOf(withTools)[u"tool_calls"_s][0][u"function"_s][u"name"_s].toString(), u"Glob"_s);
    }

    void shouldSummariseAToolResult()
    {
        const QJsonObject toolTurn{{u"role"_s, u"tool"_s}, {u"tool_call_id"_s, u"c1"_s}, {u"content"_s, u"sunny"_s}};
        const QJsonObject reply =
            DemoUpstream::completionFor({{u"messages"_s, QJsonArray{userTurn(u"weather"_s), toolTurn}},
                                         {u"tools"_s, QJsonArray{QJsonObject{}}}});
        QVERIFY(messageOf(reply)[u"content"_s].toString().contains(u"sunny"_s));
        QCOMPARE(reply[u"choices"_s][0][u"finish_reason"_s].toString(), u"stop"_s);
    }

    void shouldReasonWhenAsked()
    {
        const QJsonObject reply = DemoUpstream::completionFor(
            {{u"messages"_s, QJsonArray{userTurn(u"think"_s)}}, {u"reasoning_effort"_s, u"high"_s}});
        QVERIFY(!messageOf(reply)[u"reasoning_content"_s].toString().isEmpty());
    }

    void shouldHonourMaxTokens()
    {
        const QJsonObject reply = DemoUpstream::completionFor(
            {{u"messages"_s, QJsonArray{userTurn(u"hello"_s)}}, {u"max_tokens"_s, 3}});
        QCOMPARE(reply[u"choices"_s][0][u"finish_reason"_s].toString(), u"length"_s);
        QCOMPARE(messageOf(reply)[u"content"_s].toString().split(u' ').size(), 3);
    }

    void shouldStreamTheSameAnswerInChunks_data()
    {
        QTest::addColumn<QJsonObject>("request");
        const QJsonObject tool{{u"type"_s, u"function"_s},
                               {u"function"_s, QJsonObject{{u"name"_s, u"Bash"_s},
                                                           {u"parameters"_s, QJsonObject{
                                                                {u"type"_s, u"object"_s},
                                                                {u"properties"_s, QJsonObject{{u"command"_s, QJsonObject{{u"type"_s, u"string"_s}}}}},
                                                                {u"required"_s, QJsonArray{u"command"_s}}}}}}};
        QTest::addRow("text") << QJsonObject{{u"messages"_s, QJsonArray{userTurn(u"hi"_s)}}};
        QTest::addRow("reasoning") << QJsonObject{{u"messages"_s, QJsonArray{userTurn(u"hi"_s)}}, {u"reasoning_effort"_s, u"low"_s}};
        QTest::addRow("tool call") << QJsonObject{{u"messages"_s, QJsonArray{userTurn(u"list files"_s)}}, {u"tools"_s, QJsonArray{tool}}};
    }

    void shouldStreamTheSameAnswerInChunks()
    {
        QFETCH(QJsonObject, request);
        const QList<QByteArray> chunks = DemoUpstream::streamChunksFor(request);
        QCOMPARE(chunks.last(), QByteArray("[DONE]"));
        StreamTranslator translator({u"claude-x"_s, "msg_demo", 5, {}, {}});
        QByteArray transcript;
        QList<StreamEvent> events = translator.start();
        for (const QByteArray &chunk : chunks)
            events += translator.feed(chunk);
        for (const StreamEvent &event : std::as_const(events))
            transcript += event.toSse();
        bool endedWithError = true;
        const auto violations = ProtocolValidator::validateTranscript(transcript, &endedWithError);
        QVERIFY2(violations.isEmpty(), qPrintable(violations.value(0).message));
        QVERIFY(!endedWithError);
        const QJsonObject whole = DemoUpstream::completionFor(request);
        QCOMPARE(translator.stopReason(), whole[u"choices"_s][0][u"finish_reason"_s].toString() == u"tool_calls"_s
                                              ? u"tool_use"_s : u"end_turn"_s);
    }

    void shouldAnswerThroughTheProxyByDefault()
    {
        ProxyConfig config; // nothing configured: the demo
        config.listenPort = 0;
        ProxyService service(config);
        const Result<QUrl> url = service.start();
        QVERIFY(url.has_value());
        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(url->toString() + u"/v1/messages"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = nam.post(request, R"({"model":"claude-sonnet-4-5","max_tokens":200,
            "messages":[{"role":"user","content":"Hello demo"}]})");
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QJsonObject message = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(message[u"type"_s].toString(), u"message"_s);
        QVERIFY(message[u"content"_s][0][u"text"_s].toString().contains(u"Hello demo"_s));
        reply->deleteLater();
    }
};

QTEST_GUILESS_MAIN(TstDemoUpstream)
#include "tst_demoupstream.moc"
