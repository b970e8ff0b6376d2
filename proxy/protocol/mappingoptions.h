#pragma once

#include <QString>

namespace Proxy {

// What an upstream profile says about how to shape requests for it. Plain values, filled from UpstreamProfile.
struct MappingOptions
{
    QString upstreamModel;                 // already resolved (ModelMapper); required
    QString maxTokensField = QStringLiteral("max_tokens"); // or "max_completion_tokens" (OpenAI o-series, gpt-5)
    bool sendReasoningEffort = true;       // map `thinking` to `reasoning_effort`
    bool includeStreamUsage = true;        // add stream_options.include_usage to streaming requests
};

} // namespace Proxy
