// The limits enforced before QHttpServer buffers a request: header block size and count, body size (Content-Length
// and chunked), keep-alive framing, 100-continue, JSON depth.
#include "net/requestlimiter.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

namespace {

Limits smallLimits()
{
    Limits limits;
    limits.maxBodyBytes = 100;
    limits.maxHeaderBytes = 200;
    limits.maxHeaderCount = 5;
    return limits;
}

// Feeds `bytes` in pieces of `piece` bytes, skipping body bytes as the listener does.
RequestLimiter::Step feedAll(RequestLimiter &limiter, const QByteArray &bytes, qsizetype piece)
{
    RequestLimiter::Step total;
    for (qsizetype at = 0; at < bytes.size() && !limiter.hasRefused();) {
        const qsizetype n = qMin(piece, bytes.size() - at);
        const qint64 skipped = qMin<qint64>(n, limiter.skippable());
        limiter.skip(skipped);
        RequestLimiter::Step step = limiter.feed(QByteArrayView(bytes).sliced(at + skipped, n - skipped));
        total.continues += step.continues;
        if (step.refusal)
            total.refusal = step.refusal;
        at += n;
    }
    return total;
}

QByteArray post(const QByteArray &body, const QByteArray &extra = {})
{
    return "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n" + extra + "\r\n" + body;
}

} // namespace

class TstRequestLimiter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldPassRequestsWithinTheLimits_data()
    {
        QTest::addColumn<qsizetype>("piece");
        for (qsizetype piece : {1, 3, 7, 64, 100000})
            QTest::addRow("pieces of %d", int(piece)) << piece;
    }

    void shouldPassRequestsWithinTheLimits()
    {
        QFETCH(qsizetype, piece);
        RequestLimiter limiter(smallLimits());
        // Three keep-alive requests: Content-Length, chunked (with an extension and a trailer), a GET.
        const QByteArray chunked = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "a;ext=1\r\n0123456789\r\n5\r\nabcde\r\n0\r\nTrailer: t\r\n\r\n";
        const QByteArray bytes = post(QByteArray(100, 'x')) + chunked + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            + post(QByteArray(100, 'y'));
        const RequestLimiter::Step step = feedAll(limiter, bytes, piece);
        QVERIFY2(!step.refusal, step.refusal ? qPrintable(step.refusal->message) : "");
        QCOMPARE(step.continues, 0);
    }

    void shouldRefuseABodyOverTheLimitFromItsHeaders()
    {
        RequestLimiter limiter(smallLimits());
        const QByteArray head = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n";
        const RequestLimiter::Step step = limiter.feed(head); // the body has not even started
        QVERIFY(step.refusal);
        QCOMPARE(step.refusal->httpStatus, 413);
        QCOMPARE(step.refusal->type, ErrorType::RequestTooLarge);
        QVERIFY(limiter.hasRefused());
    }

    void shouldRefuseAChunkedBodyOverTheLimit()
    {
        RequestLimiter limiter(smallLimits());
        const QByteArray bytes = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + QByteArray(64, 'a')
            + "\r\n40\r\n";
        const RequestLimiter::Step step = feedAll(limiter, bytes, 5);
        QVERIFY(step.refusal);
        QCOMPARE(step.refusal->httpStatus, 413);
    }

    void shouldRefuseOversizedHeaders_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addRow("block too large") << post({}, "X-Big: " + QByteArray(300, 'b') + "\r\n");
        QTest::addRow("header line without end") << QByteArray("GET / HTTP/1.1\r\nX: " + QByteArray(300, 'b'));
        QByteArray many;
        for (int i = 0; i < 6; ++i)
            many += "X-" + QByteArray::number(i) + ": 1\r\n";
        QTest::addRow("too many fields") << post({}, many);
    }

    void shouldRefuseOversizedHeaders()
    {
        QFETCH(QByteArray, bytes);
        RequestLimiter limiter(smallLimits());
        const RequestLimiter::Step step = feedAll(limiter, bytes, 16);
        QVERIFY(step.refusal);
        QCOMPARE(step.refusal->httpStatus, 431);
        QCOMPARE(step.refusal->type, ErrorType::InvalidRequest);
    }

    void shouldCountEveryExpectContinue()
    {
        RequestLimiter limiter(smallLimits());
        const RequestLimiter::Step step = feedAll(limiter, post("{}", "Expect: 100-continue\r\n") + post("{}", "Expect: 100-Continue\r\n"), 1000);
        QVERIFY(!step.refusal);
        QCOMPARE(step.continues, 2);
        RequestLimiter big(smallLimits()); // too large: refused, never invited
        const RequestLimiter::Step refused = big.feed(
            "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n");
        QVERIFY(refused.refusal);
        QCOMPARE(refused.continues, 0);
    }

    void shouldRejectAnInvalidContentLength()
    {
        RequestLimiter limiter(smallLimits());
        const RequestLimiter::Step step = limiter.feed("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
        QVERIFY(step.refusal);
        QCOMPARE(step.refusal->httpStatus, 400);
    }

    void shouldMeasureJsonDepth_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("depth");
        QTest::addRow("scalar") << "1"_ba << 0;
        // Plain literals: moc 6.4 fails to parse raw strings that contain "[[".
        QTest::addRow("object") << "{\"a\":1}"_ba << 1;
        QTest::addRow("nested") << "{\"a\":[{\"b\":[]}]}"_ba << 4;
        QTest::addRow("brackets in strings") << "{\"a\":\"[[[{{{\\\"[[\"}"_ba << 1;
        QTest::addRow("over the limit") << QByteArray(100, '[') << 11;
    }

    void shouldMeasureJsonDepth()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, depth);
        QCOMPARE(RequestLimiter::jsonDepth(json, 10), depth);
    }
};

QTEST_GUILESS_MAIN(TstRequestLimiter)
#include "tst_requestlimiter.moc"
