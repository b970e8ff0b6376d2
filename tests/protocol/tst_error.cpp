#include "protocol/error.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using Proxy::Error;
using Proxy::ErrorType;

class TstError final : public QObject {
    Q_OBJECT

private slots:
    void shouldNameTypesAndStatuses_data();
    void shouldNameTypesAndStatuses();
    void shouldMakeErrorsWithDefaultOrExplicitStatus();
    void shouldWriteAnthropicErrorBody_data();
    void shouldWriteAnthropicErrorBody();
    void shouldWriteCompactJson();
};

void TstError::shouldNameTypesAndStatuses_data()
{
    QTest::addColumn<ErrorType>("type");
    QTest::addColumn<QString>("expectedName");
    QTest::addColumn<int>("expectedStatus");
    QTest::addRow("invalid request") << ErrorType::InvalidRequest << u"invalid_request_error"_s << 400;
    QTest::addRow("authentication") << ErrorType::Authentication << u"authentication_error"_s << 401;
    QTest::addRow("permission") << ErrorType::Permission << u"permission_error"_s << 403;
    QTest::addRow("not found") << ErrorType::NotFound << u"not_found_error"_s << 404;
    QTest::addRow("request too large") << ErrorType::RequestTooLarge << u"request_too_large"_s << 413;
    QTest::addRow("rate limit") << ErrorType::RateLimit << u"rate_limit_error"_s << 429;
    QTest::addRow("api") << ErrorType::Api << u"api_error"_s << 500;
    QTest::addRow("overloaded") << ErrorType::Overloaded << u"overloaded_error"_s << 529;
}

void TstError::shouldNameTypesAndStatuses()
{
    QFETCH(ErrorType, type);
    QFETCH(QString, expectedName);
    QFETCH(int, expectedStatus);
    QCOMPARE(Proxy::errorTypeName(type), expectedName);
    QCOMPARE(Proxy::defaultHttpStatus(type), expectedStatus);
    QCOMPARE(Error::make(type, u"m"_s).httpStatus, expectedStatus);
    QCOMPARE(Proxy::errorTypeFromName(expectedName), type);
}

void TstError::shouldMakeErrorsWithDefaultOrExplicitStatus()
{
    const Error overloaded = Error::make(ErrorType::Overloaded, u"busy"_s);
    QCOMPARE(overloaded.type, ErrorType::Overloaded);
    QCOMPARE(overloaded.httpStatus, 529);
    QCOMPARE(overloaded.message, u"busy"_s);
    QVERIFY(overloaded.retryAfter.isEmpty());

    const Error badGateway = Error::make(ErrorType::Api, 502, u"no choices"_s);
    QCOMPARE(badGateway.type, ErrorType::Api);
    QCOMPARE(badGateway.httpStatus, 502);

    const Error invalid = Error::invalidRequest(u"model: Field required"_s);
    QCOMPARE(invalid, Error::make(ErrorType::InvalidRequest, 400, u"model: Field required"_s));
}

void TstError::shouldWriteAnthropicErrorBody_data()
{
    QTest::addColumn<Error>("error");
    QTest::addColumn<QByteArray>("requestId");
    QTest::addColumn<QByteArray>("expectedBody");
    QTest::addRow("with request_id")
        << Error::make(ErrorType::RateLimit, u"slow down"_s) << QByteArray("req_0123")
        << QByteArray(R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"},)"
                      R"("request_id":"req_0123"})");
    QTest::addRow("without request_id")
        << Error::make(ErrorType::NotFound, u"no such model"_s) << QByteArray()
        << QByteArray(R"({"type":"error","error":{"type":"not_found_error","message":"no such model"}})");
    QTest::addRow("status does not change the type")
        << Error::make(ErrorType::Api, 502, u"bad upstream"_s) << QByteArray("req_1")
        << QByteArray(R"({"type":"error","error":{"type":"api_error","message":"bad upstream"},"request_id":"req_1"})");
    QTest::addRow("message escaped") << Error::make(ErrorType::InvalidRequest, u"quote \" backslash \\ newline \n é"_s)
                                     << QByteArray()
                                     << QByteArray(R"({"type":"error","error":{"type":"invalid_request_error",)"
                                                   R"("message":"quote \" backslash \\ newline \n é"}})");
}

void TstError::shouldWriteAnthropicErrorBody()
{
    QFETCH(Error, error);
    QFETCH(QByteArray, requestId);
    QFETCH(QByteArray, expectedBody);
    QJsonParseError parseError;
    const QJsonDocument body = QJsonDocument::fromJson(Proxy::anthropicErrorBody(error, requestId), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(body, QJsonDocument::fromJson(expectedBody));
    QCOMPARE(body.object().contains(u"request_id"_s), !requestId.isEmpty());
}

void TstError::shouldWriteCompactJson()
{
    const QByteArray body = Proxy::anthropicErrorBody(Error::make(ErrorType::Api, u"x"_s), "req_1");
    QVERIFY(!body.contains('\n'));
    QVERIFY(!body.contains(": "));
}

QTEST_GUILESS_MAIN(TstError)
#include "tst_error.moc"
