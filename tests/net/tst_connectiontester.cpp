#include "config/upstreamprofile.h"
#include "net/connectiontester.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

namespace {

// A one-answer HTTP server on port 0: records the request head, then sends `response` (or nothing when empty).
class FakeUpstream final : public QObject {
public:
    explicit FakeUpstream(QByteArray response)
        : m_response(std::move(response))
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                    m_request += socket->readAll();
                    if (m_request.contains("\r\n\r\n") && !m_response.isEmpty()) {
                        socket->write(m_response);
                        socket->disconnectFromHost();
                    }
                });
            }
        });
    }

    [[nodiscard]] UpstreamProfile profile() const
    {
        UpstreamProfile p;
        p.name = u"fake"_s;
        p.baseUrl = QUrl(u"http://127.0.0.1:%1/v1/"_s.arg(m_server.serverPort()));
        return p;
    }
    [[nodiscard]] const QByteArray &request() const { return m_request; }

private:
    QTcpServer m_server;
    QByteArray m_response;
    QByteArray m_request;
};

QByteArray httpResponse(const QByteArray &status, const QByteArray &body)
{
    return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

ConnectionTester::Result runTest(ConnectionTester &tester, const UpstreamProfile &profile, const QByteArray &key)
{
    QSignalSpy finished(&tester, &ConnectionTester::finished);
    tester.test(profile, key);
    if (!finished.wait(15'000))
        return { false, -2, -2, u"no finished() signal"_s };
    QTest::qWait(50); // exactly once: nothing else may follow
    if (finished.size() != 1)
        return { false, -3, -3, u"finished() %1 times"_s.arg(finished.size()) };
    return finished.first().first().value<ConnectionTester::Result>();
}

} // namespace

class TstConnectionTester final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldCountTheModelsOfA200Answer()
    {
        FakeUpstream upstream(httpResponse(
            "200 OK", R"({"object":"list","data":[{"id":"gpt-4o","object":"model"},{"id":"gpt-4o-mini"}]})"));
        ConnectionTester tester;
        const ConnectionTester::Result result = runTest(tester, upstream.profile(), "sk-secret-1");
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(result.httpStatus, 200);
        QCOMPARE(result.modelCount, 2);
        QCOMPARE(result.message, u"Connected: 2 models"_s);
        QVERIFY(upstream.request().startsWith("GET /v1/models HTTP/1.1\r\n"));
        QVERIFY(upstream.request().contains("Authorization: Bearer sk-secret-1\r\n"));
        QVERIFY(upstream.request().toLower().contains("accept-encoding: identity\r\n"));
        QVERIFY(!tester.isRunning());
    }

    void shouldQuoteTheUpstreamOn401WithoutTheKey()
    {
        FakeUpstream upstream(httpResponse("401 Unauthorized",
            R"({"error":{"message":"Incorrect API key provided: sk-wrong-42.","type":"invalid_request_error","code":"invalid_api_key"}})"));
        ConnectionTester tester;
        const ConnectionTester::Result result = runTest(tester, upstream.profile(), "sk-wrong-42");
        QVERIFY(!result.ok);
        QCOMPARE(result.httpStatus, 401);
        QCOMPARE(result.message, u"HTTP 401: invalid API key (upstream said: Incorrect API key provided: [key].)"_s);
        QVERIFY(!result.message.contains(u"sk-wrong-42"_s));
    }

    void shouldSayAKeyIsNeededWhenNoneWasSent()
    {
        FakeUpstream upstream(httpResponse("401 Unauthorized", R"({"error":"missing bearer token"})"));
        ConnectionTester tester;
        const ConnectionTester::Result result = runTest(tester, upstream.profile(), {});
        QCOMPARE(result.message, u"HTTP 401: this upstream needs an API key (upstream said: missing bearer token)"_s);
        QVERIFY(!upstream.request().contains("Authorization"));
    }

    void shouldExplainA404AsAWrongBaseUrl()
    {
        FakeUpstream upstream(httpResponse("404 Not Found", "not here"));
        ConnectionTester tester;
        const ConnectionTester::Result result = runTest(tester, upstream.profile(), "k");
        QVERIFY(!result.ok);
        QVERIFY2(
            result.message.startsWith(u"HTTP 404: no model list at http://127.0.0.1:"_s), qPrintable(result.message));
        QVERIFY(result.message.contains(u"check the base URL"_s));
    }

    void shouldReportARefusedConnection()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        } // closed: nothing listens there now
        UpstreamProfile profile;
        profile.baseUrl = QUrl(u"http://127.0.0.1:%1/v1"_s.arg(port));
        ConnectionTester tester;
        const ConnectionTester::Result result = runTest(tester, profile, "k");
        QVERIFY(!result.ok);
        QCOMPARE(result.httpStatus, 0);
        QVERIFY2(result.message.startsWith(u"Could not connect: connection refused"_s), qPrintable(result.message));
    }

    void shouldTimeOutOnASilentServer()
    {
        FakeUpstream upstream({}); // accepts, reads, never answers
        ConnectionTester tester;
        QCOMPARE(tester.timeoutMs(), 10'000);
        tester.setTimeoutMs(300);
        const ConnectionTester::Result result = runTest(tester, upstream.profile(), "k");
        QVERIFY(!result.ok);
        QCOMPARE(result.message, u"Timed out after 1 s"_s);
        QVERIFY(!tester.isRunning());
    }

    void shouldAnswerAtOnceForTheDemo()
    {
        ConnectionTester tester;
        QSignalSpy finished(&tester, &ConnectionTester::finished);
        tester.test(UpstreamProfile::demo(), {});
        QCOMPARE(finished.size(), 0); // never before test() returns
        QVERIFY(finished.wait(1'000));
        const auto result = finished.first().first().value<ConnectionTester::Result>();
        QVERIFY(result.ok);
        QVERIFY(result.message.startsWith(u"Built-in demo upstream"_s));
    }

    void shouldRefuseABaseUrlThatIsNotHttp()
    {
        UpstreamProfile profile;
        profile.baseUrl = QUrl(u"ftp://example.com/v1"_s);
        ConnectionTester tester;
        const ConnectionTester::Result result = runTest(tester, profile, {});
        QVERIFY(!result.ok);
        QVERIFY(result.message.startsWith(u"Invalid base URL"_s));
    }

    void shouldAbandonTheEarlierTestWhenANewOneStarts()
    {
        FakeUpstream silent({});
        FakeUpstream answering(httpResponse("200 OK", R"({"data":[{"id":"m"}]})"));
        ConnectionTester tester;
        QSignalSpy finished(&tester, &ConnectionTester::finished);
        tester.test(silent.profile(), "k");
        tester.test(answering.profile(), "k");
        QVERIFY(finished.wait(5'000));
        QTest::qWait(50);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().value<ConnectionTester::Result>().message, u"Connected: 1 model"_s);
    }

    void shouldStaySilentAfterCancel()
    {
        ConnectionTester tester;
        QSignalSpy finished(&tester, &ConnectionTester::finished);
        tester.test(UpstreamProfile::demo(), {});
        tester.cancel();
        QTest::qWait(100);
        QCOMPARE(finished.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TstConnectionTester)
#include "tst_connectiontester.moc"
