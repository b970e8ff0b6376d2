// Integration: the real ProxyServer on port 0 against a scripted upstream on port 0, driven by a QNAM client.
#include "proxyharness.h"

#include <QTcpSocket>

using namespace Qt::StringLiterals;
using namespace Proxy;

class TstProxyServer final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ProxyHarness> m_harness;
    FakeUpstream *m_upstream = nullptr;
    ProxyServer *m_server = nullptr;

    void startServer(const UpstreamProfile &profile = {})
    {
        QVERIFY(m_harness->start(profile));
        m_server = m_harness->server.get();
    }

    HttpResult send(const QByteArray &verb, const QString &path, const QByteArray &body = {})
    {
        return m_harness->send(verb, path, body);
    }

    static QByteArray messagesBody(const QString &model = u"claude-sonnet-4-5"_s)
    {
        return ProxyHarness::messagesBody(model);
    }

    static QJsonObject completion(const QString &text) { return ProxyHarness::completion(text); }

private Q_SLOTS:
    void init()
    {
        m_harness = std::make_unique<ProxyHarness>();
        m_upstream = &m_harness->upstream;
        startServer();
    }

    void cleanup() { m_harness.reset(); }

    void shouldAnswerNonStreamingMessageFromUpstream()
    {
        m_upstream->enqueue(FakeUpstream::json(completion(u"Hi there"_s)));
        const HttpResult response = send("POST", u"/v1/messages?beta=true"_s, messagesBody());
        QCOMPARE(response.status, 200);
        const QJsonObject message = response.json();
        QCOMPARE(message[u"type"_s].toString(), u"message"_s);
        QVERIFY(message[u"id"_s].toString().startsWith(u"msg_"_s));
        QCOMPARE(message[u"model"_s].toString(), u"claude-sonnet-4-5"_s);
        QCOMPARE(message[u"content"_s][0][u"text"_s].toString(), u"Hi there"_s);
        QCOMPARE(message[u"stop_reason"_s].toString(), u"end_turn"_s);
        QCOMPARE(message[u"usage"_s][u"input_tokens"_s].toInt(), 12);
        QCOMPARE(message[u"usage"_s][u"output_tokens"_s].toInt(), 5);
        QVERIFY(response.headers.value("request-id").startsWith("req_"));

        QCOMPARE(m_upstream->requests.size(), 1);
        const RecordedRequest &sent = m_upstream->requests.first();
        QCOMPARE(sent.path, QByteArray("/v1/chat/completions"));
        QCOMPARE(sent.header("authorization"), "Bearer "_ba + ProxyHarness::upstreamKey);
        QCOMPARE(sent.header("accept-encoding"), QByteArray("identity"));
        QVERIFY(sent.header("x-api-key").isEmpty()); // the client's key never travels upstream
        QCOMPARE(sent.json()[u"model"_s].toString(), u"claude-sonnet-4-5"_s);
        QCOMPARE(sent.json()[u"max_tokens"_s].toInt(), 64);
    }

    void shouldMapModelThroughProfileRules()
    {
        UpstreamProfile profile;
        profile.modelRules = {{u"claude-*haiku*"_s, u"small-model"_s}, {u"claude-*"_s, u"big-model"_s}};
        startServer(profile);
        m_upstream->enqueue(FakeUpstream::json(completion(u"a"_s)));
        m_upstream->enqueue(FakeUpstream::json(completion(u"b"_s)));
        QCOMPARE(send("POST", u"/v1/messages"_s, messagesBody(u"claude-haiku-4-5"_s)).status, 200);
        QCOMPARE(send("POST", u"/v1/messages"_s, messagesBody(u"claude-opus-4-1"_s)).status, 200);
        QCOMPARE(m_upstream->requests[0].json()[u"model"_s].toString(), u"small-model"_s);
        QCOMPARE(m_upstream->requests[1].json()[u"model"_s].toString(), u"big-model"_s);
    }

    void shouldRejectBadRequestsWithoutCallingUpstream_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("invalid JSON") << QByteArray("{not json") << u"JSON"_s;
        QTest::addRow("missing model") << QByteArray(R"({"max_tokens":5,"messages":[]})") << u"model"_s;
        QTest::addRow("missing max_tokens")
            << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})") << u"max_tokens"_s;
        QTest::addRow("missing messages") << QByteArray(R"({"model":"m","max_tokens":5})") << u"messages"_s;
    }

    void shouldRejectBadRequestsWithoutCallingUpstream()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        const HttpResult response = send("POST", u"/v1/messages"_s, body);
        QCOMPARE(response.status, 400);
        QCOMPARE(response.json()[u"type"_s].toString(), u"error"_s);
        QCOMPARE(response.errorType(), u"invalid_request_error"_s);
        QVERIFY2(response.errorMessage().contains(mentions), qPrintable(response.errorMessage()));
        QVERIFY(response.json()[u"request_id"_s].toString().startsWith(u"req_"_s));
        QCOMPARE(response.headers.value("request-id"), response.json()[u"request_id"_s].toString().toLatin1());
        QVERIFY(m_upstream->requests.isEmpty());
    }

    void shouldMapUpstreamErrorStatus_data()
    {
        QTest::addColumn<int>("upstreamStatus");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addRow("400") << 400 << 400 << u"invalid_request_error"_s;
        QTest::addRow("401") << 401 << 401 << u"authentication_error"_s;
        QTest::addRow("403") << 403 << 403 << u"permission_error"_s;
        QTest::addRow("404") << 404 << 404 << u"not_found_error"_s;
        QTest::addRow("413") << 413 << 413 << u"request_too_large"_s;
        QTest::addRow("429") << 429 << 429 << u"rate_limit_error"_s;
        QTest::addRow("500") << 500 << 500 << u"api_error"_s;
        QTest::addRow("503") << 503 << 529 << u"overloaded_error"_s;
    }

    void shouldMapUpstreamErrorStatus()
    {
        QFETCH(int, upstreamStatus);
        QFETCH(int, status);
        QFETCH(QString, type);
        FakeReply reply = FakeUpstream::json(
            {{u"error"_s, QJsonObject{{u"message"_s, u"upstream says no"_s}, {u"type"_s, u"x"_s}}}}, upstreamStatus);
        reply.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("7")));
        m_upstream->enqueue(reply);
        const HttpResult response = send("POST", u"/v1/messages"_s, messagesBody());
        QCOMPARE(response.status, status);
        QCOMPARE(response.errorType(), type);
        QVERIFY2(response.errorMessage().contains(u"upstream says no"_s), qPrintable(response.errorMessage()));
        QVERIFY(response.headers.value("request-id").startsWith("req_"));
        if (upstreamStatus == 429)
            QCOMPARE(response.headers.value("retry-after"), QByteArray("7"));
    }

    void shouldReportUnreachableUpstreamByName()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 deadPort = closed.serverPort();
        closed.close();
        UpstreamProfile profile;
        profile.baseUrl = QUrl(u"http://127.0.0.1:%1/v1"_s.arg(deadPort));
        startServer(profile);
        const HttpResult response = send("POST", u"/v1/messages"_s, messagesBody());
        QCOMPARE(response.status, 502);
        QCOMPARE(response.errorType(), u"api_error"_s);
        QVERIFY2(response.errorMessage().contains(u"fake"_s) && response.errorMessage().contains(QString::number(deadPort)),
                 qPrintable(response.errorMessage()));
    }

    void shouldTimeOutSilentUpstream()
    {
        UpstreamProfile profile;
        profile.totalTimeoutMs = 300;
        startServer(profile);
        FakeReply silent;
        silent.neverAnswer = true;
        m_upstream->enqueue(silent);
        const HttpResult response = send("POST", u"/v1/messages"_s, messagesBody());
        QCOMPARE(response.status, 504);
        QCOMPARE(response.errorType(), u"api_error"_s);
        QVERIFY2(response.errorMessage().contains(u"timeout"_s), qPrintable(response.errorMessage()));
        QTRY_COMPARE(m_upstream->clientsGone, 1); // the upstream request was really cancelled
    }

    void shouldReportUpstreamBodyThatIsNotJson()
    {
        FakeReply reply;
        reply.body = "<html>gateway</html>";
        m_upstream->enqueue(reply);
        const HttpResult response = send("POST", u"/v1/messages"_s, messagesBody());
        QCOMPARE(response.status, 502);
        QCOMPARE(response.errorType(), u"api_error"_s);
    }

    void shouldServeLocalEndpoints()
    {
        QCOMPARE(send("HEAD", u"/"_s).status, 200);
        QCOMPARE(send("GET", u"/"_s).status, 200);

        const HttpResult models = send("GET", u"/v1/models"_s);
        QCOMPARE(models.status, 200);
        QVERIFY(!models.json()[u"data"_s].toArray().isEmpty());
        QCOMPARE(models.json()[u"data"_s][0][u"type"_s].toString(), u"model"_s);
        QVERIFY(models.json().contains(u"has_more"_s));

        const HttpResult counted = send("POST", u"/v1/messages/count_tokens"_s, messagesBody());
        QCOMPARE(counted.status, 200);
        QVERIFY(counted.json()[u"input_tokens"_s].toInt() > 0);
        QVERIFY(m_upstream->requests.isEmpty());
    }

    void shouldAnswerUnknownPathsAndWrongMethods()
    {
        const HttpResult missing = send("GET", u"/v1/nothing"_s);
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorType(), u"not_found_error"_s);
        const HttpResult wrongMethod = send("GET", u"/v1/messages"_s);
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(wrongMethod.headers.value("allow"), QByteArray("POST"));
        QCOMPARE(wrongMethod.json()[u"type"_s].toString(), u"error"_s);
        QCOMPARE(send("DELETE", u"/v1/models"_s).status, 405);
    }

    void shouldAnswerExpectContinueAtOnce()
    {
        m_upstream->enqueue(FakeUpstream::json(completion(u"ok"_s)));
        const QByteArray body = messagesBody();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(socket.bytesAvailable() > 0, 900); // curl waits 1 s before sending anyway
        QVERIFY(socket.readAll().startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
        socket.write(body);
        QTRY_VERIFY(socket.bytesAvailable() > 0);
        QTRY_VERIFY(socket.peek(4096).contains("\"type\":\"message\""));
        QVERIFY(socket.peek(64).startsWith("HTTP/1.1 200"));
    }

    void shouldRefuseWebPagesAndRebindingHosts_data()
    {
        QTest::addColumn<QByteArray>("extraHeaders");
        QTest::addRow("origin") << QByteArray("Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n");
        QTest::addRow("rebinding host") << QByteArray("Host: evil.example\r\n");
    }

    void shouldRefuseWebPagesAndRebindingHosts()
    {
        QFETCH(QByteArray, extraHeaders);
        const QByteArray body = messagesBody();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /v1/messages HTTP/1.1\r\n" + extraHeaders + "Content-Type: text/plain\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QTRY_VERIFY(socket.peek(4096).contains("permission_error"));
        QVERIFY(socket.readAll().startsWith("HTTP/1.1 403"));
        QVERIFY(m_upstream->requests.isEmpty());
    }

    void shouldDemandTheInboundTokenWhenConfigured()
    {
        QVERIFY(m_harness->start({}, 15'000, [](ProxyConfig &config) { config.inboundToken = "tok-inbound"; }));
        m_server = m_harness->server.get();
        m_upstream->enqueue(FakeUpstream::json(completion(u"ok"_s)));
        const HttpResult refused = send("POST", u"/v1/messages"_s, messagesBody()); // harness sends another key
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.errorType(), u"authentication_error"_s);
        QCOMPARE(m_upstream->requests.size(), 0);
        const HttpResult root = send("GET", u"/"_s);
        QCOMPARE(root.status, 200);
        QVERIFY(!root.json().contains(u"upstream"_s)); // the root answers, without naming the upstream
        const HttpResult accepted = m_harness->send("POST", u"/v1/messages"_s, messagesBody(),
                                                    {{"authorization", "Bearer tok-inbound"}});
        QCOMPARE(accepted.status, 200);
        QVERIFY(m_upstream->requests.first().header("authorization") != "Bearer tok-inbound");
    }

    void shouldRefuseToListenBeyondLoopbackWithoutAToken()
    {
        ProxyServer open(ProxyConfig{}, &m_harness->client);
        QVERIFY(!open.listen(QHostAddress::AnyIPv4, 0));
        QVERIFY(open.errorString().contains(u"token"_s));
        ProxyConfig config;
        config.inboundToken = "tok";
        ProxyServer guarded(config, &m_harness->client);
        QVERIFY(guarded.listen(QHostAddress::AnyIPv4, 0));
    }

    // Raw HTTP: the answer must come while the client is still "sending" (nothing more was read).
    void shouldRefuseOversizedRequestsBeforeReadingThem_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addRow("body over the limit") << QByteArray("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                           "Content-Length: 2000\r\n\r\n{\"model\":")
                                             << 413 << u"request_too_large"_s;
        QTest::addRow("header block too large")
            << QByteArray("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + QByteArray(5000, 'b') + "\r\n\r\n")
            << 431 << u"invalid_request_error"_s;
        QByteArray many = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (int i = 0; i < 30; ++i)
            many += "X-" + QByteArray::number(i) + ": 1\r\n";
        QTest::addRow("too many header fields") << QByteArray(many + "\r\n") << 431 << u"invalid_request_error"_s;
    }

    void shouldRefuseOversizedRequestsBeforeReadingThem()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QString, type);
        QVERIFY(m_harness->start({}, 15'000, [](ProxyConfig &config) {
            config.limits.maxBodyBytes = 1000;
            config.limits.maxHeaderBytes = 4096;
            config.limits.maxHeaderCount = 20;
        }));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_harness->server->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(request);
        QByteArray response;
        QTRY_VERIFY_WITH_TIMEOUT((response += socket.readAll()).contains("}"), 10'000);
        QVERIFY2(response.startsWith(QByteArray("HTTP/1.1 " + QByteArray::number(status))), response.constData());
        const QJsonObject body = QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
        QCOMPARE(body[u"error"_s][u"type"_s].toString(), type);
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10'000); // and closed
        QCOMPARE(m_upstream->requests.size(), 0);
    }

    void shouldRefuseJsonNestedTooDeep()
    {
        QVERIFY(m_harness->start({}, 15'000, [](ProxyConfig &config) { config.limits.maxJsonDepth = 8; }));
        const QByteArray deep = R"({"model":"m","max_tokens":1,"messages":[],"metadata":)" + QByteArray(10, '[')
            + QByteArray(10, ']') + "}";
        for (const QString &path : {u"/v1/messages"_s, u"/v1/messages/count_tokens"_s}) {
            const HttpResult r = m_harness->send("POST", path, deep);
            QCOMPARE(r.status, 400);
            QVERIFY2(r.errorMessage().contains(u"nested"_s), qPrintable(r.errorMessage()));
        }
        QCOMPARE(m_upstream->requests.size(), 0);
    }

    void shouldAnswerOverloadedBeyondTheConcurrencyLimit()
    {
        QVERIFY(m_harness->start({}, 15'000, [](ProxyConfig &config) { config.limits.maxConcurrentExchanges = 1; }));
        FakeReply slow = FakeUpstream::json(completion(u"first"_s));
        slow.delayMs = 1500;
        m_upstream->enqueue(slow);
        QNetworkReply *first = m_harness->nam.post(m_harness->request(u"/v1/messages"_s), messagesBody());
        QTRY_COMPARE(m_harness->server->activeExchangeCount(), 1);
        const HttpResult second = send("POST", u"/v1/messages"_s, messagesBody());
        QCOMPARE(second.status, 529);
        QCOMPARE(second.errorType(), u"overloaded_error"_s);
        QTRY_VERIFY_WITH_TIMEOUT(first->isFinished(), 10'000);
        QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        first->deleteLater();
    }

    void shouldCancelUpstreamWhenClientLeaves()
    {
        FakeReply slow = FakeUpstream::json(completion(u"late"_s));
        slow.delayMs = 5000;
        m_upstream->enqueue(slow);
        QSignalSpy finished(m_server, &ProxyServer::exchangeFinished);
        QNetworkRequest request(QUrl(m_server->url().toString() + u"/v1/messages"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_harness->nam.post(request, messagesBody());
        QTRY_COMPARE(m_upstream->requests.size(), 1);
        reply->abort();
        reply->deleteLater();
        QVERIFY(finished.wait(3000));
        const auto *exchange = finished.first().first().value<Exchange *>();
        QCOMPARE(exchange->outcome(), Exchange::Outcome::Cancelled);
        QTRY_COMPARE(m_upstream->clientsGone, 1);
        QCOMPARE(m_server->activeExchangeCount(), 0);
    }

    void shouldNotQueueParallelRequestsBehindEachOther()
    {
        constexpr int parallel = 10; // more than Qt's six connections per host and manager
        for (int i = 0; i < parallel; ++i) {
            FakeReply reply = FakeUpstream::json(completion(u"x"_s));
            reply.delayMs = 400;
            m_upstream->enqueue(reply);
        }
        QList<QNetworkReply *> replies;
        QList<std::shared_ptr<QNetworkAccessManager>> clients; // one client connection per request
        for (int i = 0; i < parallel; ++i) {
            clients.append(std::make_shared<QNetworkAccessManager>());
            QNetworkRequest request(QUrl(m_server->url().toString() + u"/v1/messages"_s));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            replies.append(clients.last()->post(request, messagesBody()));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_upstream->maxInFlight, parallel, 5000);
        for (QNetworkReply *reply : std::as_const(replies)) {
            QTRY_VERIFY(reply->isFinished());
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
    }
};

QTEST_GUILESS_MAIN(TstProxyServer)
#include "tst_proxyserver.moc"
