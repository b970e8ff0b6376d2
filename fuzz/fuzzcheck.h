#pragma once

// What every fuzz target uses to report a broken invariant: print what failed, then abort, which libFuzzer
// records as a crash (and the replay driver as a failed test).

#include <QByteArray>
#include <QString>

#include <cstdio>
#include <cstdlib>

namespace Fuzz {

[[noreturn]] inline void failed(const char *condition, const char *file, int line, const QString &detail)
{
    std::fprintf(
        stderr, "%s:%d: fuzz invariant failed: %s\n%s\n", file, line, condition, detail.toLocal8Bit().constData());
    std::fflush(stderr);
    std::abort();
}

// FNV-1a: a deterministic seed from the input, so one input always takes the same path (reproducible crashes).
inline quint64 hash(QByteArrayView bytes)
{
    quint64 h = 1469598103934665603ULL;
    for (const char c : bytes)
        h = (h ^ quint8(c)) * 1099511628211ULL;
    return h;
}

// xorshift64*: piece sizes without QRandomGenerator's global state.
class Random {
public:
    explicit Random(quint64 seed)
        : m_state(seed ? seed : 0x9E3779B97F4A7C15ULL)
    {
    }
    quint64 next()
    {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return m_state * 2685821657736338717ULL;
    }
    // 0 … bound - 1
    qsizetype bounded(qsizetype bound) { return bound <= 0 ? 0 : qsizetype(next() % quint64(bound)); }

private:
    quint64 m_state;
};

} // namespace Fuzz

#define FUZZ_CHECK(condition, detail)                                                                                  \
    do {                                                                                                               \
        if (!(condition))                                                                                              \
            ::Fuzz::failed(#condition, __FILE__, __LINE__, (detail));                                                  \
    } while (false)
