#include "responsemapper.h"

#include "ids.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

QJsonObject textBlock(const QString &text)
{
    return { { u"type"_s, u"text"_s }, { u"text"_s, text } };
}

// Content is a string or (some upstreams) an array of parts; only their text matters for a reply.
QString contentText(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QString text;
    const QJsonArray parts = content.toArray();
    for (const QJsonValue &part : parts)
        text += part[u"text"_s].toString();
    return text;
}

QString compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return value.toVariant().toString();
}

// `arguments` should be a JSON string. A few servers send an object instead: take it as meant. Any other JSON
// value (array, number, boolean) is not an object either, so it is reported like unparsable text, not dropped.
QJsonObject toolInput(const QJsonValue &arguments)
{
    if (arguments.isObject())
        return arguments.toObject();
    if (arguments.isString() || arguments.isNull() || arguments.isUndefined())
        return toolInputFromArguments(arguments.toString());
    return toolInputFromArguments(compactJson(arguments));
}

QJsonObject toolUseBlock(const QJsonObject &call, const ToolNameMap &names)
{
    const QJsonObject function = call.value(u"function"_s).toObject();
    QString id = call.value(u"id"_s).toString();
    if (id.isEmpty())
        id = QString::fromLatin1(makeId("toolu_"));
    return {
        { u"type"_s, u"tool_use"_s },
        { u"id"_s, id },
        { u"name"_s, names.toClient(function.value(u"name"_s).toString()) },
        { u"input"_s, toolInput(function.value(u"arguments"_s)) },
    };
}

// The stop string an upstream says it matched: vLLM puts it in choice.stop_reason, SGLang in matched_stop
// (both use an integer there when a stop token, not a string, ended generation).
QString matchedStop(const QJsonObject &choice)
{
    for (const auto key : { "stop_reason"_L1, "matched_stop"_L1 }) {
        const QJsonValue value = choice.value(key);
        if (value.isString())
            return value.toString();
    }
    return {};
}

Error badResponse(const QString &message)
{
    return Error::make(ErrorType::Api, 502, message);
}

} // namespace

QString mapStopReason(const QString &finishReason, bool hasToolCalls)
{
    if (finishReason == "length"_L1)
        return u"max_tokens"_s;
    if (finishReason == "tool_calls"_L1 || finishReason == "function_call"_L1)
        return u"tool_use"_s;
    if (finishReason == "content_filter"_L1)
        return u"refusal"_s;
    return hasToolCalls ? u"tool_use"_s : u"end_turn"_s;
}

QJsonObject mapUsage(const QJsonObject &usage)
{
    const int prompt = qMax(usage.value(u"prompt_tokens"_s).toInt(), 0);
    const QJsonValue details = usage.value(u"prompt_tokens_details"_s)[u"cached_tokens"_s];
    // DeepSeek reports its cache hits only as prompt_cache_hit_tokens.
    const int cached
        = qBound(0, (details.isDouble() ? details : usage.value(u"prompt_cache_hit_tokens"_s)).toInt(), prompt);
    return {
        { u"input_tokens"_s, prompt - cached },
        { u"output_tokens"_s, qMax(usage.value(u"completion_tokens"_s).toInt(), 0) },
        { u"cache_creation_input_tokens"_s, 0 },
        { u"cache_read_input_tokens"_s, cached },
    };
}

QJsonObject toolInputFromArguments(const QString &arguments)
{
    if (arguments.trimmed().isEmpty())
        return {};
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(arguments.toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && document.isObject())
        return document.object();
    if (arguments.trimmed() == "null"_L1) // "no arguments", as some models say it
        return {};
    return { { u"_switchyard_invalid_arguments"_s, arguments } };
}

QString thinkingSignature(const QString &thinking)
{
    const QByteArray digest = QCryptographicHash::hash(thinking.toUtf8(), QCryptographicHash::Sha256).left(16);
    return u"sy1"_s + QString::fromLatin1(digest.toBase64());
}

Result<QJsonObject> mapResponse(const QJsonObject &completion, const ResponseContext &context)
{
    const QJsonValue upstreamError = completion.value(u"error"_s);
    if (!upstreamError.isUndefined() && !upstreamError.isNull()) {
        const QJsonValue message = upstreamError[u"message"_s];
        return tl::unexpected(
            badResponse(u"Upstream returned an error: "_s + compactJson(message.isString() ? message : upstreamError)));
    }
    const QJsonObject choice = completion.value(u"choices"_s).toArray().at(0).toObject();
    if (!choice.value(u"message"_s).isObject())
        return tl::unexpected(badResponse(u"Upstream response has no choices"_s));
    const QJsonObject message = choice.value(u"message"_s).toObject();
    // OpenRouter answers HTTP 200 with finish_reason "error" (and choice.error) when generation failed part-way:
    // what came before is not a complete answer, so it must not pass as end_turn (the stream translator fails too).
    if (choice.value(u"finish_reason"_s).toString() == "error"_L1) {
        const QString reason = choice.value(u"error"_s)[u"message"_s].toString();
        return tl::unexpected(badResponse(u"Upstream ended the response with finish_reason \"error\""_s
            + (reason.isEmpty() ? QString() : u": "_s + reason)));
    }

    QJsonArray content;
    QString reasoning = message.value(u"reasoning_content"_s).toString();
    if (reasoning.isEmpty())
        reasoning = message.value(u"reasoning"_s).toString();
    if (!reasoning.isEmpty()) {
        content.append(QJsonObject{ { u"type"_s, u"thinking"_s }, { u"thinking"_s, reasoning },
            { u"signature"_s, thinkingSignature(reasoning) } });
    }
    QString text = contentText(message.value(u"content"_s));
    if (text.isEmpty()) // OpenAI puts a refusal there instead of in content; the user should still read it
        text = message.value(u"refusal"_s).toString();
    if (!text.isEmpty())
        content.append(textBlock(text));
    QJsonArray calls = message.value(u"tool_calls"_s).toArray();
    if (calls.isEmpty() && message.value(u"function_call"_s).isObject()) // legacy single call
        calls.append(QJsonObject{ { u"function"_s, message.value(u"function_call"_s) } });
    bool hasToolCalls = false;
    for (const QJsonValue &call : std::as_const(calls)) {
        if (!call.isObject())
            continue;
        content.append(toolUseBlock(call.toObject(), context.toolNames));
        hasToolCalls = true;
    }
    if (content.isEmpty()) // clients handle one empty text block better than no content at all
        content.append(textBlock(QString()));

    const QString finishReason = choice.value(u"finish_reason"_s).toString();
    QString stopReason = mapStopReason(finishReason, hasToolCalls);
    QJsonValue stopSequence = QJsonValue::Null;
    const QString matched = matchedStop(choice);
    if (finishReason == "stop"_L1 && !hasToolCalls && !matched.isEmpty() && context.stopSequences.contains(matched)) {
        stopReason = u"stop_sequence"_s;
        stopSequence = matched;
    }
    const QByteArray id = context.messageId.isEmpty() ? makeId("msg_") : context.messageId;
    return QJsonObject{
        { u"id"_s, QString::fromLatin1(id) },
        { u"type"_s, u"message"_s },
        { u"role"_s, u"assistant"_s },
        { u"model"_s, context.clientModel },
        { u"content"_s, content },
        { u"stop_reason"_s, stopReason },
        { u"stop_sequence"_s, stopSequence },
        { u"usage"_s, mapUsage(completion.value(u"usage"_s).toObject()) },
    };
}

} // namespace Proxy
