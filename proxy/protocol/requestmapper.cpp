#include "requestmapper.h"

#include "jsonschemacleaner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

// What a field must hold. The messages are pydantic's, as Anthropic's own 400s word them.
enum class Kind { String, NonEmptyString, Integer, Number, Boolean, List, Dictionary, ListOrString };

bool isInteger(const QJsonValue &value)
{
    const double number = value.toDouble();
    return value.isDouble() && std::trunc(number) == number && number >= std::numeric_limits<int>::min()
        && number <= std::numeric_limits<int>::max();
}

bool hasKind(const QJsonValue &value, Kind kind)
{
    switch (kind) {
    case Kind::String:
        return value.isString();
    case Kind::NonEmptyString:
        return value.isString() && !value.toString().isEmpty();
    case Kind::Integer:
        return isInteger(value);
    case Kind::Number:
        return value.isDouble();
    case Kind::Boolean:
        return value.isBool();
    case Kind::List:
        return value.isArray();
    case Kind::Dictionary:
        return value.isObject();
    case Kind::ListOrString:
        return value.isArray() || value.isString();
    }
    return false;
}

QString kindMessage(const QJsonValue &value, Kind kind)
{
    switch (kind) {
    case Kind::String:
        return u"Input should be a valid string"_s;
    case Kind::NonEmptyString:
        return value.isString() ? u"String should have at least 1 character"_s : u"Input should be a valid string"_s;
    case Kind::Integer:
        return u"Input should be a valid integer"_s;
    case Kind::Number:
        return u"Input should be a valid number"_s;
    case Kind::Boolean:
        return u"Input should be a valid boolean"_s;
    case Kind::List:
        return u"Input should be a valid list"_s;
    case Kind::Dictionary:
        return u"Input should be a valid dictionary"_s;
    case Kind::ListOrString:
        return u"Input should be a valid list or string"_s;
    }
    return {};
}

// Tool schemas are the only client JSON passed upstream as it is, one level deeper than it came. 100 levels keep the
// upstream body within serde_json's default limit of 128 (and far from the 1,024 QJsonDocument reads); no real
// schema comes close.
constexpr int maxSchemaDepth = 100;

// Levels of objects and arrays in `value` (0 for a scalar), counted no further than limit + 1.
int nestingDepth(const QJsonValue &value, int limit)
{
    if (limit < 0 || !(value.isObject() || value.isArray()))
        return 0;
    int deepest = 0;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd() && deepest <= limit; ++it)
            deepest = std::max(deepest, nestingDepth(it.value(), limit - 1));
    } else {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size() && deepest <= limit; ++i)
            deepest = std::max(deepest, nestingDepth(array.at(i), limit - 1));
    }
    return 1 + deepest;
}

// Anthropic names a field by its dotted path: "messages.1.content.0.text".
QString fieldPath(const QString &parent, const QString &key)
{
    return parent.isEmpty() ? key : QString(parent + u'.' + key);
}

QString fieldPath(const QString &parent, qsizetype index)
{
    return fieldPath(parent, QString::number(index));
}

QJsonObject textPart(const QString &text)
{
    return { { u"type"_s, u"text"_s }, { u"text"_s, text } };
}

// Empty text parts are dropped: several upstreams reject them, and they carry nothing.
void appendText(QJsonArray &parts, const QString &text)
{
    if (!text.isEmpty())
        parts.append(textPart(text));
}

void appendAll(QJsonArray &to, const QJsonArray &from)
{
    for (const QJsonValue value : from)
        to.append(value);
}

QString joinNonEmpty(const QStringList &texts, const QString &separator)
{
    QStringList nonEmpty = texts;
    nonEmpty.removeAll(QString());
    return nonEmpty.join(separator);
}

struct SplitParts {
    QStringList texts;
    QJsonArray others; // image_url and file parts
};

SplitParts splitParts(const QJsonArray &parts)
{
    SplitParts split;
    for (const QJsonValue part : parts) {
        if (part["type"_L1].toString() == "text"_L1)
            split.texts.append(part["text"_L1].toString());
        else
            split.others.append(part);
    }
    return split;
}

// Many upstreams (DeepSeek, some local servers) accept only a string as message content.
QJsonValue stringIfAllText(const QJsonArray &parts)
{
    const SplitParts split = splitParts(parts);
    return split.others.isEmpty() ? QJsonValue(split.texts.join(u'\n')) : QJsonValue(parts);
}

