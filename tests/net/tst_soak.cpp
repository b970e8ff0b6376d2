// Soak (issue 7, item 6): many mixed requests through one ProxyServer — successes (streamed and JSON) and
// faults (upstream 429/500/503, a reset before and during the stream, a truncated stream, a non-JSON data line, an
// upstream error chunk, a client that leaves mid-stream) — with `concurrency` in flight at once. Every request
// must get its documented outcome; afterwards nothing is left alive, and open file descriptors and RSS are
// measured at the start, the middle and the end (printed; descriptors must come back to where they started).
// CI runs SWITCHYARD_SOAK_REQUESTS=1000 (the default here); the full run is SWITCHYARD_SOAK_REQUESTS=10000.
#include "fakeupstream.h"
#include "proxyharness.h"

#include "net/exchange.h"

#include <QDir>
#include <QFile>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <cstdio>

using namespace Proxy;
using namespace Qt::StringLiterals;

namespace {

enum class Fault { StreamOk, JsonOk, Upstream429, Upstream500, Upstream503, ResetBefore, ResetDuring, Truncated,
                   Garbage, ErrorChunk, ClientLeaves, Count };

const QByteArray textChunk = R"({"choices":[{"index":0,"delta":{"content":"soak"}}]})";
const QByteArray stopChunk = R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}})";

FakeReply replyFor(Fault fault)
{
    switch (fault) {
    case Fault::StreamOk: return FakeUpstream::sse({textChunk, textChunk, stopChunk, "[DONE]"});
    case Fault::JsonOk: return FakeUpstream::json(ProxyHarness::completion(u"soak"_s));
    case Fault::Upstream429: {
        FakeReply r = FakeUpstream::json({{u"error"_s, QJsonObject{{u"message"_s, u"slow down"_s}}}}, 429);
        r.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
        return r;
    }
    case Fault::Upstream500: return FakeUpstream::json({{u"error"_s, QJsonObject{{u"message"_s, u"boom"_s}}}}, 500);
    case Fault::Upstream503: return FakeUpstream::json({{u"error"_s, QJsonObject{{u"message"_s, u"busy"_s}}}}, 503);
    case Fault::ResetBefore: {
        FakeReply r;
        r.resetAtOnce = true;
        return r;
    }
    case Fault::ResetDuring: {
        FakeReply r = FakeUpstream::sse({textChunk, textChunk});
        r.resetAtEnd = true;
        return r;
    }
    case Fault::Truncated: return FakeUpstream::sse({textChunk}); // ends without finish_reason or [DONE]
    case Fault::Garbage: return FakeUpstream::sse({textChunk, "this is not json {", "[1,2", stopChunk, "[DONE]"});
    case Fault::ErrorChunk: return FakeUpstream::sse({textChunk, R"({"error":{"message":"upstream failed"}})"});
    case Fault::ClientLeaves: return FakeUpstream::sse({textChunk, textChunk, stopChunk, "[DONE]"}, 200);
    case Fault::Count: break;
    }
    return {};
}

int openDescriptors()
{
    return int(QDir(u"/proc/self/fd"_s).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System).size());
}

qint64 rssKiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace

class TstSoak final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ProxyHarness> m_h;
    int m_requests = 1000;
    int m_concurrency = 16;
    int m_started = 0;
    int m_done = 0;
    QHash<int, int> m_outcomes; // fault -> requests that ended as documented
    QStringList m_wrong;

    void launch()
    {
        const int n = m_started++;
        const Fault fault = Fault(n % int(Fault::Count));
        const bool stream = fault != Fault::JsonOk;
        // The model names the fault, so the upstream answers each request as scripted whatever the arrival order.
        QNetworkReply *reply = m_h->nam.post(m_h->request(u"/v1/messages"_s),
                                             ProxyHarness::messagesBody(u"fault-%1"_s.arg(int(fault)), stream));
        if (fault == Fault::ClientLeaves) {
            connect(reply, &QNetworkReply::readyRead, reply, [reply] {
                if (reply->readAll().contains("content_block_delta"))
                    reply->abort(); // the client goes away mid-stream
            });
        }
        connect(reply, &QNetworkReply::finished, this, [this, reply, fault] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray body = reply->readAll();
            bool ok = false;
            switch (fault) {
            case Fault::StreamOk:
                ok = status == 200 && body.contains("event: message_stop") && !body.contains("event: error");
                break;
            case Fault::JsonOk: ok = status == 200 && body.contains("\"type\":\"message\""); break;
            case Fault::Upstream429: ok = status == 429 && body.contains("rate_limit_error"); break;
            case Fault::Upstream500: ok = status == 500 || status == 502; break;
            case Fault::Upstream503: ok = status == 503 || status == 529 || status == 502; break;
            case Fault::ResetBefore: ok = status >= 500 && body.contains("\"type\":\"error\""); break;
            case Fault::ResetDuring:
            case Fault::Truncated:
            case Fault::Garbage: // a data line that is not JSON ends the stream with an error (docs/STREAMING.md)
            case Fault::ErrorChunk:
                ok = status == 200 && body.contains("event: error") && !body.contains("event: message_stop");
                break;
            case Fault::ClientLeaves: ok = reply->error() == QNetworkReply::OperationCanceledError; break;
            case Fault::Count: break;
            }
            if (ok)
                ++m_outcomes[int(fault)];
            else if (m_wrong.size() < 10)
                m_wrong.append(u"fault %1: HTTP %2 %3"_s.arg(int(fault)).arg(status).arg(QString::fromUtf8(body.left(200))));
            ++m_done;
            if (m_started < m_requests)
                launch();
        });
    }

