#pragma once

#include "upstreamprofile.h"

#include <QList>
#include <QString>

namespace Proxy {

// A starting point for a new upstream profile: the profile itself plus what the settings dialog tells the user
// about it.
struct PresetInfo {
    QString id; // stable, lower case: "openai", "ollama", "demo", …
    QString title; // for menus: "OpenAI", "Ollama (local)", …
    UpstreamProfile profile;
    bool needsKey = true; // false for local servers and the demo: an empty key is normal there
    bool isLocal = false; // runs on this machine (localhost)
};

// Every preset, in menu order: OpenAI, OpenRouter, DeepSeek, Groq, Ollama, LM Studio, vLLM, demo.
[[nodiscard]] QList<PresetInfo> presetInfos();
// The profiles of presetInfos(), in the same order.
[[nodiscard]] QList<UpstreamProfile> upstreamPresets();
// The preset with this id; the demo's when there is none.
[[nodiscard]] PresetInfo presetInfo(const QString &id);

} // namespace Proxy
