#pragma once

#include <QJsonObject>

namespace Proxy {

// A deterministic estimate of a Messages request's input tokens (for count_tokens and message_start).
// Documented in docs/MAPPING.md: text counts ceil(UTF-8 bytes / 4); each message adds 4; images 1,600;
// documents their decoded size / 4; tools count their name, description and compact JSON schema; the system
// prompt counts like text. The result is at least 1.
[[nodiscard]] int estimateInputTokens(const QJsonObject &anthropicRequest);

} // namespace Proxy