// Claude Code sends {"type":"adaptive"} with output_config.effort; efforts beyond the three OpenAI knows ("max")
// still mean as much as possible.
QString adaptiveEffort(const QJsonValue &effort)
{
    if (effort.isUndefined() || effort.isNull())
        return u"medium"_s;
    const QString name = effort.toString();
    return (name == "low"_L1 || name == "medium"_L1 || name == "high"_L1) ? name : u"high"_s;
}

QString budgetEffort(int budgetTokens)
{
    if (budgetTokens < 4096)
        return u"low"_s;
    return budgetTokens < 16384 ? u"medium"_s : u"high"_s;
}

// A content block, or a block's `source`: an object with its `type` and its field path for error messages.
struct Block {
    QJsonObject json;
    QString type;
    QString path;
};

// One mapping. Validation errors are sticky, as in QDataStream and QXmlStreamReader: the first one is kept, mapping
// carries on with the empty values Qt's JSON accessors return for missing or mistyped fields, and map() reports the
// error instead of the body. This keeps every step a straight line instead of a chain of early returns.
class Mapper {
public:
    explicit Mapper(const MappingOptions &options)
        : m_options(options)
    {
    }

    Result<MappedRequest> map(const QJsonObject &request);

private:
    void fail(const QString &path, const QString &message);
    QJsonValue checked(const QJsonValue &value, const QString &path, Kind kind);
    QJsonValue required(const QJsonObject &object, const QString &key, const QString &parent, Kind kind);
    QJsonValue optional(const QJsonObject &object, const QString &key, const QString &parent, Kind kind);
    QList<Block> blocks(const QJsonValue &content, const QString &path);
    QString text(const Block &block);
    Block source(const Block &block);
    void rejectMisplaced(const Block &block, const QString &where);

    void mapMessages(const QJsonArray &messages);
    void mapSystemBlocks(const QList<Block> &blocks);
    void mapUserMessage(const QList<Block> &blocks);
    void appendUserParts(const Block &block, QJsonArray &parts, const QString &where);
    void appendImagePart(const Block &block, QJsonArray &parts);
    void appendDocumentParts(const Block &block, QJsonArray &parts);
    void mapToolResult(const Block &block, QJsonArray &followUpParts);
    void mapAssistantMessage(const QList<Block> &blocks);
    QJsonObject toolCall(const Block &block);
    void mapTools(const QJsonArray &tools);
    QJsonValue toolChoice(const QJsonObject &choice);

    void insertToolChoice(const QJsonObject &request, QJsonObject &body);
    void insertSampling(const QJsonObject &request, QJsonObject &body);
    void insertStreaming(const QJsonObject &request, QJsonObject &body);
    void insertReasoningEffort(const QJsonObject &request, QJsonObject &body);
    QJsonArray upstreamMessages() const;

    const MappingOptions &m_options;
    MappedRequest m_result;
    QStringList m_systemTexts; // the top-level system prompt, then role:"system" messages, in order
    QJsonArray m_messages;
    QJsonArray m_tools;
    std::optional<Error> m_error;
};

Result<MappedRequest> Mapper::map(const QJsonObject &request)
{
    m_result.clientModel = required(request, u"model"_s, {}, Kind::NonEmptyString).toString();
    m_result.maxTokens = required(request, u"max_tokens"_s, {}, Kind::Integer).toInt();
    if (m_result.maxTokens < 1)
        fail(u"max_tokens"_s, u"Input should be greater than or equal to 1"_s);
    const QJsonArray messages = required(request, u"messages"_s, {}, Kind::List).toArray();
    if (messages.isEmpty())
        fail(u"messages"_s, u"at least one message is required"_s);
    const QJsonArray tools = optional(request, u"tools"_s, {}, Kind::List).toArray();
    m_result.messageCount = static_cast<int>(messages.size());
    m_result.toolCount = static_cast<int>(tools.size());

    mapSystemBlocks(blocks(optional(request, u"system"_s, {}, Kind::ListOrString), u"system"_s));
    mapMessages(messages);
    mapTools(tools);

    const QString upstreamModel = m_options.upstreamModel.isEmpty() ? m_result.clientModel : m_options.upstreamModel;
    QJsonObject body{
        { u"model"_s, upstreamModel },
        { u"messages"_s, upstreamMessages() },
        { m_options.maxTokensField, m_result.maxTokens },
    };
    if (!m_tools.isEmpty())
        body.insert(u"tools"_s, m_tools);
    insertToolChoice(request, body);
    insertSampling(request, body);
    insertStreaming(request, body);
    insertReasoningEffort(request, body);
    if (m_error)
        return tl::make_unexpected(*m_error);
    m_result.body = body;
    return std::move(m_result);
}

