#include "protocolvalidator.h"

#include "sseparser.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <iterator>
#include <utility>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

// A value as it appeared on the wire, for messages: strings quoted, an absent member as "missing".
QString show(const QJsonValue &value)
{
    if (value.isUndefined())
        return u"missing"_s;
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.sliced(1, json.size() - 2));
}

// Long tool arguments or event payloads are cut so one finding stays one readable line.
QString excerpt(const QByteArray &bytes)
{
    constexpr qsizetype maxBytes = 80;
    return bytes.size() <= maxBytes ? QString::fromUtf8(bytes) : QString::fromUtf8(bytes.first(maxBytes)) + u"…"_s;
}

QString jsonProblem(const QByteArray &json, const QJsonParseError &error)
{
    if (error.error == QJsonParseError::NoError)
        return excerpt(json); // valid JSON, just not an object
    return u"%1 at offset %2 in %3"_s.arg(error.errorString(), QString::number(error.offset), excerpt(json));
}

bool isString(const QJsonValue &value, QLatin1StringView expected)
{
    return value.isString() && value.toString() == expected;
}

bool isNonEmptyString(const QJsonValue &value)
{
    return value.isString() && !value.toString().isEmpty();
}

int blockIndex(const QJsonObject &payload)
{
    return payload.value("index"_L1).toInt(-1);
}

// The shape checks return the first problem of a payload, or an empty string.

QString messageStartProblem(const QJsonObject &payload)
{
    const QJsonObject message = payload.value("message"_L1).toObject();
    const QJsonValue id = message.value("id"_L1);
    if (!id.isString() || !id.toString().startsWith("msg_"_L1))
        return u"message_start message.id is %1, not \"msg_…\""_s.arg(show(id));
    if (!isString(message.value("type"_L1), "message"_L1))
        return u"message_start message.type is %1, not \"message\""_s.arg(show(message.value("type"_L1)));
    if (!isString(message.value("role"_L1), "assistant"_L1))
        return u"message_start message.role is %1, not \"assistant\""_s.arg(show(message.value("role"_L1)));
    if (!isNonEmptyString(message.value("model"_L1)))
        return u"message_start message.model is %1, not a model name"_s.arg(show(message.value("model"_L1)));
    const QJsonValue content = message.value("content"_L1);
    if (!content.isArray() || !content.toArray().isEmpty())
        return u"message_start message.content is %1, not []"_s.arg(show(content));
    const QJsonValue usage = message.value("usage"_L1);
    if (!usage.isObject())
        return u"message_start without usage"_s;
    for (const auto key : {"input_tokens"_L1, "output_tokens"_L1}) {
        if (!usage.toObject().value(key).isDouble())
            return u"message_start usage without %1"_s.arg(key);
    }
    return {};
}

QString blockStartProblem(const QJsonObject &block)
{
    const QString type = block.value("type"_L1).toString();
    if (type == "text"_L1)
        return isString(block.value("text"_L1), ""_L1)
            ? QString() : u"text block start: text is %1, not \"\""_s.arg(show(block.value("text"_L1)));
    if (type == "thinking"_L1)
        return isString(block.value("thinking"_L1), ""_L1)
            ? QString() : u"thinking block start: thinking is %1, not \"\""_s.arg(show(block.value("thinking"_L1)));
    if (type == "redacted_thinking"_L1)
        return isNonEmptyString(block.value("data"_L1)) ? QString() : u"redacted_thinking block without data"_s;
    if (type == "tool_use"_L1) {
        for (const auto key : {"id"_L1, "name"_L1}) {
            if (!isNonEmptyString(block.value(key)))
                return u"tool_use block start without %1"_s.arg(key);
        }
        return block.value("input"_L1).isObject()
            ? QString() : u"tool_use block start: input is %1, not an object"_s.arg(show(block.value("input"_L1)));
    }
    return u"unknown content block type %1"_s.arg(show(block.value("type"_L1)));
}

QString messageDeltaProblem(const QJsonObject &payload)
{
    static const QList<QLatin1StringView> stopReasons{"end_turn"_L1, "max_tokens"_L1, "stop_sequence"_L1,
                                                      "tool_use"_L1, "pause_turn"_L1, "refusal"_L1};
    const QJsonValue stopReason = payload.value("delta"_L1).toObject().value("stop_reason"_L1);
    if (!stopReason.isString() || !stopReasons.contains(stopReason.toString()))
        return u"message_delta stop_reason %1 is not one of end_turn, max_tokens, stop_sequence, tool_use, "
               "pause_turn, refusal"_s.arg(show(stopReason));
    if (!payload.value("usage"_L1).toObject().value("output_tokens"_L1).isDouble())
        return u"message_delta usage without output_tokens"_s;
    return {};
}

