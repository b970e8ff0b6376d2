#include "protocol/upstreamerror.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Proxy::Error;
using Proxy::ErrorType;

class TstUpstreamError final : public QObject {
    Q_OBJECT

private slots:
    void shouldMapStatus_data();
    void shouldMapStatus();
    void shouldQuoteUpstreamMessage_data();
    void shouldQuoteUpstreamMessage();
    void shouldQuoteAtMost300CharactersOfAnUnstructuredBody();
    void shouldNotCountLeadingWhitespaceAgainstTheQuote();
    void shouldNeverCutAnEmojiInHalf();
    void shouldKeepRetryAfterOnlyForRateLimits_data();
    void shouldKeepRetryAfterOnlyForRateLimits();
    void shouldBlameTheUpstreamKey_data();
    void shouldBlameTheUpstreamKey();
};

void TstUpstreamError::shouldMapStatus_data()
{
    QTest::addColumn<int>("upstreamStatus");
    QTest::addColumn<ErrorType>("expectedType");
    QTest::addColumn<int>("expectedStatus");
    QTest::addRow("400") << 400 << ErrorType::InvalidRequest << 400;
    QTest::addRow("401") << 401 << ErrorType::Authentication << 401;
    QTest::addRow("403") << 403 << ErrorType::Permission << 403;
    QTest::addRow("404") << 404 << ErrorType::NotFound << 404;
    QTest::addRow("408 timeout") << 408 << ErrorType::Api << 504;
    QTest::addRow("413") << 413 << ErrorType::RequestTooLarge << 413;
    QTest::addRow("422 validation") << 422 << ErrorType::InvalidRequest << 400;
    QTest::addRow("429") << 429 << ErrorType::RateLimit << 429;
    QTest::addRow("500") << 500 << ErrorType::Api << 500;
    QTest::addRow("501") << 501 << ErrorType::Api << 500;
    QTest::addRow("502 bad gateway") << 502 << ErrorType::Overloaded << 529;
    QTest::addRow("503 unavailable") << 503 << ErrorType::Overloaded << 529;
    QTest::addRow("504 gateway timeout") << 504 << ErrorType::Api << 504;
    QTest::addRow("529") << 529 << ErrorType::Api << 500;
    QTest::addRow("599") << 599 << ErrorType::Api << 500;
    QTest::addRow("302 redirect") << 302 << ErrorType::Api << 502;
    QTest::addRow("402 payment required") << 402 << ErrorType::Api << 502;
    QTest::addRow("409 conflict") << 409 << ErrorType::Api << 502;
    QTest::addRow("418") << 418 << ErrorType::Api << 502;
    QTest::addRow("600") << 600 << ErrorType::Api << 502;
}

void TstUpstreamError::shouldMapStatus()
{
    QFETCH(int, upstreamStatus);
    QFETCH(ErrorType, expectedType);
    QFETCH(int, expectedStatus);
    const Error error = Proxy::errorFromUpstreamStatus(upstreamStatus, "{}", {}, u"openai"_s);
    QCOMPARE(error.type, expectedType);
    QCOMPARE(error.httpStatus, expectedStatus);
    QVERIFY(error.message.startsWith(u"Upstream 'openai' returned HTTP %1"_s.arg(upstreamStatus)));
}

void TstUpstreamError::shouldQuoteUpstreamMessage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expectedMessage");
    const QString prefix = u"Upstream 'local' returned HTTP 400"_s;
    QTest::addRow("OpenAI error object") << QByteArray(
        R"({"error":{"message":"Invalid 'messages[1].content'","type":"invalid_request_error",)"
        R"("param":"messages","code":null}})")
                                         << prefix + u": Invalid 'messages[1].content'"_s;
    QTest::addRow("error string") << QByteArray(R"({"error":"model not found"})") << prefix + u": model not found"_s;
    QTest::addRow("message field") << QByteArray(R"({"object":"error","message":"max_tokens too large","code":400})")
                                   << prefix + u": max_tokens too large"_s;
    QTest::addRow("detail string") << QByteArray(R"({"detail":"Not authenticated"})")
                                   << prefix + u": Not authenticated"_s;
    QTest::addRow("FastAPI detail list") << QByteArray(
        R"({"detail":[{"loc":["body","messages"],"msg":"field required","type":"missing"},)"
        R"({"loc":["body","model"],"msg":"str type expected"}]})")
                                         << prefix + u": field required; str type expected"_s;
    QTest::addRow("error array (Google)")
        << QByteArray(R"([{"error":{"code":400,"message":"Request contains an invalid argument.","status":"X"}}])")
        << prefix + u": Request contains an invalid argument."_s;
    QTest::addRow("error object preferred over message")
        << QByteArray(R"({"error":{"message":"inner"},"message":"outer"})") << prefix + u": inner"_s;
    QTest::addRow("message trimmed") << QByteArray(R"({"error":{"message":"  spaced \n"}})") << prefix + u": spaced"_s;
    QTest::addRow("JSON without a message quoted raw")
        << QByteArray(R"({"code":42})") << prefix + uR"(: {"code":42})"_s;
    QTest::addRow("plain text") << QByteArray("  Bad Request\n") << prefix + u": Bad Request"_s;
    QTest::addRow("HTML") << QByteArray("<html><body>400 Bad Request</body></html>")
                          << prefix + u": <html><body>400 Bad Request</body></html>"_s;
    QTest::addRow("UTF-8 text") << QByteArray("Requête invalide ✗") << prefix + u": Requête invalide ✗"_s;
    QTest::addRow("empty body") << QByteArray() << prefix;
    QTest::addRow("whitespace body") << QByteArray(" \r\n") << prefix;
}

