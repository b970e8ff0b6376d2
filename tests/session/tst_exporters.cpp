#include "session/exporters.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Proxy;
using namespace Qt::StringLiterals;
using Kind = ObservedEvent::Kind;

namespace {

// Secrets planted where a careless export would leak them.
constexpr auto headerKey = "sk-ant-api03-plantedHeaderKey0000000000";   // in a credential header's value
constexpr auto configuredSecret = "configured-upstream-secret-7777";     // a configured secret, in a chunk
constexpr auto bodyFieldSecret = "body-field-secret-value-31337";        // an "api_key" field in a body

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

Redactor redactor()
{
    Redactor r;
    r.addSecret(configuredSecret);
    return r;
}

class Builder
{
public:
    explicit Builder(QByteArray id)
        : m_id(std::move(id))
    {
    }

    Builder &add(Kind kind, const QByteArray &name, const QByteArray &data, quint64 cause = 0)
    {
        m_ns += 10'000'000; // 10 ms apart
        m_events.append({m_sequence++, m_ns, m_id, kind, name, data, cause});
        return *this;
    }
    [[nodiscard]] quint64 last() const { return m_events.last().sequence; }

    RecordedExchange build() const
    {
        RecordedExchange exchange;
        for (const ObservedEvent &event : m_events) {
            if (event.kind == Kind::ExchangeStarted)
                exchange.record = ExchangeRecord::fromStarted(m_id, event.data, event.timestampNs);
            else if (event.kind == Kind::ExchangeFinished)
                exchange.record.applyFinished(event.data);
        }
        exchange.events = m_events;
        return exchange;
    }

private:
    QByteArray m_id;
    QList<ObservedEvent> m_events;
    quint64 m_sequence = 100;
    qint64 m_ns = 5'000'000'000;
};

QByteArray started(const QByteArray &id, bool stream, const QString &path = u"/v1/messages"_s)
{
    return json({{u"kind"_s, u"request"_s},
                 {u"request_id"_s, QString::fromLatin1(id)},
                 {u"time"_s, u"2026-11-26T00:30:00.250Z"_s},
                 {u"method"_s, u"POST"_s},
                 {u"path"_s, path},
                 {u"client"_s, u"claude-cli/2.0.0"_s},
                 {u"model"_s, u"claude-sonnet-4-5"_s},
                 {u"upstream_model"_s, u"gpt-4o"_s},
                 {u"upstream"_s, u"OpenAI"_s},
                 {u"stream"_s, stream},
                 // As if the exchange had not redacted: the export must mask by header name on its own.
                 {u"headers"_s, QJsonObject{{u"x-api-key"_s, QString::fromLatin1(headerKey)},
                                           {u"content-type"_s, u"application/json"_s},
                                           {u"anthropic-version"_s, u"2023-06-01"_s},
                                           {u"host"_s, u"127.0.0.1:9999"_s}}}});
}

QByteArray requestBody(bool stream)
{
    return json({{u"model"_s, u"claude-sonnet-4-5"_s},
                 {u"max_tokens"_s, 256},
                 {u"stream"_s, stream},
                 {u"metadata"_s, QJsonObject{{u"api_key"_s, QString::fromLatin1(bodyFieldSecret)}}},
                 {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s},
                                                        {u"content"_s, u"What's the weather? It's 'quoted'."_s}}}}});
}

