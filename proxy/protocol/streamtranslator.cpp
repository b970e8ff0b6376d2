#include "streamtranslator.h"

#include "ids.h"
#include "responsemapper.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QVarLengthArray>

#include <array>
#include <charconv>
#include <iterator>
#include <cstring>
#include <vector>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

// Tells, one UTF-16 unit at a time, whether the text seen so far can still become one complete JSON object
// (RFC 8259, with an object at the top). Tool-call arguments arrive in arbitrary fragments; this lets the
// translator refuse the first fragment that makes them invalid before it reaches the client.
class JsonObjectPrefix {
public:
    // False once the text is no longer the prefix of a JSON object (the state is then meaningless).
    [[nodiscard]] bool feed(QStringView text);
    [[nodiscard]] bool isEmpty() const { return m_state == State::Start; } // nothing but whitespace yet
    [[nodiscard]] bool isComplete() const { return m_state == State::Done; } // a whole object (+ whitespace)

private:
    enum class State : quint8 {
        Start, // before the top-level '{'
        FirstKeyOrEnd, // after '{'
        Key, // after ',' in an object
        Colon, // after a key
        Value, // after ':' or ',' in an array
        FirstValueOrEnd, // after '['
        AfterValue,
        String,
        Escape,
        Hex,
        Minus, // number states, named after what was last read
        Zero,
        Integer,
        Dot,
        Fraction,
        Exponent,
        ExponentSign,
        ExponentDigits,
        Literal, // inside true / false / null
        Done,
    };
    static constexpr qsizetype maxDepth = 512;

    [[nodiscard]] bool step(char16_t c);
    [[nodiscard]] bool beginValue(char16_t c);
    [[nodiscard]] bool push(char container);
    [[nodiscard]] bool close(char container);

    State m_state = State::Start;
    bool m_inKey = false;
    quint8 m_hexLeft = 0;
    const char *m_literal = nullptr; // the rest of the literal being read
    QByteArray m_stack; // '{' / '['
};

constexpr bool isJsonSpace(char16_t c)
{
    return c == u' ' || c == u'\n' || c == u'\r' || c == u'\t';
}

constexpr bool isDigit(char16_t c)
{
    return c >= u'0' && c <= u'9';
}

constexpr bool isHexDigit(char16_t c)
{
    return isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

bool JsonObjectPrefix::feed(QStringView text)
{
    const char16_t *p = text.utf16();
    const char16_t *const end = p + text.size();
    while (p != end) {
        if (m_state == State::String) {
            // The bulk of any arguments text: skip plain string content quickly.
            while (p != end && *p != u'"' && *p != u'\\' && *p >= 0x20)
                ++p;
            if (p == end)
                break;
        }
        if (!step(*p++))
            return false;
    }
    return true;
}

bool JsonObjectPrefix::push(char container)
{
    if (m_stack.size() >= maxDepth)
        return false;
    m_stack.append(container);
    m_state = container == '{' ? State::FirstKeyOrEnd : State::FirstValueOrEnd;
    return true;
}

bool JsonObjectPrefix::close(char container)
{
    if (m_stack.isEmpty() || m_stack.back() != container)
        return false;
    m_stack.chop(1);
    m_state = m_stack.isEmpty() ? State::Done : State::AfterValue;
    return true;
}

bool JsonObjectPrefix::beginValue(char16_t c)
{
    switch (c) {
    case u'"':
        m_state = State::String;
        m_inKey = false;
        return true;
    case u'{':
        return push('{');
    case u'[':
        return push('[');
    case u'-':
        m_state = State::Minus;
        return true;
    case u'0':
        m_state = State::Zero;
        return true;
    case u't':
        m_literal = "rue";
        m_state = State::Literal;
        return true;
    case u'f':
        m_literal = "alse";
        m_state = State::Literal;
        return true;
    case u'n':
        m_literal = "ull";
        m_state = State::Literal;
        return true;
    default:
        if (c >= u'1' && c <= u'9') {
            m_state = State::Integer;
            return true;
        }
        return false;
    }
}

bool JsonObjectPrefix::step(char16_t c)
{
    switch (m_state) {
    case State::Start:
        return isJsonSpace(c) || (c == u'{' && push('{'));
    case State::FirstKeyOrEnd:
        if (c == u'}')
            return close('{');
        [[fallthrough]];
    case State::Key:
        if (c == u'"') {
            m_state = State::String;
            m_inKey = true;
            return true;
        }
        return isJsonSpace(c);
    case State::Colon:
        if (c == u':') {
            m_state = State::Value;
            return true;
        }
        return isJsonSpace(c);
    case State::FirstValueOrEnd:
        if (c == u']')
            return close('[');
        [[fallthrough]];
    case State::Value:
        return isJsonSpace(c) || beginValue(c);
    case State::AfterValue:
        if (isJsonSpace(c))
            return true;
        if (c == u',') {
            m_state = m_stack.back() == '{' ? State::Key : State::Value;
            return true;
        }
        if (c == u'}')
            return close('{');
        if (c == u']')
            return close('[');
        return false;
    case State::String:
        if (c == u'"') {
            m_state = m_inKey ? State::Colon : State::AfterValue;
            return true;
        }
        if (c == u'\\') {
            m_state = State::Escape;
            return true;
        }
        return c >= 0x20;
    case State::Escape:
        switch (c) {
        case u'"':
        case u'\\':
        case u'/':
        case u'b':
        case u'f':
        case u'n':
        case u'r':
        case u't':
            m_state = State::String;
            return true;
        case u'u':
            m_state = State::Hex;
            m_hexLeft = 4;
            return true;
        default:
            return false;
        }
    case State::Hex:
        if (!isHexDigit(c))
            return false;
        if (--m_hexLeft == 0)
            m_state = State::String;
        return true;
    case State::Minus:
        if (c == u'0') {
            m_state = State::Zero;
            return true;
        }
        if (isDigit(c)) {
            m_state = State::Integer;
            return true;
        }
        return false;
    case State::Integer:
        if (isDigit(c))
            return true;
        [[fallthrough]];
    case State::Zero:
        if (c == u'.') {
            m_state = State::Dot;
            return true;
        }
        if (c == u'e' || c == u'E') {
            m_state = State::Exponent;
            return true;
        }
        m_state = State::AfterValue; // the number ended: the character belongs to what follows
        return step(c);
    case State::Dot:
        if (!isDigit(c))
            return false;
        m_state = State::Fraction;
        return true;
    case State::Fraction:
        if (isDigit(c))
            return true;
        if (c == u'e' || c == u'E') {
            m_state = State::Exponent;
            return true;
        }
        m_state = State::AfterValue;
        return step(c);
    case State::Exponent:
        if (c == u'+' || c == u'-') {
            m_state = State::ExponentSign;
            return true;
        }
        [[fallthrough]];
    case State::ExponentSign:
        if (!isDigit(c))
            return false;
        m_state = State::ExponentDigits;
        return true;
    case State::ExponentDigits:
        if (isDigit(c))
            return true;
        m_state = State::AfterValue;
        return step(c);
    case State::Literal:
        if (c != char16_t(*m_literal))
            return false;
        if (*++m_literal == '\0')
            m_state = State::AfterValue;
        return true;
    case State::Done:
        return isJsonSpace(c);
    }
    return false;
}

// Bytes the text takes in UTF-8, for the output-token estimate.
qint64 utf8Length(QStringView text)
{
    qint64 bytes = text.size();
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u >= 0x80)
            bytes += (u < 0x800 || QChar::isSurrogate(u)) ? 1 : 2; // a surrogate pair is 4 bytes in all
    }
    return bytes;
}

