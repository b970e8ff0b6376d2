#include "exporters.h"

#include "protocol/error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

using Kind = ObservedEvent::Kind;

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A summary (ExchangeStarted/ExchangeFinished JSON) with secret-named fields, key-shaped tokens, configured
// secrets and credential headers masked.
QJsonObject redactedSummary(const QJsonObject &summary, const Redactor &redactor)
{
    if (summary.isEmpty())
        return summary;
    QJsonObject result = QJsonDocument::fromJson(redactor.body(compact(summary))).object();
    QJsonObject headers = result.value(u"headers"_s).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        if (Redactor::isSecretHeader(it.key().toLatin1()))
            it.value() = QString::fromLatin1(Redactor::mask);
    }
    if (result.contains(u"headers"_s))
        result.insert(u"headers"_s, headers);
    if (result.contains(u"path"_s))
        result.insert(u"path"_s, redactor.url(result.value(u"path"_s).toString()));
    return result;
}

// Event data as JSON when it is a JSON object or array, else as a string.
QJsonValue dataValue(const QByteArray &redacted)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(redacted, &error);
    if (error.error == QJsonParseError::NoError) {
        if (document.isObject())
            return document.object();
        if (document.isArray())
            return document.array();
    }
    return QString::fromUtf8(redacted);
}

QJsonValue orNull(qint64 value)
{
    return value >= 0 ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

// The exchange's start on the events' clock: its ExchangeStarted event, else the record's.
qint64 startNs(const RecordedExchange &exchange)
{
    for (const ObservedEvent &event : exchange.events) {
        if (event.kind == Kind::ExchangeStarted)
            return event.timestampNs;
    }
    return exchange.record.startedNs;
}

const ObservedEvent *requestBody(const RecordedExchange &exchange)
{
    for (const ObservedEvent &event : exchange.events) {
        if (event.kind == Kind::RequestBody)
            return &event;
    }
    return nullptr;
}

QString utcTime(const QDateTime &time)
{
    return (time.isValid() ? time : QDateTime::fromMSecsSinceEpoch(0, Qt::UTC)).toUTC().toString(Qt::ISODateWithMs);
}

QString statusText(int status)
{
    switch (status) {
    case 200: return u"OK"_s;
    case 400: return u"Bad Request"_s;
    case 401: return u"Unauthorized"_s;
    case 403: return u"Forbidden"_s;
    case 404: return u"Not Found"_s;
    case 405: return u"Method Not Allowed"_s;
    case 408: return u"Request Timeout"_s;
    case 413: return u"Payload Too Large"_s;
    case 429: return u"Too Many Requests"_s;
    case 500: return u"Internal Server Error"_s;
    case 502: return u"Bad Gateway"_s;
    case 503: return u"Service Unavailable"_s;
    case 504: return u"Gateway Timeout"_s;
    case 529: return u"Overloaded"_s;
    default: return {};
    }
}

QString headerValue(const QJsonObject &headers, const QString &lowerName)
{
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        if (it.key().compare(lowerName, Qt::CaseInsensitive) == 0)
            return it.value().toString();
    }
    return {};
}

QString baseUrl(const QUrl &proxyBaseUrl, const QJsonObject &headers)
{
    QString base;
    if (proxyBaseUrl.isValid() && !proxyBaseUrl.isEmpty())
        base = proxyBaseUrl.toString(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    else if (const QString host = headerValue(headers, u"host"_s); !host.isEmpty())
        base = u"http://"_s + host;
    else
        base = u"http://127.0.0.1"_s;
    while (base.endsWith(u'/'))
        base.chop(1);
    return base;
}

QString shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(u"'"_s, uR"('\'')"_s);
    return u'\'' + quoted + u'\'';
}

} // namespace

QString eventKindName(ObservedEvent::Kind kind)
{
    switch (kind) {
    case Kind::ExchangeStarted: return u"exchange_started"_s;
    case Kind::RequestBody: return u"request_body"_s;
    case Kind::UpstreamChunk: return u"upstream_chunk"_s;
    case Kind::ClientEvent: return u"client_event"_s;
    case Kind::Violation: return u"violation"_s;
    case Kind::ExchangeFinished: return u"exchange_finished"_s;
    }
    return u"unknown"_s;
}

