#include "keystore.h"

#include <qt6keychain/keychain.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Desktop {

namespace {

KeyBackend::Outcome outcomeOf(const QKeychain::Job *job)
{
    KeyBackend::Outcome outcome;
    outcome.message = job->errorString();
    switch (job->error()) {
    case QKeychain::NoError:
        outcome.status = KeyBackend::Status::Ok;
        outcome.message.clear();
        break;
    case QKeychain::EntryNotFound:
        outcome.status = KeyBackend::Status::NotFound;
        break;
    // Without a Secret Service or KWallet on the session bus, libsecret and KWallet report OtherError.
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        outcome.status = KeyBackend::Status::Unavailable;
        break;
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
    case QKeychain::CouldNotDeleteEntry:
        outcome.status = KeyBackend::Status::Failed;
        break;
    }
    return outcome;
}

template<typename JobT> JobT *makeJob(QObject *parent, const QString &account)
{
    auto *job = new JobT(QtKeychainBackend::service.toString(), parent);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // QtKeychain's fallback is a plain settings file: never
    job->setKey(account);
    return job;
}

constexpr char fileHeader[]
    = "# Switchyard API keys. You chose \"Store keys in a file instead (less secure)\" in Settings because no\n"
      "# keychain service was running. This file is NOT encrypted: anyone who can read it can use these keys.\n"
      "# Untick the option (or delete this file) to forget them. One line per upstream profile:\n"
      "# <profile name, percent-encoded> <key, base64>\n";

} // namespace

// --- QtKeychainBackend -------------------------------------------------------------------------------------------

QtKeychainBackend::QtKeychainBackend(QObject *parent)
    : KeyBackend(parent)
{
}

QtKeychainBackend::~QtKeychainBackend() = default;

void QtKeychainBackend::read(const QString &account, Callback done)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(this, account);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job *finished) {
        KeyBackend::Outcome outcome = outcomeOf(finished);
        if (outcome.status == Status::Ok)
            outcome.key = static_cast<QKeychain::ReadPasswordJob *>(finished)->binaryData();
        done(outcome);
    });
    job->start();
}

void QtKeychainBackend::write(const QString &account, const QByteArray &key, Callback done)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>(this, account);
    job->setBinaryData(key);
    connect(job, &QKeychain::Job::finished, this,
        [done = std::move(done)](QKeychain::Job *finished) { done(outcomeOf(finished)); });
    job->start();
}

void QtKeychainBackend::remove(const QString &account, Callback done)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>(this, account);
    connect(job, &QKeychain::Job::finished, this,
        [done = std::move(done)](QKeychain::Job *finished) { done(outcomeOf(finished)); });
    job->start();
}

// --- MemoryKeyBackend --------------------------------------------------------------------------------------------

MemoryKeyBackend::MemoryKeyBackend(QObject *parent)
    : KeyBackend(parent)
{
}

MemoryKeyBackend::~MemoryKeyBackend() = default;

void MemoryKeyBackend::setFailure(Status status, const QString &message)
{
    m_failure = status;
    m_failureMessage = message;
}

void MemoryKeyBackend::answer(Callback done, Outcome outcome)
{
    ++m_calls;
    if (m_failure != Status::Ok)
        outcome = { m_failure, {}, m_failureMessage };
    QTimer::singleShot(0, this, [done = std::move(done), outcome] { done(outcome); });
}

void MemoryKeyBackend::read(const QString &account, Callback done)
{
    const auto it = m_keys.constFind(account);
    if (m_failure == Status::Ok && it == m_keys.cend())
        answer(std::move(done), { Status::NotFound, {}, u"not found"_s });
    else
        answer(std::move(done), { Status::Ok, m_failure == Status::Ok ? *it : QByteArray(), {} });
}

void MemoryKeyBackend::write(const QString &account, const QByteArray &key, Callback done)
{
    if (m_failure == Status::Ok)
        m_keys.insert(account, key);
    answer(std::move(done), {});
}

void MemoryKeyBackend::remove(const QString &account, Callback done)
{
    const bool found = m_failure == Status::Ok && m_keys.remove(account) > 0;
    answer(std::move(done), found ? Outcome{} : Outcome{ Status::NotFound, {}, u"not found"_s });
}

// --- KeyStore ----------------------------------------------------------------------------------------------------

KeyStore::KeyStore(std::unique_ptr<KeyBackend> backend, QString keyFile, QObject *parent)
    : QObject(parent)
    , m_backend(backend ? backend.release() : new QtKeychainBackend)
    , m_keyFile(std::move(keyFile))
{
    m_backend->setParent(this);
}

KeyStore::~KeyStore() = default;

QString KeyStore::defaultKeyFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/api-keys"_s;
}

QString KeyStore::storageDescription() const
{
    switch (m_mode) {
    case Mode::Keychain:
        return tr("Stored in the system keychain");
    case Mode::SessionOnly:
        return tr("No keychain service is running: the key is kept for this session only");
    case Mode::File:
        return tr("Stored in a file, not encrypted: %1").arg(QDir::toNativeSeparators(m_keyFile));
    }
    return {};
}

void KeyStore::later(std::function<void()> f)
{
    QTimer::singleShot(0, this, std::move(f));
}

void KeyStore::setMode(Mode mode, const QString &reason)
{
    if (m_mode == mode && m_reason == reason)
        return;
    m_mode = mode;
    m_reason = reason;
    Q_EMIT modeChanged(mode, reason);
}

