#pragma once

#include "error.h"
#include "mappingoptions.h"
#include "toolnamemap.h"

#include <QJsonObject>
#include <QStringList>

namespace Proxy {

// An Anthropic Messages request translated into an OpenAI Chat Completions request body.
struct MappedRequest
{
    QJsonObject body;          // the chat/completions request body
    QString clientModel;       // the `model` the client asked for (echoed back in responses)
    bool stream = false;       // the client's `stream` flag
    QStringList stopSequences; // the client's stop_sequences (to report stop_reason "stop_sequence")
    ToolNameMap toolNames;     // upstream tool name -> client tool name
    int messageCount = 0;      // client messages[] length (for summary logs)
    int toolCount = 0;         // client tools[] length
    int maxTokens = 0;
};

// Checks the client's request (400 invalid_request_error naming the field on bad input) and maps it.
// See docs/MAPPING.md for every decision. Pure: no I/O.
[[nodiscard]] Result<MappedRequest> mapRequest(const QJsonObject &anthropicRequest, const MappingOptions &options);

// Parses raw request bytes as a JSON object (400 with the parser's message otherwise).
[[nodiscard]] Result<QJsonObject> parseJsonObject(const QByteArray &body);

} // namespace Proxy