RecordedExchange streamingWithToolCall()
{
    const QByteArray id = "req_stream";
    Builder b(id);
    b.add(Kind::ExchangeStarted, "request", started(id, true, u"/v1/messages?beta=true"_s));
    b.add(Kind::RequestBody, "body", requestBody(true));
    b.add(Kind::UpstreamChunk, "data",
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"get_weather","arguments":""}}]}}],"note":")"
              + QByteArray(configuredSecret) + R"("})");
    const quint64 first = b.last();
    b.add(Kind::ClientEvent, "message_start", R"({"message":{"id":"msg_1","role":"assistant"},"type":"message_start"})", first);
    b.add(Kind::ClientEvent, "content_block_start",
          R"({"content_block":{"id":"toolu_1","input":{},"name":"get_weather","type":"tool_use"},"index":0,"type":"content_block_start"})",
          first);
    b.add(Kind::UpstreamChunk, "data",
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Oslo\"}"}}]}}]})");
    const quint64 second = b.last();
    b.add(Kind::ClientEvent, "content_block_delta",
          R"({"delta":{"partial_json":"{\"city\":\"Oslo\"}","type":"input_json_delta"},"index":0,"type":"content_block_delta"})",
          second);
    b.add(Kind::UpstreamChunk, "data", "[DONE]");
    const quint64 done = b.last();
    b.add(Kind::ClientEvent, "content_block_stop", R"({"index":0,"type":"content_block_stop"})", done);
    b.add(Kind::ClientEvent, "message_delta",
          R"({"delta":{"stop_reason":"tool_use","stop_sequence":null},"type":"message_delta","usage":{"output_tokens":9}})", done);
    b.add(Kind::ClientEvent, "message_stop", R"({"type":"message_stop"})", done);
    b.add(Kind::ExchangeFinished, "response",
          json({{u"kind"_s, u"response"_s}, {u"status"_s, 200}, {u"outcome"_s, u"completed"_s}, {u"stream"_s, true},
                {u"duration_ms"_s, 120}, {u"ttft_ms"_s, 40}, {u"stop_reason"_s, u"tool_use"_s},
                {u"usage"_s, QJsonObject{{u"input_tokens"_s, 20}, {u"output_tokens"_s, 9}}}}));
    return b.build();
}

QByteArray nonStreamingMessage()
{
    return json({{u"id"_s, u"msg_2"_s},
                 {u"type"_s, u"message"_s},
                 {u"role"_s, u"assistant"_s},
                 {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"Hello"_s}}}},
                 {u"stop_reason"_s, u"end_turn"_s}});
}

RecordedExchange nonStreaming()
{
    const QByteArray id = "req_json";
    Builder b(id);
    b.add(Kind::ExchangeStarted, "request", started(id, false));
    b.add(Kind::RequestBody, "body", requestBody(false));
    b.add(Kind::UpstreamChunk, "body", R"({"choices":[{"message":{"content":"Hello"},"finish_reason":"stop"}]})");
    b.add(Kind::ClientEvent, "message", nonStreamingMessage(), b.last());
    b.add(Kind::ExchangeFinished, "response",
          json({{u"kind"_s, u"response"_s}, {u"status"_s, 200}, {u"outcome"_s, u"completed"_s},
                {u"duration_ms"_s, 80}, {u"stop_reason"_s, u"end_turn"_s}}));
    return b.build();
}

RecordedExchange failed()
{
    const QByteArray id = "req_failed";
    Builder b(id);
    b.add(Kind::ExchangeStarted, "request", started(id, true));
    b.add(Kind::UpstreamChunk, "body", R"({"error":{"message":"Rate limit reached","type":"rate_limit"}})");
    b.add(Kind::ExchangeFinished, "response",
          json({{u"kind"_s, u"response"_s}, {u"status"_s, 429}, {u"outcome"_s, u"failed"_s},
                {u"duration_ms"_s, 30},
                {u"error"_s, QJsonObject{{u"type"_s, u"rate_limit_error"_s}, {u"message"_s, u"Rate limit reached"_s}}}}));
    return b.build();
}

QList<RecordedExchange> all()
{
    return {streamingWithToolCall(), nonStreaming(), failed()};
}

QList<QJsonObject> parseLines(const QByteArray &jsonl)
{
    QList<QJsonObject> lines;
    if (!jsonl.endsWith('\n'))
        return lines;
    const QList<QByteArray> raw = jsonl.chopped(1).split('\n');
    for (const QByteArray &line : raw) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            return {};
        lines.append(document.object());
    }
    return lines;
}

