#include "tokenestimator.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <limits>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr int perMessage = 4;
constexpr int perTool = 8;
constexpr int perImage = 1600;

int textTokens(const QString &text)
{
    const qsizetype bytes = text.toUtf8().size();
    return int((bytes + 3) / 4);
}

int jsonTokens(const QJsonValue &value)
{
    if (value.isObject())
        return textTokens(QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
    if (value.isArray())
        return textTokens(QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)));
    return textTokens(value.toVariant().toString());
}

qint64 contentTokens(const QJsonValue &content);

// Sums are 64-bit: a request under the 32 MiB body limit can hold 1.4 million image blocks (2.1 billion tokens).
qint64 blockTokens(const QJsonObject &block)
{
    const QString type = block.value(u"type"_s).toString();
    if (type == u"text"_s)
        return textTokens(block.value(u"text"_s).toString());
    if (type == u"image"_s)
        return perImage;
    if (type == u"document"_s) {
        const QJsonObject source = block.value(u"source"_s).toObject();
        const QString kind = source.value(u"type"_s).toString();
        if (kind == u"base64"_s)
            return int(source.value(u"data"_s).toString().size() * 3 / 4 / 4);
        if (kind == u"text"_s)
            return textTokens(source.value(u"data"_s).toString());
        if (kind == u"content"_s)
            return contentTokens(source.value(u"content"_s));
        return textTokens(source.value(u"url"_s).toString());
    }
    if (type == u"tool_use"_s)
        return textTokens(block.value(u"name"_s).toString()) + jsonTokens(block.value(u"input"_s));
    if (type == u"tool_result"_s)
        return contentTokens(block.value(u"content"_s));
    if (type == u"thinking"_s)
        return textTokens(block.value(u"thinking"_s).toString());
    return 0;
}

qint64 contentTokens(const QJsonValue &content)
{
    if (content.isString())
        return textTokens(content.toString());
    qint64 total = 0;
    const QJsonArray blocks = content.toArray();
    for (const QJsonValue &block : blocks)
        total += blockTokens(block.toObject());
    return total;
}

} // namespace

int estimateInputTokens(const QJsonObject &request)
{
    qint64 total = contentTokens(request.value(u"system"_s));
    const QJsonArray messages = request.value(u"messages"_s).toArray();
    for (const QJsonValue &message : messages)
        total += perMessage + contentTokens(message[u"content"_s]);
    const QJsonArray tools = request.value(u"tools"_s).toArray();
    for (const QJsonValue &tool : tools) {
        total += perTool + textTokens(tool[u"name"_s].toString()) + textTokens(tool[u"description"_s].toString())
            + jsonTokens(tool[u"input_schema"_s]);
    }
    return int(qBound(qint64(1), total, qint64(std::numeric_limits<int>::max())));
}

} // namespace Proxy