void TstUpstreamError::shouldQuoteUpstreamMessage()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expectedMessage);
    QCOMPARE(Proxy::errorFromUpstreamStatus(400, body, {}, u"local"_s).message, expectedMessage);
}

void TstUpstreamError::shouldQuoteAtMost300CharactersOfAnUnstructuredBody()
{
    const QString body = QString(299, u'x') + u"é"_s + QString(500, u'y');
    const QString message = Proxy::errorFromUpstreamStatus(500, body.toUtf8(), {}, u"u"_s).message;
    QCOMPARE(message, u"Upstream 'u' returned HTTP 500: "_s + body.left(300));
}

void TstUpstreamError::shouldNotCountLeadingWhitespaceAgainstTheQuote()
{
    // A proxy's error page may start with a long run of blank lines; the words after them are what matters.
    const QByteArray body = QByteArray(400, ' ') + QByteArray(200, '\n') + "upstream connect error";
    QCOMPARE(Proxy::errorFromUpstreamStatus(500, body, {}, u"u"_s).message,
        u"Upstream 'u' returned HTTP 500: upstream connect error"_s);
}

// 300 characters are code points: the 300th may be an emoji (two UTF-16 units), kept whole, never half of it.
void TstUpstreamError::shouldNeverCutAnEmojiInHalf()
{
    const QString emoji = u"\U0001F600"_s;
    const QString body = QString(299, u'x') + emoji + emoji + u"tail"_s;
    const QString message = Proxy::errorFromUpstreamStatus(500, body.toUtf8(), {}, u"u"_s).message;
    QCOMPARE(message, u"Upstream 'u' returned HTTP 500: "_s + QString(299, u'x') + emoji);
    QVERIFY(!message.back().isHighSurrogate());
    QCOMPARE(QString::fromUtf8(message.toUtf8()), message); // valid UTF-16 round-trips
}

void TstUpstreamError::shouldKeepRetryAfterOnlyForRateLimits_data()
{
    QTest::addColumn<int>("upstreamStatus");
    QTest::addColumn<QByteArray>("expectedRetryAfter");
    QTest::addRow("429") << 429 << QByteArray("17");
    QTest::addRow("503") << 503 << QByteArray();
    QTest::addRow("500") << 500 << QByteArray();
}

void TstUpstreamError::shouldKeepRetryAfterOnlyForRateLimits()
{
    QFETCH(int, upstreamStatus);
    QFETCH(QByteArray, expectedRetryAfter);
    const QByteArray body = R"({"error":{"message":"Rate limit reached","type":"requests"}})";
    QCOMPARE(Proxy::errorFromUpstreamStatus(upstreamStatus, body, "17", u"groq"_s).retryAfter, expectedRetryAfter);
}

void TstUpstreamError::shouldBlameTheUpstreamKey_data()
{
    QTest::addColumn<int>("upstreamStatus");
    QTest::addColumn<QString>("expectedMessage");
    QTest::addRow("401") << 401
                         << u"Upstream 'openai' returned HTTP 401: Incorrect API key provided (the upstream rejected "
                            "Switchyard's upstream API key: check SWITCHYARD_UPSTREAM_KEY)"_s;
    QTest::addRow("403") << 403
                         << u"Upstream 'openai' returned HTTP 403: Incorrect API key provided (the upstream API key "
                            "has no permission for this request: check SWITCHYARD_UPSTREAM_KEY)"_s;
}

void TstUpstreamError::shouldBlameTheUpstreamKey()
{
    QFETCH(int, upstreamStatus);
    QFETCH(QString, expectedMessage);
    const QByteArray body = R"({"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}})";
    QCOMPARE(Proxy::errorFromUpstreamStatus(upstreamStatus, body, {}, u"openai"_s).message, expectedMessage);
}

QTEST_GUILESS_MAIN(TstUpstreamError)
#include "tst_upstreamerror.moc"
