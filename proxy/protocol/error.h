#pragma once

#include <QByteArray>
#include <QString>

#include <tl/expected.hpp>

namespace Proxy {

// The Anthropic error types (https://docs.anthropic.com/en/api/errors).
enum class ErrorType {
    InvalidRequest,   // 400 invalid_request_error
    Authentication,   // 401 authentication_error
    Permission,       // 403 permission_error
    NotFound,         // 404 not_found_error
    RequestTooLarge,  // 413 request_too_large
    RateLimit,        // 429 rate_limit_error
    Api,              // 500 api_error
    Overloaded,       // 529 overloaded_error
};

// A failure as the client will see it. One function at the HTTP boundary (anthropicErrorBody) turns it into JSON.
struct Error
{
    ErrorType type = ErrorType::Api;
    int httpStatus = 500;
    QString message;
    QByteArray retryAfter; // forwarded as the retry-after header when set (429 from upstream)

    [[nodiscard]] static Error make(ErrorType type, const QString &message);
    [[nodiscard]] static Error make(ErrorType type, int httpStatus, const QString &message);
    [[nodiscard]] static Error invalidRequest(const QString &message) { return make(ErrorType::InvalidRequest, message); }

    friend bool operator==(const Error &, const Error &) = default;
};

template<typename T>
using Result = tl::expected<T, Error>;

[[nodiscard]] QString errorTypeName(ErrorType type);
// The inverse of errorTypeName; unknown names are api_error.
[[nodiscard]] ErrorType errorTypeFromName(QStringView name);
[[nodiscard]] int defaultHttpStatus(ErrorType type);

// {"type":"error","error":{"type":…,"message":…},"request_id":…} (request_id omitted when empty), compact JSON.
[[nodiscard]] QByteArray anthropicErrorBody(const Error &error, const QByteArray &requestId = {});

} // namespace Proxy