void Mapper::fail(const QString &path, const QString &message)
{
    if (!m_error)
        m_error = Error::invalidRequest(path + u": "_s + message);
}

QJsonValue Mapper::checked(const QJsonValue &value, const QString &path, Kind kind)
{
    if (!hasKind(value, kind))
        fail(path, kindMessage(value, kind));
    return value;
}

QJsonValue Mapper::required(const QJsonObject &object, const QString &key, const QString &parent, Kind kind)
{
    QJsonValue value = object.value(key);
    if (value.isUndefined()) {
        fail(fieldPath(parent, key), u"Field required"_s);
        return value;
    }
    return checked(value, fieldPath(parent, key), kind);
}

// An optional field that is null counts as absent (the SDKs send null for "not given").
QJsonValue Mapper::optional(const QJsonObject &object, const QString &key, const QString &parent, Kind kind)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return QJsonValue(QJsonValue::Undefined);
    return checked(value, fieldPath(parent, key), kind);
}

// String content is one text block, so both content shapes take the same path below.
QList<Block> Mapper::blocks(const QJsonValue &content, const QString &path)
{
    if (content.isString())
        return { Block{ textPart(content.toString()), u"text"_s, path } };
    QList<Block> result;
    const QJsonArray array = content.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString blockPath = fieldPath(path, i);
        const QJsonObject json = checked(array.at(i), blockPath, Kind::Dictionary).toObject();
        result.append(Block{ json, required(json, u"type"_s, blockPath, Kind::String).toString(), blockPath });
    }
    return result;
}

QString Mapper::text(const Block &block)
{
    return required(block.json, u"text"_s, block.path, Kind::String).toString();
}

Block Mapper::source(const Block &block)
{
    const QJsonObject json = required(block.json, u"source"_s, block.path, Kind::Dictionary).toObject();
    const QString path = fieldPath(block.path, u"source"_s);
    return { json, required(json, u"type"_s, path, Kind::String).toString(), path };
}

// A block type this proxy maps, in a place Anthropic does not allow it, is a client bug worth a 400. Any other type
// is newer than this proxy and dropped; so are thinking blocks, whose signatures no other upstream can check.
void Mapper::rejectMisplaced(const Block &block, const QString &where)
{
    static const QStringList mappedTypes{ u"text"_s, u"image"_s, u"document"_s, u"tool_use"_s, u"tool_result"_s };
    if (mappedTypes.contains(block.type))
        fail(fieldPath(block.path, u"type"_s), u"'%1' blocks are not allowed in %2"_s.arg(block.type, where));
}

void Mapper::mapMessages(const QJsonArray &messages)
{
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString path = fieldPath(u"messages"_s, i);
        const QJsonObject message = checked(messages.at(i), path, Kind::Dictionary).toObject();
        const QString role = required(message, u"role"_s, path, Kind::String).toString();
        if (role != "user"_L1 && role != "assistant"_L1 && role != "system"_L1)
            fail(fieldPath(path, u"role"_s), u"Input should be 'user', 'assistant' or 'system'"_s);
        const QList<Block> content
            = blocks(required(message, u"content"_s, path, Kind::ListOrString), fieldPath(path, u"content"_s));
        if (role == "user"_L1)
            mapUserMessage(content);
        else if (role == "assistant"_L1)
            mapAssistantMessage(content);
        else
            mapSystemBlocks(content);
    }
}

void Mapper::mapSystemBlocks(const QList<Block> &blocks)
{
    for (const Block &block : blocks) {
        if (block.type == "text"_L1)
            m_systemTexts.append(text(block));
        else
            rejectMisplaced(block, u"system content"_s);
    }
}

