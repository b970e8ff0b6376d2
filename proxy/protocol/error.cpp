#include "error.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Proxy {

QString errorTypeName(ErrorType type)
{
    switch (type) {
    case ErrorType::InvalidRequest: return u"invalid_request_error"_s;
    case ErrorType::Authentication: return u"authentication_error"_s;
    case ErrorType::Permission: return u"permission_error"_s;
    case ErrorType::NotFound: return u"not_found_error"_s;
    case ErrorType::RequestTooLarge: return u"request_too_large"_s;
    case ErrorType::RateLimit: return u"rate_limit_error"_s;
    case ErrorType::Api: return u"api_error"_s;
    case ErrorType::Overloaded: return u"overloaded_error"_s;
    }
    return u"api_error"_s;
}

ErrorType errorTypeFromName(QStringView name)
{
    for (ErrorType type : {ErrorType::InvalidRequest, ErrorType::Authentication, ErrorType::Permission,
                           ErrorType::NotFound, ErrorType::RequestTooLarge, ErrorType::RateLimit, ErrorType::Api,
                           ErrorType::Overloaded}) {
        if (errorTypeName(type) == name)
            return type;
    }
    return ErrorType::Api;
}

int defaultHttpStatus(ErrorType type)
{
    switch (type) {
    case ErrorType::InvalidRequest: return 400;
    case ErrorType::Authentication: return 401;
    case ErrorType::Permission: return 403;
    case ErrorType::NotFound: return 404;
    case ErrorType::RequestTooLarge: return 413;
    case ErrorType::RateLimit: return 429;
    case ErrorType::Api: return 500;
    case ErrorType::Overloaded: return 529;
    }
    return 500;
}

Error Error::make(ErrorType type, const QString &message)
{
    return make(type, defaultHttpStatus(type), message);
}

Error Error::make(ErrorType type, int httpStatus, const QString &message)
{
    Error e;
    e.type = type;
    e.httpStatus = httpStatus;
    e.message = message;
    return e;
}

QByteArray anthropicErrorBody(const Error &error, const QByteArray &requestId)
{
    QJsonObject body{
        {u"type"_s, u"error"_s},
        {u"error"_s, QJsonObject{{u"type"_s, errorTypeName(error.type)}, {u"message"_s, error.message}}},
    };
    if (!requestId.isEmpty())
        body.insert(u"request_id"_s, QString::fromLatin1(requestId));
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace Proxy
