#include "protocol/sseparser.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>

using namespace Proxy;
using namespace Qt::StringLiterals;

namespace {

struct Outcome
{
    QByteArray events; // rendered, so a failed comparison shows both sides readably
    qint64 comments = 0;
    bool ok = true;
};

QByteArray render(const QList<SseEvent> &events)
{
    QByteArray out;
    for (const SseEvent &event : events)
        out += '<' + event.event + "> " + event.data + '\x1e';
    return out;
}

// Feeds `input` cut at the given positions (ascending; repeats make empty feeds), then finishes.
Outcome parse(const QByteArray &input, const QList<qsizetype> &cuts, qsizetype maxLineBytes)
{
    SseParser parser(maxLineBytes);
    QList<SseEvent> events;
    Outcome outcome;
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        outcome.ok = parser.feed(QByteArrayView(input).sliced(from, cut - from), events) && outcome.ok;
        from = cut;
    }
    outcome.ok = parser.feed(QByteArrayView(input).sliced(from), events) && outcome.ok;
    parser.finish(events);
    outcome.events = render(events);
    outcome.comments = parser.commentCount();
    return outcome;
}

QList<qsizetype> everyByte(qsizetype size)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < size; ++i)
        cuts.append(i);
    return cuts;
}

QList<qsizetype> randomCuts(QRandomGenerator &random, qsizetype size)
{
    QList<qsizetype> cuts;
    const int maxPiece = 1 + int(random.bounded(int(std::max<qsizetype>(size, 1)))); // small and large pieces
    for (qsizetype at = 0; at < size;) {
        at += random.bounded(0, maxPiece + 1); // 0 = an empty feed, which must change nothing
        cuts.append(std::min(at, size));
    }
    return cuts;
}

quint32 testSeed()
{
    static const quint32 seed = qEnvironmentVariableIsSet("SWITCHYARD_TEST_SEED")
        ? qEnvironmentVariable("SWITCHYARD_TEST_SEED").toUInt() : QRandomGenerator::global()->generate();
    return seed;
}

SseEvent ev(const char *event, const char *data)
{
    return {QByteArray(event), QByteArray(data)};
}

} // namespace

class TstSseParser final : public QObject
{
    Q_OBJECT

private slots:
    void shouldParseTheSameWhateverTheSplit_data();
    void shouldParseTheSameWhateverTheSplit();
    void shouldKeepMultiByteUtf8IntactAtEverySplit();
    void shouldTreatCrlfSplitAcrossFeedsAsOneLineEnd_data();
    void shouldTreatCrlfSplitAcrossFeedsAsOneLineEnd();
    void shouldStayFailedAfterTheLimit();
    void shouldNotBufferMoreThanTheLimit_data();
    void shouldNotBufferMoreThanTheLimit();
};