QByteArray exportJsonl(const QList<RecordedExchange> &exchanges, const Redactor &redactor)
{
    QByteArray out;
    for (const RecordedExchange &exchange : exchanges) {
        const ExchangeRecord &r = exchange.record;
        const QString id = QString::fromLatin1(r.requestId);
        QJsonObject line{
            {u"type"_s, u"exchange"_s},
            {u"schema"_s, jsonlSchemaVersion},
            {u"request_id"_s, id},
            {u"started_at"_s, utcTime(r.startedAt)},
            {u"method"_s, r.method},
            {u"path"_s, redactor.url(r.path)},
            {u"client"_s, redactor.text(r.client)},
            {u"app"_s, redactor.text(r.app)},
            {u"session"_s, redactor.text(r.session)},
            {u"model"_s, r.model},
            {u"upstream_model"_s, r.upstreamModel},
            {u"upstream"_s, redactor.text(r.upstream)},
            {u"stream"_s, r.stream},
            {u"finished"_s, r.finished},
            {u"outcome"_s, r.outcome.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r.outcome)},
            {u"status"_s, r.status > 0 ? QJsonValue(r.status) : QJsonValue(QJsonValue::Null)},
            {u"ttft_ms"_s, orNull(r.firstTokenMs)},
            {u"duration_ms"_s, orNull(r.durationMs)},
            {u"input_tokens"_s, orNull(r.inputTokens)},
            {u"output_tokens"_s, orNull(r.outputTokens)},
            {u"stop_reason"_s, r.stopReason.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r.stopReason)},
            {u"violations"_s, r.violations},
            {u"events"_s, int(exchange.events.size())},
            {u"request"_s, redactedSummary(r.request, redactor)},
            {u"response"_s, r.response.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                 : QJsonValue(redactedSummary(r.response, redactor))},
        };
        if (!r.errorType.isEmpty()) {
            line.insert(u"error"_s, QJsonObject{{u"type"_s, r.errorType},
                                               {u"message"_s, redactor.text(r.errorMessage)}});
        }
        out += compact(line) + '\n';

        const qint64 start = startNs(exchange);
        for (qsizetype i = 0; i < exchange.events.size(); ++i) {
            const ObservedEvent &event = exchange.events[i];
            const QJsonObject eventLine{
                {u"type"_s, u"event"_s},
                {u"schema"_s, jsonlSchemaVersion},
                {u"request_id"_s, id},
                {u"ordinal"_s, int(i)},
                {u"seq"_s, qint64(event.sequence)},
                {u"t_ms"_s, double((event.timestampNs - start) / 1000) / 1000.0},
                {u"kind"_s, eventKindName(event.kind)},
                {u"name"_s, QString::fromUtf8(redactor.text(event.name))},
                {u"cause"_s, event.cause ? QJsonValue(qint64(event.cause)) : QJsonValue(QJsonValue::Null)},
                {u"data"_s, dataValue(redactor.body(event.data))},
            };
            out += compact(eventLine) + '\n';
        }
    }
    return out;
}

QByteArray clientResponseBody(const RecordedExchange &exchange, const Redactor &redactor)
{
    QByteArray sse;
    for (const ObservedEvent &event : exchange.events) {
        if (event.kind != Kind::ClientEvent)
            continue;
        if (event.name == "message") // a non-streaming answer: the whole body
            return redactor.body(event.data);
        sse += "event: " + redactor.text(event.name) + "\ndata: " + redactor.body(event.data) + "\n\n";
    }
    if (!sse.isEmpty())
        return sse;
    const ExchangeRecord &r = exchange.record;
    if (!r.errorType.isEmpty() && r.status > 0) {
        // Errors answered before any event are not published as client events; the summary has what was sent.
        const Error error = Error::make(errorTypeFromName(r.errorType), r.status, redactor.text(r.errorMessage));
        return anthropicErrorBody(error, r.requestId);
    }
    return {};
}