QString excerpt(QStringView text)
{
    constexpr qsizetype length = 80;
    if (text.size() <= length)
        return text.toString();
    return u"…"_s + text.right(length);
}

// --- event payloads, in Anthropic's shapes ----------------------------------------------------------------
// Written straight to compact JSON bytes, byte for byte what QJsonDocument::toJson(Compact) writes for the same
// object (keys sorted, same escapes, integers as integers): building a QJsonObject per event and serialising it
// was two thirds of the cost of a chunk (docs/BENCHMARKS.md).

enum class BlockKind : quint8 { None, Text, Thinking, Tool };

const QByteArray typeMessageStart = QByteArrayLiteral("message_start");
const QByteArray typeBlockStart = QByteArrayLiteral("content_block_start");
const QByteArray typeBlockDelta = QByteArrayLiteral("content_block_delta");
const QByteArray typeBlockStop = QByteArrayLiteral("content_block_stop");
const QByteArray typeMessageDelta = QByteArrayLiteral("message_delta");
const QByteArray typeMessageStop = QByteArrayLiteral("message_stop");
const QByteArray typePing = QByteArrayLiteral("ping");
const QByteArray typeError = QByteArrayLiteral("error");

constexpr char hexDigit(unsigned value)
{
    return char(value < 10 ? '0' + value : 'a' + value - 10);
}

// Bytes an ASCII character takes in a JSON string beyond its own: 1 for \" \\ \b \f \n \r \t, 5 for \u00xx.
constexpr std::array<quint8, 128> asciiEscapeExtra = [] {
    std::array<quint8, 128> extra{};
    for (std::size_t c = 0; c < 0x20; ++c)
        extra[c] = 5;
    for (const char c : { '"', '\\', '\b', '\f', '\n', '\r', '\t' })
        extra[std::size_t(c)] = 1;
    return extra;
}();

// The bytes appendJsonString() writes for `text`, quotes included.
qsizetype jsonStringSize(QStringView text)
{
    qsizetype bytes = 2 + text.size();
    const char16_t *p = text.utf16();
    const char16_t *const end = p + text.size();
    while (p != end) {
        const char16_t u = *p++;
        if (u < 0x80) {
            bytes += asciiEscapeExtra[u];
        } else if (u < 0x800) {
            bytes += 1;
        } else if (!QChar::isSurrogate(u)) {
            bytes += 2;
        } else if (QChar::isHighSurrogate(u) && p != end && QChar::isLowSurrogate(*p)) {
            bytes += 2; // 4 bytes for 2 units
            ++p;
        } else {
            bytes += 5; // a lone surrogate: \udxxx
        }
    }
    return bytes;
}

// `text` as a JSON string, escaped as QJsonDocument escapes it: " and \, \b \f \n \r \t, other control
// characters as \u00xx, a lone surrogate as \uxxxx (lower-case hex); everything else as UTF-8.
void appendJsonString(QByteArray &out, QStringView text)
{
    const qsizetype at = out.size();
    out.resize(at + jsonStringSize(text)); // within the capacity the caller reserved, when it did
    char *o = out.data() + at;
    *o++ = '"';
    const char16_t *p = text.utf16();
    const char16_t *const end = p + text.size();
    while (p != end) {
        const char16_t u = *p++;
        if (u < 0x80) {
            if (asciiEscapeExtra[u] == 0) {
                *o++ = char(u);
                continue;
            }
            *o++ = '\\';
            switch (u) {
            case u'"':
                *o++ = '"';
                break;
            case u'\\':
                *o++ = '\\';
                break;
            case u'\b':
                *o++ = 'b';
                break;
            case u'\f':
                *o++ = 'f';
                break;
            case u'\n':
                *o++ = 'n';
                break;
            case u'\r':
                *o++ = 'r';
                break;
            case u'\t':
                *o++ = 't';
                break;
            default:
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hexDigit(u >> 4);
                *o++ = hexDigit(u & 0xf);
            }
        } else if (u < 0x800) {
            *o++ = char(0xc0 | (u >> 6));
            *o++ = char(0x80 | (u & 0x3f));
        } else if (!QChar::isSurrogate(u)) {
            *o++ = char(0xe0 | (u >> 12));
            *o++ = char(0x80 | ((u >> 6) & 0x3f));
            *o++ = char(0x80 | (u & 0x3f));
        } else if (QChar::isHighSurrogate(u) && p != end && QChar::isLowSurrogate(*p)) {
            const char32_t cp = QChar::surrogateToUcs4(u, *p++);
            *o++ = char(0xf0 | (cp >> 18));
            *o++ = char(0x80 | ((cp >> 12) & 0x3f));
            *o++ = char(0x80 | ((cp >> 6) & 0x3f));
            *o++ = char(0x80 | (cp & 0x3f));
        } else {
            *o++ = '\\';
            *o++ = 'u';
            *o++ = hexDigit(u >> 12);
            *o++ = hexDigit((u >> 8) & 0xf);
            *o++ = hexDigit((u >> 4) & 0xf);
            *o++ = hexDigit(u & 0xf);
        }
    }
    *o = '"';
}

