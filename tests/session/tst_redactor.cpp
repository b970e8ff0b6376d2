#include "session/redactor.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

class TstRedactor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldMaskCredentialHeaders_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<bool>("secret");
        QTest::addRow("x-api-key") << "x-api-key"_ba << true;
        QTest::addRow("authorization") << "Authorization"_ba << true;
        QTest::addRow("proxy-authorization") << "proxy-authorization"_ba << true;
        QTest::addRow("cookie") << "cookie"_ba << true;
        QTest::addRow("x-goog-api-key") << "x-goog-api-key"_ba << true;
        QTest::addRow("user-agent") << "user-agent"_ba << false;
        QTest::addRow("anthropic-beta") << "anthropic-beta"_ba << false;
    }

    void shouldMaskCredentialHeaders()
    {
        QFETCH(QByteArray, name);
        QFETCH(bool, secret);
        const auto out = Redactor().headers({{name, "value-123456"}});
        QCOMPARE(out.first().second == Redactor::mask, secret);
    }

    void shouldMaskKeyLikeQueryParameters_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected");
        QTest::addRow("key") << u"/v1/messages?key=abc&beta=true"_s << u"/v1/messages?key=[redacted]&beta=true"_s;
        QTest::addRow("api_key") << u"/x?api_key=abc"_s << u"/x?api_key=[redacted]"_s;
        QTest::addRow("access_token") << u"/x?access_token=abc"_s << u"/x?access_token=[redacted]"_s;
        QTest::addRow("harmless") << u"/x?beta=true"_s << u"/x?beta=true"_s;
        QTest::addRow("no query") << u"/v1/messages"_s << u"/v1/messages"_s;
    }

    void shouldMaskKeyLikeQueryParameters()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        QCOMPARE(Redactor().url(url).replace(u"%5B"_s, u"["_s).replace(u"%5D"_s, u"]"_s), expected);
    }

    void shouldScrubConfiguredSecretsAnywhere()
    {
        Redactor redactor;
        redactor.addSecret("sk-live-0123456789");
        redactor.addSecret("ab"); // too short to scrub safely
        QCOMPARE(redactor.text("error: key sk-live-0123456789 rejected, about"_ba),
                 "error: key [redacted] rejected, about"_ba);
        QCOMPARE(redactor.text(u"x sk-live-0123456789"_s), u"x [redacted]"_s);
        const auto headers = redactor.headers({{"x-note", "token sk-live-0123456789"}});
        QCOMPARE(headers.first().second, "token [redacted]"_ba);
    }

    void shouldMaskSecretFieldsAndKeyShapedTokensInARecordedBody()
    {
        Redactor r;
        r.addSecret("configured-upstream-secret");
        const QByteArray body = R"({"model":"m","api_key":"planted-field-1","metadata":{"user_id":"u",
            "nested":[{"password":"planted-field-2"}]},"messages":[{"role":"user",
            "content":"my key is sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAA and configured-upstream-secret, keep this"}]})";
        const QByteArray out = r.body(body);
        for (const QByteArray &needle : {"planted-field-1"_ba, "planted-field-2"_ba, "sk-ant-api03"_ba,
                                         "configured-upstream-secret"_ba})
            QVERIFY2(!out.contains(needle), needle.constData());
        QVERIFY(out.contains("keep this"));
        QVERIFY(out.contains("\"user_id\":\"u\""));
        // Not JSON (e.g. a truncated body): configured secrets and key-shaped tokens still go.
        const QByteArray cut = r.body("{\"content\":\"sk-proj-BBBBBBBBBBBBBBBBBBBB configured-upstream-secret");
        QVERIFY(!cut.contains("BBBB"));
        QVERIFY(!cut.contains("configured-upstream-secret"));
    }
};

QTEST_GUILESS_MAIN(TstRedactor)
#include "tst_redactor.moc"
