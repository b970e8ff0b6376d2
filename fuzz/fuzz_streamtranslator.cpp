// libFuzzer target: StreamTranslator fed arbitrary upstream chunk sequences.
// The input is cut into chunks at line ends; each line is one upstream SSE event's data, with an optional
// "data:" prefix removed and ":" comment and "event:" lines skipped, so the golden tests/data/streams/*.sse files
// are seeds as they are. A line "\x01fail" stands for a failure outside the data (reset, idle timeout).
// The one invariant: whatever the upstream sends, the client gets a valid Anthropic stream. Every event the
// translator emits goes through ProtocolValidator, the stream must end with message_stop or error, nothing may
// follow the end, and the serialised transcript must validate the same way.

#include "fuzzcheck.h"

#include "protocol/protocolvalidator.h"
#include "protocol/streamtranslator.h"

#include <cstddef>
#include <cstdint>

using namespace Proxy;
using namespace Qt::StringLiterals;

namespace {

StreamTranslator::Options options()
{
    StreamTranslator::Options options;
    options.clientModel = u"claude-sonnet-4-5"_s;
    options.messageId = "msg_fuzz";
    options.estimatedInputTokens = 10;
    options.stopSequences = { u"</answer>"_s, u"\n\nHuman:"_s };
    // A client tool name that has to be renamed upstream, so renamed tool calls are reachable.
    (void)options.toolNames.toUpstream(u"mcp__files__read file"_s);
    return options;
}

class Checker {
public:
    void take(const QList<StreamEvent> &events)
    {
        for (const StreamEvent &event : events) {
            m_transcript += event.toSse();
            FUZZ_CHECK(event.type == event.payload.value("type"_L1).toString().toUtf8(), transcript());
            const QList<ProtocolValidator::Violation> violations = m_validator.feed(event.type, event.payload);
            FUZZ_CHECK(violations.isEmpty(), violations.constFirst().message + u"\n"_s + transcript());
        }
    }

    void end(const StreamTranslator &translator)
    {
        const QList<ProtocolValidator::Violation> violations = m_validator.finish();
        FUZZ_CHECK(violations.isEmpty(), violations.constFirst().message + u"\n"_s + transcript());
        FUZZ_CHECK(translator.isDone(), transcript());
        FUZZ_CHECK(translator.hasFailed() == m_validator.endedWithError(), transcript());
        FUZZ_CHECK(translator.hasFailed() != m_validator.completed(), transcript());
        // What the client parses: the same stream, serialised and read back.
        bool endedWithError = false;
        const QList<ProtocolValidator::Violation> wire
            = ProtocolValidator::validateTranscript(m_transcript, &endedWithError);
        FUZZ_CHECK(wire.isEmpty(), wire.constFirst().message + u"\n"_s + transcript());
        FUZZ_CHECK(endedWithError == translator.hasFailed(), transcript());
    }

    [[nodiscard]] QString transcript() const
    {
        return u"--- transcript ---\n"_s + QString::fromUtf8(m_transcript.right(4000));
    }

private:
    ProtocolValidator m_validator;
    QByteArray m_transcript;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    StreamTranslator translator(options());
    Checker checker;
    checker.take(translator.start());

    for (qsizetype at = 0; at <= input.size();) {
        qsizetype eol = input.indexOf('\n', at);
        if (eol < 0)
            eol = input.size();
        QByteArrayView line = QByteArrayView(input).sliced(at, eol - at);
        at = eol + 1;
        if (line.startsWith(':') || line.startsWith("event:"))
            continue;
        if (line.startsWith("data:")) {
            line = line.sliced(5);
            if (line.startsWith(' '))
                line = line.sliced(1);
        }
        const bool wasDone = translator.isDone();
        QList<StreamEvent> events;
        if (line
            == "\x01"
               "fail")
            events = translator.fail(Error::make(ErrorType::Api, u"fuzz: the upstream connection was reset"_s));
        else
            events = translator.feed(line.toByteArray());
        FUZZ_CHECK(!wasDone || events.isEmpty(), u"events after the end"_s);
        checker.take(events);
    }
    checker.take(translator.finish());
    checker.end(translator);
    FUZZ_CHECK(translator.finish().isEmpty(), u"finish() after the end emitted events"_s);
    FUZZ_CHECK(translator.fail(Error::make(ErrorType::Api, u"late"_s)).isEmpty(), u"fail() after the end"_s);
    return 0;
}
