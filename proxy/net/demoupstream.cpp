#include "demoupstream.h"

#include "protocol/ids.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr auto demoModel = "switchyard-demo";

QString messageText(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QStringList parts;
    const QJsonArray array = content.toArray();
    for (const QJsonValue &part : array) {
        if (part[u"type"_s].toString() == u"text"_s)
            parts.append(part[u"text"_s].toString());
    }
    return parts.join(u'\n');
}

// What the user typed: the last text part of a user turn. Clients such as Claude Code put reminders and
// context in earlier parts (or in <system-reminder> tags), which would make a confusing echo.
QString promptText(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    const QJsonArray array = content.toArray();
    for (qsizetype i = array.size() - 1; i >= 0; --i) {
        const QString text = array[i][u"text"_s].toString().trimmed();
        if (array[i][u"type"_s].toString() == u"text"_s && !text.isEmpty() && !text.startsWith(u"<system-reminder>"_s))
            return text;
    }
    return messageText(content);
}

// The tool the prompt names, if any, else the first one offered.
QJsonObject chooseTool(const QJsonArray &tools, const QString &prompt)
{
    for (const QJsonValue &tool : tools) {
        const QString name = tool[u"function"_s][u"name"_s].toString();
        if (!name.isEmpty() && prompt.contains(name, Qt::CaseInsensitive))
            return tool[u"function"_s].toObject();
    }
    return tools.first()[u"function"_s].toObject();
}

QString shorten(QString text, int max)
{
    text = text.simplified();
    return text.size() <= max ? text : text.left(max - 1) + u'\u2026';
}

int wordCount(const QString &text)
{
    static const QRegularExpression space(u"\\s+"_s);
    return int(text.split(space, Qt::SkipEmptyParts).size());
}

// A plausible value for a JSON-Schema property, so the demo's tool call passes the client's validation.
QJsonValue sampleValue(const QString &name, const QJsonObject &schema, const QString &prompt)
{
    if (schema.contains(u"enum"_s))
        return schema[u"enum"_s].toArray().first();
    const QString type = schema[u"type"_s].toString();
    if (type == u"integer"_s || type == u"number"_s)
        return 1;
    if (type == u"boolean"_s)
        return true;
    if (type == u"array"_s)
        return QJsonArray{};
    if (type == u"object"_s)
        return QJsonObject{};
    if (name.contains(u"command"_s))
        return u"echo 'Hello from the Switchyard demo'"_s;
    return shorten(prompt.isEmpty() ? name : prompt, 80);
}

QJsonObject toolArguments(const QJsonObject &function, const QString &prompt)
{
    const QJsonObject parameters = function[u"parameters"_s].toObject();
    const QJsonObject properties = parameters[u"properties"_s].toObject();
    QJsonArray wanted = parameters[u"required"_s].toArray();
    if (wanted.isEmpty() && !properties.isEmpty())
        wanted.append(properties.constBegin().key());
    QJsonObject arguments;
    for (const QJsonValue &name : std::as_const(wanted))
        arguments.insert(name.toString(),
                         sampleValue(name.toString(), properties[name.toString()].toObject(), prompt));
    return arguments;
}

} // namespace

DemoUpstream::DemoUpstream(QObject *parent)
    : QAbstractHttpServer(parent)
{
}

DemoUpstream::~DemoUpstream() = default;

bool DemoUpstream::start()
{
    auto *listener = new QTcpServer(this);
    if (!listener->listen(QHostAddress::LocalHost, 0)) {
        delete listener;
        return false;
    }
    bind(listener);
    m_listener = listener;
    return true;
}

QUrl DemoUpstream::baseUrl() const
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(m_listener ? m_listener->serverPort() : 0);
    url.setPath(u"/v1"_s);
    return url;
}