bool KeyStore::fallBackIfUnavailable(const KeyBackend::Outcome &outcome)
{
    if (outcome.status != KeyBackend::Status::Unavailable)
        return false;
    m_keychainUnavailable = true;
    if (m_mode == Mode::Keychain) {
        QString reason = tr("No keychain service is running, so API keys are kept for this session only.");
        if (!outcome.message.isEmpty())
            reason += u' ' + tr("(The keychain said: %1)").arg(outcome.message);
        setMode(Mode::SessionOnly, reason);
    }
    return true;
}

void KeyStore::fetch(const QString &profile)
{
    if (m_mode != Mode::Keychain) {
        later([this, profile] { Q_EMIT fetched(profile, m_cache.value(profile), {}); });
        return;
    }
    m_backend->read(profile, [this, profile](const KeyBackend::Outcome &outcome) {
        if (m_mode == Mode::Keychain && outcome.status == KeyBackend::Status::Ok) {
            m_cache.insert(profile, outcome.key);
        } else if (m_mode == Mode::Keychain && outcome.status == KeyBackend::Status::Failed) {
            Q_EMIT fetched(profile, m_cache.value(profile), tr("Could not read the key: %1").arg(outcome.message));
            return;
        }
        fallBackIfUnavailable(outcome);
        Q_EMIT fetched(profile, m_cache.value(profile), {});
    });
}

void KeyStore::store(const QString &profile, const QByteArray &key)
{
    if (key.isEmpty()) {
        m_cache.remove(profile);
    } else {
        m_cache.insert(profile, key);
    }
    switch (m_mode) {
    case Mode::SessionOnly:
        later([this, profile] { Q_EMIT stored(profile, {}); });
        return;
    case Mode::File:
        later([this, profile, error = writeKeyFile()] { Q_EMIT stored(profile, error); });
        return;
    case Mode::Keychain:
        break;
    }
    auto done = [this, profile](const KeyBackend::Outcome &outcome) {
        if (fallBackIfUnavailable(outcome) || outcome.status == KeyBackend::Status::Ok
            || outcome.status == KeyBackend::Status::NotFound) {
            Q_EMIT stored(profile, {});
            return;
        }
        Q_EMIT stored(profile, tr("Could not store the key in the keychain: %1").arg(outcome.message));
    };
    if (key.isEmpty())
        m_backend->remove(profile, std::move(done));
    else
        m_backend->write(profile, key, std::move(done));
}

void KeyStore::remove(const QString &profile)
{
    m_cache.remove(profile);
    switch (m_mode) {
    case Mode::SessionOnly:
        later([this, profile] { Q_EMIT removed(profile, {}); });
        return;
    case Mode::File:
        later([this, profile, error = writeKeyFile()] { Q_EMIT removed(profile, error); });
        return;
    case Mode::Keychain:
        break;
    }
    m_backend->remove(profile, [this, profile](const KeyBackend::Outcome &outcome) {
        if (fallBackIfUnavailable(outcome) || outcome.status == KeyBackend::Status::Ok
            || outcome.status == KeyBackend::Status::NotFound) {
            Q_EMIT removed(profile, {});
            return;
        }
        Q_EMIT removed(profile, tr("Could not remove the key from the keychain: %1").arg(outcome.message));
    });
}

void KeyStore::setFileFallback(bool enabled)
{
    if (enabled == (m_mode == Mode::File))
        return;
    if (enabled) {
        readKeyFile();
        const QString error = writeKeyFile();
        if (!error.isEmpty()) {
            m_keychainUnavailable = true;
            setMode(Mode::SessionOnly,
                tr("Could not write the key file (%1): keys are kept for this session only.").arg(error));
            return;
        }
        setMode(Mode::File,
            tr("API keys are stored in a file, not encrypted: %1").arg(QDir::toNativeSeparators(m_keyFile)));
        return;
    }
    QFile::remove(m_keyFile);
    if (m_keychainUnavailable) {
        setMode(Mode::SessionOnly, tr("No keychain service is running, so API keys are kept for this session only."));
        return;
    }
    setMode(Mode::Keychain, {});
    // Back into the keychain with what the file held.
    for (auto it = m_cache.cbegin(); it != m_cache.cend(); ++it)
        store(it.key(), it.value());
}

QString KeyStore::writeKeyFile()
{
    if (!QDir().mkpath(QFileInfo(m_keyFile).absolutePath()))
        return tr("cannot create %1").arg(QFileInfo(m_keyFile).absolutePath());
    QSaveFile file(m_keyFile);
    if (!file.open(QIODevice::WriteOnly))
        return file.errorString();
    // Owner only, before a single key byte is written.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return tr("cannot restrict the permissions of %1").arg(m_keyFile);
    QByteArray contents(fileHeader);
    QStringList names = m_cache.keys();
    names.sort();
    for (const QString &name : std::as_const(names)) {
        if (m_cache.value(name).isEmpty())
            continue;
        contents += QUrl::toPercentEncoding(name) + ' ' + m_cache.value(name).toBase64() + '\n';
    }
    file.write(contents);
    if (!file.commit())
        return file.errorString();
    return {};
}

void KeyStore::readKeyFile()
{
    QFile file(m_keyFile);
    if (!file.open(QIODevice::ReadOnly))
        return;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.indexOf(' ');
        if (space <= 0)
            continue;
        const QString name = QUrl::fromPercentEncoding(line.left(space));
        const QByteArray key = QByteArray::fromBase64(line.mid(space + 1));
        // What the user typed this session wins over an older file.
        if (!key.isEmpty() && !m_cache.contains(name))
            m_cache.insert(name, key);
    }
}

} // namespace Desktop
