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
    }
};

QTEST_GUILESS_MAIN(TstLocalAccess)
#include "tst_localaccess.moc"
