#include "keystore.h"
#include "settingsdialog.h"

#include "config/autostart.h"
#include "config/settings.h"

#include "testfiles.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Desktop;
using Proxy::Settings;

namespace {

template<typename T> T *child(const QWidget &dialog, const QString &name)
{
    T *widget = dialog.findChild<T *>(name);
    if (!widget)
        qWarning("no widget %s", qPrintable(name));
    return widget;
}

void setText(const QWidget &dialog, const QString &name, const QString &text)
{
    QLineEdit *edit = child<QLineEdit>(dialog, name);
    edit->setFocus();
    edit->selectAll();
    edit->del();
    QTest::keyClicks(edit, text); // emits textEdited like a user
}

} // namespace

class TstSettingsDialog final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    [[nodiscard]] QString iniFile() const { return m_dir.filePath(u"switchyard.ini"_s); }
    [[nodiscard]] QString keyFile() const { return m_dir.filePath(u"api-keys"_s); }
    [[nodiscard]] QString autostartDir() const { return m_dir.filePath(u"autostart"_s); }

    std::unique_ptr<KeyStore> makeKeys(MemoryKeyBackend **backend)
    {
        auto memory = std::make_unique<MemoryKeyBackend>();
        *backend = memory.get();
        return std::make_unique<KeyStore>(std::move(memory), keyFile());
    }

