#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Desktop {

// Where KeyStore keeps keys for real. Asynchronous: every call answers through its callback exactly once, later
// (never inside the call). Implementations: the system keychain (QtKeychain) and an in-memory one for tests.
class KeyBackend : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyBackend)

public:
    enum class Status {
        Ok,
        NotFound, // read/remove: nothing stored under that name
        Unavailable, // no keychain service (no Secret Service / KWallet on the session bus)
        Failed, // anything else (access denied, …); message says what
    };
    struct Outcome {
        Status status = Status::Ok;
        QByteArray key; // read: the key
        QString message;
    };
    using Callback = std::function<void(const Outcome &)>;

    explicit KeyBackend(QObject *parent = nullptr)
        : QObject(parent)
    {
    }
    ~KeyBackend() override = default;

    virtual void read(const QString &account, Callback done) = 0;
    virtual void write(const QString &account, const QByteArray &key, Callback done) = 0;
    virtual void remove(const QString &account, Callback done) = 0;
};

// The system keychain through QtKeychain: service "switchyard", account = profile name. Never QtKeychain's
// insecure fallback (which would put the key into a settings file).
class QtKeychainBackend final : public KeyBackend {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QtKeychainBackend)

public:
    static constexpr QStringView service = u"switchyard";

    explicit QtKeychainBackend(QObject *parent = nullptr);
    ~QtKeychainBackend() override;

    void read(const QString &account, Callback done) override;
    void write(const QString &account, const QByteArray &key, Callback done) override;
    void remove(const QString &account, Callback done) override;
};

// Keys in memory (tests). failWith != Ok makes every call fail that way, like a keychain without a service.
class MemoryKeyBackend final : public KeyBackend {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemoryKeyBackend)

public:
    explicit MemoryKeyBackend(QObject *parent = nullptr);
    ~MemoryKeyBackend() override;

    void setFailure(Status status, const QString &message = {});
    [[nodiscard]] const QHash<QString, QByteArray> &keys() const { return m_keys; }
    [[nodiscard]] int callCount() const { return m_calls; }

    void read(const QString &account, Callback done) override;
    void write(const QString &account, const QByteArray &key, Callback done) override;
    void remove(const QString &account, Callback done) override;

private:
    void answer(Callback done, Outcome outcome);

    QHash<QString, QByteArray> m_keys;
    Status m_failure = Status::Ok;
    QString m_failureMessage;
    int m_calls = 0;
};

// API keys of the upstream profiles, by profile name. Never in the settings file:
// - Keychain: the system keychain (default).
// - SessionOnly: the keychain is unavailable (no service running); keys live in memory until Switchyard quits.
//   Entered automatically the first time the keychain reports it has no service.
// - File: the user opted in to a plain file (0600, under the application data directory) instead.
// Every key stored or fetched is cached, so cachedKey() answers synchronously (the composition root uses it to
// hand the active profile's key to the proxy right after the settings dialog applied).
class KeyStore final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyStore)

public:
    enum class Mode { Keychain, SessionOnly, File };
    Q_ENUM(Mode)

    // backend: nullptr = the system keychain. keyFile: where the file fallback writes (defaultKeyFile()).
    explicit KeyStore(
        std::unique_ptr<KeyBackend> backend = nullptr, QString keyFile = defaultKeyFile(), QObject *parent = nullptr);
    ~KeyStore() override;

    // <AppDataLocation>/api-keys (~/.local/share/Switchyard/switchyard/api-keys).
    [[nodiscard]] static QString defaultKeyFile();

    [[nodiscard]] Mode mode() const { return m_mode; }
    // Why the store is in its mode, for people (empty in Keychain mode).
    [[nodiscard]] QString modeReason() const { return m_reason; }
    // One sentence for the settings dialog: "Stored in the system keychain", …
    [[nodiscard]] QString storageDescription() const;
    [[nodiscard]] QString keyFile() const { return m_keyFile; }

    // Answers with fetched() later. An absent key is an empty key without error.
    void fetch(const QString &profile);
    // Caches at once (cachedKey() returns it immediately), then persists; stored() follows.
    void store(const QString &profile, const QByteArray &key);
    // Forgets the key everywhere; removed() follows.
    void remove(const QString &profile);
    [[nodiscard]] QByteArray cachedKey(const QString &profile) const { return m_cache.value(profile); }
    [[nodiscard]] bool hasCachedKey(const QString &profile) const { return m_cache.contains(profile); }

    // The clearly-labelled opt-in: keys go to keyFile() (0600) instead of the keychain; the keys known so far
    // move there. Switching it off deletes the file; the keys stay for this session (and go back to the keychain
    // if one is running).
    void setFileFallback(bool enabled);
    [[nodiscard]] bool isFileFallback() const { return m_mode == Mode::File; }

Q_SIGNALS:
    void fetched(const QString &profile, const QByteArray &key, const QString &error);
    void stored(const QString &profile, const QString &error);
    void removed(const QString &profile, const QString &error);
    void modeChanged(Desktop::KeyStore::Mode mode, const QString &reason);

private:
    void later(std::function<void()> f);
    // The keychain said it cannot work at all: keep keys for the session. Returns true when that happened.
    bool fallBackIfUnavailable(const KeyBackend::Outcome &outcome);
    void setMode(Mode mode, const QString &reason);
    [[nodiscard]] QString writeKeyFile();
    void readKeyFile();

    KeyBackend *m_backend;
    QString m_keyFile;
    QHash<QString, QByteArray> m_cache;
    Mode m_mode = Mode::Keychain;
    bool m_keychainUnavailable = false;
    QString m_reason;
};

} // namespace Desktop
