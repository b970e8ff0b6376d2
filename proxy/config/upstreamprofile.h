#pragma once

#include "protocol/mappingoptions.h"
#include "protocol/modelmapper.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

namespace Proxy {

// One upstream the proxy can talk to. A value type: the settings class stores it as JSON, the command line
// overrides parts of it, and an exchange copies it at its start (in-flight requests keep the settings they began
// with). API keys are never part of it.
struct UpstreamProfile
{
    QString name = QStringLiteral("demo");
    QUrl baseUrl;                     // OpenAI base URL, e.g. https://api.openai.com/v1; empty = built-in demo
    QString modelOverride;            // send every request to this model (--model)
    QList<ModelRule> modelRules;      // client model glob -> upstream model (--model-map)
    QString maxTokensField = QStringLiteral("max_tokens");
    bool sendReasoningEffort = true;
    bool includeStreamUsage = true;
    int connectTimeoutMs = 30'000;    // until the request is sent (DNS, TCP, TLS, upload)
    int firstByteTimeoutMs = 120'000; // from the request sent to the response's status line
    int idleTimeoutMs = 300'000;      // streaming: longest silence between upstream bytes
    int totalTimeoutMs = 600'000;     // non-streaming: whole exchange (the Anthropic SDK's own default is 10 minutes)
    int streamTimeoutMs = 3'600'000;  // streaming: whole exchange, the stream included (long generations)

    [[nodiscard]] bool isDemo() const { return baseUrl.isEmpty(); }
    // <baseUrl>/chat/completions (a trailing slash on the base is tolerated).
    [[nodiscard]] QUrl chatCompletionsUrl() const;
    [[nodiscard]] ModelMapper modelMapper() const { return ModelMapper(modelOverride, modelRules); }
    [[nodiscard]] MappingOptions mappingOptions(const QString &upstreamModel) const;
    // "demo" or the base URL, for messages ("Upstream 'openai' (https://…)").
    [[nodiscard]] QString displayName() const;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static UpstreamProfile fromJson(const QJsonObject &json);

    [[nodiscard]] static UpstreamProfile demo() { return {}; }

    friend bool operator==(const UpstreamProfile &, const UpstreamProfile &) = default;
};

} // namespace Proxy
