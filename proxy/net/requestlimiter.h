#pragma once

#include "config/proxyconfig.h"
#include "protocol/error.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace Proxy {

// QHttpServer 6.4 has no limits: it buffers a whole request (any header block, any body) before the handler
// runs. The listener feeds every byte a client sends through one RequestLimiter per connection *before*
// QHttpServer reads it, so an oversized request is refused after its header block, without buffering the rest.
// It follows HTTP/1.1 framing just enough to find where each request ends: the header block (size and field
// count), then a Content-Length body or a chunked body. Pure: no sockets, no event loop.
class RequestLimiter
{
public:
    struct Step
    {
        std::optional<Error> refusal; // answer this (413, 431, 400) and close the connection
        int continues = 0;            // requests that said `Expect: 100-continue` and may send their body now
    };

    explicit RequestLimiter(const Limits &limits);

    // Body bytes that may be passed over without looking at them (inside a Content-Length body or a chunk).
    [[nodiscard]] qint64 skippable() const;
    void skip(qint64 bytes);
    // Everything else goes through here. Once a step refused, the limiter stays refused.
    [[nodiscard]] Step feed(QByteArrayView bytes);
    [[nodiscard]] bool hasRefused() const { return m_refused; }

    // The maximum nesting depth of brackets/braces outside strings in a JSON text (0 for a scalar). Stops
    // counting once `limit` is exceeded and returns limit + 1.
    [[nodiscard]] static int jsonDepth(QByteArrayView json, int limit);

private:
    enum class State { Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers };

    [[nodiscard]] std::optional<Error> headerBlockDone(int *continues);
    [[nodiscard]] std::optional<Error> refuse(const Error &error);

    Limits m_limits;
    State m_state = State::Headers;
    QByteArray m_line;         // the current header/chunk-size line
    QByteArray m_block;        // the header block so far (lines, lower case), bounded by maxHeaderBytes
    qint64 m_blockBytes = 0;
    int m_fields = 0;
    qint64 m_remaining = 0;    // body or chunk bytes still to come
    qint64 m_bodyBytes = 0;    // chunked: data bytes so far
    bool m_refused = false;
};

} // namespace Proxy
