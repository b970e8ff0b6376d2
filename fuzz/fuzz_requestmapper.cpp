// libFuzzer target: a client's request body through parseJsonObject, estimateInputTokens and mapRequest, as
// the exchange runs them, under two upstream profiles.
// Invariants: bad input is a 400 invalid_request_error naming a field, never a crash; an accepted request maps
// to a chat/completions body with a model, messages, the max-tokens field, tool names every OpenAI-compatible
// upstream accepts (^[a-zA-Z0-9_-]{1,64}$) that map back to the client's names, and tool-call arguments that
// are JSON objects; the body serialises and reads back as the same object.

#include "fuzzcheck.h"

#include "protocol/requestmapper.h"
#include "protocol/tokenestimator.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

using namespace Proxy;
using namespace Qt::StringLiterals;

namespace {

QString show(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact).left(4000));
}

void checkToolName(const QString &name, const MappedRequest &mapped)
{
    FUZZ_CHECK(ToolNameMap::isValidUpstreamName(name), name);
    // The upstream's tool calls come back under this name: it must lead to the client's name and back.
    ToolNameMap names = mapped.toolNames;
    FUZZ_CHECK(names.toUpstream(names.toClient(name)) == name, name);
}

void checkMapped(const QJsonObject &request, const MappingOptions &options, const MappedRequest &mapped)
{
    const QJsonObject &body = mapped.body;
    FUZZ_CHECK(!mapped.clientModel.isEmpty(), show(request));
    FUZZ_CHECK(mapped.maxTokens >= 1, show(request));
    FUZZ_CHECK(body.value("model"_L1).isString() && !body.value("model"_L1).toString().isEmpty(), show(body));
    FUZZ_CHECK(body.value(options.maxTokensField).toInt() == mapped.maxTokens, show(body));
    FUZZ_CHECK(body.value("messages"_L1).isArray(), show(body));
    FUZZ_CHECK(body.value("stream"_L1).toBool() == mapped.stream, show(body));

    for (const QJsonValue tool : body.value("tools"_L1).toArray()) {
        const QJsonObject function = tool["function"_L1].toObject();
        checkToolName(function.value("name"_L1).toString(), mapped);
        FUZZ_CHECK(function.value("parameters"_L1).isObject(), show(body));
    }
    for (const QJsonValue message : body.value("messages"_L1).toArray()) {
        const QString role = message["role"_L1].toString();
        FUZZ_CHECK(role == "system"_L1 || role == "user"_L1 || role == "assistant"_L1 || role == "tool"_L1, show(body));
        for (const QJsonValue call : message["tool_calls"_L1].toArray()) {
            checkToolName(call["function"_L1]["name"_L1].toString(), mapped);
            QJsonParseError error;
            const QJsonDocument arguments
                = QJsonDocument::fromJson(call["function"_L1]["arguments"_L1].toString().toUtf8(), &error);
            FUZZ_CHECK(arguments.isObject(), show(body));
        }
    }
    const QJsonDocument reread = QJsonDocument::fromJson(QJsonDocument(body).toJson(QJsonDocument::Compact));
    FUZZ_CHECK(reread.isObject(), show(body));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<QJsonObject> request = parseJsonObject(bytes);
    if (!request) {
        FUZZ_CHECK(request.error().type == ErrorType::InvalidRequest && request.error().httpStatus == 400,
            request.error().message);
        return 0;
    }
    FUZZ_CHECK(estimateInputTokens(*request) >= 1, show(*request));

    MappingOptions openai;
    openai.upstreamModel = u"gpt-4o"_s;
    MappingOptions other;
    other.upstreamModel = QString(); // the client's model passes through
    other.maxTokensField = u"max_completion_tokens"_s;
    other.sendReasoningEffort = false;
    other.includeStreamUsage = false;
    for (const MappingOptions *options : { &openai, &other }) {
        const Result<MappedRequest> mapped = mapRequest(*request, *options);
        if (mapped) {
            checkMapped(*request, *options, *mapped);
        } else {
            FUZZ_CHECK(mapped.error().type == ErrorType::InvalidRequest && mapped.error().httpStatus == 400,
                mapped.error().message);
            FUZZ_CHECK(mapped.error().message.contains(u": "_s), mapped.error().message);
        }
    }
    return 0;
}
