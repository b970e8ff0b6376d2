#pragma once

#include <QByteArray>
#include <QMetaType>

namespace Proxy {

// One thing an exchange did, as observers (the GUI timeline, tests, logs) see it.
struct ObservedEvent
{
    enum class Kind : quint8 {
        ExchangeStarted,  // data: the request summary (JSON, redacted)
        RequestBody,      // data: the client's request body, redacted (only when the hub records bodies)
        UpstreamChunk,    // data: one upstream SSE event's data, as received (or a non-streaming body)
        ClientEvent,      // name: the Anthropic event type; data: its JSON payload, as sent to the client
        Violation,        // data: a protocol validator finding about what was sent
        ExchangeFinished, // data: the response summary (JSON)
    };

    quint64 sequence = 0;  // increasing across the whole process, never reused
    qint64 timestampNs = 0; // monotonic, nanoseconds since the hub started
    QByteArray requestId;
    Kind kind = Kind::UpstreamChunk;
    QByteArray name;
    QByteArray data;
    quint64 cause = 0; // ClientEvent: the sequence of the UpstreamChunk it was translated from (0: none)
};

} // namespace Proxy

Q_DECLARE_METATYPE(Proxy::ObservedEvent)
