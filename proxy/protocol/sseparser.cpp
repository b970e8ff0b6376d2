#include "sseparser.h"

#include <cstring>

namespace Proxy {

namespace {

// memchr is vectorised; a byte-by-byte loop over every chunk is what would make this the bottleneck.
const char *findByte(const char *from, const char *to, char c)
{
    const void *hit = std::memchr(from, c, size_t(to - from));
    return hit ? static_cast<const char *>(hit) : to;
}

// A carried line keeps its allocation for the next one, unless one unusually long line made it big.
constexpr qsizetype retainedLineCapacity = 64 * 1024;

} // namespace

SseParser::SseParser(qsizetype maxLineBytes)
    : m_maxLineBytes(maxLineBytes)
{
}

bool SseParser::feed(QByteArrayView bytes, QList<SseEvent> &events)
{
    if (m_failed)
        return false;
    if (bytes.isEmpty())
        return true; // also keeps a null data() away from memchr
    const char *p = bytes.data();
    const char *const end = p + bytes.size();
    if (m_skipLf) {
        if (*p == '\n')
            ++p;
        m_skipLf = false;
    }
    // The next LF is remembered across lines: a CR-only stream would otherwise rescan to the end per line.
    const char *nextLf = findByte(p, end, '\n');
    while (p != end) {
        if (nextLf < p)
            nextLf = findByte(p, end, '\n');
        const char *const eol = findByte(p, nextLf, '\r');
        // Checked before buffering, so an endless line costs at most the limit in memory.
        if (m_line.size() + (eol - p) > m_maxLineBytes) {
            m_failed = true;
            m_line = QByteArray();
            return false;
        }
        if (eol == end) {
            m_line.append(p, eol - p);
            break;
        }
        if (m_line.isEmpty()) {
            processLine(QByteArrayView(p, eol), events);
        } else {
            m_line.append(p, eol - p);
            processLine(m_line, events);
            if (m_line.capacity() > retainedLineCapacity)
                m_line = QByteArray();
            else
                m_line.resize(0);
        }
        p = eol + 1;
        if (*eol == '\r') {
            if (p == end)
                m_skipLf = true; // the LF of this CRLF may be the first byte of the next piece
            else if (*p == '\n')
                ++p;
        }
    }
    return true;
}

void SseParser::finish(QList<SseEvent> &events)
{
    if (m_failed)
        return;
    if (!m_line.isEmpty())
        processLine(m_line, events);
    m_line = QByteArray();
    m_skipLf = false;
    dispatch(events);
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> &events)
{
    if (line.isEmpty()) {
        dispatch(events);
        return;
    }
    if (line.front() == ':') {
        ++m_comments;
        return;
    }
    const qsizetype colon = line.indexOf(':');
    const QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);
    if (field == QByteArrayView("data")) {
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    } else if (field == QByteArrayView("event")) {
        m_event = value.toByteArray();
    }
    // id, retry and anything else: nothing downstream needs them.
}

void SseParser::dispatch(QList<SseEvent> &events)
{
    // Per the spec an event without data lines is dropped, its `event:` name with it.
    if (m_hasData)
        events.append(SseEvent{std::move(m_event), std::move(m_data)});
    m_event.clear();
    m_data.clear();
    m_hasData = false;
}

} // namespace Proxy