QByteArray exportHar(const QList<RecordedExchange> &exchanges, const Redactor &redactor,
                     const QString &creatorVersion, const QUrl &proxyBaseUrl)
{
    QJsonArray entries;
    for (const RecordedExchange &exchange : exchanges) {
        const ExchangeRecord &r = exchange.record;
        const QJsonObject summary = redactedSummary(r.request, redactor);
        const QJsonObject recordedHeaders = summary.value(u"headers"_s).toObject();
        const QString path = redactor.url(r.path.isEmpty() ? u"/"_s : r.path);

        QJsonArray requestHeaders;
        for (auto it = recordedHeaders.begin(); it != recordedHeaders.end(); ++it)
            requestHeaders.append(QJsonObject{{u"name"_s, it.key()}, {u"value"_s, it.value().toString()}});
        QJsonArray queryString;
        if (const qsizetype question = path.indexOf(u'?'); question >= 0) {
            const QUrlQuery query(path.mid(question + 1));
            const auto items = query.queryItems(QUrl::FullyDecoded);
            for (const auto &[name, value] : items)
                queryString.append(QJsonObject{{u"name"_s, name}, {u"value"_s, value}});
        }
        QJsonObject request{
            {u"method"_s, r.method.isEmpty() ? u"POST"_s : r.method},
            {u"url"_s, QString(baseUrl(proxyBaseUrl, recordedHeaders) + path)},
            {u"httpVersion"_s, u"HTTP/1.1"_s},
            {u"cookies"_s, QJsonArray()},
            {u"headers"_s, requestHeaders},
            {u"queryString"_s, queryString},
            {u"headersSize"_s, -1},
            {u"bodySize"_s, -1},
        };
        if (const ObservedEvent *body = requestBody(exchange)) {
            const QByteArray text = redactor.body(body->data);
            const QString mimeType = headerValue(recordedHeaders, u"content-type"_s);
            QJsonObject postData{{u"mimeType"_s, mimeType.isEmpty() ? u"application/json"_s : mimeType},
                                 {u"text"_s, QString::fromUtf8(text)}};
            if (body->name == "body-truncated")
                postData.insert(u"comment"_s, u"truncated by Switchyard when it was recorded"_s);
            else
                request.insert(u"bodySize"_s, text.size());
            request.insert(u"postData"_s, postData);
        } else {
            request.insert(u"comment"_s, u"the request body was not recorded (turn on recording of request bodies)"_s);
        }

        const QByteArray responseText = clientResponseBody(exchange, redactor);
        const bool eventStream = r.stream && responseText.startsWith("event: ");
        const QString mimeType = eventStream ? u"text/event-stream"_s : u"application/json"_s;
        QJsonObject content{{u"size"_s, responseText.size()}, {u"mimeType"_s, mimeType}};
        if (!responseText.isEmpty())
            content.insert(u"text"_s, QString::fromUtf8(responseText));
        if (r.outcome == u"interrupted")
            content.insert(u"comment"_s, u"Switchyard stopped before this exchange finished"_s);
        else if (!r.finished)
            content.insert(u"comment"_s, u"still in flight when exported"_s);
        const QJsonObject response{
            {u"status"_s, r.status},
            {u"statusText"_s, statusText(r.status)},
            {u"httpVersion"_s, u"HTTP/1.1"_s},
            {u"cookies"_s, QJsonArray()},
            {u"headers"_s, QJsonArray{QJsonObject{{u"name"_s, u"content-type"_s}, {u"value"_s, mimeType}},
                                     QJsonObject{{u"name"_s, u"request-id"_s},
                                                 {u"value"_s, QString::fromLatin1(r.requestId)}}}},
            {u"content"_s, content},
            {u"redirectURL"_s, QString()},
            {u"headersSize"_s, -1},
            {u"bodySize"_s, responseText.isEmpty() ? -1 : responseText.size()},
        };

        const qint64 duration = qMax<qint64>(r.durationMs, 0);
        const qint64 wait = r.firstTokenMs >= 0 ? qMin(r.firstTokenMs, duration) : duration;
        QJsonObject entry{
            {u"startedDateTime"_s, utcTime(r.startedAt)},
            {u"time"_s, duration},
            {u"request"_s, request},
            {u"response"_s, response},
            {u"cache"_s, QJsonObject()},
            {u"timings"_s, QJsonObject{{u"send"_s, 0}, {u"wait"_s, wait}, {u"receive"_s, duration - wait}}},
            {u"_requestId"_s, QString::fromLatin1(r.requestId)},
            {u"_model"_s, r.model},
            {u"_upstreamModel"_s, r.upstreamModel},
            {u"_upstream"_s, redactor.text(r.upstream)},
        };
        QStringList notes;
        if (!r.outcome.isEmpty())
            notes.append(r.outcome);
        if (!r.errorType.isEmpty())
            notes.append(r.errorType + u": "_s + redactor.text(r.errorMessage));
        if (r.violations > 0)
            notes.append(u"%1 protocol violation(s)"_s.arg(r.violations));
        if (!notes.isEmpty())
            entry.insert(u"comment"_s, notes.join(u"; "_s));
        entries.append(entry);
    }
    const QJsonObject log{
        {u"version"_s, u"1.2"_s},
        {u"creator"_s, QJsonObject{{u"name"_s, u"Switchyard"_s}, {u"version"_s, creatorVersion}}},
        {u"entries"_s, entries},
    };
    return QJsonDocument(QJsonObject{{u"log"_s, log}}).toJson(QJsonDocument::Indented);
}

