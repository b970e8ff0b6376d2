#include "presets.h"

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

PresetInfo make(const QString &id, const QString &title, const QString &baseUrl, bool needsKey, bool isLocal)
{
    PresetInfo info;
    info.id = id;
    info.title = title;
    info.profile.name = id;
    info.profile.baseUrl = baseUrl.isEmpty() ? QUrl() : QUrl(baseUrl);
    info.needsKey = needsKey;
    info.isLocal = isLocal;
    return info;
}

} // namespace

QList<PresetInfo> presetInfos()
{
    QList<PresetInfo> presets;

    // OpenAI's newer models reject max_tokens; max_completion_tokens works for all of them.
    PresetInfo openai = make(u"openai"_s, u"OpenAI"_s, u"https://api.openai.com/v1"_s, true, false);
    openai.profile.maxTokensField = u"max_completion_tokens"_s;
    openai.profile.modelRules = { { u"claude-*haiku*"_s, u"gpt-4o-mini"_s }, { u"claude-*"_s, u"gpt-4o"_s } };
    presets.append(openai);

    PresetInfo openrouter = make(u"openrouter"_s, u"OpenRouter"_s, u"https://openrouter.ai/api/v1"_s, true, false);
    openrouter.profile.modelRules = { { u"claude-*haiku*"_s, u"anthropic/claude-3.5-haiku"_s },
        { u"claude-*"_s, u"anthropic/claude-sonnet-4"_s } };
    presets.append(openrouter);

    // DeepSeek thinks on its own (deepseek-reasoner) and has no reasoning_effort parameter.
    PresetInfo deepseek = make(u"deepseek"_s, u"DeepSeek"_s, u"https://api.deepseek.com/v1"_s, true, false);
    deepseek.profile.modelRules = { { u"claude-*"_s, u"deepseek-chat"_s } };
    deepseek.profile.sendReasoningEffort = false;
    presets.append(deepseek);

    // Groq refuses reasoning_effort for most models and reports streaming usage in x_groq on its own.
    PresetInfo groq = make(u"groq"_s, u"Groq"_s, u"https://api.groq.com/openai/v1"_s, true, false);
    groq.profile.modelRules = { { u"claude-*"_s, u"llama-3.3-70b-versatile"_s } };
    groq.profile.sendReasoningEffort = false;
    groq.profile.includeStreamUsage = false;
    presets.append(groq);

    // Local servers: no key, model names are whatever the user pulled; loading a model can take minutes
    // before the first byte, so the whole-exchange limit is generous.
    const auto local = [](PresetInfo info) {
        info.profile.sendReasoningEffort = false;
        info.profile.totalTimeoutMs = 1'800'000;
        return info;
    };
    presets.append(local(make(u"ollama"_s, u"Ollama (local)"_s, u"http://localhost:11434/v1"_s, false, true)));
    presets.append(local(make(u"lmstudio"_s, u"LM Studio (local)"_s, u"http://localhost:1234/v1"_s, false, true)));
    presets.append(local(make(u"vllm"_s, u"vLLM (local)"_s, u"http://localhost:8000/v1"_s, false, true)));

    presets.append(make(u"demo"_s, u"Built-in demo"_s, QString(), false, true));
    return presets;
}

QList<UpstreamProfile> upstreamPresets()
{
    QList<UpstreamProfile> profiles;
    const QList<PresetInfo> infos = presetInfos();
    for (const PresetInfo &info : infos)
        profiles.append(info.profile);
    return profiles;
}

PresetInfo presetInfo(const QString &id)
{
    const QList<PresetInfo> infos = presetInfos();
    for (const PresetInfo &info : infos) {
        if (info.id == id)
            return info;
    }
    return infos.constLast();
}

} // namespace Proxy