void TstSseParser::shouldParseTheSameWhateverTheSplit_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QList<SseEvent>>("expected");
    QTest::addColumn<qint64>("comments");
    QTest::addColumn<qsizetype>("maxLineBytes");
    QTest::addColumn<bool>("ok");

    const auto row = [&](const char *name, const QByteArray &input, const QList<SseEvent> &expected,
                         qint64 comments = 0, qsizetype maxLineBytes = SseParser::defaultMaxLineBytes, bool ok = true) {
        QTest::addRow("%s", name) << input << expected << comments << maxLineBytes << ok;
    };
    row("empty input", {}, {});
    row("lf", "event: message_start\ndata: {\"a\":1}\n\n", {ev("message_start", "{\"a\":1}")});
    row("crlf", "event: e\r\ndata: x\r\n\r\n", {ev("e", "x")});
    row("lone cr", "event: e\rdata: x\r\r", {ev("e", "x")});
    row("mixed line ends", "data: a\r\n\ndata: b\r\rdata: c\n\r\n", {ev("", "a"), ev("", "b"), ev("", "c")});
    row("lf then cr is two line ends", "data: a\n\rdata: b\n\n", {ev("", "a"), ev("", "b")});
    row("data without space", "data:x\n\n", {ev("", "x")});
    row("only one space stripped", "data:  x \n\n", {ev("", " x ")});
    row("colon inside value", "data: {\"a\":\"b:c\"}\n\n", {ev("", "{\"a\":\"b:c\"}")});
    row("multi-line data joined with lf", "data: a\ndata:b\ndata\n\n", {ev("", "a\nb\n")});
    row("empty data line dispatches empty data", "data:\n\n", {ev("", "")});
    row("two empty data lines", "data\ndata:\n\n", {ev("", "\n")});
    row("several events in one read", "data: 1\n\ndata: 2\n\nevent: e\ndata: 3\n\n",
        {ev("", "1"), ev("", "2"), ev("e", "3")});
    row("comments counted and ignored", ": OPENROUTER PROCESSING\n\n:\ndata: x\n: mid-event\n\n",
        {ev("", "x")}, 3);
    row("unknown fields ignored", "id: 7\nretry: 10\nfoo: bar\ndata: x\nData: y\ndata : z\n\n", {ev("", "x")});
    row("field without colon has empty value", "event\ndata: x\n\n", {ev("", "x")});
    row("last event field wins", "event: a\nevent: b\ndata: x\n\n", {ev("b", "x")});
    row("event without data is dropped with its name", "event: ping\n\ndata: x\n\n", {ev("", "x")});
    row("extra blank lines dispatch nothing", "\n\r\n\rdata: x\n\n\n\n", {ev("", "x")});
    row("pending data dispatched at finish", "event: e\ndata: x\n", {ev("e", "x")});
    row("final unterminated line processed at finish", "data: {\"done\":true}", {ev("", "{\"done\":true}")});
    row("final cr-terminated line", "data: x\r", {ev("", "x")});
    row("unterminated event line alone dispatches nothing", "event: e", {});
    row("unterminated comment counted", "data: x\n\n: bye", {ev("", "x")}, 1);
    row("done marker passed through", "data: {}\n\ndata: [DONE]\n\n", {ev("", "{}"), ev("", "[DONE]")});
    row("nul bytes are data", QByteArrayLiteral("data: a\0b\n\n"), {{{}, QByteArrayLiteral("a\0b")}});
    row("line exactly at limit", "data: 0123456789\n\n", {ev("", "0123456789")}, 0, 16);
    row("line exactly at limit with crlf", "data: 0123456789\r\n\r\n", {ev("", "0123456789")}, 0, 16);
    row("unterminated line exactly at limit", "data: 0123456789", {ev("", "0123456789")}, 0, 16);
    row("line one over limit", "data: 01234567890\n\n", {}, 0, 16, false);
    row("unterminated line one over limit", "data: 01234567890", {}, 0, 16, false);
    row("comment over limit", ": 0123456789abcdef\n", {}, 0, 16, false);
    row("events before an overlong line delivered", "data: a\n\ndata: 01234567890\n\ndata: b\n\n", {ev("", "a")},
        0, 16, false);
    row("limit counts one line, not the event", "data: 0123456789\ndata: 0123456789\n\n",
        {ev("", "0123456789\n0123456789")}, 0, 16);
}

void TstSseParser::shouldParseTheSameWhateverTheSplit()
{
    QFETCH(QByteArray, input);
    QFETCH(QList<SseEvent>, expected);
    QFETCH(qint64, comments);
    QFETCH(qsizetype, maxLineBytes);
    QFETCH(bool, ok);

    const auto check = [&](const QList<qsizetype> &cuts, const char *how) {
        const Outcome outcome = parse(input, cuts, maxLineBytes);
        const QByteArray why = QByteArray(how) + " (SWITCHYARD_TEST_SEED=" + QByteArray::number(testSeed())
            + "): events \"" + outcome.events + "\" comments " + QByteArray::number(outcome.comments)
            + (outcome.ok ? " ok" : " failed");
        QVERIFY2(outcome.events == render(expected) && outcome.comments == comments && outcome.ok == ok,
                 why.constData());
    };
    const Outcome whole = parse(input, {}, maxLineBytes);
    QCOMPARE(whole.events, render(expected));
    QCOMPARE(whole.comments, comments);
    QCOMPARE(whole.ok, ok);
    check(everyByte(input.size()), "byte by byte");
    QRandomGenerator random(testSeed());
    for (int pattern = 0; pattern < 50 && !QTest::currentTestFailed(); ++pattern)
        check(randomCuts(random, input.size()), "random split");
}

