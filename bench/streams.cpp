#include "streams.h"

#include <array>
#include <cstdint>

namespace BenchStreams {

namespace {

// A small deterministic generator (xorshift): the streams must not depend on the standard library's engines.
class Random
{
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint32_t next()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 7;
        m_state ^= m_state << 17;
        return std::uint32_t(m_state >> 11);
    }
    int between(int low, int high) { return low + int(next() % std::uint32_t(high - low + 1)); }

private:
    std::uint64_t m_state;
};

// Tokens as a tokenizer cuts English text (JSON-escaped already): leading spaces, punctuation, an occasional
// newline, quote or non-ASCII character.
constexpr std::array<const char *, 40> textTokens{
    " the", " proxy", " forwards", " each", " token", " as", " soon", " as", " it", " arrives", ".",
    "\\n\\n", " Here", "'s", " a", " function", ":", " `", "std", "::", "vector", "`", ",", " which",
    " returns", " \\\"ok\\\"", " when", " done", " — ", "caf\xc3\xa9", " na\xc3\xaf" "ve", " \xe2\x9c\x93",
    " \xf0\x9f\x9a\x80", " result", " is", " 42", ";", " then", " we", " continue"};

constexpr std::array<const char *, 12> codeLines{
    "#include <QByteArray>\\n",
    "\\n",
    "int main(int argc, char *argv[])\\n{\\n",
    "    QCoreApplication app(argc, argv);\\n",
    "    const QByteArray body = R\\\"({\\\"model\\\":\\\"m\\\"})\\\";\\n",
    "    for (int i = 0; i < 10; ++i) {\\n",
    "        qDebug() << \\\"chunk\\\" << i << \\\"\\\\t done\\\";\\n",
    "    }\\n",
    "    // The translator keeps one block open at a time.\\n",
    "    return app.exec();\\n",
    "}\\n",
    "    auto it = std::find_if(events.cbegin(), events.cend(), [](const auto &e) { return e.ok; });\\n",
};

const QByteArray chunkHead = QByteArrayLiteral(
    R"(data: {"id":"chatcmpl-AbC123dEf456GhI789jKl012","object":"chat.completion.chunk","created":1732567000,)"
    R"("model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7f6be3efb0","choices":[{"index":0,"delta":)");
const QByteArray chunkTail = QByteArrayLiteral(R"(,"logprobs":null,"finish_reason":null}],"usage":null})" "\n\n");

QByteArray chunk(const QByteArray &delta)
{
    return chunkHead + delta + chunkTail;
}

QByteArray finish(const char *reason, const QByteArray &usage)
{
    return chunkHead + "{}" + R"(,"logprobs":null,"finish_reason":")" + reason + R"("}],"usage":)" + usage + "}\n\n";
}

const QByteArray usageJson = QByteArrayLiteral(
    R"({"prompt_tokens":1830,"completion_tokens":512,"total_tokens":2342,)"
    R"("prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":0}})");

} // namespace

const char *name(Kind kind)
{
    switch (kind) {
    case Kind::Text:
        return "text";
    case Kind::Tool:
        return "tool";
    case Kind::Reasoning:
        return "reasoning";
    }
    return "?";
}

QList<QByteArray> events(Kind kind, int chunks)
{
    Random random(0x5eed'0000 + std::uint64_t(kind));
    QList<QByteArray> out;
    out.reserve(chunks + 4);
    switch (kind) {
    case Kind::Text:
        out.append(chunk(R"({"role":"assistant","content":"","refusal":null})"));
        for (int i = 0; i < chunks; ++i) {
            const char *token = textTokens[random.next() % textTokens.size()];
            out.append(chunk(QByteArray(R"({"content":")") + token + "\"}"));
        }
        out.append(finish("stop", "null"));
        out.append(chunkHead.first(chunkHead.indexOf("\"choices\"")) + R"("choices":[],"usage":)" + usageJson
                   + "}\n\n");
        break;
    case Kind::Tool: {
        out.append(chunk(R"({"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_9xQ2mT4vB7nL1kR8",)"
                         R"("type":"function","function":{"name":"Write","arguments":""}}],"refusal":null})"));
        // The arguments are JSON text (a file path and source code in a string); fragments cut it anywhere, and
        // each is escaped once more to sit in the chunk's "arguments" string.
        QList<qsizetype> lengths;
        qsizetype total = 0;
        for (int i = 0; i < chunks; ++i)
            total += lengths.emplace_back(random.between(20, 200));
        QByteArray arguments = R"({"file_path":"/home/user/project/src/main.cpp","content":")";
        while (arguments.size() < total)
            arguments += codeLines[random.next() % codeLines.size()];
        arguments.truncate(total - 2);
        while (arguments.endsWith('\\')) // a cut escape would swallow the closing quote
            arguments.chop(1);
        while (arguments.size() < total - 2)
            arguments += ' ';
        arguments += "\"}";
        qsizetype at = 0;
        for (const qsizetype length : std::as_const(lengths)) {
            QByteArray fragment = arguments.mid(at, length);
            at += length;
            fragment.replace("\\", "\\\\").replace("\"", "\\\"");
            out.append(chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":")" + fragment + "\"}}]}"));
        }
        out.append(finish("tool_calls", "null"));
        out.append(chunkHead.first(chunkHead.indexOf("\"choices\"")) + R"("choices":[],"usage":)" + usageJson
                   + "}\n\n");
        break;
    }
    case Kind::Reasoning: {
        const int thinking = chunks * 3 / 4;
        out.append(chunk(R"({"role":"assistant","content":null,"reasoning_content":""})"));
        for (int i = 0; i < chunks; ++i) {
            const char *token = textTokens[random.next() % textTokens.size()];
            out.append(i < thinking ? chunk(QByteArray(R"({"content":null,"reasoning_content":")") + token + "\"}")
                                    : chunk(QByteArray(R"({"content":")") + token + R"(","reasoning_content":null})"));
        }
        out.append(finish("stop", usageJson));
        break;
    }
    }
    out.append(QByteArrayLiteral("data: [DONE]\n\n"));
    return out;
}

QByteArray messagesRequest()
{
    return QByteArrayLiteral(R"({"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,)"
                             R"("messages":[{"role":"user","content":"Write a short function."}]})");
}

QByteArray chatRequest()
{
    return QByteArrayLiteral(R"({"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,)"
                             R"("stream_options":{"include_usage":true},)"
                             R"("messages":[{"role":"user","content":"Write a short function."}]})");
}

} // namespace BenchStreams