private Q_SLOTS:
    void init()
    {
        QFile::remove(iniFile());
        QFile::remove(keyFile());
        QDir(autostartDir()).removeRecursively();
    }

    void shouldStartWithTheDemoWhenNothingIsConfigured()
    {
        Settings settings(iniFile());
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeKeys(&backend);
        SettingsDialog dialog(&settings, keys.get());
        QCOMPARE(dialog.profileNames(), QStringList{ u"demo"_s });
        QCOMPARE(dialog.activeProfileName(), u"demo"_s);
        QCOMPARE(child<QLineEdit>(dialog, u"listenHost"_s)->text(), u"127.0.0.1"_s);
        QCOMPARE(child<QSpinBox>(dialog, u"listenPort"_s)->value(), 8082);
        QVERIFY(child<QCheckBox>(dialog, u"recordBodies"_s)->isChecked());
        QCOMPARE(child<QSpinBox>(dialog, u"retentionDays"_s)->value(), 30);
        QCOMPARE(child<QSpinBox>(dialog, u"retentionMegabytes"_s)->value(), 200);
        QCOMPARE(child<QLabel>(dialog, u"keyStorage"_s)->text(), u"Stored in the system keychain"_s);
    }

    void shouldRoundTripEveryFieldThroughTheSettingsFile()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeKeys(&backend);
        Proxy::Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        {
            Settings settings(iniFile());
            SettingsDialog dialog(&settings, keys.get(), &autostart);
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            dialog.addPreset(u"openai"_s);
            QCOMPARE(dialog.profileNames(), (QStringList{ u"demo"_s, u"openai"_s }));
            QCOMPARE(child<QLineEdit>(dialog, u"baseUrl"_s)->text(), u"https://api.openai.com/v1"_s);

            setText(dialog, u"name"_s, u"work"_s);
            QCOMPARE(dialog.profileNames(), (QStringList{ u"demo"_s, u"work"_s }));
            setText(dialog, u"baseUrl"_s, u"https://llm.example.com/v1"_s);
            setText(dialog, u"apiKey"_s, u"sk-very-secret-123"_s);
            setText(dialog, u"modelOverride"_s, u"big-model"_s);
            auto *map = child<QTableWidget>(dialog, u"modelMap"_s);
            map->setRowCount(0);
            map->insertRow(0);
            map->setItem(0, 0, new QTableWidgetItem(u"claude-*haiku*"_s));
            map->setItem(0, 1, new QTableWidgetItem(u"small"_s));
            map->insertRow(1);
            map->setItem(1, 0, new QTableWidgetItem(u"claude-*"_s));
            map->setItem(1, 1, new QTableWidgetItem(u"large"_s));
            map->insertRow(2); // an empty row is dropped
            auto *field = child<QComboBox>(dialog, u"maxTokensField"_s);
            field->setCurrentIndex(field->findData(u"max_tokens"_s));
            child<QCheckBox>(dialog, u"streamUsage"_s)->setChecked(false);
            child<QCheckBox>(dialog, u"reasoningEffort"_s)->setChecked(false);
            child<QSpinBox>(dialog, u"connectTimeout"_s)->setValue(7);
            child<QSpinBox>(dialog, u"idleTimeout"_s)->setValue(90);
            child<QSpinBox>(dialog, u"totalTimeout"_s)->setValue(1200);
            QTest::mouseClick(child<QPushButton>(dialog, u"useProfile"_s), Qt::LeftButton);
            QCOMPARE(dialog.activeProfileName(), u"work"_s);

            setText(dialog, u"listenHost"_s, u"127.0.0.2"_s);
            child<QSpinBox>(dialog, u"listenPort"_s)->setValue(9099);
            child<QCheckBox>(dialog, u"recordBodies"_s)->setChecked(false);
            child<QSpinBox>(dialog, u"retentionDays"_s)->setValue(7);
            child<QSpinBox>(dialog, u"retentionMegabytes"_s)->setValue(50);
            child<QCheckBox>(dialog, u"startAtLogin"_s)->setChecked(true);

            QSignalSpy applied(&dialog, &SettingsDialog::applied);
            QSignalSpy stored(keys.get(), &KeyStore::stored);
            QTest::mouseClick(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Apply), Qt::LeftButton);
            QCOMPARE(applied.size(), 1);
            QCOMPARE(dialog.errorText(), QString());
            // The key is usable at once (the composition root passes it to ProxyService::setUpstream) …
            QCOMPARE(keys->cachedKey(u"work"_s), QByteArray("sk-very-secret-123"));
            QVERIFY(stored.wait());
            // … and lands in the keychain backend.
            QCOMPARE(backend->keys().value(u"work"_s), QByteArray("sk-very-secret-123"));
            QVERIFY(autostart.isEnabled());
        }

        Settings settings(iniFile());
        const Proxy::UpstreamProfile work = settings.activeProfile();
        QCOMPARE(work.name, u"work"_s);
        QCOMPARE(work.baseUrl, QUrl(u"https://llm.example.com/v1"_s));
        QCOMPARE(work.modelOverride, u"big-model"_s);
        QCOMPARE(work.modelRules,
            (QList<Proxy::ModelRule>{ { u"claude-*haiku*"_s, u"small"_s }, { u"claude-*"_s, u"large"_s } }));
        QCOMPARE(work.maxTokensField, u"max_tokens"_s);
        QVERIFY(!work.includeStreamUsage);
        QVERIFY(!work.sendReasoningEffort);
        QCOMPARE(work.connectTimeoutMs, 7'000);
        QCOMPARE(work.idleTimeoutMs, 90'000);
        QCOMPARE(work.totalTimeoutMs, 1'200'000);
        QCOMPARE(settings.profiles().size(), 2);
        QCOMPARE(settings.listenHost(), u"127.0.0.2"_s);
        QCOMPARE(settings.listenPort(), quint16(9099));
        QCOMPARE(settings.value(Settings::Key::RecordBodies).toBool(), false);
        QCOMPARE(settings.value(Settings::Key::HistoryRetentionDays).toInt(), 7);
        QCOMPARE(settings.value(Settings::Key::HistoryMaxMegabytes).toInt(), 50);

        // The secret is nowhere in the settings file.
        const QByteArray ini = fileBytes(iniFile());
        QVERIFY(ini.contains("llm.example.com"));
        QVERIFY(!ini.contains("sk-very-secret-123"));
        QVERIFY(!ini.contains(QByteArray("sk-very-secret-123").toBase64()));

        // Reopened, the dialog shows the same values (and the key from the keychain).
        SettingsDialog reopened(&settings, keys.get(), &autostart);
        QCOMPARE(reopened.profileNames(), (QStringList{ u"demo"_s, u"work"_s }));
        QCOMPARE(reopened.activeProfileName(), u"work"_s);
        QCOMPARE(child<QListWidget>(reopened, u"profiles"_s)->currentItem()->text(), u"work (active)"_s);
        QCOMPARE(child<QLineEdit>(reopened, u"name"_s)->text(), u"work"_s);
        QCOMPARE(child<QLineEdit>(reopened, u"baseUrl"_s)->text(), u"https://llm.example.com/v1"_s);
        QTRY_COMPARE(child<QLineEdit>(reopened, u"apiKey"_s)->text(), u"sk-very-secret-123"_s);
        QCOMPARE(child<QLineEdit>(reopened, u"apiKey"_s)->echoMode(), QLineEdit::Password);
        QCOMPARE(child<QLineEdit>(reopened, u"modelOverride"_s)->text(), u"big-model"_s);
        auto *map = child<QTableWidget>(reopened, u"modelMap"_s);
        QCOMPARE(map->rowCount(), 2);
        QCOMPARE(map->item(1, 0)->text(), u"claude-*"_s);
        QCOMPARE(map->item(1, 1)->text(), u"large"_s);
        QCOMPARE(child<QComboBox>(reopened, u"maxTokensField"_s)->currentData().toString(), u"max_tokens"_s);
        QVERIFY(!child<QCheckBox>(reopened, u"streamUsage"_s)->isChecked());
        QVERIFY(!child<QCheckBox>(reopened, u"reasoningEffort"_s)->isChecked());
        QCOMPARE(child<QSpinBox>(reopened, u"connectTimeout"_s)->value(), 7);
        QCOMPARE(child<QSpinBox>(reopened, u"idleTimeout"_s)->value(), 90);
        QCOMPARE(child<QSpinBox>(reopened, u"totalTimeout"_s)->value(), 1200);
        QCOMPARE(child<QLineEdit>(reopened, u"listenHost"_s)->text(), u"127.0.0.2"_s);
        QCOMPARE(child<QSpinBox>(reopened, u"listenPort"_s)->value(), 9099);
        QVERIFY(!child<QCheckBox>(reopened, u"recordBodies"_s)->isChecked());
        QCOMPARE(child<QSpinBox>(reopened, u"retentionDays"_s)->value(), 7);
        QCOMPARE(child<QSpinBox>(reopened, u"retentionMegabytes"_s)->value(), 50);
        QVERIFY(child<QCheckBox>(reopened, u"startAtLogin"_s)->isChecked());

        // Applying unchanged values writes the same profiles.
        const QList<Proxy::UpstreamProfile> before = settings.profiles();
        QVERIFY(reopened.apply());
        QCOMPARE(settings.profiles(), before);
    }

    void shouldAddPresetsFromTheMenuWithTheirUrls()
    {
        Settings settings(iniFile());
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeKeys(&backend);
        SettingsDialog dialog(&settings, keys.get());
        auto *menu = child<QMenu>(dialog, u"presetMenu"_s);
        QAction *ollama = nullptr;
        QAction *openrouter = nullptr;
        const QList<QAction *> actions = menu->actions();
        for (QAction *action : actions) {
            if (action->data().toString() == u"ollama"_s)
                ollama = action;
            if (action->data().toString() == u"openrouter"_s)
                openrouter = action;
        }
        QVERIFY(ollama && openrouter);
        QCOMPARE(actions.size(), 8);
        ollama->trigger();
        QCOMPARE(child<QLineEdit>(dialog, u"baseUrl"_s)->text(), u"http://localhost:11434/v1"_s);
        QCOMPARE(child<QLineEdit>(dialog, u"apiKey"_s)->placeholderText(), u"Not needed for this upstream"_s);
        openrouter->trigger();
        openrouter->trigger(); // a second one gets its own name
        QCOMPARE(dialog.profileNames(), (QStringList{ u"demo"_s, u"ollama"_s, u"openrouter"_s, u"openrouter-2"_s }));
        QCOMPARE(child<QLineEdit>(dialog, u"baseUrl"_s)->text(), u"https://openrouter.ai/api/v1"_s);
        QVERIFY(dialog.apply());
        QCOMPARE(settings.profiles().at(1).baseUrl, QUrl(u"http://localhost:11434/v1"_s));
        QCOMPARE(settings.profiles().at(3).name, u"openrouter-2"_s);
    }

    void shouldRefuseDuplicateNamesAndBadUrls()
    {
        Settings settings(iniFile());
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeKeys(&backend);
        SettingsDialog dialog(&settings, keys.get());
        dialog.addPreset(u"groq"_s);
        setText(dialog, u"name"_s, u"demo"_s);
        QSignalSpy applied(&dialog, &SettingsDialog::applied);
        QVERIFY(!dialog.apply());
        QVERIFY(dialog.errorText().contains(u"names must differ"_s));
        setText(dialog, u"name"_s, u"groq"_s);
        setText(dialog, u"baseUrl"_s, u"api.groq.com"_s);
        QVERIFY(!dialog.apply());
        QVERIFY(dialog.errorText().contains(u"http://"_s));
        QCOMPARE(applied.size(), 0);
        QCOMPARE(settings.profiles().size(), 0);
        setText(dialog, u"baseUrl"_s, u"https://api.groq.com/openai/v1"_s);
        QVERIFY(dialog.apply());
        QCOMPARE(applied.size(), 1);
        QVERIFY(dialog.errorText().isEmpty());
    }

    void shouldMoveAndForgetKeysWithRenamedAndRemovedProfiles()
    {
        Settings settings(iniFile());
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeKeys(&backend);
        SettingsDialog dialog(&settings, keys.get());
        dialog.addPreset(u"deepseek"_s);
        setText(dialog, u"apiKey"_s, u"ds-1"_s);
        child<QPushButton>(dialog, u"duplicateProfile"_s)->click();
        QCOMPARE(dialog.profileNames(), (QStringList{ u"demo"_s, u"deepseek"_s, u"deepseek-copy"_s }));
        QCOMPARE(child<QLineEdit>(dialog, u"apiKey"_s)->text(), u"ds-1"_s);
        QVERIFY(dialog.apply());
        QTRY_COMPARE(backend->keys().value(u"deepseek-copy"_s), QByteArray("ds-1"));
        QCOMPARE(backend->keys().value(u"deepseek"_s), QByteArray("ds-1"));

        setText(dialog, u"name"_s, u"ds-backup"_s);
        dialog.selectProfile(u"deepseek"_s);
        child<QPushButton>(dialog, u"removeProfile"_s)->click();
        QCOMPARE(dialog.profileNames(), (QStringList{ u"demo"_s, u"ds-backup"_s }));
        QVERIFY(dialog.apply());
        QTRY_COMPARE(backend->keys().value(u"ds-backup"_s), QByteArray("ds-1"));
        QTRY_VERIFY(!backend->keys().contains(u"deepseek"_s));
        QTRY_VERIFY(!backend->keys().contains(u"deepseek-copy"_s));
    }

    void shouldShowTheConnectionTestResult()
    {
        Settings settings(iniFile());
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeKeys(&backend);
        SettingsDialog dialog(&settings, keys.get());
        dialog.addPreset(u"openai"_s);
        setText(dialog, u"apiKey"_s, u"sk-typed"_s);
        Proxy::UpstreamProfile tested;
        QByteArray testedKey;
        Proxy::ConnectionTester::Result answer{ false, 401, -1, u"HTTP 401: invalid API key (upstream said: no)"_s };
        dialog.setConnectionTest([&](const Proxy::UpstreamProfile &profile, const QByteArray &key, auto done) {
            tested = profile;
            testedKey = key;
            QTimer::singleShot(10, &dialog, [done, answer] { done(answer); });
        });
        auto *button = child<QPushButton>(dialog, u"testConnection"_s);
        auto *result = child<QLabel>(dialog, u"testResult"_s);
        button->click();
        QVERIFY(!button->isEnabled());
        QVERIFY(result->text().startsWith(u"Testing https://api.openai.com/v1/models"_s));
        QTRY_VERIFY(result->text().contains(u"HTTP 401: invalid API key"_s));
        QVERIFY(button->isEnabled());
        QCOMPARE(tested.baseUrl, QUrl(u"https://api.openai.com/v1"_s));
        QCOMPARE(testedKey, QByteArray("sk-typed")); // what is in the field, before Apply

        answer = { true, 200, 42, u"Connected: 42 models"_s };
        button->click();
        QTRY_COMPARE(result->text(), u"✔ Connected: 42 models"_s);

        // A result that arrives after switching profiles is not shown on the other one.
        button->click();
        dialog.selectProfile(u"demo"_s);
        QTest::qWait(50);
        QCOMPARE(result->text(), QString());
    }

    void shouldSayWhenKeysAreKeptForTheSessionOnly()
    {
        Settings settings(iniFile());
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeKeys(&backend);
        backend->setFailure(KeyBackend::Status::Unavailable, u"no service"_s);
        SettingsDialog dialog(&settings, keys.get());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *storage = child<QLabel>(dialog, u"keyStorage"_s);
        auto *fileFallback = child<QCheckBox>(dialog, u"keyFileFallback"_s);
        // The dialog's first fetch finds no keychain service.
        QTRY_COMPARE(storage->text(), u"No keychain service is running: the key is kept for this session only"_s);
        QVERIFY(fileFallback->isVisible());
        QVERIFY(!fileFallback->isChecked());

        dialog.addPreset(u"openai"_s);
        setText(dialog, u"apiKey"_s, u"sk-session-only"_s);
        QVERIFY(dialog.apply());
        QCOMPARE(keys->cachedKey(u"openai"_s), QByteArray("sk-session-only"));
        QVERIFY(!QFile::exists(keyFile()));

        fileFallback->setChecked(true);
        QVERIFY(dialog.apply());
        QCOMPARE(keys->mode(), KeyStore::Mode::File);
        QVERIFY(storage->text().startsWith(u"Stored in a file, not encrypted"_s));
        QCOMPARE(modeBits(keyFile()), 0600);
        QVERIFY(settings.value(Settings::Key::KeyFileFallback).toBool());
        QVERIFY(!fileBytes(iniFile()).contains("sk-session-only"));
    }
};

QTEST_MAIN(TstSettingsDialog)
#include "tst_settingsdialog.moc"