void TstSseParser::shouldKeepMultiByteUtf8IntactAtEverySplit()
{
    const QString text = u"caf\u00e9 \u6f22 \U0001F600"_s;
    const QByteArray input = "event: t\r\ndata: " + text.toUtf8() + "\r\n\r\n";
    const QByteArray expected = render({{"t", text.toUtf8()}});
    for (qsizetype cut = 0; cut <= input.size(); ++cut)
        QCOMPARE(parse(input, {cut}, SseParser::defaultMaxLineBytes).events, expected);
    QCOMPARE(parse(input, everyByte(input.size()), SseParser::defaultMaxLineBytes).events, expected);
}

void TstSseParser::shouldTreatCrlfSplitAcrossFeedsAsOneLineEnd_data()
{
    QTest::addColumn<QList<QByteArray>>("pieces");
    QTest::addColumn<int>("dispatchedAfterLast");
    QTest::addRow("cr | lf") << QList<QByteArray>{"data: a\r", "\n"} << 0;
    QTest::addRow("cr | lf cr lf") << QList<QByteArray>{"data: a\r", "\n\r\n"} << 1;
    QTest::addRow("cr | empty | lf") << QList<QByteArray>{"data: a\r", "", "\n"} << 0;
    QTest::addRow("cr lf cr | lf") << QList<QByteArray>{"data: a\r\n\r", "\n"} << 0;
    QTest::addRow("cr | cr is a blank line") << QList<QByteArray>{"data: a\r", "\r"} << 1;
    QTest::addRow("cr | data") << QList<QByteArray>{"data: a\r", "data: b\r\r"} << 1;
}

void TstSseParser::shouldTreatCrlfSplitAcrossFeedsAsOneLineEnd()
{
    QFETCH(QList<QByteArray>, pieces);
    QFETCH(int, dispatchedAfterLast);
    SseParser parser;
    QList<SseEvent> events;
    for (const QByteArray &piece : std::as_const(pieces)) {
        events.clear(); // only what the last piece completed counts
        QVERIFY(parser.feed(piece, events));
    }
    QCOMPARE(events.size(), dispatchedAfterLast);
}

void TstSseParser::shouldStayFailedAfterTheLimit()
{
    SseParser parser(16);
    QList<SseEvent> events;
    QVERIFY(!parser.feed("data: 01234567890\n", events));
    QVERIFY(parser.hasFailed());
    QVERIFY(!parser.feed("\ndata: ok\n\n", events));
    parser.finish(events);
    QVERIFY(events.isEmpty());
    QCOMPARE(parser.bufferedBytes(), 0);
}

void TstSseParser::shouldNotBufferMoreThanTheLimit_data()
{
    QTest::addColumn<qsizetype>("pieceSize");
    QTest::addRow("one feed") << qsizetype(2 * 1024 * 1024);
    QTest::addRow("64 KiB feeds") << qsizetype(64 * 1024);
    QTest::addRow("odd-sized feeds") << qsizetype(77'777);
}

void TstSseParser::shouldNotBufferMoreThanTheLimit()
{
    QFETCH(qsizetype, pieceSize);
    constexpr qsizetype limit = 1024 * 1024;
    const QByteArray line = "data: " + QByteArray(2 * 1024 * 1024, 'x');
    SseParser parser(limit);
    QList<SseEvent> events;
    qsizetype fed = 0;
    bool ok = true;
    for (; ok && fed < line.size(); fed += pieceSize) {
        ok = parser.feed(QByteArrayView(line).sliced(fed, std::min(pieceSize, line.size() - fed)), events);
        QVERIFY(parser.bufferedBytes() <= limit);
    }
    QVERIFY(!ok);
    QVERIFY(parser.hasFailed());
    QVERIFY2(fed <= limit + pieceSize, "the failure must be noticed as soon as the line passes the limit");
    QVERIFY(events.isEmpty());
}

QTEST_GUILESS_MAIN(TstSseParser)
#include "tst_sseparser.moc"
