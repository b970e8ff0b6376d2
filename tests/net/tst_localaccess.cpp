#include "net/localaccess.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

class TstLocalAccess final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldOnlyServeLocalProgramsOnLoopback_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<bool>("allowed");
        QTest::addRow("127.0.0.1 with port") << "127.0.0.1:8082"_ba << ""_ba << true;
        QTest::addRow("localhost") << "localhost:8082"_ba << ""_ba << true;
        QTest::addRow("LOCALHOST") << "LOCALHOST"_ba << ""_ba << true;
        QTest::addRow("sub.localhost") << "app.localhost:1"_ba << ""_ba << true;
        QTest::addRow("127.1.2.3") << "127.1.2.3"_ba << ""_ba << true;
        QTest::addRow("[::1]:8082") << "[::1]:8082"_ba << ""_ba << true;
        QTest::addRow("rebinding name") << "evil.example:8082"_ba << ""_ba << false;
        QTest::addRow("lan address") << "192.168.1.10:8082"_ba << ""_ba << false;
        QTest::addRow("localhost.evil.com") << "localhost.evil.com"_ba << ""_ba << false;
        QTest::addRow("missing host") << ""_ba << ""_ba << false;
        QTest::addRow("browser origin") << "127.0.0.1:8082"_ba << "https://evil.example"_ba << false;
        QTest::addRow("null origin") << "127.0.0.1:8082"_ba << "null"_ba << false;
    }

    void shouldOnlyServeLocalProgramsOnLoopback()
    {
        QFETCH(QByteArray, host);
        QFETCH(QByteArray, origin);
        QFETCH(bool, allowed);
        const auto refused = checkLocalAccess(host, origin, true);
        QCOMPARE(!refused.has_value(), allowed);
        if (refused) {
            QCOMPARE(refused->type, ErrorType::Permission);
            QCOMPARE(refused->httpStatus, 403);
        }
    }

    void shouldLeaveNonLoopbackListenersToTheUser()
    {
        QVERIFY(!checkLocalAccess("proxy.lan:8082", "", false).has_value());
        QVERIFY(!checkLocalAccess("192.168.1.10:8082", "", false, {u"proxy.lan"_s}).has_value()); // IP literal
        QVERIFY(checkLocalAccess("evil.example", "", false, {u"proxy.lan"_s}).has_value());
        QVERIFY(checkLocalAccess("proxy.lan", "https://evil.example", false).has_value()); // origins everywhere
    }

    void shouldAcceptConfiguredHostsAndOrigins()
    {
        const QStringList hosts{u"myhost.lan"_s};
        const QStringList origins{u"http://localhost:3000"_s};
        QVERIFY(!checkLocalAccess("MyHost.lan:8082", "", true, hosts).has_value());
        QVERIFY(checkLocalAccess("otherhost.lan", "", true, hosts).has_value());
        QVERIFY(!checkLocalAccess("127.0.0.1", "http://localhost:3000", true, {}, origins).has_value());
        QVERIFY(checkLocalAccess("127.0.0.1", "http://localhost:3001", true, {}, origins).has_value());
    }

    void shouldDemandTheInboundToken_data()
    {
        QTest::addColumn<QByteArray>("apiKey");
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<bool>("allowed");
        QTest::addRow("x-api-key") << "tok-123"_ba << ""_ba << true;
        QTest::addRow("bearer") << ""_ba << "Bearer tok-123"_ba << true;
        QTest::addRow("bearer lower case") << ""_ba << "bearer tok-123"_ba << true;
        QTest::addRow("wrong key, right bearer") << "sk-ant-x"_ba << "Bearer tok-123"_ba << true;
        QTest::addRow("missing") << ""_ba << ""_ba << false;
        QTest::addRow("wrong") << "tok-124"_ba << ""_ba << false;
        QTest::addRow("prefix") << "tok-12"_ba << ""_ba << false;
        QTest::addRow("longer") << "tok-1234"_ba << ""_ba << false;
        QTest::addRow("basic auth") << ""_ba << "Basic tok-123"_ba << false;
    }

    void shouldDemandTheInboundToken()
    {
        QFETCH(QByteArray, apiKey);
        QFETCH(QByteArray, authorization);
        QFETCH(bool, allowed);
        const auto refused = checkInboundToken(apiKey, authorization, "tok-123");
        QCOMPARE(!refused.has_value(), allowed);
        if (refused) {
            QCOMPARE(refused->type, ErrorType::Authentication);
            QCOMPARE(refused->httpStatus, 401);
        }
        QVERIFY(!checkInboundToken(apiKey, authorization, {}).has_value()); // no token configured: open
    }
};

QTEST_GUILESS_MAIN(TstLocalAccess)
#include "tst_localaccess.moc"
