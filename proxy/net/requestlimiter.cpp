#include "requestlimiter.h"

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr qsizetype maxChunkSizeLine = 1024;

QString mib(qint64 bytes)
{
    return bytes % (1024 * 1024) == 0 ? u"%1 MiB"_s.arg(bytes / (1024 * 1024)) : u"%1 bytes"_s.arg(bytes);
}

Error tooLarge(qint64 size, qint64 limit)
{
    return Error::make(ErrorType::RequestTooLarge, 413,
                       u"Request body of %1 bytes exceeds Switchyard's limit of %2"_s.arg(QString::number(size), mib(limit)));
}

Error headersTooLarge(const QString &what)
{
    return Error::make(ErrorType::InvalidRequest, 431, u"Request header fields too large: %1"_s.arg(what));
}

} // namespace

RequestLimiter::RequestLimiter(const Limits &limits)
    : m_limits(limits)
{
}

qint64 RequestLimiter::skippable() const
{
    if (m_refused)
        return 0;
    return m_state == State::Body || m_state == State::ChunkData ? m_remaining : 0;
}

void RequestLimiter::skip(qint64 bytes)
{
    Q_ASSERT(bytes <= skippable());
    if (bytes <= 0)
        return;
    m_remaining -= bytes;
    if (m_remaining == 0)
        m_state = m_state == State::Body ? State::Headers : State::ChunkDataEnd;
}

std::optional<Error> RequestLimiter::refuse(const Error &error)
{
    m_refused = true;
    return error;
}

RequestLimiter::Step RequestLimiter::feed(QByteArrayView bytes)
{
    Step step;
    qsizetype i = 0;
    const qsizetype n = bytes.size();
    while (i < n && !m_refused) {
        switch (m_state) {
        case State::Body:
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, n - i);
            skip(take);
            i += take;
            break;
        }
        case State::ChunkDataEnd: // the CRLF after a chunk's data
            if (bytes[i++] == '\n')
                m_state = State::ChunkSize;
            break;
        case State::Headers:
        case State::Trailers:
        case State::ChunkSize: {
            const qsizetype newline = bytes.sliced(i).indexOf('\n');
            const qsizetype take = newline < 0 ? n - i : newline + 1;
            const QByteArrayView piece = bytes.sliced(i, take);
            i += take;
            if (m_state == State::ChunkSize) {
                if (m_line.size() + piece.size() > maxChunkSizeLine)
                    step.refusal = refuse(Error::invalidRequest(u"Malformed chunked request body"_s));
                m_line += piece;
            } else {
                m_blockBytes += piece.size();
                if (m_blockBytes > m_limits.maxHeaderBytes) {
                    step.refusal = refuse(headersTooLarge(u"the header block exceeds %1 bytes"_s.arg(m_limits.maxHeaderBytes)));
                    break;
                }
                m_line += piece;
            }
            if (newline < 0 || m_refused)
                break;
            QByteArray line = m_line.trimmed();
            m_line.clear();
            if (m_state == State::ChunkSize) {
                const qsizetype semicolon = line.indexOf(';');
                bool ok = false;
                const qint64 size = (semicolon < 0 ? line : line.left(semicolon)).trimmed().toLongLong(&ok, 16);
                if (!ok || size < 0) {
                    step.refusal = refuse(Error::invalidRequest(u"Malformed chunked request body"_s));
                    break;
                }
                if (size == 0) {
                    m_state = State::Trailers;
                    m_blockBytes = 0;
                    break;
                }
                m_bodyBytes += size;
                if (m_bodyBytes > m_limits.maxBodyBytes) {
                    step.refusal = refuse(tooLarge(m_bodyBytes, m_limits.maxBodyBytes));
                    break;
                }
                m_state = State::ChunkData;
                m_remaining = size;
                break;
            }
            if (m_state == State::Trailers) {
                if (line.isEmpty()) {
                    m_state = State::Headers;
                    m_blockBytes = 0;
                }
                break;
            }
            // Headers
            if (line.isEmpty()) {
                if (m_block.isEmpty()) { // a stray CRLF between requests is tolerated (RFC 9112, 2.2)
                    m_blockBytes = 0;
                    break;
                }
                step.refusal = headerBlockDone(&step.continues);
                if (step.refusal)
                    m_refused = true;
                break;
            }
            if (!m_block.isEmpty() && ++m_fields > m_limits.maxHeaderCount) {
                step.refusal = refuse(headersTooLarge(u"more than %1 header fields"_s.arg(m_limits.maxHeaderCount)));
                break;
            }
            m_block += line.toLower() + '\n';
            break;
        }
        }
    }
    return step;
}

std::optional<Error> RequestLimiter::headerBlockDone(int *continues)
{
    const QList<QByteArray> lines = m_block.split('\n');
    m_block.clear();
    m_blockBytes = 0;
    m_fields = 0;
    bool chunked = false;
    bool expectContinue = false;
    std::optional<qint64> length;
    for (qsizetype l = 1; l < lines.size(); ++l) { // line 0 is the request line
        const QByteArray &line = lines[l];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "transfer-encoding" && value.contains("chunked")) {
            chunked = true;
        } else if (name == "content-length") {
            bool ok = false;
            const qint64 parsed = value.toLongLong(&ok);
            if (!ok || parsed < 0 || (length && *length != parsed))
                return Error::invalidRequest(u"Invalid Content-Length header"_s);
            length = parsed;
        } else if (name == "expect" && value == "100-continue") {
            expectContinue = true;
        }
    }
    if (chunked) { // Transfer-Encoding wins over Content-Length (RFC 9112, 6.3)
        m_state = State::ChunkSize;
        m_bodyBytes = 0;
    } else if (length.value_or(0) > m_limits.maxBodyBytes) {
        return tooLarge(*length, m_limits.maxBodyBytes);
    } else if (length.value_or(0) > 0) {
        m_state = State::Body;
        m_remaining = *length;
    } else {
        m_state = State::Headers;
    }
    if (expectContinue && m_state != State::Headers)
        ++*continues;
    return std::nullopt;
}

int RequestLimiter::jsonDepth(QByteArrayView json, int limit)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            deepest = qMax(deepest, ++depth);
            if (deepest > limit)
                return limit + 1;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}

} // namespace Proxy
