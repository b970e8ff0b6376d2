#pragma once

#include "error.h"
#include "toolnamemap.h"

#include <QJsonObject>
#include <QStringList>

namespace Proxy {

struct ResponseContext
{
    QString clientModel;       // echoed as "model"
    QByteArray messageId;      // "msg_…"
    QStringList stopSequences; // the request's stop_sequences
    ToolNameMap toolNames;     // to restore long/invalid tool names
};

// An OpenAI chat.completion object mapped to an Anthropic Message (non-streaming). An upstream body that is not a
// usable completion (no choices, error object) gives a 502 api_error naming the problem.
[[nodiscard]] Result<QJsonObject> mapResponse(const QJsonObject &chatCompletion, const ResponseContext &context);

// OpenAI finish_reason -> Anthropic stop_reason: stop->end_turn, length->max_tokens, tool_calls/function_call->
// tool_use, content_filter->refusal, null/unknown->end_turn. `hasToolCalls` turns "stop" into "tool_use" (some
// upstreams say stop after calls). The stop_sequence case needs the choice object: see mapResponse.
[[nodiscard]] QString mapStopReason(const QString &finishReason, bool hasToolCalls);

// The Anthropic usage object from an OpenAI usage object: input_tokens excludes cached prompt tokens, which are
// reported as cache_read_input_tokens; cache_creation_input_tokens is 0.
[[nodiscard]] QJsonObject mapUsage(const QJsonObject &openAiUsage);

// Tool-call arguments (a JSON text) as the tool_use `input` object. Empty or whitespace -> {}. Text that is not a
// JSON object -> {"_switchyard_invalid_arguments": "<the raw text>"} so the client's tool validation reports it
// to the model instead of the client crashing (documented in docs/MAPPING.md).
[[nodiscard]] QJsonObject toolInputFromArguments(const QString &arguments);

// The opaque signature Switchyard gives a thinking block ("sy1" + base64 of 16 bytes of SHA-256 of the text):
// deterministic, non-empty, and never mistaken for one of Anthropic's own.
[[nodiscard]] QString thinkingSignature(const QString &thinking);

} // namespace Proxy