private Q_SLOTS:
    void shouldServeThousandsOfMixedRequestsWithoutLeaking()
    {
        m_requests = qMax(qEnvironmentVariableIntValue("SWITCHYARD_SOAK_REQUESTS"), 0);
        if (m_requests == 0)
            m_requests = 1000;
        m_h = std::make_unique<ProxyHarness>();
        m_h->upstream.replyFor = [](const RecordedRequest &request) {
            return replyFor(Fault(request.json().value(u"model"_s).toString().mid(6).toInt()));
        };
        QVERIFY(m_h->start());

        // Warm up (connection pools, lazily created managers) before the baseline.
        const int total = m_requests;
        m_requests = int(Fault::Count);
        for (int i = 0; i < m_concurrency && m_started < m_requests; ++i)
            launch();
        QTRY_VERIFY_WITH_TIMEOUT(m_done == m_requests, 30'000);
        m_h->nam.clearConnectionCache();
        m_h->client.clearConnectionCaches(); // idle pooled upstream connections are not leaks
        QTRY_COMPARE_WITH_TIMEOUT(Exchange::liveCount(), 0, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(m_h->server->clientSocketCount(), 0, 15'000);
        const int fdStart = openDescriptors();
        const qint64 rssStart = rssKiB();

        m_requests = total;
        m_outcomes.clear();
        m_started = m_done = 0;
        qint64 rssMiddle = -1;
        int fdMiddle = -1;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < m_concurrency && m_started < m_requests; ++i)
            launch();
        while (m_done < m_requests && clock.elapsed() < 20 * 60'000) {
            QTest::qWait(20);
            if (rssMiddle < 0 && m_done >= m_requests / 2) {
                rssMiddle = rssKiB();
                fdMiddle = openDescriptors();
            }
        }
        QCOMPARE(m_done, m_requests);
        QVERIFY2(m_wrong.isEmpty(), qPrintable(m_wrong.join(u"\n"_s)));
        int ended = 0;
        for (int f = 0; f < int(Fault::Count); ++f) {
            QVERIFY2(m_outcomes.value(f) > 0, qPrintable(u"no fault %1 seen"_s.arg(f)));
            ended += m_outcomes.value(f);
        }
        QCOMPARE(ended, m_requests);

        m_h->nam.clearConnectionCache();
        m_h->client.clearConnectionCaches(); // idle pooled upstream connections are not leaks
        QTRY_COMPARE_WITH_TIMEOUT(Exchange::liveCount(), 0, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(m_h->client.activeRequestCount(), 0, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(m_h->server->clientSocketCount(), 0, 15'000);
        QCOMPARE(m_h->server->activeExchangeCount(), 0);
        // Sockets closed by the client side linger for an event-loop turn before the descriptor goes.
        QTRY_VERIFY_WITH_TIMEOUT(openDescriptors() <= fdStart + 2, 10'000);
        const int fdEnd = openDescriptors();
        const qint64 rssEnd = rssKiB();
        std::printf("soak: %d requests (%d kinds, concurrency %d) in %.1f s; open fds start %d, middle %d, end %d; "
                    "RSS KiB start %lld, middle %lld, end %lld; hub ring %lld events\n",
                    m_requests, int(Fault::Count), m_concurrency, double(clock.elapsed()) / 1000.0, fdStart, fdMiddle,
                    fdEnd, static_cast<long long>(rssStart), static_cast<long long>(rssMiddle),
                    static_cast<long long>(rssEnd), static_cast<long long>(m_h->hub.size()));
        std::fflush(stdout);
    }
};

QTEST_GUILESS_MAIN(TstSoak)
#include "tst_soak.moc"
