#include "protocol/modelmapper.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Proxy::ModelMapper;
using Proxy::ModelRule;

class TstModelMapper final : public QObject {
    Q_OBJECT

private slots:
    void shouldMapClientModel_data();
    void shouldMapClientModel();
    void shouldParseRule_data();
    void shouldParseRule();
    void shouldAcceptNullRuleWhenOnlyValidating();
};

void TstModelMapper::shouldMapClientModel_data()
{
    QTest::addColumn<QString>("overrideModel");
    QTest::addColumn<QList<ModelRule>>("rules");
    QTest::addColumn<QString>("clientModel");
    QTest::addColumn<QString>("expected");

    const QList<ModelRule> families{
        { u"claude-*haiku*"_s, u"gpt-4.1-mini"_s },
        { u"claude-*sonnet*"_s, u"gpt-4.1"_s },
        { u"claude-*"_s, u"o3"_s },
    };
    QTest::addRow("no rules: pass through")
        << QString() << QList<ModelRule>() << u"claude-opus-4-1"_s << u"claude-opus-4-1"_s;
    QTest::addRow("haiku family") << QString() << families << u"claude-3-5-haiku-20241022"_s << u"gpt-4.1-mini"_s;
    QTest::addRow("sonnet family") << QString() << families << u"claude-sonnet-4-5-20250929"_s << u"gpt-4.1"_s;
    QTest::addRow("first matching rule wins") << QString() << families << u"claude-haiku-sonnet"_s << u"gpt-4.1-mini"_s;
    QTest::addRow("catch-all after specific rules") << QString() << families << u"claude-opus-4-1"_s << u"o3"_s;
    QTest::addRow("no match: pass through") << QString() << families << u"gpt-4o"_s << u"gpt-4o"_s;
    QTest::addRow("case-insensitive") << QString() << families << u"Claude-3-HAIKU"_s << u"gpt-4.1-mini"_s;
    QTest::addRow("override wins over rules")
        << u"qwen3-coder"_s << families << u"claude-3-5-haiku"_s << u"qwen3-coder"_s;
    QTest::addRow("override applies to any name")
        << u"qwen3-coder"_s << QList<ModelRule>() << u"gpt-4o"_s << u"qwen3-coder"_s;
    QTest::addRow("anchored at both ends")
        << QString() << QList<ModelRule>{ { u"haiku"_s, u"x"_s } } << u"claude-haiku-4"_s << u"claude-haiku-4"_s;
    QTest::addRow("exact name") << QString() << QList<ModelRule>{ { u"claude-opus-4-1"_s, u"x"_s } }
                                << u"claude-opus-4-1"_s << u"x"_s;
    QTest::addRow("question mark is one character")
        << QString() << QList<ModelRule>{ { u"claude-?-haiku"_s, u"x"_s } } << u"claude-3-haiku"_s << u"x"_s;
    QTest::addRow("question mark is not zero characters")
        << QString() << QList<ModelRule>{ { u"claude-?-haiku"_s, u"x"_s } } << u"claude--haiku"_s << u"claude--haiku"_s;
    QTest::addRow("dot is literal") << QString() << QList<ModelRule>{ { u"gpt-4.1"_s, u"x"_s } } << u"gpt-4x1"_s
                                    << u"gpt-4x1"_s;
    QTest::addRow("star crosses slashes")
        << QString() << QList<ModelRule>{ { u"qwen/*"_s, u"x"_s } } << u"qwen/qwen3-coder/fp8"_s << u"x"_s;
    QTest::addRow("regex characters are literal")
        << QString() << QList<ModelRule>{ { u"a+b(c)[d]^$|\\"_s, u"x"_s } } << u"a+b(c)[d]^$|\\"_s << u"x"_s;
    QTest::addRow("brackets are not a character class")
        << QString() << QList<ModelRule>{ { u"model-[ab]"_s, u"x"_s } } << u"model-a"_s << u"model-a"_s;
    QTest::addRow("non-ASCII literal next to a wildcard")
        << QString() << QList<ModelRule>{ { u"😀*"_s, u"x"_s } } << u"😀-model"_s << u"x"_s;
    QTest::addRow("star matches an empty name")
        << QString() << QList<ModelRule>{ { u"*"_s, u"x"_s } } << QString() << u"x"_s;
}

void TstModelMapper::shouldMapClientModel()
{
    QFETCH(QString, overrideModel);
    QFETCH(QList<ModelRule>, rules);
    QFETCH(QString, clientModel);
    QFETCH(QString, expected);
    QCOMPARE(ModelMapper(overrideModel, rules).map(clientModel), expected);
}

void TstModelMapper::shouldParseRule_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("expectedPattern");
    QTest::addColumn<QString>("expectedTarget");
    QTest::addRow("simple") << u"claude-*haiku*=gpt-4.1-mini"_s << true << u"claude-*haiku*"_s << u"gpt-4.1-mini"_s;
    QTest::addRow("trimmed") << u"  claude-*  =  o3 "_s << true << u"claude-*"_s << u"o3"_s;
    QTest::addRow("split on the first '='") << u"a=b=c"_s << true << u"a"_s << u"b=c"_s;
    QTest::addRow("slash in target") << u"*=openrouter/qwen/qwen3"_s << true << u"*"_s << u"openrouter/qwen/qwen3"_s;
    QTest::addRow("no '='") << u"claude-haiku"_s << false << QString() << QString();
    QTest::addRow("empty") << QString() << false << QString() << QString();
    QTest::addRow("empty pattern") << u"=gpt"_s << false << QString() << QString();
    QTest::addRow("blank pattern") << u"  =gpt"_s << false << QString() << QString();
    QTest::addRow("empty target") << u"claude-*="_s << false << QString() << QString();
    QTest::addRow("blank target") << u"claude-*=  "_s << false << QString() << QString();
    QTest::addRow("only '='") << u"="_s << false << QString() << QString();
}

void TstModelMapper::shouldParseRule()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, expectedPattern);
    QFETCH(QString, expectedTarget);
    const ModelRule untouched{ u"keep"_s, u"me"_s };
    ModelRule rule = untouched;
    QCOMPARE(ModelMapper::parseRule(text, &rule), valid);
    QCOMPARE(rule, (valid ? ModelRule{ expectedPattern, expectedTarget } : untouched));
}

void TstModelMapper::shouldAcceptNullRuleWhenOnlyValidating()
{
    QVERIFY(ModelMapper::parseRule(u"a=b"_s, nullptr));
    QVERIFY(!ModelMapper::parseRule(u"a="_s, nullptr));
}

QTEST_GUILESS_MAIN(TstModelMapper)
#include "tst_modelmapper.moc"
