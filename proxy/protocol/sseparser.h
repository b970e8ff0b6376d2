#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Proxy {

// One server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html).
struct SseEvent
{
    QByteArray event; // the `event:` field, empty when absent
    QByteArray data;  // `data:` lines joined with '\n'
    friend bool operator==(const SseEvent &, const SseEvent &) = default;
};

// Incremental SSE parser for upstream streams. Bytes arrive in arbitrary pieces (network reads split lines,
// CRLF pairs and multi-byte UTF-8 characters anywhere); events come out when their blank line arrives.
// Handles LF, CRLF and CR line ends, `:` comment lines (keep-alives), `data:` with or without the space,
// multi-line data, and unknown fields (ignored). Pure: no I/O, no Qt event loop.
class SseParser
{
public:
    static constexpr qsizetype defaultMaxLineBytes = 4 * 1024 * 1024;

    explicit SseParser(qsizetype maxLineBytes = defaultMaxLineBytes);

    // Appends every event completed by `bytes` to `events`. Returns false once a single line grew beyond the
    // limit (the parser then stays failed and ignores further input) — the stream must be ended with an error.
    [[nodiscard]] bool feed(QByteArrayView bytes, QList<SseEvent> &events);

    // End of input: an event whose data arrived without the final blank line is still dispatched (upstreams
    // that close right after their last `data:` line).
    void finish(QList<SseEvent> &events);

    [[nodiscard]] bool hasFailed() const { return m_failed; }
    [[nodiscard]] qsizetype bufferedBytes() const { return m_line.size(); }
    [[nodiscard]] qint64 commentCount() const { return m_comments; }

private:
    void processLine(QByteArrayView line, QList<SseEvent> &events);
    void dispatch(QList<SseEvent> &events);

    qsizetype m_maxLineBytes;
    QByteArray m_line;       // an incomplete line carried to the next feed
    bool m_skipLf = false;   // the previous piece ended with CR: a leading LF belongs to it
    bool m_failed = false;
    QByteArray m_event;
    QByteArray m_data;
    bool m_hasData = false;
    qint64 m_comments = 0;
};

} // namespace Proxy