// OpenAI wants the tool messages right after the assistant's tool_calls, so they go first; what a tool message
// cannot carry (images) and the user's own content follow in one user message.
void Mapper::mapUserMessage(const QList<Block> &blocks)
{
    QJsonArray parts; // what the tool results could not carry, then the user's own content
    QJsonArray ownParts;
    for (const Block &block : blocks) {
        if (block.type == "tool_result"_L1)
            mapToolResult(block, parts);
        else
            appendUserParts(block, ownParts, u"user messages"_s);
    }
    appendAll(parts, ownParts);
    if (!parts.isEmpty())
        m_messages.append(QJsonObject{ { u"role"_s, u"user"_s }, { u"content"_s, stringIfAllText(parts) } });
}

void Mapper::appendUserParts(const Block &block, QJsonArray &parts, const QString &where)
{
    if (block.type == "text"_L1)
        appendText(parts, text(block));
    else if (block.type == "image"_L1)
        appendImagePart(block, parts);
    else if (block.type == "document"_L1)
        appendDocumentParts(block, parts);
    else
        rejectMisplaced(block, where);
}

void Mapper::appendImagePart(const Block &block, QJsonArray &parts)
{
    const Block image = source(block);
    QString url;
    if (image.type == "base64"_L1) {
        url = u"data:"_s + required(image.json, u"media_type"_s, image.path, Kind::String).toString() + u";base64,"_s
            + required(image.json, u"data"_s, image.path, Kind::String).toString();
    } else if (image.type == "url"_L1) {
        url = required(image.json, u"url"_s, image.path, Kind::String).toString();
    } else {
        fail(fieldPath(image.path, u"type"_s), u"Input should be 'base64' or 'url'"_s);
    }
    parts.append(QJsonObject{ { u"type"_s, u"image_url"_s }, { u"image_url"_s, QJsonObject{ { u"url"_s, url } } } });
}

void Mapper::appendDocumentParts(const Block &block, QJsonArray &parts)
{
    const Block document = source(block);
    const QString title = optional(block.json, u"title"_s, block.path, Kind::String).toString();
    const auto field = [&](const QString &key) {
        return required(document.json, key, document.path, Kind::String).toString();
    };
    if (document.type == "base64"_L1) {
        // Anthropic accepts only PDF here, so a missing media_type can only mean PDF.
        const QString mediaType = optional(document.json, u"media_type"_s, document.path, Kind::String).toString();
        const QString dataUrl
            = u"data:"_s + (mediaType.isEmpty() ? u"application/pdf"_s : mediaType) + u";base64,"_s + field(u"data"_s);
        const QJsonObject file{
            { u"filename"_s, title.isEmpty() ? u"document.pdf"_s : title },
            { u"file_data"_s, dataUrl },
        };
        parts.append(QJsonObject{ { u"type"_s, u"file"_s }, { u"file"_s, file } });
    } else if (document.type == "text"_L1) {
        appendText(parts, joinNonEmpty({ title, field(u"data"_s) }, u"\n\n"_s));
    } else if (document.type == "url"_L1) {
        // Upstreams cannot fetch documents; the model at least learns where it is.
        appendText(parts, joinNonEmpty({ title, u"Document URL: "_s + field(u"url"_s) }, u"\n\n"_s));
    } else if (document.type == "content"_L1) {
        appendText(parts, title);
        const QString contentPath = fieldPath(document.path, u"content"_s);
        const QJsonValue content = required(document.json, u"content"_s, document.path, Kind::ListOrString);
        for (const Block &inner : blocks(content, contentPath))
            appendUserParts(inner, parts, u"document content"_s);
    } else {
        fail(fieldPath(document.path, u"type"_s), u"Input should be 'base64', 'text', 'url' or 'content'"_s);
    }
}

