// Is a faster JSON parser worth it? (issue 6: "if Qt's JSON is the bottleneck, measure an alternative").
// Per upstream chunk of the benchmark streams, the cost of reading the delta text with
//   qt           QJsonDocument::fromJson, then the value lookups (what the translator did before its scanner)
//   simdjson_dom simdjson's DOM parser (validates the whole chunk, like the translator's scanner), then lookups
//   simdjson_od  simdjson On-Demand (validates only what it reads: less than the translator must check)
//   translator   StreamTranslator::feed, for scale: its own one-pass scanner *and* building the event
// Built only when Debian's libsimdjson-dev is installed; the decision it informed is in docs/BENCHMARKS.md.
#include "streams.h"

#include "protocol/streamtranslator.h"

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <string_view>
#include <vector>

using namespace Qt::StringLiterals;
using BenchStreams::Kind;

namespace {

std::vector<QByteArray> payloads(Kind kind)
{
    std::vector<QByteArray> result;
    for (const QByteArray &event : BenchStreams::events(kind, 1000)) {
        QByteArray data = event.sliced(6); // "data: "
        data.chop(2);                      // "\n\n"
        if (data != "[DONE]")
            result.push_back(data);
    }
    return result;
}

void qt(benchmark::State &state, Kind kind)
{
    const std::vector<QByteArray> chunks = payloads(kind);
    qsizetype characters = 0;
    for (auto _ : state) {
        for (const QByteArray &chunk : chunks) {
            const QJsonObject delta = QJsonDocument::fromJson(chunk)
                                          .object()
                                          .value("choices"_L1)
                                          .toArray()
                                          .at(0)
                                          .toObject()
                                          .value("delta"_L1)
                                          .toObject();
            characters += delta.value("content"_L1).toString().size();
            characters += delta.value("reasoning_content"_L1).toString().size();
            const QJsonArray calls = delta.value("tool_calls"_L1).toArray();
            if (!calls.isEmpty())
                characters += calls.at(0)["function"_L1]["arguments"_L1].toString().size();
        }
    }
    benchmark::DoNotOptimize(characters);
    state.SetItemsProcessed(state.iterations() * qint64(chunks.size()));
}

// The text of a string field as the translator needs it (UTF-16), or nothing.
template<typename Value> qsizetype textSize(Value &&value)
{
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS)
        return 0;
    return QString::fromUtf8(text.data(), qsizetype(text.size())).size();
}

void simdjsonDom(benchmark::State &state, Kind kind)
{
    const std::vector<QByteArray> chunks = payloads(kind);
    simdjson::dom::parser parser;
    qsizetype characters = 0;
    for (auto _ : state) {
        for (const QByteArray &chunk : chunks) {
            // The SSE data has no padding behind it: simdjson copies it into a padded buffer.
            simdjson::dom::element root;
            if (parser.parse(chunk.constData(), std::size_t(chunk.size())).get(root) != simdjson::SUCCESS)
                state.SkipWithError("parse");
            simdjson::dom::element delta;
            if (root["choices"].at(0)["delta"].get(delta) != simdjson::SUCCESS)
                continue;
            characters += textSize(delta["content"]) + textSize(delta["reasoning_content"])
                + textSize(delta["tool_calls"].at(0)["function"]["arguments"]);
        }
    }
    benchmark::DoNotOptimize(characters);
    state.SetItemsProcessed(state.iterations() * qint64(chunks.size()));
}

void simdjsonOnDemand(benchmark::State &state, Kind kind)
{
    const std::vector<QByteArray> chunks = payloads(kind);
    simdjson::ondemand::parser parser;
    qsizetype characters = 0;
    for (auto _ : state) {
        for (const QByteArray &chunk : chunks) {
            const simdjson::padded_string padded(chunk.constData(), std::size_t(chunk.size()));
            simdjson::ondemand::document document;
            if (parser.iterate(padded).get(document) != simdjson::SUCCESS)
                state.SkipWithError("iterate");
            simdjson::ondemand::object delta;
            if (document.find_field_unordered("choices").at(0).find_field_unordered("delta").get_object().get(delta)
                != simdjson::SUCCESS)
                continue;
            for (auto field : delta) {
                std::string_view key;
                if (field.unescaped_key().get(key) != simdjson::SUCCESS)
                    break;
                if (key == "content" || key == "reasoning_content")
                    characters += textSize(field.value());
                else if (key == "tool_calls")
                    characters += textSize(field.value().at(0).find_field_unordered("function").find_field_unordered(
                        "arguments"));
            }
        }
    }
    benchmark::DoNotOptimize(characters);
    state.SetItemsProcessed(state.iterations() * qint64(chunks.size()));
}

void translator(benchmark::State &state, Kind kind)
{
    const std::vector<QByteArray> chunks = payloads(kind);
    for (auto _ : state) {
        Proxy::StreamTranslator::Options options;
        options.clientModel = u"claude-sonnet-4-5"_s;
        options.messageId = "msg_probe";
        Proxy::StreamTranslator t(options);
        for (const QByteArray &chunk : chunks)
            benchmark::DoNotOptimize(t.feed(chunk));
    }
    state.SetItemsProcessed(state.iterations() * qint64(chunks.size()));
}

} // namespace

int main(int argc, char **argv)
{
    for (const Kind kind : { Kind::Text, Kind::Tool, Kind::Reasoning }) {
        const std::string suffix = std::string("/") + BenchStreams::name(kind);
        benchmark::RegisterBenchmark(("qt" + suffix).c_str(), qt, kind);
        benchmark::RegisterBenchmark(("simdjson_dom" + suffix).c_str(), simdjsonDom, kind);
        benchmark::RegisterBenchmark(("simdjson_od" + suffix).c_str(), simdjsonOnDemand, kind);
        benchmark::RegisterBenchmark(("translator" + suffix).c_str(), translator, kind);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
