#pragma once

#include "protocol/error.h"

#include <QByteArray>
#include <optional>

namespace Proxy {

// Switchyard spends the user's upstream key, and any web page the user opens can send requests to localhost.
// A browser always sends `Origin` on cross-site requests (including "simple" ones that skip CORS preflight),
// and a DNS-rebinding page reaches us under its own host name. So, while the proxy listens on loopback:
// - the `Host` header must name a loopback host (localhost, *.localhost, 127.0.0.0/8, [::1]) — else 403;
// - a request carrying an `Origin` header is refused (403): Claude Code and the SDKs outside a browser send
//   none. Returns the permission_error to answer, or nothing when the request may proceed.
[[nodiscard]] std::optional<Error> checkLocalAccess(const QByteArray &host, const QByteArray &origin,
                                                    bool listeningOnLoopback);

} // namespace Proxy