QString errorProblem(const QJsonObject &payload)
{
    const QJsonObject error = payload.value("error"_L1).toObject();
    return error.value("type"_L1).isString() && error.value("message"_L1).isString()
        ? QString() : u"error event without error.type and error.message"_s;
}

struct DeltaRule
{
    QLatin1StringView delta;
    QLatin1StringView block;
    QLatin1StringView field; // the string member the delta carries
};

constexpr DeltaRule deltaRules[] = {
    {"text_delta"_L1, "text"_L1, "text"_L1},
    {"input_json_delta"_L1, "tool_use"_L1, "partial_json"_L1},
    {"thinking_delta"_L1, "thinking"_L1, "thinking"_L1},
    {"signature_delta"_L1, "thinking"_L1, "signature"_L1},
};

} // namespace

QList<ProtocolValidator::Violation> ProtocolValidator::feed(const QByteArray &eventName, const QJsonObject &payload)
{
    ++m_index;
    const qsizetype before = m_violations.size();
    check(eventName, payload);
    return m_violations.mid(before);
}

QList<ProtocolValidator::Violation> ProtocolValidator::finish()
{
    if (std::exchange(m_finished, true) || m_state == State::Stopped || m_state == State::Errored)
        return {};
    // Placed where the missing message_stop would have been.
    m_violations.append({m_index + 1, u"stream ended without message_stop or error"_s});
    return {m_violations.constLast()};
}

void ProtocolValidator::violate(const QString &message)
{
    // One finding per event: further ones are almost always consequences of the first.
    if (!m_violations.isEmpty() && m_violations.constLast().eventIndex == m_index)
        return;
    m_violations.append({m_index, u"event %1: %2"_s.arg(QString::number(m_index), message)});
}

void ProtocolValidator::check(const QByteArray &eventName, const QJsonObject &payload)
{
    const QString type = payload.value("type"_L1).toString();
    if (m_state == State::Stopped || m_state == State::Errored) {
        // Reported once: a proxy that forgot to stop would otherwise flood the findings.
        if (!std::exchange(m_reportedAfterEnd, true))
            violate(u"%1 after %2"_s.arg(type.isEmpty() ? u"event"_s : type,
                                         m_state == State::Stopped ? u"message_stop"_s : u"error"_s));
        return;
    }
    if (type.isEmpty())
        return violate(u"payload without a \"type\""_s);
    if (eventName != type.toUtf8())
        violate(u"SSE event name \"%1\" but JSON type \"%2\""_s.arg(QString::fromUtf8(eventName), type));
    if (type == "ping"_L1)
        return;
    if (type == "error"_L1) {
        if (const QString problem = errorProblem(payload); !problem.isEmpty())
            violate(problem);
        m_state = State::Errored;
        return;
    }
    if (type == "message_start"_L1) {
        if (m_state != State::Initial)
            return violate(u"message_start after the message has begun"_s);
        if (const QString problem = messageStartProblem(payload); !problem.isEmpty())
            violate(problem);
        m_state = State::InMessage;
        return;
    }
    if (m_state == State::Initial) {
        violate(u"%1 before message_start"_s.arg(type));
        m_state = State::InMessage; // carry on as if it had come, so the rest is still checked
    }
    if (type == "content_block_start"_L1)
        blockStart(payload);
    else if (type == "content_block_delta"_L1)
        blockDelta(payload);
    else if (type == "content_block_stop"_L1)
        blockStop(payload);
    else if (type == "message_delta"_L1)
        messageDelta(payload);
    else if (type == "message_stop"_L1)
        messageStop();
    else
        violate(u"unknown event type \"%1\""_s.arg(type));
}

void ProtocolValidator::blockStart(const QJsonObject &payload)
{
    const int index = blockIndex(payload);
    if (index < 0)
        violate(u"content_block_start without a valid index"_s);
    else if (m_state == State::InBlock)
        violate(u"content_block_start for index %1 while block %2 is still open"_s.arg(index).arg(m_openBlock));
    else if (m_sawMessageDelta)
        violate(u"content_block_start after message_delta"_s);
    else if (index != m_nextBlockIndex)
        violate(u"content_block_start for index %1 %2 (expected %3)"_s.arg(
            QString::number(index), index < m_nextBlockIndex ? u"reuses an index"_s : u"skips an index"_s,
            QString::number(m_nextBlockIndex)));
    const QJsonObject block = payload.value("content_block"_L1).toObject();
    if (const QString problem = blockStartProblem(block); !problem.isEmpty())
        violate(problem);
    // Adopt whatever was opened, so a single bad index does not make every later event look wrong.
    m_state = State::InBlock;
    m_openBlock = index;
    m_nextBlockIndex = std::max(m_nextBlockIndex, qint64(index) + 1);
    m_blockType = block.value("type"_L1).toString();
    m_toolJson.clear();
    m_toolStartInput = block.value("input"_L1).toObject();
    m_sawSignature = false;
}

