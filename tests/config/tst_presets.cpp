#include "config/presets.h"

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

class TstPresets final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldPointEachPresetAtItsBaseUrl_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("baseUrl");
        QTest::addColumn<bool>("needsKey");
        QTest::addRow("openai") << u"openai"_s << u"https://api.openai.com/v1"_s << true;
        QTest::addRow("openrouter") << u"openrouter"_s << u"https://openrouter.ai/api/v1"_s << true;
        QTest::addRow("deepseek") << u"deepseek"_s << u"https://api.deepseek.com/v1"_s << true;
        QTest::addRow("groq") << u"groq"_s << u"https://api.groq.com/openai/v1"_s << true;
        QTest::addRow("ollama") << u"ollama"_s << u"http://localhost:11434/v1"_s << false;
        QTest::addRow("lmstudio") << u"lmstudio"_s << u"http://localhost:1234/v1"_s << false;
        QTest::addRow("vllm") << u"vllm"_s << u"http://localhost:8000/v1"_s << false;
        QTest::addRow("demo") << u"demo"_s << QString() << false;
    }

    void shouldPointEachPresetAtItsBaseUrl()
    {
        QFETCH(QString, id);
        QFETCH(QString, baseUrl);
        QFETCH(bool, needsKey);
        const PresetInfo info = presetInfo(id);
        QCOMPARE(info.id, id);
        QCOMPARE(info.profile.name, id);
        QCOMPARE(info.profile.baseUrl.toString(), baseUrl);
        QCOMPARE(info.needsKey, needsKey);
        QCOMPARE(info.profile.isDemo(), baseUrl.isEmpty());
        QVERIFY(!info.title.isEmpty());
        if (!baseUrl.isEmpty())
            QCOMPARE(info.profile.chatCompletionsUrl().toString(), baseUrl + u"/chat/completions"_s);
    }

    void shouldListAllPresetsInMenuOrderWithUniqueNames()
    {
        const QList<UpstreamProfile> profiles = upstreamPresets();
        QStringList names;
        for (const UpstreamProfile &p : profiles)
            names.append(p.name);
        QCOMPARE(names,
            (QStringList{ u"openai"_s, u"openrouter"_s, u"deepseek"_s, u"groq"_s, u"ollama"_s, u"lmstudio"_s, u"vllm"_s,
                u"demo"_s }));
        QCOMPARE(presetInfos().size(), profiles.size());
        QCOMPARE(profiles.constLast(), UpstreamProfile::demo());
    }

    void shouldUseMaxCompletionTokensOnlyForOpenAi()
    {
        const QList<PresetInfo> infos = presetInfos();
        for (const PresetInfo &info : infos) {
            const QString expected = info.id == u"openai"_s ? u"max_completion_tokens"_s : u"max_tokens"_s;
            QCOMPARE(info.profile.maxTokensField, expected);
        }
    }

    void shouldNotSendParametersTheUpstreamRefuses()
    {
        QVERIFY(!presetInfo(u"deepseek"_s).profile.sendReasoningEffort);
        QVERIFY(!presetInfo(u"groq"_s).profile.sendReasoningEffort);
        QVERIFY(presetInfo(u"openai"_s).profile.sendReasoningEffort);
        QVERIFY(presetInfo(u"openai"_s).profile.includeStreamUsage);
    }

    void shouldSurviveTheSettingsJsonRoundTrip()
    {
        const QList<UpstreamProfile> profiles = upstreamPresets();
        for (const UpstreamProfile &p : profiles)
            QCOMPARE(UpstreamProfile::fromJson(p.toJson()), p);
    }

    void shouldFallBackToTheDemoForAnUnknownId() { QVERIFY(presetInfo(u"nope"_s).profile.isDemo()); }
};

QTEST_GUILESS_MAIN(TstPresets)
#include "tst_presets.moc"
