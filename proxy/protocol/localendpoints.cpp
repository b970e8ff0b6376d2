#include "localendpoints.h"

#include "requestmapper.h"
#include "tokenestimator.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Proxy {

Result<QJsonObject> countTokensResponse(const QByteArray &requestBody)
{
    Result<QJsonObject> request = parseJsonObject(requestBody);
    if (!request)
        return tl::unexpected(request.error());
    if (!request->value(u"model"_s).isString())
        return tl::unexpected(Error::invalidRequest(u"model: Field required"_s));
    if (!request->value(u"messages"_s).isArray())
        return tl::unexpected(Error::invalidRequest(u"messages: Field required"_s));
    return QJsonObject{{u"input_tokens"_s, estimateInputTokens(*request)}};
}

QJsonObject modelInfo(const QString &id, const ModelMapper &mapper)
{
    const QString target = mapper.map(id);
    const QString display = target == id ? id : id + u" \u2192 "_s + target;
    return {
        {u"type"_s, u"model"_s},
        {u"id"_s, id},
        {u"display_name"_s, display},
        {u"created_at"_s, u"2025-01-01T00:00:00Z"_s},
    };
}

QJsonObject modelListResponse(const ModelMapper &mapper)
{
    static const QStringList ids{
        u"claude-opus-4-5"_s,   u"claude-sonnet-4-5"_s, u"claude-haiku-4-5"_s,
        u"claude-opus-4-1"_s,   u"claude-sonnet-4-0"_s, u"claude-3-5-haiku-latest"_s,
    };
    QJsonArray data;
    for (const QString &id : ids)
        data.append(modelInfo(id, mapper));
    return {
        {u"data"_s, data},
        {u"has_more"_s, false},
        {u"first_id"_s, ids.first()},
        {u"last_id"_s, ids.last()},
    };
}

} // namespace Proxy