void appendInt(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto result = std::to_chars(std::begin(digits), std::end(digits), value);
    out.append(digits, result.ptr - digits);
}

enum class DeltaKind : quint8 { Text, Thinking, Signature, Json };

// Deltas are most of a stream: one allocation each, sized exactly.
StreamEvent blockDelta(int index, DeltaKind kind, QStringView value)
{
    struct Shape {
        QByteArrayView head;
        QByteArrayView tail;
    };
    static constexpr Shape shapes[] = {
        { R"({"delta":{"text":)", R"(,"type":"text_delta"},"index":)" },
        { R"({"delta":{"thinking":)", R"(,"type":"thinking_delta"},"index":)" },
        { R"({"delta":{"signature":)", R"(,"type":"signature_delta"},"index":)" },
        { R"({"delta":{"partial_json":)", R"(,"type":"input_json_delta"},"index":)" },
    };
    constexpr QByteArrayView end = R"(,"type":"content_block_delta"})";
    const Shape &shape = shapes[int(kind)];
    QByteArray json;
    json.reserve(shape.head.size() + jsonStringSize(value) + shape.tail.size() + 11 + end.size());
    json.append(shape.head);
    appendJsonString(json, value);
    json.append(shape.tail);
    appendInt(json, index);
    json.append(end);
    return { typeBlockDelta, EventPayload(std::move(json)) };
}

StreamEvent blockStart(int index, BlockKind kind, QStringView id = {}, QStringView name = {})
{
    QByteArray json;
    json.reserve(128 + id.size() * 3 + name.size() * 3);
    json.append(R"({"content_block":)");
    switch (kind) {
    case BlockKind::None: // not a block
    case BlockKind::Text:
        json.append(R"({"text":"","type":"text"})");
        break;
    case BlockKind::Thinking:
        json.append(R"({"thinking":"","type":"thinking"})");
        break;
    case BlockKind::Tool:
        json.append(R"({"id":)");
        appendJsonString(json, id);
        json.append(R"(,"input":{},"name":)");
        appendJsonString(json, name);
        json.append(R"(,"type":"tool_use"})");
        break;
    }
    json.append(R"(,"index":)");
    appendInt(json, index);
    json.append(R"(,"type":"content_block_start"})");
    return { typeBlockStart, EventPayload(std::move(json)) };
}

StreamEvent blockStop(int index)
{
    QByteArray json;
    json.reserve(48);
    json.append(R"({"index":)");
    appendInt(json, index);
    json.append(R"(,"type":"content_block_stop"})");
    return { typeBlockStop, EventPayload(std::move(json)) };
}

struct Usage {
    int input = 0;
    int output = 0;
    int cacheCreation = 0;
    int cacheRead = 0;
};

QJsonObject usageObject(const Usage &usage)
{
    return QJsonObject{ { u"input_tokens"_s, usage.input }, { u"output_tokens"_s, usage.output },
        { u"cache_creation_input_tokens"_s, usage.cacheCreation }, { u"cache_read_input_tokens"_s, usage.cacheRead } };
}

void appendUsage(QByteArray &json, const Usage &usage)
{
    json.append(R"({"cache_creation_input_tokens":)");
    appendInt(json, usage.cacheCreation);
    json.append(R"(,"cache_read_input_tokens":)");
    appendInt(json, usage.cacheRead);
    json.append(R"(,"input_tokens":)");
    appendInt(json, usage.input);
    json.append(R"(,"output_tokens":)");
    appendInt(json, usage.output);
    json.append('}');
}

QString stringOf(const QJsonValue &value)
{
    return value.isString() ? value.toString() : QString();
}

// An upstream error code or status as a number: servers send 429, "429", or words such as "rate_limit_exceeded".
int numberOf(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toInt();
    if (value.isString())
        return value.toString().toInt();
    return 0;
}

// An upstream `{"error": …}` chunk (or a top-level "error" string) as the Anthropic error the client gets.
Error upstreamChunkError(const QJsonObject &chunk, const QJsonValue &errorValue)
{
    const QJsonObject error = errorValue.toObject(); // empty when "error" is a string
    QString message = errorValue.isString() ? errorValue.toString() : stringOf(error.value("message"_L1));
    if (message.isEmpty()) {
        const QByteArray json
            = errorValue.isObject() ? QJsonDocument(error).toJson(QJsonDocument::Compact) : QByteArray("(no message)");
        message = QString::fromUtf8(json).left(200);
    }
    const QJsonObject &fields = errorValue.isObject() ? error : chunk;
    // "rate_limit_exceeded", "RateLimitError", "rate limit", Google's "RESOURCE_EXHAUSTED" (but not "moderation").
    QString words = (stringOf(fields.value("type"_L1)) + u' ' + stringOf(fields.value("code"_L1)) + u' '
        + stringOf(fields.value("status"_L1)))
                        .toLower();
    words.replace(u' ', u'_').replace(u'-', u'_');
    const int code = numberOf(fields.value("code"_L1));
    const int status = numberOf(fields.value("status"_L1));
    const auto is = [&](int value) {
        return code == value || status == value;
    };

    ErrorType type = ErrorType::Api;
    if (is(429) || words.contains("rate_limit"_L1) || words.contains("ratelimit"_L1)
        || words.contains("too_many_requests"_L1) || words.contains("resource_exhausted"_L1))
        type = ErrorType::RateLimit;
    else if (is(502) || is(503) || is(529) || words.contains("overloaded"_L1) || words.contains("unavailable"_L1))
        type = ErrorType::Overloaded;
    return Error::make(type, u"Upstream error: "_s + message);
}

// --- the chunk scanner ------------------------------------------------------------------------------------
// One pass over a chunk's bytes that checks the JSON syntax and picks out the few fields the translator reads,
// without building a document: QJsonDocument would cost more than everything else per chunk together. Values
// read rarely (usage, error, reasoning_details) are kept as byte spans and parsed only when present.

struct Span;
QString decoded(const Span &span);

struct Span {
    const char *begin = nullptr;
    const char *end = nullptr;
    bool escaped = false; // a string with backslash escapes

