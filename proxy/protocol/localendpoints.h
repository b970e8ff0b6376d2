#pragma once

#include "error.h"
#include "modelmapper.h"

#include <QByteArray>
#include <QJsonObject>

namespace Proxy {

// Answers for the endpoints the proxy serves itself, without the upstream. Pure.

// POST /v1/messages/count_tokens: {"input_tokens": N} (see estimateInputTokens); 400 on a malformed body.
[[nodiscard]] Result<QJsonObject> countTokensResponse(const QByteArray &requestBody);

// GET /v1/models in Anthropic's list shape. Lists the Claude model names clients commonly ask for; each
// display_name says which upstream model it maps to, so `models.list` doubles as a view of the mapping.
[[nodiscard]] QJsonObject modelListResponse(const ModelMapper &mapper);
// GET /v1/models/{id}: any id is served (names pass through), described like the list entries.
[[nodiscard]] QJsonObject modelInfo(const QString &id, const ModelMapper &mapper);

} // namespace Proxy
