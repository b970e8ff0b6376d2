// Integration: the real ProxyServer on port 0 against a scripted upstream on port 0, driven by a QNAM client.
#include "fakeupstream.h"

#include "net/proxyserver.h"
#include "net/upstreamclient.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

namespace {

struct Response
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QHash<QByteArray, QByteArray> headers; // lower-case names

    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    [[nodiscard]] QString errorType() const { return json()[u"error"_s][u"type"_s].toString(); }
    [[nodiscard]] QString errorMessage() const { return json()[u"error"_s][u"message"_s].toString(); }
};

QJsonObject completion(const QString &text, const QString &finishReason = u"stop"_s)
{
    return {
        {u"id"_s, u"chatcmpl-1"_s},
        {u"object"_s, u"chat.completion"_s},
        {u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0},
                                              {u"message"_s, QJsonObject{{u"role"_s, u"assistant"_s},
                                                                         {u"content"_s, text}}},
                                              {u"finish_reason"_s, finishReason}}}},
        {u"usage"_s, QJsonObject{{u"prompt_tokens"_s, 12}, {u"completion_tokens"_s, 5}}},
    };
}

QByteArray messagesBody(const QString &model = u"claude-sonnet-4-5"_s, bool stream = false)
{
    QJsonObject body{
        {u"model"_s, model},
        {u"max_tokens"_s, 64},
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Hello"_s}}}},
    };
    if (stream)
        body.insert(u"stream"_s, true);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace

class TstProxyServer final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<FakeUpstream> m_upstream;
    std::unique_ptr<UpstreamClient> m_client;
    std::unique_ptr<ProxyServer> m_server;
    QNetworkAccessManager m_nam;

    void startServer(UpstreamProfile profile = {})
    {
        if (profile.baseUrl.isEmpty())
            profile.baseUrl = m_upstream->baseUrl();
        profile.name = u"fake"_s;
        ProxyConfig config;
        config.upstream = profile;
        config.upstreamKey = "sk-upstream-secret";
        m_server = std::make_unique<ProxyServer>(config, m_client.get());
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
        QVERIFY(m_server->port() != 0);
    }

    Response send(const QByteArray &verb, const QString &path, const QByteArray &body = {},
                  const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QUrl url = m_server->url();
        url.setPath(path.section(u'?', 0, 0));
        if (path.contains(u'?'))
            url.setQuery(path.section(u'?', 1));
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("x-api-key", "sk-ant-client-key");
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(15000))
            qWarning("request did not finish");
        Response response;
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.body = reply->readAll();
        response.error = reply->error();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            response.headers.insert(name.toLower(), value);
        reply->deleteLater();
        return response;
    }

private Q_SLOTS:
    void init()
    {
        m_upstream = std::make_unique<FakeUpstream>();
        m_client = std::make_unique<UpstreamClient>();
        startServer();
    }

    void cleanup()
    {
        m_server.reset();
        m_client.reset();
        m_upstream.reset();
    }

    void shouldAnswerNonStreamingMessageFromUpstream()
    {
        m_upstream->enqueue(FakeUpstream::json(completion(u"Hi there"_s)));
        const Response response = send("POST", u"/v1/messages?beta=true"_s, messagesBody());
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
        QCOMPARE(sent.header("authorization"), QByteArray("Bearer sk-upstream-secret"));
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
        const Response response = send("POST", u"/v1/messages"_s, body);
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
        const Response response = send("POST", u"/v1/messages"_s, messagesBody());
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
        const Response response = send("POST", u"/v1/messages"_s, messagesBody());
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
        const Response response = send("POST", u"/v1/messages"_s, messagesBody());
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
        const Response response = send("POST", u"/v1/messages"_s, messagesBody());
        QCOMPARE(response.status, 502);
        QCOMPARE(response.errorType(), u"api_error"_s);
    }

    void shouldRefuseStreamingUntilItIsImplemented()
    {
        const Response response = send("POST", u"/v1/messages"_s, messagesBody(u"m"_s, true));
        QCOMPARE(response.status, 400);
        QCOMPARE(response.errorType(), u"invalid_request_error"_s);
        QVERIFY(m_upstream->requests.isEmpty());
    }

    void shouldServeLocalEndpoints()
    {
        QCOMPARE(send("HEAD", u"/"_s).status, 200);
        QCOMPARE(send("GET", u"/"_s).status, 200);

        const Response models = send("GET", u"/v1/models"_s);
        QCOMPARE(models.status, 200);
        QVERIFY(!models.json()[u"data"_s].toArray().isEmpty());
        QCOMPARE(models.json()[u"data"_s][0][u"type"_s].toString(), u"model"_s);
        QVERIFY(models.json().contains(u"has_more"_s));

        const Response counted = send("POST", u"/v1/messages/count_tokens"_s, messagesBody());
        QCOMPARE(counted.status, 200);
        QVERIFY(counted.json()[u"input_tokens"_s].toInt() > 0);
        QVERIFY(m_upstream->requests.isEmpty());
    }

    void shouldAnswerUnknownPathsAndWrongMethods()
    {
        const Response missing = send("GET", u"/v1/nothing"_s);
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorType(), u"not_found_error"_s);
        const Response wrongMethod = send("GET", u"/v1/messages"_s);
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
        socket.write("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(socket.bytesAvailable() > 0, 900); // curl waits 1 s before sending anyway
        QVERIFY(socket.readAll().startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
        socket.write(body);
        QTRY_VERIFY(socket.bytesAvailable() > 0);
        QTRY_VERIFY(socket.peek(4096).contains("\"type\":\"message\""));
        QVERIFY(socket.peek(64).startsWith("HTTP/1.1 200"));
    }

    void shouldCancelUpstreamWhenClientLeaves()
    {
        FakeReply slow = FakeUpstream::json(completion(u"late"_s));
        slow.delayMs = 5000;
        m_upstream->enqueue(slow);
        QSignalSpy finished(m_server.get(), &ProxyServer::exchangeFinished);
        QNetworkRequest request(QUrl(m_server->url().toString() + u"/v1/messages"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_nam.post(request, messagesBody());
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
