#include "keystore.h"

#include "config/settings.h"

#include "testfiles.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Desktop;

class TstKeyStore final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    [[nodiscard]] QString keyFile() const { return m_dir.filePath(u"data/api-keys"_s); }

    // A store over a memory backend; the backend stays reachable through the returned pointer.
    std::unique_ptr<KeyStore> makeStore(MemoryKeyBackend **backend)
    {
        auto memory = std::make_unique<MemoryKeyBackend>();
        *backend = memory.get();
        return std::make_unique<KeyStore>(std::move(memory), keyFile());
    }

private Q_SLOTS:
    void init() { QFile::remove(keyFile()); }

    void shouldStoreAndFetchThroughTheKeychain()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        QCOMPARE(keys->mode(), KeyStore::Mode::Keychain);
        QCOMPARE(keys->storageDescription(), u"Stored in the system keychain"_s);

        QSignalSpy stored(keys.get(), &KeyStore::stored);
        keys->store(u"openai"_s, "sk-one");
        QCOMPARE(keys->cachedKey(u"openai"_s), QByteArray("sk-one")); // at once, before the backend answered
        QVERIFY(stored.wait());
        QCOMPARE(stored.first().at(0).toString(), u"openai"_s);
        QCOMPARE(stored.first().at(1).toString(), QString());
        QCOMPARE(backend->keys().value(u"openai"_s), QByteArray("sk-one"));

        // A fresh store (next start) reads it from the keychain.
        auto memory = std::make_unique<MemoryKeyBackend>();
        MemoryKeyBackend *second = memory.get();
        QVERIFY(second->keys().isEmpty());
        KeyStore next(std::move(memory), keyFile());
        second->write(u"openai"_s, "sk-one", [](const KeyBackend::Outcome &) {});
        QSignalSpy fetched(&next, &KeyStore::fetched);
        next.fetch(u"openai"_s);
        QCOMPARE(fetched.size(), 0); // asynchronous
        QVERIFY(fetched.wait());
        QCOMPARE(fetched.first().at(1).toByteArray(), QByteArray("sk-one"));
        QCOMPARE(fetched.first().at(2).toString(), QString());
        QCOMPARE(next.cachedKey(u"openai"_s), QByteArray("sk-one"));
    }

    void shouldFetchAnAbsentKeyAsEmptyWithoutError()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        QSignalSpy fetched(keys.get(), &KeyStore::fetched);
        keys->fetch(u"ollama"_s);
        QVERIFY(fetched.wait());
        QCOMPARE(fetched.first().at(1).toByteArray(), QByteArray());
        QCOMPARE(fetched.first().at(2).toString(), QString());
        QCOMPARE(keys->mode(), KeyStore::Mode::Keychain);
    }

    void shouldRemoveFromTheKeychain()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        QSignalSpy stored(keys.get(), &KeyStore::stored);
        keys->store(u"groq"_s, "gsk-1");
        QVERIFY(stored.wait());
        QSignalSpy removed(keys.get(), &KeyStore::removed);
        keys->remove(u"groq"_s);
        QVERIFY(removed.wait());
        QCOMPARE(removed.first().at(1).toString(), QString());
        QVERIFY(!backend->keys().contains(u"groq"_s));
        QVERIFY(!keys->hasCachedKey(u"groq"_s));
    }

    void shouldFallBackToSessionOnlyWithoutAKeychainService()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        backend->setFailure(KeyBackend::Status::Unavailable,
            u"The name org.freedesktop.secrets was not provided by any .service files"_s);
        QSignalSpy modeChanged(keys.get(), &KeyStore::modeChanged);
        QSignalSpy stored(keys.get(), &KeyStore::stored);
        keys->store(u"openai"_s, "sk-session");
        QVERIFY(stored.wait());
        QCOMPARE(stored.first().at(1).toString(), QString()); // not an error: the key is usable
        QCOMPARE(modeChanged.size(), 1);
        QCOMPARE(modeChanged.first().at(0).value<KeyStore::Mode>(), KeyStore::Mode::SessionOnly);
        QVERIFY(modeChanged.first().at(1).toString().contains(u"for this session only"_s));
        QCOMPARE(keys->mode(), KeyStore::Mode::SessionOnly);
        QCOMPARE(
            keys->storageDescription(), u"No keychain service is running: the key is kept for this session only"_s);

        // The key stays usable for the session; the broken keychain is not asked again.
        const int calls = backend->callCount();
        QSignalSpy fetched(keys.get(), &KeyStore::fetched);
        keys->fetch(u"openai"_s);
        QVERIFY(fetched.wait());
        QCOMPARE(fetched.first().at(1).toByteArray(), QByteArray("sk-session"));
        keys->store(u"groq"_s, "gsk-session");
        QVERIFY(stored.wait());
        QCOMPARE(keys->cachedKey(u"groq"_s), QByteArray("gsk-session"));
        QCOMPARE(backend->callCount(), calls);
        QCOMPARE(modeChanged.size(), 1);
        QVERIFY(!QFile::exists(keyFile())); // nothing on disk without the opt-in
    }

    void shouldFallBackWhenTheFirstFetchFails()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        backend->setFailure(KeyBackend::Status::Unavailable, u"no service"_s);
        QSignalSpy modeChanged(keys.get(), &KeyStore::modeChanged);
        QSignalSpy fetched(keys.get(), &KeyStore::fetched);
        keys->fetch(u"openai"_s);
        QVERIFY(fetched.wait());
        QCOMPARE(fetched.first().at(2).toString(), QString());
        QCOMPARE(modeChanged.size(), 1);
        QCOMPARE(keys->mode(), KeyStore::Mode::SessionOnly);
    }

    void shouldReportOtherKeychainFailuresAndKeepTheKeyForTheSession()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        backend->setFailure(KeyBackend::Status::Failed, u"access denied"_s);
        QSignalSpy stored(keys.get(), &KeyStore::stored);
        keys->store(u"openai"_s, "sk-x");
        QVERIFY(stored.wait());
        QVERIFY(stored.first().at(1).toString().contains(u"access denied"_s));
        QCOMPARE(keys->mode(), KeyStore::Mode::Keychain);
        QCOMPARE(keys->cachedKey(u"openai"_s), QByteArray("sk-x"));
    }

    void shouldKeepKeysInAnOwnerOnlyFileOnlyWhenAskedTo()
    {
        QStandardPaths::setTestModeEnabled(true);
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        backend->setFailure(KeyBackend::Status::Unavailable, u"no service"_s);
        QSignalSpy stored(keys.get(), &KeyStore::stored);
        keys->store(u"open ai/α"_s, "sk-file-1");
        QVERIFY(stored.wait());
        QCOMPARE(keys->mode(), KeyStore::Mode::SessionOnly);

        QSignalSpy modeChanged(keys.get(), &KeyStore::modeChanged);
        keys->setFileFallback(true);
        QCOMPARE(keys->mode(), KeyStore::Mode::File);
        QCOMPARE(modeChanged.size(), 1);
        QVERIFY(keys->storageDescription().startsWith(u"Stored in a file, not encrypted"_s));
        QVERIFY(QFile::exists(keyFile()));
        QCOMPARE(modeBits(keyFile()), 0600);
        const QByteArray bytes = fileBytes(keyFile());
        QVERIFY(bytes.startsWith("# Switchyard API keys."));
        QVERIFY(bytes.contains("NOT encrypted"));
        QVERIFY(!bytes.contains("sk-file-1")); // base64, so no grep hit by accident; still readable by the owner
        keys->store(u"groq"_s, "gsk-file-2");
        QVERIFY(stored.wait());
        QCOMPARE(modeBits(keyFile()), 0600);

        // The next start reads the file back; the settings file never saw a key.
        KeyStore next(std::make_unique<MemoryKeyBackend>(), keyFile());
        next.setFileFallback(true);
        QCOMPARE(next.cachedKey(u"open ai/α"_s), QByteArray("sk-file-1"));
        QCOMPARE(next.cachedKey(u"groq"_s), QByteArray("gsk-file-2"));
        {
            Proxy::Settings settings(m_dir.filePath(u"switchyard.ini"_s));
            settings.set(Proxy::Settings::Key::ActiveProfile, u"groq"_s);
        }
        const QByteArray ini = fileBytes(m_dir.filePath(u"switchyard.ini"_s));
        QVERIFY(!ini.isEmpty());
        QVERIFY(!ini.contains("gsk-file-2"));
        QVERIFY(!ini.contains(QByteArray("gsk-file-2").toBase64()));

        // Opting out deletes the file; the keys stay for the session.
        keys->setFileFallback(false);
        QVERIFY(!QFile::exists(keyFile()));
        QCOMPARE(keys->mode(), KeyStore::Mode::SessionOnly);
        QCOMPARE(keys->cachedKey(u"groq"_s), QByteArray("gsk-file-2"));
    }

    void shouldMoveFileKeysBackIntoAWorkingKeychain()
    {
        MemoryKeyBackend *backend = nullptr;
        auto keys = makeStore(&backend);
        keys->setFileFallback(true);
        QSignalSpy stored(keys.get(), &KeyStore::stored);
        keys->store(u"openai"_s, "sk-back");
        QVERIFY(stored.wait());
        QVERIFY(backend->keys().isEmpty());
        keys->setFileFallback(false);
        QCOMPARE(keys->mode(), KeyStore::Mode::Keychain);
        QVERIFY(stored.wait());
        QCOMPARE(backend->keys().value(u"openai"_s), QByteArray("sk-back"));
        QVERIFY(!QFile::exists(keyFile()));
    }
};

QTEST_GUILESS_MAIN(TstKeyStore)
#include "tst_keystore.moc"
