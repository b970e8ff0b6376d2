#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Proxy {

// Checks an Anthropic Messages event stream against its grammar, event by event. It is the test oracle for
// every streaming test and, at run time, the source of the findings the GUI flags on an exchange. Pure.
//
// Grammar checked: message_start first (message with id "msg_…", type "message", role "assistant", model, empty
// content, usage with input_tokens/output_tokens); content blocks as content_block_start -> content_block_delta*
// -> content_block_stop with index 0, 1, 2… (one block open at a time, never reused); the delta type matches
// the block type (text_delta/text, input_json_delta/tool_use, thinking_delta and signature_delta/thinking);
// tool_use input JSON (the concatenated partial_json, or the start's input when there were no deltas) parses to
// an object at stop; thinking blocks get a signature_delta before their stop; exactly one message_delta
// (stop_reason one of end_turn, max_tokens, stop_sequence, tool_use, pause_turn, refusal; usage.output_tokens
// present) after all blocks are closed, then message_stop; ping allowed anywhere before the end; an `error`
// event ends the stream (nothing may follow it); nothing after message_stop; the SSE `event:` name equals the
// JSON `type`.
class ProtocolValidator
{
public:
    struct Violation
    {
        qsizetype eventIndex = -1; // position of the offending event in the stream (0-based)
        QString message;
    };

    // Feeds one event. `eventName` is the SSE `event:` field. Returns the violations this event caused.
    QList<Violation> feed(const QByteArray &eventName, const QJsonObject &payload);
    // The stream ended (connection closed). Reports a stream that ended neither with message_stop nor error.
    QList<Violation> finish();

    [[nodiscard]] const QList<Violation> &violations() const { return m_violations; }
    [[nodiscard]] bool isValid() const { return m_violations.isEmpty(); }
    [[nodiscard]] bool endedWithError() const { return m_state == State::Errored; }
    [[nodiscard]] bool completed() const { return m_state == State::Stopped; }

    // Convenience: validates a whole SSE transcript ("event: …\ndata: …\n\n" …), as a client would receive it.
    [[nodiscard]] static QList<Violation> validateTranscript(const QByteArray &sse, bool *endedWithError = nullptr);

private:
    enum class State { Initial, InMessage, InBlock, AfterDelta, Stopped, Errored };
    void violate(const QString &message);
    void check(const QByteArray &eventName, const QJsonObject &payload);
    void blockStart(const QJsonObject &payload);
    void blockDelta(const QJsonObject &payload);
    void blockStop(const QJsonObject &payload);
    void messageDelta(const QJsonObject &payload);
    void messageStop();
    void closeBlock();

    State m_state = State::Initial;
    qsizetype m_index = -1; // of the event being fed
    qint64 m_nextBlockIndex = 0; // 64-bit: a transcript may use index INT_MAX, and the next is one more
    int m_openBlock = -1;
    QString m_blockType;
    QByteArray m_toolJson;
    QJsonObject m_toolStartInput;
    bool m_sawSignature = false;
    bool m_sawMessageDelta = false; // kept apart from m_state: a block opened after it must not forget it
    bool m_reportedAfterEnd = false;
    bool m_finished = false;
    QList<Violation> m_violations;
};

} // namespace Proxy
