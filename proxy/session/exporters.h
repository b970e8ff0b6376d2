#pragma once

#include "exchangerecord.h"
#include "observedevent.h"
#include "redactor.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

// Turning recorded exchanges into files people share: JSONL (one record per line), HAR 1.2 (opens in a browser's
// devtools) and a curl command line. Every byte goes through the Redactor again, so an export is safe even if a
// record was not. The formats are documented in docs/EXPORT.md.
namespace Proxy {

inline constexpr int jsonlSchemaVersion = 1;

// "exchange_started", "request_body", "upstream_chunk", "client_event", "violation", "exchange_finished".
[[nodiscard]] QString eventKindName(ObservedEvent::Kind kind);

// Per exchange one {"type":"exchange",…} line, then one {"type":"event",…} line per event; "\n"-terminated.
[[nodiscard]] QByteArray exportJsonl(const QList<RecordedExchange> &exchanges, const Redactor &redactor);

// A HAR 1.2 log with one entry per exchange. `proxyBaseUrl` (e.g. http://127.0.0.1:8082) makes the request URLs;
// when invalid, the recorded Host header is used, else http://127.0.0.1.
[[nodiscard]] QByteArray exportHar(const QList<RecordedExchange> &exchanges, const Redactor &redactor,
                                   const QString &creatorVersion, const QUrl &proxyBaseUrl = {});

// The response body the client received: for a stream the SSE text rebuilt from the client events
// ("event: X\ndata: {…}\n\n"), for a JSON answer the message, for an error the error body. Redacted.
[[nodiscard]] QByteArray clientResponseBody(const RecordedExchange &exchange, const Redactor &redactor);

// A POSIX-shell command that repeats the request against the proxy. The key is never included: the command reads
// it from $ANTHROPIC_API_KEY (or $ANTHROPIC_AUTH_TOKEN when the client sent a bearer token). Without a recorded
// body the command reads it from request.json, with a comment saying so.
[[nodiscard]] QString curlCommand(const RecordedExchange &exchange, const QUrl &proxyBaseUrl, const Redactor &redactor);

} // namespace Proxy