// Splits a POSIX shell command into words the way sh would (quotes, backslash-newline, comments), without
// expanding anything: "$VAR" stays literal.
QStringList shellWords(const QString &command)
{
    QStringList words;
    QString word;
    bool inWord = false;
    for (qsizetype i = 0; i < command.size(); ++i) {
        const QChar c = command[i];
        if (c == u'\'') {
            const qsizetype end = command.indexOf(u'\'', i + 1);
            if (end < 0)
                return {};
            word += command.mid(i + 1, end - i - 1);
            inWord = true;
            i = end;
        } else if (c == u'"') {
            ++i;
            for (; i < command.size() && command[i] != u'"'; ++i) {
                if (command[i] == u'\\' && i + 1 < command.size() && u"$`\"\\\n"_s.contains(command[i + 1]))
                    ++i;
                word += command[i];
            }
            if (i >= command.size())
                return {};
            inWord = true;
        } else if (c == u'\\' && i + 1 < command.size()) {
            ++i;
            if (command[i] != u'\n') {
                word += command[i];
                inWord = true;
            }
        } else if (c == u'#' && !inWord) {
            while (i < command.size() && command[i] != u'\n')
                ++i;
        } else if (c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words.append(word);
    return words;
}

} // namespace

class TstExporters final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldWriteAnExchangeLineThenOneLinePerEvent()
    {
        const QList<RecordedExchange> exchanges = all();
        const QList<QJsonObject> lines = parseLines(exportJsonl(exchanges, redactor()));
        qsizetype expected = 0;
        for (const RecordedExchange &exchange : exchanges)
            expected += 1 + exchange.events.size();
        QCOMPARE(lines.size(), expected);

        qsizetype at = 0;
        for (const RecordedExchange &exchange : exchanges) {
            const QJsonObject header = lines[at++];
            QCOMPARE(header.value(u"type"_s).toString(), u"exchange"_s);
            QCOMPARE(header.value(u"schema"_s).toInt(), jsonlSchemaVersion);
            QCOMPARE(header.value(u"request_id"_s).toString(), QString::fromLatin1(exchange.record.requestId));
            QCOMPARE(header.value(u"started_at"_s).toString(), u"2026-11-26T00:30:00.250Z"_s);
            QCOMPARE(header.value(u"events"_s).toInt(), exchange.events.size());
            QVERIFY(header.value(u"request"_s).isObject());
            QCOMPARE(header.value(u"outcome"_s).toString(), exchange.record.outcome);
            double previous = -1;
            for (qsizetype i = 0; i < exchange.events.size(); ++i) {
                const QJsonObject line = lines[at++];
                const ObservedEvent &event = exchange.events[i];
                QCOMPARE(line.value(u"type"_s).toString(), u"event"_s);
                QCOMPARE(line.value(u"schema"_s).toInt(), jsonlSchemaVersion);
                QCOMPARE(line.value(u"request_id"_s).toString(), QString::fromLatin1(event.requestId));
                QCOMPARE(line.value(u"ordinal"_s).toInt(), i);
                QCOMPARE(line.value(u"seq"_s).toInteger(), qint64(event.sequence));
                QCOMPARE(line.value(u"kind"_s).toString(), eventKindName(event.kind));
                QCOMPARE(line.value(u"name"_s).toString(), QString::fromLatin1(event.name));
                const double t = line.value(u"t_ms"_s).toDouble();
                QCOMPARE(t, 10.0 * double(i)); // relative to the exchange's start, 10 ms apart
                QVERIFY(t > previous);
                previous = t;
                if (event.cause)
                    QCOMPARE(line.value(u"cause"_s).toInteger(), qint64(event.cause));
                else
                    QVERIFY(line.value(u"cause"_s).isNull());
            }
        }

        // Kinds, and data as JSON when it is JSON, else as a string.
        const QJsonObject firstChunk = lines[3];
        QCOMPARE(firstChunk.value(u"kind"_s).toString(), u"upstream_chunk"_s);
        QVERIFY(firstChunk.value(u"data"_s).toObject().contains(u"choices"_s));
        const QJsonObject delta = lines[7];
        QCOMPARE(delta.value(u"kind"_s).toString(), u"client_event"_s);
        QCOMPARE(delta.value(u"data"_s).toObject().value(u"delta"_s).toObject().value(u"partial_json"_s).toString(),
                 uR"({"city":"Oslo"})"_s);
        const QJsonObject doneChunk = lines[8];
        QCOMPARE(doneChunk.value(u"data"_s).toString(), u"[DONE]"_s);
        QCOMPARE(lines[1].value(u"kind"_s).toString(), u"exchange_started"_s);
        QCOMPARE(lines[2].value(u"kind"_s).toString(), u"request_body"_s);
        QCOMPARE(lines[12].value(u"kind"_s).toString(), u"exchange_finished"_s);
        QCOMPARE(lines[13].value(u"type"_s).toString(), u"exchange"_s);
        // The summary fields of the exchange line.
        QCOMPARE(lines[0].value(u"status"_s).toInt(), 200);
        QCOMPARE(lines[0].value(u"ttft_ms"_s).toInt(), 40);
        QCOMPARE(lines[0].value(u"output_tokens"_s).toInt(), 9);
        const QJsonObject failedHeader = lines[at - 4];
        QCOMPARE(failedHeader.value(u"request_id"_s).toString(), u"req_failed"_s);
        QCOMPARE(failedHeader.value(u"error"_s).toObject().value(u"type"_s).toString(), u"rate_limit_error"_s);
        QVERIFY(failedHeader.value(u"ttft_ms"_s).isNull());
    }

    void shouldExportNothingForNoExchanges()
    {
        QVERIFY(exportJsonl({}, redactor()).isEmpty());
        const QJsonObject log = QJsonDocument::fromJson(exportHar({}, redactor(), u"1.0"_s)).object().value(u"log"_s).toObject();
        QCOMPARE(log.value(u"version"_s).toString(), u"1.2"_s);
        QVERIFY(log.value(u"entries"_s).isArray());
        QVERIFY(log.value(u"entries"_s).toArray().isEmpty());
    }

    void shouldProduceAHar12Log()
    {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(
            exportHar(all(), redactor(), u"0.1.0"_s, QUrl(u"http://127.0.0.1:8082"_s)), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonObject log = document.object().value(u"log"_s).toObject();
        QCOMPARE(log.value(u"version"_s).toString(), u"1.2"_s);
        QCOMPARE(log.value(u"creator"_s).toObject().value(u"name"_s).toString(), u"Switchyard"_s);
        QCOMPARE(log.value(u"creator"_s).toObject().value(u"version"_s).toString(), u"0.1.0"_s);
        const QJsonArray entries = log.value(u"entries"_s).toArray();
        QCOMPARE(entries.size(), 3);

        // Every field HAR 1.2 requires, with its type.
        for (const QJsonValue &value : entries) {
            const QJsonObject entry = value.toObject();
            QVERIFY(QDateTime::fromString(entry.value(u"startedDateTime"_s).toString(), Qt::ISODateWithMs).isValid());
            QVERIFY(entry.value(u"time"_s).isDouble());
            QVERIFY(entry.value(u"cache"_s).isObject());
            const QJsonObject request = entry.value(u"request"_s).toObject();
            for (const QString &key : {u"method"_s, u"url"_s, u"httpVersion"_s})
                QVERIFY2(request.value(key).isString(), qPrintable(key));
            for (const QString &key : {u"cookies"_s, u"headers"_s, u"queryString"_s})
                QVERIFY2(request.value(key).isArray(), qPrintable(key));
            QCOMPARE(request.value(u"headersSize"_s).toInt(), -1);
            QVERIFY(request.value(u"bodySize"_s).isDouble());
            for (const QJsonValue &header : request.value(u"headers"_s).toArray()) {
                QVERIFY(header.toObject().value(u"name"_s).isString());
                QVERIFY(header.toObject().value(u"value"_s).isString());
            }
            const QJsonObject response = entry.value(u"response"_s).toObject();
            QVERIFY(response.value(u"status"_s).isDouble());
            for (const QString &key : {u"statusText"_s, u"httpVersion"_s, u"redirectURL"_s})
                QVERIFY2(response.value(key).isString(), qPrintable(key));
            QVERIFY(response.value(u"cookies"_s).isArray());
            QVERIFY(response.value(u"headers"_s).isArray());
            QCOMPARE(response.value(u"headersSize"_s).toInt(), -1);
            QVERIFY(response.value(u"bodySize"_s).isDouble());
            const QJsonObject content = response.value(u"content"_s).toObject();
            QVERIFY(content.value(u"size"_s).isDouble());
            QVERIFY(content.value(u"mimeType"_s).isString());
            const QJsonObject timings = entry.value(u"timings"_s).toObject();
            for (const QString &key : {u"send"_s, u"wait"_s, u"receive"_s})
                QVERIFY2(timings.value(key).toDouble(-1) >= 0, qPrintable(key));
            QCOMPARE(timings.value(u"send"_s).toDouble() + timings.value(u"wait"_s).toDouble()
                         + timings.value(u"receive"_s).toDouble(),
                     entry.value(u"time"_s).toDouble());
        }

        // The streamed exchange with a tool call.
        const QJsonObject stream = entries[0].toObject();
        QCOMPARE(stream.value(u"startedDateTime"_s).toString(), u"2026-11-26T00:30:00.250Z"_s);
        QCOMPARE(stream.value(u"time"_s).toInt(), 120);
        QCOMPARE(stream.value(u"timings"_s).toObject().value(u"wait"_s).toInt(), 40);
        QCOMPARE(stream.value(u"timings"_s).toObject().value(u"receive"_s).toInt(), 80);
        const QJsonObject request = stream.value(u"request"_s).toObject();
        QCOMPARE(request.value(u"method"_s).toString(), u"POST"_s);
        QCOMPARE(request.value(u"url"_s).toString(), u"http://127.0.0.1:8082/v1/messages?beta=true"_s);
        QCOMPARE(request.value(u"httpVersion"_s).toString(), u"HTTP/1.1"_s);
        const QJsonArray expectedQuery{QJsonObject{{u"name"_s, u"beta"_s}, {u"value"_s, u"true"_s}}};
        QCOMPARE(request.value(u"queryString"_s).toArray(), expectedQuery);
        const QJsonObject postData = request.value(u"postData"_s).toObject();
        QCOMPARE(postData.value(u"mimeType"_s).toString(), u"application/json"_s);
        const QJsonObject body = QJsonDocument::fromJson(postData.value(u"text"_s).toString().toUtf8()).object();
        QCOMPARE(body.value(u"max_tokens"_s).toInt(), 256);
        QCOMPARE(body.value(u"metadata"_s).toObject().value(u"api_key"_s).toString(), QString::fromLatin1(Redactor::mask));
        QCOMPARE(request.value(u"bodySize"_s).toInt(), postData.value(u"text"_s).toString().toUtf8().size());
        const QJsonObject response = stream.value(u"response"_s).toObject();
        QCOMPARE(response.value(u"status"_s).toInt(), 200);
        QCOMPARE(response.value(u"statusText"_s).toString(), u"OK"_s);
        QCOMPARE(response.value(u"redirectURL"_s).toString(), QString());
        QVERIFY(response.value(u"headers"_s).toArray().contains(
            QJsonObject{{u"name"_s, u"request-id"_s}, {u"value"_s, u"req_stream"_s}}));
        QVERIFY(response.value(u"headers"_s).toArray().contains(
            QJsonObject{{u"name"_s, u"content-type"_s}, {u"value"_s, u"text/event-stream"_s}}));
        const QJsonObject content = response.value(u"content"_s).toObject();
        QCOMPARE(content.value(u"mimeType"_s).toString(), u"text/event-stream"_s);
        const QString sse = content.value(u"text"_s).toString();
        QVERIFY(sse.startsWith(u"event: message_start\ndata: {"_s));
        QVERIFY(sse.endsWith(u"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"_s));
        QCOMPARE(sse.count(u"event: "_s), 6);
        QVERIFY(sse.contains(u"\"type\":\"input_json_delta\""_s));
        QCOMPARE(content.value(u"size"_s).toInt(), sse.toUtf8().size());
        QCOMPARE(QString::fromUtf8(clientResponseBody(streamingWithToolCall(), redactor())), sse);

        // The JSON answer.
        const QJsonObject json = entries[1].toObject();
        QCOMPARE(json.value(u"timings"_s).toObject().value(u"wait"_s).toInt(), 80); // no ttft: all waiting
        const QJsonObject jsonContent = json.value(u"response"_s).toObject().value(u"content"_s).toObject();
        QCOMPARE(jsonContent.value(u"mimeType"_s).toString(), u"application/json"_s);
        QCOMPARE(QJsonDocument::fromJson(jsonContent.value(u"text"_s).toString().toUtf8()),
                 QJsonDocument::fromJson(nonStreamingMessage()));

        // The failure: the error body the client got, rebuilt from the summary.
        const QJsonObject failure = entries[2].toObject();
        const QJsonObject failedResponse = failure.value(u"response"_s).toObject();
        QCOMPARE(failedResponse.value(u"status"_s).toInt(), 429);
        QCOMPARE(failedResponse.value(u"statusText"_s).toString(), u"Too Many Requests"_s);
        const QJsonObject errorBody = QJsonDocument::fromJson(
            failedResponse.value(u"content"_s).toObject().value(u"text"_s).toString().toUtf8()).object();
        QCOMPARE(errorBody.value(u"type"_s).toString(), u"error"_s);
        QCOMPARE(errorBody.value(u"error"_s).toObject().value(u"type"_s).toString(), u"rate_limit_error"_s);
        QCOMPARE(errorBody.value(u"request_id"_s).toString(), u"req_failed"_s);
        QVERIFY(!failure.value(u"request"_s).toObject().contains(u"postData"_s)); // not recorded
        QCOMPARE(failure.value(u"request"_s).toObject().value(u"bodySize"_s).toInt(), -1);
        QVERIFY(failure.value(u"comment"_s).toString().contains(u"rate_limit_error"_s));
    }

    void shouldUseTheRecordedHostWithoutAProxyUrl()
    {
        const QJsonObject log = QJsonDocument::fromJson(exportHar({nonStreaming()}, redactor(), u"0.1.0"_s))
                                    .object().value(u"log"_s).toObject();
        QCOMPARE(log.value(u"entries"_s).toArray().first().toObject().value(u"request"_s).toObject()
                     .value(u"url"_s).toString(),
                 u"http://127.0.0.1:9999/v1/messages"_s);
    }

    void shouldKeepPlantedSecretsOutOfEveryExport()
    {
        const QList<RecordedExchange> exchanges = all();
        QList<QPair<QString, QByteArray>> exports{
            {u"jsonl"_s, exportJsonl(exchanges, redactor())},
            {u"har"_s, exportHar(exchanges, redactor(), u"0.1.0"_s, QUrl(u"http://127.0.0.1:8082"_s))},
        };
        for (const RecordedExchange &exchange : exchanges)
            exports.append({u"curl "_s + QString::fromLatin1(exchange.record.requestId),
                            curlCommand(exchange, QUrl(u"http://127.0.0.1:8082"_s), redactor()).toUtf8()});
        for (const auto &[what, bytes] : exports) {
            QVERIFY2(!bytes.isEmpty(), qPrintable(what));
            for (const char *secret : {headerKey, configuredSecret, bodyFieldSecret})
                QVERIFY2(!bytes.contains(secret), qPrintable(what + u" leaks "_s + QString::fromLatin1(secret)));
        }
        // The planted values were there to leak: what the export shows instead is the mask.
        QVERIFY(exports[0].second.contains(Redactor::mask));
        QVERIFY(exports[1].second.contains(Redactor::mask));
    }

    void shouldBuildACurlCommandThatRoundTripsTheBody()
    {
        const RecordedExchange exchange = streamingWithToolCall();
        const QString command = curlCommand(exchange, QUrl(u"http://127.0.0.1:8082/"_s), redactor());
        const QStringList words = shellWords(command);
        QVERIFY2(words.size() >= 4, qPrintable(command));
        QCOMPARE(words[0], u"curl"_s);
        QVERIFY(words.contains(u"-N"_s)); // a stream: print events as they arrive
        QVERIFY(words.contains(u"http://127.0.0.1:8082/v1/messages?beta=true"_s));

        QStringList headers;
        for (qsizetype i = 0; i + 1 < words.size(); ++i) {
            if (words[i] == u"-H"_s)
                headers.append(words[i + 1]);
        }
        QVERIFY(headers.contains(u"content-type: application/json"_s));
        QVERIFY(headers.contains(u"anthropic-version: 2023-06-01"_s));
        // The key comes from the environment, in double quotes so the shell expands it.
        QVERIFY(headers.contains(u"x-api-key: $ANTHROPIC_API_KEY"_s));
        QVERIFY(command.contains(u"\"x-api-key: $ANTHROPIC_API_KEY\""_s));

        const qsizetype data = words.indexOf(u"--data-binary"_s);
        QVERIFY(data > 0 && data + 1 < words.size());
        const QJsonDocument body = QJsonDocument::fromJson(words[data + 1].toUtf8());
        QVERIFY(body.isObject());
        const QByteArray recorded = exchange.events[1].data;
        QCOMPARE(body, QJsonDocument::fromJson(redactor().body(recorded)));
        // Quotes inside the body survive the shell quoting.
        QCOMPARE(body.object().value(u"messages"_s).toArray().first().toObject().value(u"content"_s).toString(),
                 u"What's the weather? It's 'quoted'."_s);
        QCOMPARE(body.object().value(u"metadata"_s).toObject().value(u"api_key"_s).toString(),
                 QString::fromLatin1(Redactor::mask));
    }

    void shouldAskForTheBodyWhenItWasNotRecorded()
    {
        const QString command = curlCommand(failed(), QUrl(u"http://127.0.0.1:8082"_s), redactor());
        QVERIFY(command.startsWith(u"# "_s));
        QVERIFY(command.contains(u"not recorded"_s));
        const QStringList words = shellWords(command);
        QCOMPARE(words.first(), u"curl"_s);
        QCOMPARE(words.last(), u"@request.json"_s);
        QVERIFY(!command.contains(QString::fromLatin1(headerKey)));
    }

    void shouldUseTheAuthTokenVariableForABearerClient()
    {
        const QByteArray id = "req_bearer";
        const QByteArray token = "sk-ant-oat01-plantedBearerToken00000000";
        Builder b(id);
        b.add(Kind::ExchangeStarted, "request",
              json({{u"method"_s, u"POST"_s},
                    {u"path"_s, u"/v1/messages"_s},
                    {u"headers"_s, QJsonObject{{u"Authorization"_s, QString(u"Bearer "_s + QString::fromLatin1(token))}}}}));
        b.add(Kind::RequestBody, "body", requestBody(false));
        const QString command = curlCommand(b.build(), QUrl(u"http://127.0.0.1:8082"_s), redactor());
        QVERIFY(shellWords(command).contains(u"authorization: Bearer $ANTHROPIC_AUTH_TOKEN"_s));
        QVERIFY(!command.contains(u"x-api-key"_s));
        QVERIFY(!command.contains(QString::fromLatin1(token)));
        QVERIFY(!command.contains(u" -N"_s)); // not a stream
    }

    void shouldNameEveryEventKind()
    {
        QCOMPARE(eventKindName(Kind::ExchangeStarted), u"exchange_started"_s);
        QCOMPARE(eventKindName(Kind::RequestBody), u"request_body"_s);
        QCOMPARE(eventKindName(Kind::UpstreamChunk), u"upstream_chunk"_s);
        QCOMPARE(eventKindName(Kind::ClientEvent), u"client_event"_s);
        QCOMPARE(eventKindName(Kind::Violation), u"violation"_s);
        QCOMPARE(eventKindName(Kind::ExchangeFinished), u"exchange_finished"_s);
    }
};

QTEST_GUILESS_MAIN(TstExporters)
#include "tst_exporters.moc"
