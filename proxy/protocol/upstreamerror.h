#pragma once

#include "error.h"

#include <QByteArray>
#include <QString>

namespace Proxy {

// An upstream HTTP error status and body -> the Anthropic error the client receives.
// 400->400 invalid_request_error, 401->401 authentication_error, 403->403 permission_error,
// 404->404 not_found_error, 413->413 request_too_large, 422->400 invalid_request_error,
// 429->429 rate_limit_error (retry-after kept), 408/504->504 api_error, 502/503->529 overloaded_error,
// other 5xx->500 api_error, anything else ->502 api_error. The message names the upstream and its status and
// quotes the upstream's own message (OpenAI `error.message`, `error` string, `message`, `detail`, or the first
// 300 characters of the body).
[[nodiscard]] Error errorFromUpstreamStatus(int httpStatus, const QByteArray &body, const QByteArray &retryAfter,
                                            const QString &upstreamName);

} // namespace Proxy