QJsonObject DemoUpstream::completionFor(const QJsonObject &chatRequest)
{
    const QJsonArray messages = chatRequest[u"messages"_s].toArray();
    const QJsonObject last = messages.isEmpty() ? QJsonObject{} : messages.last().toObject();
    QString prompt;
    for (qsizetype i = messages.size() - 1; i >= 0 && prompt.isEmpty(); --i) {
        if (messages[i][u"role"_s].toString() == u"user"_s)
            prompt = promptText(messages[i][u"content"_s]);
    }
    const QJsonArray tools = chatRequest[u"tools"_s].toArray();
    const bool toolsOffered = !tools.isEmpty() && chatRequest[u"tool_choice"_s].toString() != u"none"_s;

    QJsonObject message{{u"role"_s, u"assistant"_s}};
    QString finishReason = u"stop"_s;
    QString text;
    if (last[u"role"_s].toString() == u"tool"_s) {
        text = u"The tool returned: \u201c%1\u201d. That completes the demo round trip: Switchyard translated the "
               "tool call and its result in both directions."_s.arg(shorten(messageText(last[u"content"_s]), 200));
    } else if (toolsOffered) {
        const QJsonObject function = chooseTool(tools, prompt);
        text = u"I'll use the %1 tool for that."_s.arg(function[u"name"_s].toString());
        const QJsonObject call{
            {u"id"_s, QString::fromLatin1(makeId("call_"))},
            {u"type"_s, u"function"_s},
            {u"function"_s, QJsonObject{{u"name"_s, function[u"name"_s]},
                                        {u"arguments"_s, QString::fromUtf8(QJsonDocument(toolArguments(function, prompt))
                                                                               .toJson(QJsonDocument::Compact))}}},
        };
        message.insert(u"tool_calls"_s, QJsonArray{call});
        finishReason = u"tool_calls"_s;
    } else {
        text = u"Hello from Switchyard's built-in demo upstream! You said: \u201c%1\u201d. Every word of this "
               "reply travelled as an OpenAI Chat Completions response and reached you translated into the "
               "Anthropic Messages format. Point --upstream at an OpenAI-compatible API (for example "
               "https://api.openai.com/v1) and set SWITCHYARD_UPSTREAM_KEY to talk to a real model."_s
                   .arg(shorten(prompt, 200));
    }
    if (chatRequest.contains(u"reasoning_effort"_s)) {
        message.insert(u"reasoning_content"_s,
                       u"The user wrote \u201c%1\u201d. I am the demo upstream, so I will answer with my scripted "
                       "reply (reasoning effort: %2)."_s.arg(shorten(prompt, 120),
                                                            chatRequest[u"reasoning_effort"_s].toString()));
    }

    // Honour the token budget (one word ~ one token here) so max_tokens behaves as with a real model.
    const int budget = chatRequest[u"max_completion_tokens"_s].toInt(chatRequest[u"max_tokens"_s].toInt(1 << 30));
    if (finishReason == u"stop"_s && wordCount(text) > budget) {
        QStringList words = text.split(u' ');
        text = words.mid(0, qMax(budget, 0)).join(u' ');
        finishReason = u"length"_s;
    }
    message.insert(u"content"_s, text);

    const int promptTokens = qMax(1, int(QJsonDocument(messages).toJson(QJsonDocument::Compact).size() / 4));
    const int completionTokens = wordCount(text) + wordCount(message[u"reasoning_content"_s].toString()) + 1;
    return {
        {u"id"_s, QString::fromLatin1(makeId("chatcmpl-"))},
        {u"object"_s, u"chat.completion"_s},
        {u"model"_s, QString::fromLatin1(demoModel)},
        {u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0}, {u"message"_s, message},
                                              {u"finish_reason"_s, finishReason}}}},
        {u"usage"_s, QJsonObject{{u"prompt_tokens"_s, promptTokens}, {u"completion_tokens"_s, completionTokens},
                                 {u"total_tokens"_s, promptTokens + completionTokens}}},
    };
}

