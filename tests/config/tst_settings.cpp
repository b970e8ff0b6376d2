#include "config/settings.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

class TstSettings final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    [[nodiscard]] QString file() const { return m_dir.filePath(u"switchyard.ini"_s); }

private Q_SLOTS:
    void init() { QFile::remove(file()); }

    void shouldStartFromDefaults()
    {
        Settings settings(file());
        const ProxyConfig config = settings.proxyConfig();
        QCOMPARE(config.listenHost, u"127.0.0.1"_s);
        QCOMPARE(config.listenPort, quint16(8082));
        QVERIFY(config.upstream.isDemo());
    }

    void shouldAnnounceOnlyRealChanges()
    {
        Settings settings(file());
        QSignalSpy changed(&settings, &Settings::changed);
        settings.set(Settings::Key::ListenPort, 8082); // the default: nothing changes
        QCOMPARE(changed.size(), 0);
        settings.set(Settings::Key::ListenPort, 9000);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().first().value<Settings::Key>(), Settings::Key::ListenPort);
        settings.set(Settings::Key::ListenPort, 9000);
        QCOMPARE(changed.size(), 1);
    }

    void shouldPersistProfilesWithoutSecrets()
    {
        UpstreamProfile openai;
        openai.name = u"openai"_s;
        openai.baseUrl = QUrl(u"https://api.openai.com/v1"_s);
        openai.modelRules = {{u"claude-*haiku*"_s, u"gpt-4o-mini"_s}};
        openai.maxTokensField = u"max_completion_tokens"_s;
        openai.totalTimeoutMs = 1234;
        {
            Settings settings(file());
            settings.setProfiles({openai});
            settings.set(Settings::Key::ActiveProfile, u"openai"_s);
        }
        Settings reopened(file());
        QCOMPARE(reopened.profiles().size(), 1);
        QCOMPARE(reopened.activeProfile(), openai);
        QFile raw(file());
        QVERIFY(raw.open(QIODevice::ReadOnly));
        QVERIFY(!raw.readAll().toLower().contains("key"));
    }

    void shouldConfigureStreamingTimersWithSaneFallbacks()
    {
        Settings settings(file());
        QCOMPARE(settings.proxyConfig().pingIntervalMs, 15'000);
        settings.set(Settings::Key::PingIntervalMs, 5'000);
        settings.set(Settings::Key::ShutdownGraceMs, 2'000);
        QCOMPARE(settings.proxyConfig().pingIntervalMs, 5'000);
        QCOMPARE(settings.proxyConfig().shutdownGraceMs, 2'000);
        settings.set(Settings::Key::PingIntervalMs, -1); // nonsense falls back to the default
        QCOMPARE(settings.proxyConfig().pingIntervalMs, 15'000);
    }

    void shouldFallBackToDemoForUnknownActiveProfile()
    {
        Settings settings(file());
        settings.set(Settings::Key::ActiveProfile, u"gone"_s);
        QVERIFY(settings.activeProfile().isDemo());
    }

    void shouldDefaultAndPersistTheDesktopKeys()
    {
        {
            Settings settings(file());
            QCOMPARE(settings.value(Settings::Key::RecordBodies).toBool(), true);
            QCOMPARE(settings.value(Settings::Key::HistoryRetentionDays).toInt(), 30);
            QCOMPARE(settings.value(Settings::Key::HistoryMaxMegabytes).toInt(), 200);
            QCOMPARE(settings.value(Settings::Key::RecordingPaused).toBool(), false);
            QCOMPARE(settings.value(Settings::Key::KeyFileFallback).toBool(), false);
            QCOMPARE(settings.value(Settings::Key::TrayNoticeShown).toBool(), false);
            settings.set(Settings::Key::RecordBodies, false);
            settings.set(Settings::Key::HistoryRetentionDays, 7);
            settings.set(Settings::Key::HistoryMaxMegabytes, 50);
            settings.set(Settings::Key::RecordingPaused, true);
            settings.set(Settings::Key::KeyFileFallback, true);
            settings.set(Settings::Key::TrayNoticeShown, true);
        }
        Settings reopened(file());
        QCOMPARE(reopened.value(Settings::Key::RecordBodies).toBool(), false);
        QCOMPARE(reopened.value(Settings::Key::HistoryRetentionDays).toInt(), 7);
        QCOMPARE(reopened.value(Settings::Key::HistoryMaxMegabytes).toInt(), 50);
        QCOMPARE(reopened.value(Settings::Key::RecordingPaused).toBool(), true);
        QCOMPARE(reopened.value(Settings::Key::KeyFileFallback).toBool(), true);
        QCOMPARE(reopened.value(Settings::Key::TrayNoticeShown).toBool(), true);
    }
};

QTEST_GUILESS_MAIN(TstSettings)
#include "tst_settings.moc"