void Mapper::mapToolResult(const Block &block, QJsonArray &followUpParts)
{
    const QString id = required(block.json, u"tool_use_id"_s, block.path, Kind::String).toString();
    const bool isError = optional(block.json, u"is_error"_s, block.path, Kind::Boolean).toBool();
    const QJsonValue content = optional(block.json, u"content"_s, block.path, Kind::ListOrString);
    QJsonArray parts;
    for (const Block &inner : blocks(content, fieldPath(block.path, u"content"_s)))
        appendUserParts(inner, parts, u"tool_result content"_s);

    const SplitParts split = splitParts(parts);
    const QString text = split.texts.join(u'\n');
    m_messages.append(QJsonObject{
        { u"role"_s, u"tool"_s },
        { u"tool_call_id"_s, id },
        { u"content"_s, isError ? u"Error: "_s + text : text },
    });
    for (const QJsonValue part : split.others) {
        const bool isImage = part["type"_L1].toString() == "image_url"_L1;
        appendText(followUpParts, u"%1 from tool result %2:"_s.arg(isImage ? u"Image"_s : u"Document"_s, id));
        followUpParts.append(part);
    }
}

void Mapper::mapAssistantMessage(const QList<Block> &blocks)
{
    QStringList texts;
    QJsonArray toolCalls;
    for (const Block &block : blocks) {
        if (block.type == "text"_L1)
            texts.append(text(block));
        else if (block.type == "tool_use"_L1)
            toolCalls.append(toolCall(block));
        else
            rejectMisplaced(block, u"assistant messages"_s);
    }
    const QString content = joinNonEmpty(texts, u"\n"_s);
    // Upstreams reject an assistant message with neither content nor tool_calls.
    if (content.isEmpty() && toolCalls.isEmpty())
        return;
    QJsonObject message{
        { u"role"_s, u"assistant"_s },
        { u"content"_s, content.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(content) },
    };
    if (!toolCalls.isEmpty())
        message.insert(u"tool_calls"_s, toolCalls);
    m_messages.append(message);
}

QJsonObject Mapper::toolCall(const Block &block)
{
    const QString id = required(block.json, u"id"_s, block.path, Kind::String).toString();
    const QString name = required(block.json, u"name"_s, block.path, Kind::NonEmptyString).toString();
    const QJsonObject input = required(block.json, u"input"_s, block.path, Kind::Dictionary).toObject();
    const QJsonObject function{
        { u"name"_s, m_result.toolNames.toUpstream(name) },
        { u"arguments"_s, QString::fromUtf8(QJsonDocument(input).toJson(QJsonDocument::Compact)) },
    };
    return { { u"id"_s, id }, { u"type"_s, u"function"_s }, { u"function"_s, function } };
}

void Mapper::mapTools(const QJsonArray &tools)
{
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QString path = fieldPath(u"tools"_s, i);
        const QJsonObject tool = checked(tools.at(i), path, Kind::Dictionary).toObject();
        const QString type = optional(tool, u"type"_s, path, Kind::String).toString();
        // Server tools (web_search_20250305, bash_20250124, ...) run at Anthropic; no upstream can run them.
        if (!type.isEmpty() && type != "custom"_L1)
            continue;
        const QString name = required(tool, u"name"_s, path, Kind::NonEmptyString).toString();
        const QJsonObject schema = required(tool, u"input_schema"_s, path, Kind::Dictionary).toObject();
        if (nestingDepth(schema, maxSchemaDepth) > maxSchemaDepth) {
            fail(fieldPath(path, u"input_schema"_s),
                 u"Schema should not be nested deeper than %1 levels"_s.arg(maxSchemaDepth));
        }
        QJsonObject function{
            { u"name"_s, m_result.toolNames.toUpstream(name) },
            { u"parameters"_s, cleanToolSchema(schema) },
        };
        const QJsonValue description = optional(tool, u"description"_s, path, Kind::String);
        if (description.isString())
            function.insert(u"description"_s, description);
        m_tools.append(QJsonObject{ { u"type"_s, u"function"_s }, { u"function"_s, function } });
    }
}

QJsonValue Mapper::toolChoice(const QJsonObject &choice)
{
    const QString type = required(choice, u"type"_s, u"tool_choice"_s, Kind::String).toString();
    if (type == "auto"_L1 || type == "none"_L1)
        return type;
    if (type == "any"_L1)
        return u"required"_s;
    if (type == "tool"_L1) {
        const QString name = required(choice, u"name"_s, u"tool_choice"_s, Kind::NonEmptyString).toString();
        return QJsonObject{
            { u"type"_s, u"function"_s },
            { u"function"_s, QJsonObject{ { u"name"_s, m_result.toolNames.toUpstream(name) } } },
        };
    }
    fail(u"tool_choice.type"_s, u"Input should be 'auto', 'any', 'tool' or 'none'"_s);
    return {};
}