    [[nodiscard]] bool isSet() const { return begin != nullptr; }
    [[nodiscard]] bool isEmpty() const { return begin == end; } // also when not set
    [[nodiscard]] QByteArrayView bytes() const { return QByteArrayView(begin, end); }
    template<std::size_t N> [[nodiscard]] bool operator==(const char (&word)[N]) const
    {
        if (escaped) // a key like "cont\u0065nt": rare, but it is still "content"
            return decoded(*this) == QLatin1StringView(word, N - 1);
        return end - begin == qsizetype(N - 1) && std::memcmp(begin, word, N - 1) == 0;
    }
};

struct ToolCallDelta {
    int index = 0; // when not sent: the call's position in the array
    Span id;
    Span name;
    Span arguments;
};

struct ChoiceDelta {
    int index = 0;
    Span reasoningContent;
    Span reasoning;
    Span reasoningDetails; // raw JSON array
    Span content;
    Span refusal;
    QVarLengthArray<ToolCallDelta, 2> toolCalls;
    bool hasFunctionCall = false; // the deprecated single-call form
    ToolCallDelta functionCall;
    Span finishReason;
    Span stopReason; // vLLM: the stop string matched
    Span matchedStop; // SGLang: the same
};

struct ChunkData {
    Span error; // raw JSON of a non-null "error"
    Span usage; // raw JSON object
    QVarLengthArray<ChoiceDelta, 1> choices;
};

class ChunkScanner {
public:
    explicit ChunkScanner(QByteArrayView data)
        : m_p(data.data())
        , m_end(data.data() + data.size())
    {
    }

    // False when the data is not one JSON object.
    [[nodiscard]] bool scan(ChunkData &chunk)
    {
        if (!object(0, [&](const Span &key) { return topMember(key, chunk); }))
            return false;
        skipSpace();
        return m_p == m_end;
    }

private:
    static constexpr int maxDepth = 512;
    // The bytes that end a run of plain string content.
    static constexpr std::array<bool, 256> stringStops = [] {
        std::array<bool, 256> stops{};
        stops['"'] = true;
        stops['\\'] = true;
        return stops;
    }();

    void skipSpace()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    [[nodiscard]] bool at(char c)
    {
        skipSpace();
        return m_p != m_end && *m_p == c;
    }
    [[nodiscard]] bool take(char c)
    {
        if (!at(c))
            return false;
        ++m_p;
        return true;
    }

    template<typename Member> [[nodiscard]] bool object(int depth, Member &&member)
    {
        if (depth > maxDepth || !take('{'))
            return false;
        if (take('}'))
            return true;
        do {
            Span key;
            if (!at('"') || !string(key) || !take(':'))
                return false;
            skipSpace();
            if (m_p == m_end || !member(key))
                return false;
        } while (take(','));
        return take('}');
    }

    template<typename Element> [[nodiscard]] bool array(int depth, Element &&element)
    {
        if (depth > maxDepth || !take('['))
            return false;
        if (take(']'))
            return true;
        qsizetype position = 0;
        do {
            skipSpace();
            if (m_p == m_end || !element(position++))
                return false;
        } while (take(','));
        return take(']');
    }

    // At the opening quote.
    [[nodiscard]] bool string(Span &span)
    {
        const char *p = m_p + 1; // a local: stores through `this` would be redone for every byte
        span.begin = p;
        for (;;) {
            while (p != m_end && !stringStops[uchar(*p)])
                ++p;
            if (p == m_end)
                return false;
            if (*p == '"')
                break;
            // A backslash. (Raw control characters are not stops: QJsonDocument lets them through, and so do we.)
            span.escaped = true;
            if (++p == m_end)
                return false;
            if (*p == 'u') {
                if (m_end - p < 5 || !isHexDigit(char16_t(p[1])) || !isHexDigit(char16_t(p[2]))
                    || !isHexDigit(char16_t(p[3])) || !isHexDigit(char16_t(p[4])))
                    return false;
                p += 5;
            } else {
                ++p; // \x reads as x, as in QJsonDocument
            }
        }
        span.end = p;
        m_p = p + 1;
        return true;
    }

    [[nodiscard]] qsizetype digits()
    {
        const char *const start = m_p;
        while (m_p != m_end && isDigit(char16_t(*m_p)))
            ++m_p;
        return m_p - start;
    }

    // A number as QJsonDocument reads one (it also takes "1." and ".5"); `integer` gets the value of a plain
    // integer that fits.
    [[nodiscard]] bool number(int *integer = nullptr)
    {
        const char *const start = m_p;
        if (*m_p == '-')
            ++m_p;
        qsizetype mantissaDigits = 0;
        if (m_p != m_end && *m_p == '0') {
            ++m_p;
            mantissaDigits = 1;
        } else {
            mantissaDigits = digits();
        }
        bool plain = true;
        if (m_p != m_end && *m_p == '.') {
            ++m_p;
            plain = false;
            mantissaDigits += digits();
        }
        if (mantissaDigits == 0)
            return false;
        if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            plain = false;
            if (m_p != m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (digits() == 0)
                return false;
        }
        if (integer && plain && m_p - start <= 9)
            *integer = QByteArrayView(start, m_p).toInt();
        return true;
    }

