// Translator microbenchmark (issue 6, part 1): upstream SSE bytes in, Anthropic SSE bytes out, on one core.
//   parse     SseParser only
//   translate SseParser + StreamTranslator::feed (events built, not written)
//   full      SseParser + feed + every event written as SSE, as the exchange does per network read
// Reported per stream kind: chunks/s (items_per_second), upstream MB/s (bytes_per_second), allocations per
// chunk and client events per chunk. Each read handed to the parser is one upstream event, as a token-paced
// stream arrives; `full_coalesced` hands it 16 KiB reads instead (a fast upstream, or a slow reader).
//
// --check-output (a ctest) proves the translator's hand-written JSON is byte for byte what QJsonDocument
// writes for the same payload: every event of every golden stream and of the benchmark streams, and error
// messages made of random UTF-16 (control characters, quotes, backslashes, surrogate pairs, lone surrogates).
#include "alloccounter.h"
#include "streams.h"

#include "protocol/sseparser.h"
#include "protocol/streamtranslator.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;
using BenchStreams::Kind;

namespace {

constexpr int chunksPerStream = 1000;

struct Stream
{
    QList<QByteArray> reads; // what each network read delivers
    qint64 bytes = 0;
    int chunks = 0; // upstream SSE events
};

Stream makeStream(Kind kind, bool coalesced)
{
    Stream stream;
    const QList<QByteArray> events = BenchStreams::events(kind, chunksPerStream);
    stream.chunks = int(events.size());
    QByteArray pending;
    for (const QByteArray &event : events) {
        stream.bytes += event.size();
        if (!coalesced) {
            stream.reads.append(event);
            continue;
        }
        pending += event;
        while (pending.size() >= 16 * 1024) {
            stream.reads.append(pending.first(16 * 1024));
            pending.remove(0, 16 * 1024);
        }
    }
    if (!pending.isEmpty())
        stream.reads.append(pending);
    return stream;
}

Proxy::StreamTranslator::Options options()
{
    Proxy::StreamTranslator::Options o;
    o.clientModel = u"claude-sonnet-4-5"_s;
    o.messageId = "msg_01XFDUDYJgAACzvnptvVoYEL";
    o.estimatedInputTokens = 1830;
    return o;
}

enum class Stage { Parse, Translate, Full };

// One whole stream per iteration: a fresh parser and translator, every read, then the end of input.
void run(benchmark::State &state, Kind kind, Stage stage, bool coalesced)
{
    const Stream stream = makeStream(kind, coalesced);
    qint64 events = 0;
    qint64 wireBytes = 0;
    std::uint64_t allocations = 0;
    for (auto _ : state) {
        const std::uint64_t before = AllocCounter::count();
        AllocCounter::setEnabled(true);
        Proxy::SseParser parser;
        Proxy::StreamTranslator translator(options());
        QList<Proxy::SseEvent> parsed;
        QList<Proxy::StreamEvent> out;
        if (stage != Stage::Parse)
            out = translator.start();
        for (const QByteArray &read : stream.reads) {
            parsed.clear();
            if (!parser.feed(read, parsed))
                state.SkipWithError("SSE parser failed");
            if (stage == Stage::Parse) {
                events += parsed.size();
                continue;
            }
            for (const Proxy::SseEvent &event : std::as_const(parsed))
                out += translator.feed(event.data);
            events += out.size();
            if (stage == Stage::Full) {
                QByteArray wire; // one write per read, as Exchange::sendEvents does
                for (const Proxy::StreamEvent &event : std::as_const(out))
                    event.appendSse(wire);
                wireBytes += wire.size();
                benchmark::DoNotOptimize(wire.data());
            }
            out.clear();
        }
        if (stage != Stage::Parse) {
            out = translator.finish();
            events += out.size();
            if (!translator.isDone() || translator.hasFailed())
                state.SkipWithError("the stream did not complete");
        }
        AllocCounter::setEnabled(false);
        allocations += AllocCounter::count() - before;
        benchmark::DoNotOptimize(out.data());
    }
    const auto iterations = double(state.iterations());
    state.SetItemsProcessed(state.iterations() * stream.chunks);
    state.SetBytesProcessed(state.iterations() * stream.bytes);
    state.counters["allocs_per_chunk"] = double(allocations) / (iterations * stream.chunks);
    state.counters["events_per_chunk"] = double(events) / (iterations * stream.chunks);
    if (stage == Stage::Full)
        state.counters["out_bytes_per_chunk"] = double(wireBytes) / (iterations * stream.chunks);
}

void registerAll()
{
    for (const Kind kind : {Kind::Text, Kind::Tool, Kind::Reasoning}) {
        const std::string suffix = std::string("/") + BenchStreams::name(kind);
        benchmark::RegisterBenchmark(("parse" + suffix).c_str(), run, kind, Stage::Parse, false);
        benchmark::RegisterBenchmark(("translate" + suffix).c_str(), run, kind, Stage::Translate, false);
        benchmark::RegisterBenchmark(("full" + suffix).c_str(), run, kind, Stage::Full, false);
        benchmark::RegisterBenchmark(("full_coalesced" + suffix).c_str(), run, kind, Stage::Full, true);
    }
}

// --- --check-output -----------------------------------------------------------------------------------------

int mismatches = 0;

void expectQtBytes(const Proxy::StreamEvent &event, const QByteArray &qt, const char *where)
{
    if (event.payload.json() == qt)
        return;
    if (++mismatches <= 10)
        std::fprintf(stderr, "%s: translator wrote\n  %s\nQJsonDocument writes\n  %s\n", where,
                     event.payload.json().constData(), qt.constData());
}

void checkStream(const QList<QByteArray> &reads, const char *where)
{
    Proxy::SseParser parser;
    Proxy::StreamTranslator translator(options());
    QList<Proxy::StreamEvent> out = translator.start();
    QList<Proxy::SseEvent> parsed;
    for (const QByteArray &read : reads) {
        parsed.clear();
        (void)parser.feed(read, parsed);
        for (const Proxy::SseEvent &event : std::as_const(parsed))
            out += translator.feed(event.data);
    }
    parsed.clear();
    parser.finish(parsed);
    for (const Proxy::SseEvent &event : std::as_const(parsed))
        out += translator.feed(event.data);
    out += translator.finish();
    for (const Proxy::StreamEvent &event : std::as_const(out)) {
        const QJsonDocument document = QJsonDocument::fromJson(event.payload.json());
        if (!document.isObject()) {
            ++mismatches;
            std::fprintf(stderr, "%s: not a JSON object: %s\n", where, event.payload.json().constData());
            continue;
        }
        expectQtBytes(event, document.toJson(QJsonDocument::Compact), where);
    }
}

QString randomText(QRandomGenerator &random)
{
    static const char16_t palette[] = { 0x00, 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, u' ', u'"', u'\\', u'/', u'a',
        u'Z', 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac, 0xfeff, 0xfffd, 0xffff, 0xd83d, 0xde80, 0xdbff, 0xdc00 };
    QString text;
    const int length = int(random.bounded(12));
    for (int i = 0; i < length; ++i)
        text.append(QChar(palette[random.bounded(int(std::size(palette)))]));
    return text;
}

int checkOutput()
{
    const QDir golden(QStringLiteral(SWITCHYARD_TEST_DATA_DIR "/streams"));
    const QStringList files = golden.entryList({ u"*.sse"_s }, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        QFile file(golden.filePath(name));
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cannot read %s\n", qPrintable(file.fileName()));
            return 1;
        }
        const QByteArray bytes = file.readAll();
        checkStream({ bytes }, qPrintable(name));
    }
    for (const Kind kind : { Kind::Text, Kind::Tool, Kind::Reasoning })
        checkStream(makeStream(kind, true).reads, BenchStreams::name(kind));

    QRandomGenerator random(6); // fixed: a failure reproduces
    for (int i = 0; i < 20000; ++i) {
        const QString message = randomText(random);
        const Proxy::StreamEvent event = Proxy::errorEvent(Proxy::Error::make(Proxy::ErrorType::Api, message));
        const QJsonObject expected{ { u"type"_s, u"error"_s },
            { u"error"_s, QJsonObject{ { u"type"_s, u"api_error"_s }, { u"message"_s, message } } } };
        expectQtBytes(event, QJsonDocument(expected).toJson(QJsonDocument::Compact), "random error message");
    }
    std::printf("%d golden streams, 3 benchmark streams, 20000 random strings: %d mismatch(es)\n",
                int(files.size()), mismatches);
    return mismatches == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // Qt's containers need no event loop, but keep Qt's usual setup
    if (argc == 2 && std::strcmp(argv[1], "--check-output") == 0)
        return checkOutput();
    registerAll();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
