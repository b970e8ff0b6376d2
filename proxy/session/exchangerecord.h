#pragma once

#include "observedevent.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Proxy {

// What one exchange was, summarised from its ExchangeStarted/ExchangeFinished events (both already redacted):
// the row of the exchanges list, the key of the history database, the header of an export.
struct ExchangeRecord
{
    QByteArray requestId;
    QDateTime startedAt;           // wall clock, UTC
    qint64 startedNs = 0;          // the hub's monotonic clock (0 for exchanges loaded from history)
    QString method;
    QString path;                  // redacted
    QString client;                // User-Agent
    QString app;                   // x-app
    QString session;               // X-Claude-Code-Session-Id ("" when absent)
    QString model;                 // as the client asked
    QString upstreamModel;
    QString upstream;              // the profile's display name
    bool stream = false;
    bool finished = false;
    QString outcome;               // "completed", "failed", "cancelled" (empty while in flight)
    int status = 0;                // HTTP status sent to the client
    qint64 firstTokenMs = -1;      // time to the first content delta
    qint64 durationMs = -1;
    int inputTokens = -1;
    int outputTokens = -1;
    QString stopReason;
    QString errorType;
    QString errorMessage;
    int violations = 0;
    QJsonObject request;           // the full ExchangeStarted summary
    QJsonObject response;          // the full ExchangeFinished summary (empty while in flight)

    [[nodiscard]] bool hasProblem() const { return violations > 0 || !errorType.isEmpty() || outcome == u"failed"; }
    // Output tokens per second of streaming after the first token; -1 when unknown.
    [[nodiscard]] double tokensPerSecond() const;

    // From the data of an ExchangeStarted event; then update() with the ExchangeFinished data.
    [[nodiscard]] static ExchangeRecord fromStarted(const QByteArray &requestId, const QByteArray &json,
                                                    qint64 timestampNs = 0);
    void applyFinished(const QByteArray &json);
};

// An exchange with everything observed about it, oldest event first.
struct RecordedExchange
{
    ExchangeRecord record;
    QList<ObservedEvent> events;
};

} // namespace Proxy