void ProtocolValidator::blockDelta(const QJsonObject &payload)
{
    const int index = blockIndex(payload);
    if (m_state != State::InBlock)
        return violate(u"content_block_delta for index %1 but no block is open"_s.arg(index));
    if (index != m_openBlock)
        return violate(u"content_block_delta for index %1 but the open block is %2"_s.arg(index).arg(m_openBlock));
    const QJsonObject delta = payload.value("delta"_L1).toObject();
    const QString deltaType = delta.value("type"_L1).toString();
    const auto rule = std::find_if(std::begin(deltaRules), std::end(deltaRules),
                                   [&](const DeltaRule &r) { return r.delta == deltaType; });
    if (rule == std::end(deltaRules))
        return violate(u"unknown delta type %1"_s.arg(show(delta.value("type"_L1))));
    if (rule->block != m_blockType)
        return violate(u"%1 inside a %2 block"_s.arg(deltaType, m_blockType));
    const QJsonValue value = delta.value(rule->field);
    if (!value.isString())
        return violate(u"%1 without a string %2"_s.arg(deltaType, rule->field));
    if (rule->field == "partial_json"_L1)
        m_toolJson += value.toString().toUtf8();
    else if (rule->field == "signature"_L1)
        m_sawSignature = true;
}

void ProtocolValidator::blockStop(const QJsonObject &payload)
{
    const int index = blockIndex(payload);
    if (m_state != State::InBlock)
        return violate(u"content_block_stop for index %1 but no block is open"_s.arg(index));
    closeBlock(); // only one block can be open, so this stop ends it whatever its index says
    if (index != m_openBlock)
        return violate(u"content_block_stop for index %1 but the open block is %2"_s.arg(index).arg(m_openBlock));
    if (m_blockType == "tool_use"_L1) {
        // Anthropic sends a lone empty partial_json for tools without arguments; clients keep the start's input.
        const QByteArray json = m_toolJson.isEmpty() ? QJsonDocument(m_toolStartInput).toJson(QJsonDocument::Compact)
                                                     : m_toolJson;
        QJsonParseError error;
        if (!QJsonDocument::fromJson(json, &error).isObject())
            violate(u"tool_use input at content_block_stop is not a JSON object: %1"_s.arg(jsonProblem(json, error)));
    } else if (m_blockType == "thinking"_L1 && !m_sawSignature) {
        violate(u"thinking block %1 stopped without a signature_delta"_s.arg(index));
    }
}

void ProtocolValidator::messageDelta(const QJsonObject &payload)
{
    if (m_state == State::InBlock) {
        violate(u"message_delta while block %1 is still open"_s.arg(m_openBlock));
        closeBlock();
    } else if (m_sawMessageDelta) {
        violate(u"second message_delta"_s);
    }
    if (const QString problem = messageDeltaProblem(payload); !problem.isEmpty())
        violate(problem);
    m_sawMessageDelta = true;
    m_state = State::AfterDelta;
}

void ProtocolValidator::messageStop()
{
    if (m_state == State::InBlock)
        violate(u"message_stop while block %1 is still open"_s.arg(m_openBlock));
    else if (!m_sawMessageDelta)
        violate(u"message_stop without message_delta"_s);
    m_state = State::Stopped;
}

void ProtocolValidator::closeBlock()
{
    m_state = m_sawMessageDelta ? State::AfterDelta : State::InMessage;
}

QList<ProtocolValidator::Violation> ProtocolValidator::validateTranscript(const QByteArray &sse, bool *endedWithError)
{
    SseParser parser;
    QList<SseEvent> events;
    const bool parsed = parser.feed(sse, events);
    parser.finish(events);
    ProtocolValidator validator;
    for (const SseEvent &event : std::as_const(events)) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(event.data, &error);
        if (document.isObject()) {
            validator.feed(event.event, document.object());
        } else {
            // Counted as an event, so the indices match what the client saw.
            ++validator.m_index;
            validator.violate(u"data is not a JSON object: %1"_s.arg(jsonProblem(event.data, error)));
        }
    }
    if (!parsed) {
        ++validator.m_index;
        validator.violate(u"SSE line longer than %1 bytes"_s.arg(SseParser::defaultMaxLineBytes));
    }
    validator.finish();
    if (endedWithError)
        *endedWithError = validator.endedWithError();
    return validator.violations();
}

} // namespace Proxy
