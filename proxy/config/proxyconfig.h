#pragma once

#include "upstreamprofile.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace Proxy {

// Bounds on what one client or one upstream may make the proxy hold (docs/SECURITY.md). Every limit ends in a
// defined Anthropic error instead of unbounded memory.
struct Limits
{
    qint64 maxBodyBytes = 32LL * 1024 * 1024;   // request body: 413 request_too_large, the rest is never read
    int maxHeaderBytes = 64 * 1024;             // request line + header block: 431
    int maxHeaderCount = 100;                   // header fields: 431 (QHttpServer 6.4 loses all beyond ~100)
    int maxJsonDepth = 128;                     // nesting of the request JSON: 400 invalid_request_error
    int maxConcurrentExchanges = 64;            // Messages requests in flight: 529 overloaded_error
    qint64 maxSseLineBytes = 4LL * 1024 * 1024; // one upstream SSE line: error (event)
    qint64 maxUpstreamBytes = 256LL * 1024 * 1024; // everything one exchange reads from its upstream(s)
    qint64 maxClientBacklogBytes = 8LL * 1024 * 1024; // unsent bytes for a client that does not read: cut

    friend bool operator==(const Limits &, const Limits &) = default;
};

// Retries before the client has seen a byte (docs/SECURITY.md, "Retries and fallback"). Connection failures,
// 429 and 5xx are retried on the same upstream with exponential backoff, then the next upstream of the fallback
// chain is tried. Nothing is retried once the response has begun.
struct RetryPolicy
{
    int maxRetries = 0;             // per upstream, after its first attempt (0: the clients retry themselves)
    int initialBackoffMs = 500;     // doubled per retry
    int maxBackoffMs = 8'000;       // cap for the backoff and for an upstream's Retry-After
    friend bool operator==(const RetryPolicy &, const RetryPolicy &) = default;
};

// An upstream with the key to use for it (fallback chain entries).
struct UpstreamTarget
{
    UpstreamProfile profile;
    QByteArray key; // secret, never logged
    friend bool operator==(const UpstreamTarget &, const UpstreamTarget &) = default;
};

// Everything the core needs to run, as one value. Built by the composition root from Settings and the command
// line; the keys and the inbound token come from the environment (headless) or the keychain (desktop) and are
// never persisted here.
struct ProxyConfig
{
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8082;
    UpstreamProfile upstream;
    QByteArray upstreamKey;       // secret: sent as Authorization: Bearer; never logged
    QList<UpstreamTarget> fallbacks; // tried in order after `upstream` failed before the first byte
    RetryPolicy retry;
    int shutdownGraceMs = 10'000; // SIGINT/SIGTERM: how long in-flight responses may take to finish
    int pingIntervalMs = 15'000;  // streaming: a ping after this much upstream silence (clients' idle watchdogs)

    // Inbound access (docs/SECURITY.md). A non-empty token must come with every request, as `x-api-key: <token>`
    // or `Authorization: Bearer <token>`; required to listen on a non-loopback address.
    QByteArray inboundToken;      // secret: never logged
    QStringList allowedHosts;     // Host names accepted besides loopback names (e.g. "myhost.lan")
    QStringList allowedOrigins;   // browser origins accepted (exact, e.g. "http://localhost:3000"); none by default
    Limits limits;
};

} // namespace Proxy
