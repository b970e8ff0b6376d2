// libFuzzer target: SseParser on arbitrary upstream bytes.
// Invariants: however the bytes are cut into network reads (whole, byte by byte, random pieces), the parser
// yields the same events and fails (line over the limit) at the same point; it never buffers more than the
// limit; no event name or data holds a CR, and no name an LF. ProtocolValidator::validateTranscript, which
// reads what a client would receive, runs on the same bytes (it must only report, never crash).

#include "fuzzcheck.h"

#include "protocol/protocolvalidator.h"
#include "protocol/sseparser.h"

#include <cstddef>
#include <cstdint>

using namespace Proxy;

namespace {

struct Outcome {
    QList<SseEvent> events;
    bool ok = true;
};

QString describe(const char *how, const Outcome &a, const Outcome &b)
{
    return QString::fromLatin1("%1: ok %2 vs %3, %4 vs %5 events")
        .arg(QLatin1StringView(how), QString::number(a.ok), QString::number(b.ok), QString::number(a.events.size()),
            QString::number(b.events.size()));
}

// Feeds the pieces, checking the buffer bound after each, then finishes.
template<typename NextSize> Outcome parse(QByteArrayView input, qsizetype maxLine, NextSize &&nextSize)
{
    SseParser parser(maxLine);
    Outcome outcome;
    for (qsizetype at = 0; at < input.size();) {
        const qsizetype size = std::min(nextSize(), input.size() - at);
        outcome.ok = parser.feed(input.sliced(at, size), outcome.events) && outcome.ok;
        FUZZ_CHECK(parser.bufferedBytes() <= maxLine, QString::number(parser.bufferedBytes()));
        FUZZ_CHECK(outcome.ok == !parser.hasFailed(), QString());
        at += size;
    }
    parser.finish(outcome.events);
    for (const SseEvent &event : std::as_const(outcome.events)) {
        FUZZ_CHECK(!event.data.contains('\r'), QString::fromUtf8(event.data));
        FUZZ_CHECK(!event.event.contains('\r') && !event.event.contains('\n'), QString::fromUtf8(event.event));
    }
    return outcome;
}

void compare(const char *how, const Outcome &reference, const Outcome &other)
{
    FUZZ_CHECK(reference.ok == other.ok && reference.events == other.events, describe(how, reference, other));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const quint64 seed = Fuzz::hash(input);

    for (const qsizetype maxLine : { SseParser::defaultMaxLineBytes, qsizetype(1 + seed % 97) }) {
        const Outcome whole = parse(input, maxLine, [&] { return qMax<qsizetype>(1, input.size()); });
        Fuzz::Random random(seed);
        const qsizetype maxPiece = 1 + random.bounded(64);
        compare("random pieces", whole, parse(input, maxLine, [&] { return random.bounded(maxPiece + 1); }));
    }
    // Every CR/LF split there is; bounded, as it costs a feed per byte.
    if (input.size() <= 1024) {
        compare("byte by byte", parse(input, SseParser::defaultMaxLineBytes, [&] { return input.size(); }),
            parse(input, SseParser::defaultMaxLineBytes, [] { return qsizetype(1); }));
    }

    // Zero-length pieces must be no-ops; `random.bounded(maxPiece + 1)` above yields some. An empty view
    // (null data) on a fresh parser too.
    SseParser parser;
    QList<SseEvent> events;
    FUZZ_CHECK(parser.feed(QByteArrayView(), events) && events.isEmpty(), QString());

    bool endedWithError = false;
    (void)ProtocolValidator::validateTranscript(input.toByteArray(), &endedWithError);
    return 0;
}
