#pragma once

#include "error.h"
#include "toolnamemap.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QStringList>

#include <memory>
#include <utility>

namespace Proxy {

// An event's JSON payload, held as the compact bytes that go on the wire (keys sorted, as QJsonDocument writes
// them). Events are written far more often than they are read back, and building a QJsonObject per event and
// serialising it cost twice what translating the chunk does (docs/BENCHMARKS.md); the object is parsed from
// the bytes only when someone asks for it (tests, the protocol validator).
class EventPayload
{
public:
    EventPayload() = default;
    explicit EventPayload(QByteArray json)
        : m_json(std::move(json))
    {
    }
    // Both conversions are implicit, so code written against the QJsonObject member this replaced
    // (`StreamEvent{type, QJsonObject{…}}`, `QJsonObject o = event.payload;`, `validator.feed(type, event.payload)`)
    // still compiles and means the same.
    EventPayload(const QJsonObject &object);
    operator QJsonObject() const { return toObject(); }

    [[nodiscard]] const QByteArray &json() const { return m_json; }
    [[nodiscard]] QJsonObject toObject() const;
    template<typename Key> [[nodiscard]] QJsonValue value(const Key &key) const { return toObject().value(key); }
    template<typename Key> [[nodiscard]] QJsonValue operator[](const Key &key) const { return value(key); }

    friend bool operator==(const EventPayload &, const EventPayload &) = default;

private:
    QByteArray m_json;
};

// One Anthropic streaming event, ready to be written as `event: <type>\ndata: <json>\n\n`.
struct StreamEvent
{
    QByteArray type;     // equals payload["type"]
    EventPayload payload;

    [[nodiscard]] QByteArray toSse() const;
    // Appends toSse() to `wire` without a temporary.
    void appendSse(QByteArray &wire) const;
    friend bool operator==(const StreamEvent &, const StreamEvent &) = default;
};

// The state machine that turns OpenAI chat.completion.chunk objects into Anthropic Messages stream events
// (the seed's translate_openai_events). Pure: no I/O, no timers. Each call returns the events its input caused,
// so they can be written at once. Documented outcomes (docs/STREAMING.md):
// - message_start carries the client's model, the msg_ id and the estimated input tokens (never 0).
// - reasoning_content / reasoning -> a thinking block (thinking_delta…, signature_delta, stop); content -> a text
//   block; tool_calls -> one tool_use block per call (input {} at start, every arguments fragment forwarded as an
//   input_json_delta). A new kind of content closes the open block; blocks never interleave.
// - Tool calls are told apart by index and, when an upstream puts every call at index 0, by id. A call whose
//   arguments stop being a valid JSON prefix, or end as anything but a complete JSON object, ends the stream
//   with an `error` event (api_error) before the bad fragment reaches the client: the client never holds
//   invalid tool input.
// - finish_reason is remembered (the first one wins); message_delta (stop_reason, stop_sequence, usage) and
//   message_stop are emitted at [DONE] or end of input, so usage that arrives in a later `choices: []` chunk is
//   included. Usage is cumulative: output_tokens from completion_tokens (estimated from the text if the upstream
//   never says), input_tokens from prompt_tokens minus cached tokens.
// - An upstream `{"error": …}` chunk, an unparseable chunk, end of input without finish_reason and without
//   [DONE] (truncation), or fail() -> one `error` event; open blocks are not closed and nothing follows it.
class StreamTranslator
{
public:
    struct Options
    {
        QString clientModel;
        QByteArray messageId;        // "msg_…"
        int estimatedInputTokens = 1;
        QStringList stopSequences;
        ToolNameMap toolNames;
    };

    explicit StreamTranslator(Options options);
    ~StreamTranslator();
    StreamTranslator(StreamTranslator &&) noexcept;
    StreamTranslator &operator=(StreamTranslator &&) noexcept;

    // message_start then ping. Call once, before anything else (the exchange calls it when the upstream
    // answered 200, so the client sees the stream begin at once).
    [[nodiscard]] QList<StreamEvent> start();

    // One upstream SSE event's data: a JSON chunk or "[DONE]".
    [[nodiscard]] QList<StreamEvent> feed(const QByteArray &data);

    // The upstream body ended cleanly (EOF). Completes the message, or reports truncation as an error.
    [[nodiscard]] QList<StreamEvent> finish();

    // Ends the stream with an error event for a failure seen outside the data (reset, idle timeout, a line over
    // the size limit). No-op once the stream is complete or failed.
    [[nodiscard]] QList<StreamEvent> fail(const Error &error);

    [[nodiscard]] bool isDone() const;      // message_stop or error was emitted
    [[nodiscard]] bool hasFailed() const;   // ended with an error event
    [[nodiscard]] QString stopReason() const;
    [[nodiscard]] QJsonObject usage() const; // the usage reported (or estimated) so far
    [[nodiscard]] int blockCount() const;

private:
    struct State;
    std::unique_ptr<State> d;
};

// A ping event ({"type":"ping"}), for the exchange's keep-alive timer.
[[nodiscard]] StreamEvent pingEvent();
// An error event for an Error (after the 200 went out).
[[nodiscard]] StreamEvent errorEvent(const Error &error);

} // namespace Proxy
