// The facade's lifecycle: the demo by default, and a graceful shutdown that never cuts a response.
#include "fakeupstream.h"

#include "net/proxyserver.h"
#include "net/proxyservice.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

namespace {

QJsonObject bigCompletion(qsizetype bytes)
{
    const QJsonObject message{{u"role"_s, u"assistant"_s}, {u"content"_s, QString(bytes, u'x')}};
    return {{u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0}, {u"message"_s, message},
                                                  {u"finish_reason"_s, u"stop"_s}}}}};
}

} // namespace

class TstProxyService final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldDeliverInFlightResponsesBeforeDraining()
    {
        FakeUpstream upstream;
        constexpr qsizetype size = 12 * 1024 * 1024; // more than the kernel's socket buffers take at once
        FakeReply reply = FakeUpstream::json(bigCompletion(size));
        reply.delayMs = 200;
        upstream.enqueue(reply);

        ProxyConfig config;
        config.listenPort = 0;
        config.upstream.name = u"fake"_s;
        config.upstream.baseUrl = upstream.baseUrl();
        auto service = std::make_unique<ProxyService>(config);
        QVERIFY(service->start().has_value());

        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(service->url().toString() + u"/v1/messages"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        QNetworkReply *client = nam.post(request, R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})");
        QTRY_COMPARE(upstream.requests.size(), 1);

        QSignalSpy drained(service.get(), &ProxyService::drained);
        service->shutdown(10'000);
        QVERIFY(service->isShuttingDown());
        QVERIFY(drained.wait(20'000));
        service.reset(); // what quitting the application does
        QTRY_VERIFY_WITH_TIMEOUT(client->isFinished(), 20'000);
        QCOMPARE(client->error(), QNetworkReply::NoError);
        QCOMPARE(client->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QJsonObject message = QJsonDocument::fromJson(client->readAll()).object();
        QCOMPARE(message[u"content"_s][0][u"text"_s].toString().size(), size);
        client->deleteLater();
    }

    void shouldDrainAtOnceWhenIdle()
    {
        ProxyConfig config;
        config.listenPort = 0;
        ProxyService service(config);
        QVERIFY(service.start().has_value());
        QSignalSpy drained(&service, &ProxyService::drained);
        service.shutdown(10'000);
        QVERIFY(drained.wait(1000));
        QCOMPARE(drained.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TstProxyService)
#include "tst_proxyservice.moc"