QString curlCommand(const RecordedExchange &exchange, const QUrl &proxyBaseUrl, const Redactor &redactor)
{
    const ExchangeRecord &r = exchange.record;
    const QJsonObject headers = redactedSummary(r.request, redactor).value(u"headers"_s).toObject();
    const QString method = r.method.isEmpty() ? u"POST"_s : r.method;
    const QString url = baseUrl(proxyBaseUrl, headers) + redactor.url(r.path.isEmpty() ? u"/v1/messages"_s : r.path);

    QStringList comments;
    QStringList parts{u"curl"_s};
    if (r.stream)
        parts.last() += u" -N"_s; // print events as they arrive
    if (method != u"POST"_s)
        parts.last() += u" -X "_s + shellQuote(method);
    parts.last() += u' ' + shellQuote(url);

    const QString contentType = headerValue(headers, u"content-type"_s);
    parts.append(u"-H "_s + shellQuote(u"content-type: "_s + (contentType.isEmpty() ? u"application/json"_s : contentType)));
    const QString version = headerValue(headers, u"anthropic-version"_s);
    parts.append(u"-H "_s + shellQuote(u"anthropic-version: "_s + (version.isEmpty() ? u"2023-06-01"_s : version)));
    if (const QString beta = headerValue(headers, u"anthropic-beta"_s); !beta.isEmpty())
        parts.append(u"-H "_s + shellQuote(u"anthropic-beta: "_s + beta));
    // The credential comes from the environment when the command runs; double quotes so the shell expands it.
    const bool bearer = !headerValue(headers, u"authorization"_s).isEmpty() && headerValue(headers, u"x-api-key"_s).isEmpty();
    parts.append(bearer ? u"-H \"authorization: Bearer $ANTHROPIC_AUTH_TOKEN\""_s : u"-H \"x-api-key: $ANTHROPIC_API_KEY\""_s);

    if (const ObservedEvent *body = requestBody(exchange)) {
        if (body->name == "body-truncated")
            comments.append(u"# The request body was truncated when it was recorded; this is what was kept."_s);
        parts.append(u"--data-binary "_s + shellQuote(QString::fromUtf8(redactor.body(body->data))));
    } else if (method == u"POST"_s) {
        comments.append(u"# The request body was not recorded (turn on recording of request bodies); put it in request.json."_s);
        parts.append(u"--data-binary @request.json"_s);
    }
    QString command = comments.join(u'\n');
    if (!command.isEmpty())
        command += u'\n';
    return command + parts.join(u" \\\n  "_s);
}

} // namespace Proxy