QList<QByteArray> DemoUpstream::streamChunksFor(const QJsonObject &chatRequest)
{
    const QJsonObject completion = completionFor(chatRequest);
    const QJsonObject choice = completion[u"choices"_s][0].toObject();
    const QJsonObject message = choice[u"message"_s].toObject();
    const QJsonObject base{{u"id"_s, completion[u"id"_s]}, {u"object"_s, u"chat.completion.chunk"_s},
                           {u"model"_s, completion[u"model"_s]}};
    QList<QByteArray> chunks;
    const auto add = [&](const QJsonObject &delta, const QJsonValue &finish = QJsonValue::Null) {
        QJsonObject chunk = base;
        chunk.insert(u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0}, {u"delta"_s, delta},
                                                          {u"finish_reason"_s, finish}}});
        chunks.append(QJsonDocument(chunk).toJson(QJsonDocument::Compact));
    };
    const auto addWords = [&](const QString &field, const QString &text) {
        const QStringList words = text.split(u' ');
        for (qsizetype i = 0; i < words.size(); ++i)
            add({{field, i == 0 ? words[i] : u' ' + words[i]}});
    };
    add({{u"role"_s, u"assistant"_s}, {u"content"_s, u""_s}});
    if (message.contains(u"reasoning_content"_s))
        addWords(u"reasoning_content"_s, message[u"reasoning_content"_s].toString());
    if (!message[u"content"_s].toString().isEmpty())
        addWords(u"content"_s, message[u"content"_s].toString());
    const QJsonArray calls = message[u"tool_calls"_s].toArray();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QJsonObject call = calls[i].toObject();
        const QString arguments = call[u"function"_s][u"arguments"_s].toString();
        add({{u"tool_calls"_s, QJsonArray{QJsonObject{
                                   {u"index"_s, int(i)}, {u"id"_s, call[u"id"_s]}, {u"type"_s, u"function"_s},
                                   {u"function"_s, QJsonObject{{u"name"_s, call[u"function"_s][u"name"_s]},
                                                               {u"arguments"_s, u""_s}}}}}}});
        for (qsizetype at = 0; at < arguments.size(); at += 7) { // fragments split anywhere, as real models do
            add({{u"tool_calls"_s, QJsonArray{QJsonObject{
                                       {u"index"_s, int(i)},
                                       {u"function"_s, QJsonObject{{u"arguments"_s, arguments.mid(at, 7)}}}}}}});
        }
    }
    add({}, choice[u"finish_reason"_s]);
    QJsonObject usage = base;
    usage.insert(u"choices"_s, QJsonArray{});
    usage.insert(u"usage"_s, completion[u"usage"_s]);
    chunks.append(QJsonDocument(usage).toJson(QJsonDocument::Compact));
    chunks.append("[DONE]");
    return chunks;
}

void DemoUpstream::stream(QHttpServerResponder &&responder, QTcpSocket *socket, const QList<QByteArray> &chunks)
{
    responder.writeStatusLine();
    responder.writeHeader("Content-Type", "text/event-stream");
    responder.writeHeader("Cache-Control", "no-cache");
    responder.writeHeader("Transfer-Encoding", "chunked");
    responder.writeBody(QByteArray());
    auto shared = std::make_shared<QHttpServerResponder>(std::move(responder));
    auto next = std::make_shared<qsizetype>(0);
    auto *timer = new QTimer(socket); // dies with the connection: a client that left stops the stream
    timer->setInterval(m_chunkIntervalMs);
    connect(timer, &QTimer::timeout, socket, [timer, shared, next, chunks, guard = QPointer<QTcpSocket>(socket)] {
        if (!guard || guard->state() != QAbstractSocket::ConnectedState) {
            timer->stop();
            return;
        }
        if (*next == chunks.size()) {
            shared->writeBody("0\r\n\r\n");
            timer->deleteLater();
            return;
        }
        const QByteArray event = "data: " + chunks[(*next)++] + "\n\n";
        shared->writeBody(QByteArray::number(event.size(), 16) + "\r\n" + event + "\r\n");
    });
    timer->start();
}

bool DemoUpstream::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    const QString path = request.url().path();
    if (path.endsWith(u"/models"_s)) {
        const QJsonObject list{{u"object"_s, u"list"_s},
                               {u"data"_s, QJsonArray{QJsonObject{{u"id"_s, QString::fromLatin1(demoModel)},
                                                                  {u"object"_s, u"model"_s}}}}};
        responder.write(QJsonDocument(list));
        return true;
    }
    if (!path.endsWith(u"/chat/completions"_s) || request.method() != QHttpServerRequest::Method::Post)
        return false;
    const QJsonDocument body = QJsonDocument::fromJson(request.body());
    if (!body.isObject()) {
        const QJsonObject error{{u"error"_s, QJsonObject{{u"message"_s, u"request body is not a JSON object"_s},
                                                          {u"type"_s, u"invalid_request_error"_s}}}};
        responder.write(QJsonDocument(error), QHttpServerResponder::StatusCode::BadRequest);
        return true;
    }
    if (body.object()[u"stream"_s].toBool())
        stream(std::move(responder), socket, streamChunksFor(body.object()));
    else
        responder.write(QJsonDocument(completionFor(body.object())));
    return true;
}

void DemoUpstream::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QJsonObject error{{u"error"_s, QJsonObject{{u"message"_s, u"not found"_s}, {u"type"_s, u"not_found"_s}}}};
    makeResponder(request, socket).write(QJsonDocument(error), QHttpServerResponder::StatusCode::NotFound);
}

} // namespace Proxy
