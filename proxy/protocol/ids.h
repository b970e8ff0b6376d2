#pragma once

#include <QByteArray>

namespace Proxy {

// Random identifiers in Anthropic's shapes: "msg_…", "req_…", "toolu_…" followed by 24 base62 characters.
[[nodiscard]] QByteArray makeId(const char *prefix);

} // namespace Proxy
