#include "upstreamerror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr qsizetype maxQuotedCharacters = 300;

// The upstream's own words, from the shapes OpenAI-compatible servers use.
QString messageFromJson(const QJsonObject &object)
{
    const QJsonValue error = object.value(u"error"_s);
    if (error[u"message"_s].isString())
        return error[u"message"_s].toString();
    if (error.isString())
        return error.toString();
    if (object.value(u"message"_s).isString())
        return object.value(u"message"_s).toString();
    const QJsonValue detail = object.value(u"detail"_s);
    if (detail.isString())
        return detail.toString();
    QStringList parts; // FastAPI validation errors (vLLM, SGLang): [{"loc": […], "msg": "…"}, …]
    const QJsonArray items = detail.toArray();
    for (const QJsonValue &item : items) {
        if (item[u"msg"_s].isString())
            parts.append(item[u"msg"_s].toString());
    }
    return parts.join(u"; "_s);
}

QString upstreamMessage(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    // Google's OpenAI-compatible endpoint wraps its error object in an array.
    const QJsonObject object = document.isArray() ? document.array().at(0).toObject() : document.object();
    const QString message = messageFromJson(object).trimmed();
    if (!message.isEmpty())
        return message;
    // Leading whitespace (HTML pages, pretty-printed text) must not use up the quota. At most 4 bytes per
    // character, so the byte cut never falls inside one of the characters kept; the character cut counts code
    // points so it never leaves half a surrogate pair (an emoji) at the end.
    const QString text = QString::fromUtf8(body.trimmed().left(4 * maxQuotedCharacters));
    qsizetype end = 0;
    for (qsizetype characters = 0; end < text.size() && characters < maxQuotedCharacters; ++characters)
        end += text.at(end).isHighSurrogate() && end + 1 < text.size() && text.at(end + 1).isLowSurrogate() ? 2 : 1;
    return text.left(end).trimmed();
}

struct Mapping {
    ErrorType type;
    int status;
};

Mapping mapStatus(int httpStatus)
{
    switch (httpStatus) {
    case 400:
    case 422:
        return { ErrorType::InvalidRequest, 400 };
    case 401:
        return { ErrorType::Authentication, 401 };
    case 403:
        return { ErrorType::Permission, 403 };
    case 404:
        return { ErrorType::NotFound, 404 };
    case 413:
        return { ErrorType::RequestTooLarge, 413 };
    case 429:
        return { ErrorType::RateLimit, 429 };
    case 408:
    case 504:
        return { ErrorType::Api, 504 };
    case 502:
    case 503:
        return { ErrorType::Overloaded, 529 };
    default:
        return { ErrorType::Api, httpStatus >= 500 && httpStatus < 600 ? 500 : 502 };
    }
}

} // namespace

Error errorFromUpstreamStatus(
    int httpStatus, const QByteArray &body, const QByteArray &retryAfter, const QString &upstreamName)
{
    const Mapping mapping = mapStatus(httpStatus);
    QString message = u"Upstream '%1' returned HTTP %2"_s.arg(upstreamName, QString::number(httpStatus));
    if (const QString quoted = upstreamMessage(body); !quoted.isEmpty())
        message += u": "_s + quoted;
    // The client's own key reached Switchyard fine; what failed is the key Switchyard sends upstream.
    if (httpStatus == 401)
        message += u" (the upstream rejected Switchyard's upstream API key: check SWITCHYARD_UPSTREAM_KEY)"_s;
    else if (httpStatus == 403)
        message += u" (the upstream API key has no permission for this request: check SWITCHYARD_UPSTREAM_KEY)"_s;
    Error error = Error::make(mapping.type, mapping.status, message);
    if (httpStatus == 429)
        error.retryAfter = retryAfter;
    return error;
}

} // namespace Proxy
