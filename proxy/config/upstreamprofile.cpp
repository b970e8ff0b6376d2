#include "upstreamprofile.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Proxy {

QUrl UpstreamProfile::chatCompletionsUrl() const
{
    QUrl url = baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/chat/completions"_s);
    return url;
}

MappingOptions UpstreamProfile::mappingOptions(const QString &upstreamModel) const
{
    MappingOptions options;
    options.upstreamModel = upstreamModel;
    options.maxTokensField = maxTokensField;
    options.sendReasoningEffort = sendReasoningEffort;
    options.includeStreamUsage = includeStreamUsage;
    return options;
}

QString UpstreamProfile::displayName() const
{
    if (isDemo())
        return u"demo"_s;
    // Never show credentials that may sit in a URL.
    return name + u" ("_s + baseUrl.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment) + u')';
}

QJsonObject UpstreamProfile::toJson() const
{
    QJsonArray rules;
    for (const ModelRule &rule : modelRules)
        rules.append(QJsonObject{{u"from"_s, rule.pattern}, {u"to"_s, rule.target}});
    return {
        {u"name"_s, name},
        {u"baseUrl"_s, baseUrl.toString()},
        {u"model"_s, modelOverride},
        {u"modelMap"_s, rules},
        {u"maxTokensField"_s, maxTokensField},
        {u"reasoningEffort"_s, sendReasoningEffort},
        {u"streamUsage"_s, includeStreamUsage},
        {u"connectTimeoutMs"_s, connectTimeoutMs},
        {u"firstByteTimeoutMs"_s, firstByteTimeoutMs},
        {u"idleTimeoutMs"_s, idleTimeoutMs},
        {u"totalTimeoutMs"_s, totalTimeoutMs},
        {u"streamTimeoutMs"_s, streamTimeoutMs},
    };
}

UpstreamProfile UpstreamProfile::fromJson(const QJsonObject &json)
{
    const UpstreamProfile defaults;
    UpstreamProfile p;
    p.name = json.value(u"name"_s).toString(defaults.name);
    p.baseUrl = QUrl(json.value(u"baseUrl"_s).toString());
    p.modelOverride = json.value(u"model"_s).toString();
    const QJsonArray rules = json.value(u"modelMap"_s).toArray();
    for (const QJsonValue &rule : rules) {
        const QJsonObject r = rule.toObject();
        const QString from = r.value(u"from"_s).toString();
        const QString to = r.value(u"to"_s).toString();
        if (!from.isEmpty() && !to.isEmpty())
            p.modelRules.append({from, to});
    }
    const QString field = json.value(u"maxTokensField"_s).toString(defaults.maxTokensField);
    p.maxTokensField = field == u"max_completion_tokens"_s ? field : defaults.maxTokensField;
    p.sendReasoningEffort = json.value(u"reasoningEffort"_s).toBool(defaults.sendReasoningEffort);
    p.includeStreamUsage = json.value(u"streamUsage"_s).toBool(defaults.includeStreamUsage);
    const auto positive = [&json](const QString &key, int fallback) {
        const int v = json.value(key).toInt(fallback);
        return v > 0 ? v : fallback;
    };
    p.connectTimeoutMs = positive(u"connectTimeoutMs"_s, defaults.connectTimeoutMs);
    p.firstByteTimeoutMs = positive(u"firstByteTimeoutMs"_s, defaults.firstByteTimeoutMs);
    p.idleTimeoutMs = positive(u"idleTimeoutMs"_s, defaults.idleTimeoutMs);
    p.totalTimeoutMs = positive(u"totalTimeoutMs"_s, defaults.totalTimeoutMs);
    p.streamTimeoutMs = positive(u"streamTimeoutMs"_s, defaults.streamTimeoutMs);
    return p;
}

} // namespace Proxy