    [[nodiscard]] bool literal(QByteArrayView word)
    {
        if (m_end - m_p < word.size() || QByteArrayView(m_p, word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    }

    // Any value, checked and skipped.
    [[nodiscard]] bool value(int depth)
    {
        if (m_p == m_end)
            return false;
        switch (*m_p) {
        case '"': {
            Span ignored;
            return string(ignored);
        }
        case '{':
            return object(depth + 1, [&](const Span &) { return value(depth + 1); });
        case '[':
            return array(depth + 1, [&](qsizetype) { return value(depth + 1); });
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }

    [[nodiscard]] bool stringValue(Span &span, int depth) { return *m_p == '"' ? string(span) : value(depth); }
    [[nodiscard]] bool integerValue(int &integer, int depth)
    {
        return m_p != m_end && (*m_p == '-' || isDigit(char16_t(*m_p))) ? number(&integer) : value(depth);
    }
    // The raw bytes of a value opening with `opening` (any value but null when it is 0).
    [[nodiscard]] bool rawValue(Span &span, int depth, char opening)
    {
        const char *const start = m_p;
        const bool wanted = opening ? *m_p == opening : *m_p != 'n';
        if (!value(depth))
            return false;
        if (wanted)
            span = Span{ start, m_p, false };
        return true;
    }

    [[nodiscard]] bool topMember(const Span &key, ChunkData &chunk)
    {
        if (key == "choices") {
            if (*m_p != '[')
                return value(1);
            return array(1, [&](qsizetype) {
                if (*m_p != '{')
                    return value(2);
                ChoiceDelta &choice = chunk.choices.emplace_back();
                return object(2, [&](const Span &k) { return choiceMember(k, choice); });
            });
        }
        if (key == "usage")
            return rawValue(chunk.usage, 1, '{');
        if (key == "error")
            return rawValue(chunk.error, 1, 0);
        if (key == "x_groq" && *m_p == '{') { // Groq reports usage here
            return object(1, [&](const Span &k) { return k == "usage" ? rawValue(chunk.usage, 2, '{') : value(2); });
        }
        return value(1);
    }

    [[nodiscard]] bool choiceMember(const Span &key, ChoiceDelta &choice)
    {
        constexpr int depth = 3;
        if (key == "delta") {
            if (*m_p != '{')
                return value(depth);
            return object(depth, [&](const Span &k) { return deltaMember(k, choice); });
        }
        if (key == "index")
            return integerValue(choice.index, depth);
        if (key == "finish_reason")
            return stringValue(choice.finishReason, depth);
        if (key == "stop_reason")
            return stringValue(choice.stopReason, depth);
        if (key == "matched_stop")
            return stringValue(choice.matchedStop, depth);
        return value(depth);
    }

    [[nodiscard]] bool deltaMember(const Span &key, ChoiceDelta &choice)
    {
        constexpr int depth = 4;
        if (key == "content")
            return stringValue(choice.content, depth);
        if (key == "reasoning_content")
            return stringValue(choice.reasoningContent, depth);
        if (key == "reasoning")
            return stringValue(choice.reasoning, depth);
        if (key == "tool_calls") {
            if (*m_p != '[')
                return value(depth);
            return array(depth, [&](qsizetype position) {
                if (*m_p != '{')
                    return value(depth + 1);
                ToolCallDelta &call = choice.toolCalls.emplace_back();
                call.index = int(position);
                return object(depth + 1, [&](const Span &k) { return toolCallMember(k, call, depth + 2); });
            });
        }
        if (key == "refusal")
            return stringValue(choice.refusal, depth);
        if (key == "reasoning_details")
            return rawValue(choice.reasoningDetails, depth, '[');
        if (key == "function_call" && *m_p == '{') {
            choice.hasFunctionCall = true;
            choice.functionCall.index = 0;
            return object(depth, [&](const Span &k) { return functionMember(k, choice.functionCall, depth + 1); });
        }
        return value(depth);
    }

    [[nodiscard]] bool toolCallMember(const Span &key, ToolCallDelta &call, int depth)
    {
        if (key == "function") {
            if (*m_p != '{')
                return value(depth);
            return object(depth, [&](const Span &k) { return functionMember(k, call, depth + 1); });
        }
        if (key == "index")
            return integerValue(call.index, depth);
        if (key == "id")
            return stringValue(call.id, depth);
        return value(depth);
    }

    [[nodiscard]] bool functionMember(const Span &key, ToolCallDelta &call, int depth)
    {
        if (key == "arguments")
            return stringValue(call.arguments, depth);
        if (key == "name")
            return stringValue(call.name, depth);
        return value(depth);
    }

    const char *m_p;
    const char *const m_end;
};

// A raw object or array span, parsed (the scanner has checked its syntax).
QJsonDocument document(const Span &span)
{
    return QJsonDocument::fromJson(QByteArray::fromRawData(span.begin, span.bytes().size()));
}

// Decodes one UTF-8 sequence starting at p (p < end); invalid bytes become U+FFFD, one per byte.
char32_t decodeUtf8(const uchar *&p, const uchar *end)
{
    const uchar lead = *p++;
    int extra = 0;
    char32_t cp = 0;
    char32_t minimum = 0;
    if (lead >= 0xF0 && lead <= 0xF4) {
        extra = 3, cp = lead & 0x07, minimum = 0x10000;
    } else if (lead >= 0xE0) {
        extra = 2, cp = lead & 0x0F, minimum = 0x800;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        extra = 1, cp = lead & 0x1F, minimum = 0x80;
    } else {
        return 0xFFFD;
    }
    if (lead > 0xF4 || end - p < extra)
        return 0xFFFD;
    for (int i = 0; i < extra; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    p += extra;
    return cp;
}

// A string span's text, escapes resolved (as QJsonDocument would: a lone \uD800 stays a lone surrogate).
QString decoded(const Span &span)
{
    if (!span.escaped)
        return QString::fromUtf8(span.bytes());
    QString result(span.end - span.begin, Qt::Uninitialized); // never more UTF-16 units than UTF-8 bytes
    char16_t *out = reinterpret_cast<char16_t *>(result.data());
    const uchar *p = reinterpret_cast<const uchar *>(span.begin);
    const uchar *const end = reinterpret_cast<const uchar *>(span.end);
    while (p != end) {
        const uchar c = *p;
        if (c == '\\') {
            const uchar e = p[1];
            p += 2;
            switch (e) {
            case 'b':
                *out++ = u'\b';
                break;
            case 'f':
                *out++ = u'\f';
                break;
            case 'n':
                *out++ = u'\n';
                break;
            case 'r':
                *out++ = u'\r';
                break;
            case 't':
                *out++ = u'\t';
                break;
            case 'u': {
                char16_t unit = 0;
                for (int i = 0; i < 4; ++i) {
                    const uchar h = p[i];
                    unit = char16_t(unit << 4) | char16_t(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                p += 4;
                *out++ = unit;
                break;
            }
            default:
                if (e < 0x80)
                    *out++ = char16_t(e); // " \ / and the unknown escapes QJsonDocument reads as the character
                else
                    --p; // an escaped multi-byte character: decoded as itself below
                break;
            }
        } else if (c < 0x80) {
            *out++ = char16_t(c);
            ++p;
        } else {
            const char32_t cp = decodeUtf8(p, end);
            if (cp >= 0x10000) {
                *out++ = QChar::highSurrogate(cp);
                *out++ = QChar::lowSurrogate(cp);
            } else {
                *out++ = char16_t(cp);
            }
        }
    }
    result.truncate(out - reinterpret_cast<char16_t *>(result.data()));
    return result;
}

struct ToolCall {
    enum class Stage : quint8 { Waiting, Open, Closed };

    int upstreamIndex = 0;
    QString upstreamId; // as the upstream sent it (may arrive late, or never)
    QString name; // the client's name for the tool
    QString pending; // arguments received while the call could not be forwarded yet
    QString previous; // the last two arguments fragments, for error messages (shared, not copied)
    QString last;
    JsonObjectPrefix json;
    Stage stage = Stage::Waiting;

    // The upstream sent something that lets it start now: its id, or all of its arguments.
    [[nodiscard]] bool isEager() const { return !name.isEmpty() && (!upstreamId.isEmpty() || json.isComplete()); }

    void remember(const QString &arguments)
    {
        previous = std::move(last);
        last = arguments;
    }
};

} // namespace

EventPayload::EventPayload(const QJsonObject &object)
    : m_json(QJsonDocument(object).toJson(QJsonDocument::Compact))
{
}

QJsonObject EventPayload::toObject() const
{
    return QJsonDocument::fromJson(m_json).object();
}

QByteArray StreamEvent::toSse() const
{
    return "event: " + type + "\ndata: " + payload.json() + "\n\n";
}

void StreamEvent::appendSse(QByteArray &wire) const
{
    wire.reserve(wire.size() + 15 + type.size() + payload.json().size());
    wire.append("event: ").append(type).append("\ndata: ").append(payload.json()).append("\n\n");
}

StreamEvent pingEvent()
{
    static const EventPayload ping(QByteArrayLiteral(R"({"type":"ping"})"));
    return { typePing, ping };
}

StreamEvent errorEvent(const Error &error)
{
    QByteArray json;
    json.append(R"({"error":{"message":)");
    appendJsonString(json, error.message);
    json.append(R"(,"type":)");
    appendJsonString(json, errorTypeName(error.type));
    json.append(R"(},"type":"error"})");
    return { typeError, EventPayload(std::move(json)) };
}

struct StreamTranslator::State {
    explicit State(Options o)
        : options(std::move(o))
    {
    }

    Options options;
    bool started = false;
    bool done = false;
    bool failed = false;
    bool completed = false;

    int nextBlock = 0;
    BlockKind open = BlockKind::None;
    int openIndex = -1;
    std::size_t openCall = 0; // calls[openCall] when open == Tool
    QString thinking; // the open thinking block's text, for its signature

    std::vector<ToolCall> calls; // in order of first appearance
    bool emittedToolUse = false;

    bool sawFinish = false;
    QString finishReason;
    QString stopSequence; // the request's stop sequence the upstream says it matched
    QJsonObject upstreamUsage;
    qint64 emittedBytes = 0; // text + thinking + arguments sent, for the output estimate

    void chunk(const QByteArray &data, QList<StreamEvent> &out);
    void choice(const ChoiceDelta &choice, QList<StreamEvent> &out);
    void text(const QString &text, QList<StreamEvent> &out);
    void thinkingText(const QString &text, QList<StreamEvent> &out);
    void toolFragment(
        int index, const QString &id, const QString &name, const QString &arguments, QList<StreamEvent> &out);
    [[nodiscard]] std::size_t callFor(int index, const QString &id, const QString &name);
    void schedule(QList<StreamEvent> &out);
    void startTool(std::size_t call, QList<StreamEvent> &out);
    // Closes the open block and starts a new one of `kind`; false when closing ended the stream.
    bool openBlock(BlockKind kind, QList<StreamEvent> &out, QStringView toolId = {}, QStringView toolName = {});
    void closeOpenBlock(QList<StreamEvent> &out);
    void complete(QList<StreamEvent> &out);
    void fail(const Error &error, QList<StreamEvent> &out);
    void failTool(const ToolCall &call, const QString &problem, QList<StreamEvent> &out);
    void emitted(QStringView text) { emittedBytes += utf8Length(text); }

    [[nodiscard]] QString stopReason() const;
    [[nodiscard]] Usage usage() const;
};

void StreamTranslator::State::chunk(const QByteArray &data, QList<StreamEvent> &out)
{
    const QByteArrayView trimmed = QByteArrayView(data).trimmed();
    if (trimmed.isEmpty())
        return; // an empty data line carries nothing
    if (trimmed == "[DONE]")
        return complete(out);

    ChunkData parsed;
    if (!ChunkScanner(data).scan(parsed)) {
        QJsonParseError parseError;
        (void)QJsonDocument::fromJson(data, &parseError); // only to word the message
        const QString what = parseError.error == QJsonParseError::NoError ? u"a JSON object"_s : u"valid JSON"_s;
        return fail(
            Error::make(ErrorType::Api,
                u"Upstream sent a chunk that is not %1: %2"_s.arg(what, QString::fromUtf8(data.left(800)).left(200))),
            out);
    }
    if (parsed.error.isSet()) {
        const QJsonObject object = QJsonDocument::fromJson(data).object(); // rare: worth a second read
        const QJsonValue error = object.value("error"_L1);
        if (error.isObject() || (error.isString() && !error.toString().isEmpty()))
            return fail(upstreamChunkError(object, error), out);
    }
    for (const ChoiceDelta &c : std::as_const(parsed.choices)) {
        if (c.index != 0)
            continue; // n > 1 is not an Anthropic concept: the first choice is the message
        choice(c, out);
        if (done)
            return;
    }
    if (parsed.usage.isSet()) {
        const QJsonObject usage = document(parsed.usage).object();
        if (!usage.isEmpty())
            upstreamUsage = usage; // cumulative: the latest wins
    }
}

void StreamTranslator::State::choice(const ChoiceDelta &c, QList<StreamEvent> &out)
{
    // Some servers send both reasoning names with the same text: one of them, never both.
    const Span &reasoning = c.reasoningContent.isEmpty() ? c.reasoning : c.reasoningContent;
    if (reasoning.isSet()) {
        thinkingText(decoded(reasoning), out);
    } else if (c.reasoningDetails.isSet()) {
        // OpenRouter's structured form, used only when the plain field is missing.
        QString detailText;
        const QJsonArray details = document(c.reasoningDetails).array();
        for (const QJsonValue detail : details) {
            const QJsonObject entry = detail.toObject();
            const QString kind = stringOf(entry.value("type"_L1));
            if (kind == "reasoning.text"_L1)
                detailText += stringOf(entry.value("text"_L1));
            else if (kind == "reasoning.summary"_L1)
                detailText += stringOf(entry.value("summary"_L1));
        }
        thinkingText(detailText, out);
    }
    if (!done && !c.content.isEmpty())
        text(decoded(c.content), out);
    if (!done && !c.refusal.isEmpty())
        text(decoded(c.refusal), out);
    for (const ToolCallDelta &call : c.toolCalls) {
        if (done)
            return;
        toolFragment(call.index, decoded(call.id), decoded(call.name), decoded(call.arguments), out);
    }
    if (!done && c.hasFunctionCall) {
        toolFragment(0, QString(), decoded(c.functionCall.name), decoded(c.functionCall.arguments), out);
    }
    if (done || sawFinish || c.finishReason.isEmpty())
        return;

    sawFinish = true;
    finishReason = decoded(c.finishReason);
    if (finishReason == "error"_L1) {
        return fail(Error::make(ErrorType::Api,
                        u"Upstream error: the upstream ended the response with finish_reason \"error\""_s),
            out);
    }
    // vLLM names the stop string it matched in `stop_reason`, SGLang in `matched_stop`.
    for (const Span *matched : { &c.stopReason, &c.matchedStop }) {
        if (matched->isEmpty())
            continue;
        const QString sequence = decoded(*matched);
        if (options.stopSequences.contains(sequence)) {
            stopSequence = sequence;
            break;
        }
    }
}

void StreamTranslator::State::text(const QString &value, QList<StreamEvent> &out)
{
    if (value.isEmpty())
        return;
    if (open != BlockKind::Text && !openBlock(BlockKind::Text, out))
        return;
    out.append(blockDelta(openIndex, DeltaKind::Text, value));
    emitted(value);
}

void StreamTranslator::State::thinkingText(const QString &value, QList<StreamEvent> &out)
{
    if (value.isEmpty())
        return;
    if (open != BlockKind::Thinking && !openBlock(BlockKind::Thinking, out))
        return;
    thinking += value;
    out.append(blockDelta(openIndex, DeltaKind::Thinking, value));
    emitted(value);
}

// Which call a fragment belongs to. Calls are told apart by index and, when an upstream reuses an index for
// several calls, by id: a new id at an index means a new call, unless the call there is still waiting for its
// first id (a late id).
std::size_t StreamTranslator::State::callFor(int index, const QString &id, const QString &name)
{
    std::size_t latest = calls.size();
    for (std::size_t i = calls.size(); i-- > 0;) {
        if (calls[i].upstreamIndex == index) {
            latest = i;
            break;
        }
    }
    if (!id.isEmpty() && (latest == calls.size() || calls[latest].upstreamId != id)) {
        for (std::size_t i = 0; i < calls.size(); ++i) {
            if (calls[i].upstreamId == id)
                return i; // an upstream that repeats the id on every fragment
        }
        const bool lateId = latest != calls.size() && calls[latest].upstreamId.isEmpty()
            && !(calls[latest].json.isComplete() && !name.isEmpty()
                && options.toolNames.toClient(name) != calls[latest].name);
        if (!lateId)
            latest = calls.size();
    }
    if (latest == calls.size()) {
        calls.emplace_back();
        calls.back().upstreamIndex = index;
    }
    return latest;
}

void StreamTranslator::State::toolFragment(
    int index, const QString &id, const QString &name, const QString &arguments, QList<StreamEvent> &out)
{
    if (id.isEmpty() && name.isEmpty() && arguments.isEmpty())
        return;
    const std::size_t position = callFor(index, id, name);
    ToolCall &call = calls[position];
    if (call.upstreamId.isEmpty())
        call.upstreamId = id;
    if (call.name.isEmpty() && !name.isEmpty())
        call.name = options.toolNames.toClient(name); // a repeated name is the same call, not more name

    if (!arguments.isEmpty()) {
        call.remember(arguments);
        if (!call.json.feed(arguments)) {
            return failTool(call,
                call.stage == ToolCall::Stage::Closed ? u"continue after their end"_s
                                                      : u"are not a valid JSON object"_s,
                out);
        }
        if (call.json.isEmpty()) {
            // Only whitespace so far: nothing worth a delta, and arguments that stay blank mean input {}.
        } else if (call.stage == ToolCall::Stage::Open) {
            out.append(blockDelta(openIndex, DeltaKind::Json, arguments));
            emitted(arguments);
        } else if (call.stage == ToolCall::Stage::Waiting) {
            call.pending += arguments;
        } // else: whitespace after a closed call's object, nothing to say
    }
    schedule(out);
}

// Gives the stage (the one open block) to the first waiting call once any waiting call can start and the open
// block can end: text and thinking can always end; a tool call only once its arguments are a whole object.
void StreamTranslator::State::schedule(QList<StreamEvent> &out)
{
    while (!done) {
        if (open == BlockKind::Tool && !calls[openCall].json.isComplete())
            return;
        std::size_t first = calls.size();
        bool anyEager = false;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const ToolCall &call = calls[i];
            if (call.stage != ToolCall::Stage::Waiting || call.name.isEmpty())
                continue;
            if (first == calls.size())
                first = i;
            if (call.isEager()) {
                anyEager = true;
                break;
            }
        }
        if (!anyEager)
            return;
        startTool(first, out);
    }
}

bool StreamTranslator::State::openBlock(BlockKind kind, QList<StreamEvent> &out, QStringView toolId, QStringView toolName)
{
    closeOpenBlock(out);
    if (done)
        return false;
    open = kind;
    openIndex = nextBlock++;
    out.append(blockStart(openIndex, kind, toolId, toolName));
    return true;
}

void StreamTranslator::State::startTool(std::size_t position, QList<StreamEvent> &out)
{
    ToolCall &call = calls[position];
    const QString id = call.upstreamId.isEmpty() ? QString::fromLatin1(makeId("toolu_")) : call.upstreamId;
    if (!openBlock(BlockKind::Tool, out, id, call.name))
        return;
    call.stage = ToolCall::Stage::Open;
    openCall = position;
    emittedToolUse = true;
    if (!call.pending.isEmpty()) {
        out.append(blockDelta(openIndex, DeltaKind::Json, call.pending));
        emitted(call.pending);
        call.pending = QString();
    }
}

void StreamTranslator::State::closeOpenBlock(QList<StreamEvent> &out)
{
    switch (open) {
    case BlockKind::None:
        return;
    case BlockKind::Text:
        break;
    case BlockKind::Thinking:
        out.append(blockDelta(openIndex, DeltaKind::Signature, thinkingSignature(thinking)));
        thinking.clear();
        break;
    case BlockKind::Tool: {
        ToolCall &call = calls[openCall];
        if (!call.json.isEmpty() && !call.json.isComplete()) {
            return failTool(call,
                finishReason == "length"_L1
                    ? u"ended before the JSON object was complete (the output token limit was reached)"_s
                    : u"ended before the JSON object was complete"_s,
                out);
        }
        call.stage = ToolCall::Stage::Closed;
        break;
    }
    }
    out.append(blockStop(openIndex));
    open = BlockKind::None;
}

// [DONE], or the end of input after a finish_reason: every call still waiting gets its block, then the message
// ends with the usage known by now.
void StreamTranslator::State::complete(QList<StreamEvent> &out)
{
    closeOpenBlock(out);
    for (std::size_t i = 0; i < calls.size() && !done; ++i) {
        if (calls[i].stage != ToolCall::Stage::Waiting)
            continue;
        if (calls[i].name.isEmpty())
            return failTool(calls[i], u"came without a function name"_s, out);
        startTool(i, out);
        closeOpenBlock(out);
    }
    if (done)
        return;
    completed = true;
    QByteArray json;
    json.append(R"({"delta":{"stop_reason":)");
    appendJsonString(json, stopReason());
    json.append(R"(,"stop_sequence":)");
    if (stopSequence.isEmpty())
        json.append("null");
    else
        appendJsonString(json, stopSequence);
    json.append(R"(},"type":"message_delta","usage":)");
    appendUsage(json, usage());
    json.append('}');
    out.append({ typeMessageDelta, EventPayload(std::move(json)) });
    static const EventPayload messageStop(QByteArrayLiteral(R"({"type":"message_stop"})"));
    out.append({ typeMessageStop, messageStop });
    done = true;
}

void StreamTranslator::State::fail(const Error &error, QList<StreamEvent> &out)
{
    out.append(errorEvent(error));
    done = true;
    failed = true;
}

void StreamTranslator::State::failTool(const ToolCall &call, const QString &problem, QList<StreamEvent> &out)
{
    const QString name = call.name.isEmpty() ? u"(unnamed)"_s : call.name;
    fail(Error::make(ErrorType::Api,
             u"Upstream sent tool call arguments for \"%1\" that %2: %3"_s.arg(
                 name, problem, excerpt(QString(call.previous + call.last)))),
        out);
}

QString StreamTranslator::State::stopReason() const
{
    if (!sawFinish && !completed)
        return {};
    if (!stopSequence.isEmpty())
        return u"stop_sequence"_s;
    // No finish_reason before [DONE]: the upstream said nothing was wrong, so it ended like "stop" would.
    return mapStopReason(sawFinish ? finishReason : u"stop"_s, emittedToolUse);
}

Usage StreamTranslator::State::usage() const
{
    Usage result;
    result.input = qMax(1, options.estimatedInputTokens);
    result.output = int((emittedBytes + 3) / 4);
    if (!upstreamUsage.isEmpty()) {
        const QJsonObject mapped = mapUsage(upstreamUsage);
        if (upstreamUsage.contains("prompt_tokens"_L1)) {
            result.input = mapped.value("input_tokens"_L1).toInt();
            result.cacheCreation = mapped.value("cache_creation_input_tokens"_L1).toInt();
            result.cacheRead = mapped.value("cache_read_input_tokens"_L1).toInt();
        }
        if (upstreamUsage.contains("completion_tokens"_L1))
            result.output = mapped.value("output_tokens"_L1).toInt();
    }
    return result;
}

StreamTranslator::StreamTranslator(Options options)
    : d(std::make_unique<State>(std::move(options)))
{
}
StreamTranslator::~StreamTranslator() = default;
StreamTranslator::StreamTranslator(StreamTranslator &&) noexcept = default;
StreamTranslator &StreamTranslator::operator=(StreamTranslator &&) noexcept = default;

QList<StreamEvent> StreamTranslator::start()
{
    if (d->started || d->done)
        return {};
    d->started = true;
    QByteArray json;
    json.append(R"({"message":{"content":[],"id":)");
    appendJsonString(json, QString::fromLatin1(d->options.messageId));
    json.append(R"(,"model":)");
    appendJsonString(json, d->options.clientModel);
    json.append(R"(,"role":"assistant","stop_reason":null,"stop_sequence":null,"type":"message","usage":)");
    appendUsage(json, Usage{ qMax(1, d->options.estimatedInputTokens), 0, 0, 0 });
    json.append(R"(},"type":"message_start"})");
    return { { typeMessageStart, EventPayload(std::move(json)) }, pingEvent() };
}

QList<StreamEvent> StreamTranslator::feed(const QByteArray &data)
{
    if (d->done)
        return {};
    QList<StreamEvent> out = start(); // empty unless the caller skipped start()
    d->chunk(data, out);
    return out;
}

QList<StreamEvent> StreamTranslator::finish()
{
    if (d->done)
        return {};
    QList<StreamEvent> out = start();
    if (d->sawFinish) {
        d->complete(out); // a missing [DONE] after the finish_reason loses nothing
    } else {
        d->fail(Error::make(ErrorType::Api, u"upstream stream ended before the response was complete"_s), out);
    }
    return out;
}

QList<StreamEvent> StreamTranslator::fail(const Error &error)
{
    if (d->done)
        return {};
    QList<StreamEvent> out;
    d->fail(error, out);
    return out;
}

bool StreamTranslator::isDone() const
{
    return d->done;
}

bool StreamTranslator::hasFailed() const
{
    return d->failed;
}

QString StreamTranslator::stopReason() const
{
    return d->stopReason();
}

QJsonObject StreamTranslator::usage() const
{
    return usageObject(d->usage());
}

int StreamTranslator::blockCount() const
{
    return d->nextBlock;
}

} // namespace Proxy
