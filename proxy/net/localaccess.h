#pragma once

#include "protocol/error.h"

#include <QByteArray>
#include <QStringList>
#include <optional>

namespace Proxy {

// Switchyard spends the user's upstream key, and any web page the user opens can send requests to localhost.
// A browser always sends `Origin` on cross-site requests (including "simple" ones that skip CORS preflight),
// and a DNS-rebinding page reaches us under its own host name. So:
// - a request carrying an `Origin` header is refused (403) unless that origin is listed in `allowedOrigins`
//   (exact, case-insensitive): Claude Code and the SDKs outside a browser send none;
// - while listening on loopback, the `Host` header must name a loopback host (localhost, *.localhost,
//   127.0.0.0/8, [::1]) or one of `allowedHosts` — else 403. On any other address (where an inbound token is
//   required anyway) IP-literal hosts always pass and names are checked only when `allowedHosts` is set.
// Returns the permission_error to answer, or nothing when the request may proceed.
[[nodiscard]] std::optional<Error> checkLocalAccess(const QByteArray &host, const QByteArray &origin,
                                                    bool listeningOnLoopback, const QStringList &allowedHosts = {},
                                                    const QStringList &allowedOrigins = {});

// The inbound token check: with a non-empty `token`, the request must carry it as `x-api-key: <token>` or
// `Authorization: Bearer <token>` (compared in constant time) — else 401 authentication_error.
[[nodiscard]] std::optional<Error> checkInboundToken(const QByteArray &apiKey, const QByteArray &authorization,
                                                     const QByteArray &token);

// Compares without an early exit, so the time taken says nothing about where two secrets differ (both are
// hashed first, so not even the length leaks).
[[nodiscard]] bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace Proxy
