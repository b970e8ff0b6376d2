#pragma once

#include <QByteArray>
#include <QList>

// Upstream Chat Completions streams for the benchmarks, shaped like the recordings in tests/data/streams
// (same fields, ids, fingerprints and chunk sizes as OpenAI, vLLM and DeepSeek send) but long and generated
// from a fixed seed, so every run and every machine measures the same bytes.
namespace BenchStreams {

enum class Kind {
    Text,      // OpenAI: one short text token per chunk (1-12 bytes), a few escapes and non-ASCII characters
    Tool,      // one tool call whose arguments (source code in a JSON string) arrive in 20-200 byte fragments
    Reasoning, // DeepSeek: reasoning_content tokens, then content tokens, usage on the finish chunk
};

[[nodiscard]] const char *name(Kind kind);

// Each element is one complete SSE event ("data: {…}\n\n"), ending with the finish chunk, a usage chunk and
// "data: [DONE]\n\n". `chunks` counts the content chunks (the total is a few more).
[[nodiscard]] QList<QByteArray> events(Kind kind, int chunks);

// The request body a client sends for such a stream (Anthropic Messages, streaming).
[[nodiscard]] QByteArray messagesRequest();
// The same request as an OpenAI chat/completions body, as the proxy would send it upstream.
[[nodiscard]] QByteArray chatRequest();

} // namespace BenchStreams