void Mapper::insertToolChoice(const QJsonObject &request, QJsonObject &body)
{
    const QJsonValue value = optional(request, u"tool_choice"_s, {}, Kind::Dictionary);
    if (value.isUndefined())
        return;
    const QJsonObject object = value.toObject();
    const QJsonValue choice = toolChoice(object);
    const bool serial = optional(object, u"disable_parallel_tool_use"_s, u"tool_choice"_s, Kind::Boolean).toBool();
    // OpenAI rejects tool_choice and parallel_tool_calls in a request without tools.
    if (m_tools.isEmpty())
        return;
    body.insert(u"tool_choice"_s, choice);
    if (serial)
        body.insert(u"parallel_tool_calls"_s, false);
}

void Mapper::insertSampling(const QJsonObject &request, QJsonObject &body)
{
    for (const QString &key : { u"temperature"_s, u"top_p"_s }) {
        const QJsonValue value = optional(request, key, {}, Kind::Number);
        if (!value.isUndefined())
            body.insert(key, value);
    }
    optional(request, u"top_k"_s, {}, Kind::Integer); // checked, then dropped: Chat Completions has no top_k

    const QJsonArray stopSequences = optional(request, u"stop_sequences"_s, {}, Kind::List).toArray();
    for (qsizetype i = 0; i < stopSequences.size(); ++i) {
        m_result.stopSequences.append(
            checked(stopSequences.at(i), fieldPath(u"stop_sequences"_s, i), Kind::String).toString());
    }
    if (!m_result.stopSequences.isEmpty())
        body.insert(u"stop"_s, QJsonArray::fromStringList(m_result.stopSequences));

    const QJsonObject metadata = optional(request, u"metadata"_s, {}, Kind::Dictionary).toObject();
    const QJsonValue userId = optional(metadata, u"user_id"_s, u"metadata"_s, Kind::String);
    if (userId.isString())
        body.insert(u"user"_s, userId);
}

void Mapper::insertStreaming(const QJsonObject &request, QJsonObject &body)
{
    m_result.stream = optional(request, u"stream"_s, {}, Kind::Boolean).toBool();
    if (!m_result.stream)
        return;
    body.insert(u"stream"_s, true);
    if (m_options.includeStreamUsage)
        body.insert(u"stream_options"_s, QJsonObject{ { u"include_usage"_s, true } });
}

void Mapper::insertReasoningEffort(const QJsonObject &request, QJsonObject &body)
{
    const QJsonValue value = optional(request, u"thinking"_s, {}, Kind::Dictionary);
    if (value.isUndefined())
        return;
    const QJsonObject thinking = value.toObject();
    const QString type = required(thinking, u"type"_s, u"thinking"_s, Kind::String).toString();
    QString effort;
    if (type == "enabled"_L1)
        effort = budgetEffort(required(thinking, u"budget_tokens"_s, u"thinking"_s, Kind::Integer).toInt());
    else if (type == "adaptive"_L1)
        effort = adaptiveEffort(request["output_config"_L1]["effort"_L1]);
    // "disabled", and thinking types newer than this proxy, ask for nothing.
    if (!effort.isEmpty() && m_options.sendReasoningEffort)
        body.insert(u"reasoning_effort"_s, effort);
}

QJsonArray Mapper::upstreamMessages() const
{
    QJsonArray messages = m_messages;
    const QString system = joinNonEmpty(m_systemTexts, u"\n\n"_s);
    if (!system.isEmpty())
        messages.prepend(QJsonObject{ { u"role"_s, u"system"_s }, { u"content"_s, system } });
    return messages;
}

} // namespace

Result<MappedRequest> mapRequest(const QJsonObject &anthropicRequest, const MappingOptions &options)
{
    return Mapper(options).map(anthropicRequest);
}

Result<QJsonObject> parseJsonObject(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError) {
        return tl::make_unexpected(Error::invalidRequest(
            u"Request body is not valid JSON: %1 at offset %2"_s.arg(error.errorString()).arg(error.offset)));
    }
    if (!document.isObject())
        return tl::make_unexpected(Error::invalidRequest(u"Request body must be a JSON object"_s));
    return document.object();
}

} // namespace Proxy
