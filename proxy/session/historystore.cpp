#include "historystore.h"

#include "eventhub.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <limits>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

using Kind = ObservedEvent::Kind;

constexpr int retryIntervalMs = 1000;
constexpr qint64 flushAfterBytes = 4 * 1024 * 1024;
constexpr qint64 perEventOverhead = 32; // key columns and record headers, roughly
constexpr int pruneIntervalMs = 60 * 60 * 1000;
constexpr auto interruptedMessage = "Switchyard stopped before this exchange finished";

qint64 eventBytes(const ObservedEvent &event)
{
    return event.name.size() + event.data.size() + perEventOverhead;
}

QString describe(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.isEmpty() ? u"unknown database error"_s : text;
}

// Runs one statement; returns the error text or an empty string.
QString exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    return query.exec(sql) ? QString() : describe(query.lastError());
}

Error storeError(const QString &message)
{
    return Error::make(ErrorType::Api, message);
}

} // namespace

HistoryStore::HistoryStore(QString databaseFile, QObject *parent)
    : QObject(parent)
    , m_file(std::move(databaseFile))
{
    static QAtomicInteger<quint64> instances;
    m_connection = u"switchyard-history-%1"_s.arg(instances.fetchAndAddRelaxed(1));
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &HistoryStore::flush);
    m_pruneTimer.setInterval(pruneIntervalMs);
    connect(&m_pruneTimer, &QTimer::timeout, this, &HistoryStore::prune);
}

HistoryStore::~HistoryStore()
{
    flush();
    m_open = false;
    if (m_db.isValid())
        m_db.close();
    m_db = QSqlDatabase();
    if (QSqlDatabase::contains(m_connection))
        QSqlDatabase::removeDatabase(m_connection);
}

Result<void> HistoryStore::open()
{
    if (m_open)
        return {};
    const QFileInfo info(m_file);
    if (!QDir().mkpath(info.absolutePath()))
        return tl::unexpected(storeError(u"Cannot create the history directory %1"_s.arg(info.absolutePath())));
    // Prompts and answers are private: the database is the user's alone (SQLite gives its -wal and -shm files the
    // database file's mode). An empty file is an empty database.
    {
        QFile file(m_file);
        if (!file.exists() && file.open(QIODevice::WriteOnly))
            file.close();
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    if (!m_db.isValid()) {
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
        if (!m_db.isValid())
            return tl::unexpected(storeError(u"Qt's SQLite driver is missing (install libqt6sql6-sqlite)"_s));
    }
    m_db.setDatabaseName(m_file);
    // The default busy timeout is 5 s: a database locked by another program must not stall the proxy's thread.
    m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(busyTimeoutMs));
    if (!m_db.open())
        return tl::unexpected(storeError(u"Cannot open the history %1: %2"_s.arg(m_file, describe(m_db.lastError()))));

    if (Result<void> schema = createSchema(); !schema) {
        m_db.close();
        return schema;
    }

    // Exchanges an earlier run left in flight will never finish: close them with an "interrupted" summary and a
    // final event, so the timeline ends and the list shows them as failed rather than running forever.
    QList<QByteArray> unfinished;
    {
        QSqlQuery query(m_db);
        if (query.exec(u"SELECT request_id FROM exchanges WHERE finished = 0"_s)) {
            while (query.next())
                unfinished.append(query.value(0).toByteArray());
        }
    }
    if (!unfinished.isEmpty() && m_db.transaction()) {
        QSqlQuery last(m_db);
        last.prepare(u"SELECT COALESCE(MAX(ordinal), -1), COALESCE(MAX(sequence), 0), COALESCE(MAX(t_ns), 0) "
                     "FROM events WHERE request_id = ?"_s);
        QSqlQuery update(m_db);
        update.prepare(u"UPDATE exchanges SET finished = 1, interrupted = 1, response = ? WHERE request_id = ?"_s);
        QSqlQuery insert(m_db);
        insert.prepare(u"INSERT INTO events (request_id, ordinal, sequence, t_ns, kind, name, data, cause) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, 0)"_s);
        bool ok = true;
        for (const QByteArray &id : std::as_const(unfinished)) {
            const QJsonObject response{
                {u"kind"_s, u"response"_s},
                {u"request_id"_s, QString::fromLatin1(id)},
                {u"outcome"_s, u"interrupted"_s},
                {u"error"_s, QJsonObject{{u"type"_s, u"api_error"_s},
                                        {u"message"_s, QString::fromLatin1(interruptedMessage)}}},
            };
            const QByteArray json = QJsonDocument(response).toJson(QJsonDocument::Compact);
            last.addBindValue(QString::fromLatin1(id));
            ok = ok && last.exec() && last.next();
            const qint64 ordinal = ok ? last.value(0).toLongLong() + 1 : 0;
            const qint64 sequence = ok ? last.value(1).toLongLong() + 1 : 0;
            const qint64 tNs = ok ? last.value(2).toLongLong() : 0;
            last.finish();
            update.addBindValue(json);
            update.addBindValue(QString::fromLatin1(id));
            ok = ok && update.exec();
            insert.addBindValue(QString::fromLatin1(id));
            insert.addBindValue(ordinal);
            insert.addBindValue(sequence);
            insert.addBindValue(tNs);
            insert.addBindValue(int(Kind::ExchangeFinished));
            insert.addBindValue(QByteArrayLiteral("response"));
            insert.addBindValue(json);
            ok = ok && insert.exec();
            if (!ok)
                break;
        }
        if (!ok || !m_db.commit())
            m_db.rollback(); // not fatal: they stay unfinished and are tried again next time
    }

    m_open = true;
    refreshContentBytes();
    prune();
    m_pruneTimer.start();
    return {};
}

Result<void> HistoryStore::createSchema()
{
    QSqlQuery version(m_db);
    if (!version.exec(u"PRAGMA user_version"_s) || !version.next())
        return tl::unexpected(storeError(u"Cannot read the history %1: %2"_s.arg(m_file, describe(version.lastError()))));
    const int current = version.value(0).toInt();
    version.finish();
    if (current > schemaVersion) {
        return tl::unexpected(storeError(
            u"The history %1 was written by a newer Switchyard (schema %2, this version reads %3)"_s.arg(
                m_file, QString::number(current), QString::number(schemaVersion))));
    }
    // auto_vacuum only takes effect before the first table is created.
    const QStringList pragmas{u"PRAGMA auto_vacuum = INCREMENTAL"_s, u"PRAGMA journal_mode = WAL"_s,
                              u"PRAGMA synchronous = NORMAL"_s, u"PRAGMA foreign_keys = ON"_s};
    for (const QString &pragma : pragmas) {
        if (const QString error = exec(m_db, pragma); !error.isEmpty())
            return tl::unexpected(storeError(u"Cannot set up the history %1: %2"_s.arg(m_file, error)));
    }
    if (current == schemaVersion)
        return {};

    const QStringList statements{
        u"CREATE TABLE exchanges ("
        " request_id TEXT NOT NULL UNIQUE,"
        " started_at INTEGER NOT NULL,"      // ms since the epoch, UTC
        " finished INTEGER NOT NULL DEFAULT 0,"
        " interrupted INTEGER NOT NULL DEFAULT 0,"
        " request BLOB NOT NULL,"            // the ExchangeStarted summary (JSON, redacted)
        " response BLOB,"                    // the ExchangeFinished summary (JSON), NULL while in flight
        " bytes INTEGER NOT NULL DEFAULT 0)"_s, // recorded content, for the size limit
        u"CREATE INDEX exchanges_started ON exchanges (started_at)"_s,
        u"CREATE TABLE events ("
        " request_id TEXT NOT NULL REFERENCES exchanges (request_id) ON DELETE CASCADE,"
        " ordinal INTEGER NOT NULL,"         // position within the exchange: the key (sequences restart per run)
        " sequence INTEGER NOT NULL,"        // the hub's sequence in the run that recorded it (for cause links)
        " t_ns INTEGER NOT NULL,"            // since the exchange started
        " kind INTEGER NOT NULL,"
        " name BLOB NOT NULL,"
        " data BLOB NOT NULL,"
        " cause INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (request_id, ordinal)) WITHOUT ROWID"_s,
        u"PRAGMA user_version = %1"_s.arg(schemaVersion),
    };
    if (!m_db.transaction())
        return tl::unexpected(storeError(u"Cannot write the history %1: %2"_s.arg(m_file, describe(m_db.lastError()))));
    for (const QString &statement : statements) {
        if (const QString error = exec(m_db, statement); !error.isEmpty()) {
            m_db.rollback();
            return tl::unexpected(storeError(u"Cannot create the history %1: %2"_s.arg(m_file, error)));
        }
    }
    if (!m_db.commit()) {
        const QString error = describe(m_db.lastError());
        m_db.rollback();
        return tl::unexpected(storeError(u"Cannot create the history %1: %2"_s.arg(m_file, error)));
    }
    return {};
}

void HistoryStore::attach(EventHub *hub)
{
    connect(hub, &EventHub::eventAppended, this, &HistoryStore::append);
}

ObservedEvent HistoryStore::redacted(const ObservedEvent &event) const
{
    ObservedEvent result = event;
    result.name = m_redactor.text(event.name);
    switch (event.kind) {
    case Kind::ExchangeStarted:
    case Kind::RequestBody:
    case Kind::ExchangeFinished:
        result.data = m_redactor.body(event.data); // also secret-named fields and key-shaped tokens
        break;
    case Kind::UpstreamChunk:
    case Kind::ClientEvent:
    case Kind::Violation:
        result.data = m_redactor.text(event.data); // as received/sent, minus configured secrets
        break;
    }
    return result;
}

void HistoryStore::append(const ObservedEvent &event)
{
    auto it = m_openExchanges.find(event.requestId);
    if (event.kind == Kind::ExchangeStarted) {
        if (m_paused || !m_open) {
            ++m_dropped;
            return;
        }
        it = m_openExchanges.insert(event.requestId, OpenExchange{event.timestampNs, 0});
    } else if (it == m_openExchanges.end() || (m_paused && event.kind != Kind::ExchangeFinished)) {
        ++m_dropped;
        return;
    }
    Pending pending{redacted(event), it->nextOrdinal++, event.timestampNs - it->startNs};
    if (event.kind == Kind::ExchangeFinished)
        m_openExchanges.erase(it);
    m_pendingBytes += eventBytes(pending.event);
    m_pending.append(std::move(pending));

    if (m_pendingBytes > maxPendingBytes) {
        // Writes have been failing for a while: give the buffer up rather than grow without bound. Exchanges whose
        // start is given up cannot be continued (their events would have no row to belong to).
        for (const Pending &dropped : std::as_const(m_pending)) {
            if (dropped.event.kind == Kind::ExchangeStarted)
                m_openExchanges.remove(dropped.event.requestId);
        }
        m_dropped += m_pending.size();
        m_pending.clear();
        m_pendingBytes = 0;
        return;
    }
    if (!m_failing && (m_pending.size() >= flushAfterEvents || m_pendingBytes >= flushAfterBytes))
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start(m_failing ? retryIntervalMs : flushIntervalMs);
}

void HistoryStore::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty() || !m_open)
        return;
    QString error;
    if (!writePending(error)) {
        reportFailure(error);
        m_flushTimer.start(retryIntervalMs);
        return;
    }
    m_pending.clear();
    m_pendingBytes = 0;
    reportSuccess();
    if (m_retentionBytes > 0 && m_contentBytes > m_retentionBytes)
        prune();
}

bool HistoryStore::writePending(QString &error)
{
    if (!m_db.transaction()) {
        error = describe(m_db.lastError());
        return false;
    }
    QSqlQuery removeExchange(m_db);
    QSqlQuery insertExchange(m_db);
    QSqlQuery finishExchange(m_db);
    QSqlQuery insertEvent(m_db);
    QSqlQuery addBytes(m_db);
    bool ok = removeExchange.prepare(u"DELETE FROM exchanges WHERE request_id = ?"_s)
        && insertExchange.prepare(u"INSERT INTO exchanges (request_id, started_at, request) VALUES (?, ?, ?)"_s)
        && finishExchange.prepare(u"UPDATE exchanges SET finished = 1, response = ? WHERE request_id = ?"_s)
        && insertEvent.prepare(u"INSERT INTO events (request_id, ordinal, sequence, t_ns, kind, name, data, cause) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s)
        && addBytes.prepare(u"UPDATE exchanges SET bytes = bytes + ? WHERE request_id = ?"_s);
    QSqlQuery *failed = nullptr;
    QHash<QByteArray, qint64> bytes;
    for (const Pending &pending : std::as_const(m_pending)) {
        if (!ok)
            break;
        const ObservedEvent &event = pending.event;
        const QString id = QString::fromLatin1(event.requestId);
        if (event.kind == Kind::ExchangeStarted) {
            // The same id again (it never happens with random ids, but tests reuse them): the newer one wins.
            removeExchange.addBindValue(id);
            if (!removeExchange.exec()) {
                failed = &removeExchange;
                break;
            }
            const ExchangeRecord record = ExchangeRecord::fromStarted(event.requestId, event.data);
            insertExchange.addBindValue(id);
            insertExchange.addBindValue(record.startedAt.toMSecsSinceEpoch());
            insertExchange.addBindValue(event.data);
            if (!insertExchange.exec()) {
                failed = &insertExchange;
                break;
            }
        } else if (event.kind == Kind::ExchangeFinished) {
            finishExchange.addBindValue(event.data);
            finishExchange.addBindValue(id);
            if (!finishExchange.exec()) {
                failed = &finishExchange;
                break;
            }
        }
        insertEvent.addBindValue(id);
        insertEvent.addBindValue(pending.ordinal);
        insertEvent.addBindValue(qint64(event.sequence));
        insertEvent.addBindValue(pending.relativeNs);
        insertEvent.addBindValue(int(event.kind));
        insertEvent.addBindValue(event.name);
        insertEvent.addBindValue(event.data);
        insertEvent.addBindValue(qint64(event.cause));
        if (!insertEvent.exec()) {
            failed = &insertEvent;
            break;
        }
        bytes[event.requestId] += eventBytes(event);
    }
    for (auto it = bytes.cbegin(); ok && !failed && it != bytes.cend(); ++it) {
        addBytes.addBindValue(it.value());
        addBytes.addBindValue(QString::fromLatin1(it.key()));
        if (!addBytes.exec())
            failed = &addBytes;
    }
    if (!ok || failed) {
        error = failed ? describe(failed->lastError()) : describe(m_db.lastError());
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        error = describe(m_db.lastError());
        m_db.rollback();
        return false;
    }
    for (const qint64 added : std::as_const(bytes))
        m_contentBytes += added;
    return true;
}

void HistoryStore::reportFailure(const QString &message)
{
    m_lastError = u"Could not save the exchange history to %1: %2. The proxy keeps running; %3 event(s) wait "
                  "to be written and are retried."_s.arg(m_file, message, QString::number(m_pending.size()));
    if (m_failing)
        return;
    m_failing = true;
    Q_EMIT writeFailed(m_lastError);
}

void HistoryStore::reportSuccess()
{
    if (!m_failing)
        return;
    m_failing = false;
    m_lastError.clear();
    Q_EMIT writeRecovered();
}

void HistoryStore::setRetention(int days, qint64 maxBytes)
{
    m_retentionDays = qMax(days, 0);
    m_retentionBytes = qMax<qint64>(maxBytes, 0);
}

void HistoryStore::prune()
{
    if (!m_open)
        return;
    flush(); // pending events may belong to exchanges about to be deleted
    if (!m_pending.isEmpty())
        return;
    const qint64 cutoff = m_retentionDays > 0
        ? QDateTime::currentDateTimeUtc().addDays(-m_retentionDays).toMSecsSinceEpoch()
        : std::numeric_limits<qint64>::min();
    // Down to 90% of the size limit, so a history at its limit is not pruned again after every flush.
    const qint64 keepBytes = m_retentionBytes > 0 ? m_retentionBytes - m_retentionBytes / 10
                                                  : std::numeric_limits<qint64>::max();
    QList<QString> doomed;
    {
        QSqlQuery query(m_db);
        if (!query.exec(u"SELECT request_id, started_at, bytes FROM exchanges ORDER BY started_at DESC, rowid DESC"_s))
            return;
        qint64 total = 0;
        while (query.next()) {
            const QString id = query.value(0).toString();
            total += query.value(2).toLongLong();
            if (m_openExchanges.contains(id.toLatin1()))
                continue; // still being recorded
            if (query.value(1).toLongLong() < cutoff || total > keepBytes)
                doomed.append(id);
        }
    }
    if (doomed.isEmpty())
        return;
    QString error;
    if (m_db.transaction()) {
        QSqlQuery remove(m_db);
        bool ok = remove.prepare(u"DELETE FROM exchanges WHERE request_id = ?"_s);
        for (const QString &id : std::as_const(doomed)) {
            remove.addBindValue(id);
            if (!ok || !remove.exec()) {
                ok = false;
                break;
            }
        }
        if (!ok) {
            error = describe(remove.lastError());
            m_db.rollback();
        } else if (!m_db.commit()) {
            error = describe(m_db.lastError());
            m_db.rollback();
        }
    } else {
        error = describe(m_db.lastError());
    }
    if (!error.isEmpty()) {
        reportFailure(error);
        return;
    }
    // Give the pages back to the file system; failures here only cost disk space.
    (void)exec(m_db, u"PRAGMA incremental_vacuum"_s);
    (void)exec(m_db, u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
    refreshContentBytes();
}

void HistoryStore::refreshContentBytes()
{
    QSqlQuery query(m_db);
    if (query.exec(u"SELECT COALESCE(SUM(bytes), 0) FROM exchanges"_s) && query.next())
        m_contentBytes = query.value(0).toLongLong();
}

QList<ExchangeRecord> HistoryStore::exchanges(int limit) const
{
    QList<ExchangeRecord> result;
    if (!m_open)
        return result;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(u"SELECT request_id, request, response FROM exchanges ORDER BY started_at DESC, rowid DESC LIMIT ?"_s);
    query.addBindValue(qMax(limit, 0));
    if (!query.exec())
        return result;
    while (query.next()) {
        ExchangeRecord record = ExchangeRecord::fromStarted(query.value(0).toByteArray(), query.value(1).toByteArray());
        if (!query.value(2).isNull())
            record.applyFinished(query.value(2).toByteArray());
        result.append(std::move(record));
    }
    return result;
}

QList<ObservedEvent> HistoryStore::events(const QByteArray &requestId) const
{
    QList<ObservedEvent> result;
    if (!m_open)
        return result;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(u"SELECT sequence, t_ns, kind, name, data, cause FROM events WHERE request_id = ? ORDER BY ordinal"_s);
    query.addBindValue(QString::fromLatin1(requestId));
    if (!query.exec())
        return result;
    while (query.next()) {
        const int kind = query.value(2).toInt();
        if (kind < int(Kind::ExchangeStarted) || kind > int(Kind::ExchangeFinished))
            continue; // written by a newer version
        ObservedEvent event;
        event.sequence = query.value(0).toULongLong();
        event.timestampNs = query.value(1).toLongLong();
        event.requestId = requestId;
        event.kind = Kind(kind);
        event.name = query.value(3).toByteArray();
        event.data = query.value(4).toByteArray();
        event.cause = query.value(5).toULongLong();
        result.append(std::move(event));
    }
    return result;
}

RecordedExchange HistoryStore::load(const QByteArray &requestId) const
{
    RecordedExchange result;
    if (!m_open)
        return result;
    QSqlQuery query(m_db);
    query.prepare(u"SELECT request, response FROM exchanges WHERE request_id = ?"_s);
    query.addBindValue(QString::fromLatin1(requestId));
    if (!query.exec() || !query.next())
        return result;
    result.record = ExchangeRecord::fromStarted(requestId, query.value(0).toByteArray());
    if (!query.value(1).isNull())
        result.record.applyFinished(query.value(1).toByteArray());
    query.finish();
    result.events = events(requestId);
    return result;
}

void HistoryStore::remove(const QList<QByteArray> &requestIds)
{
    if (!m_open || requestIds.isEmpty())
        return;
    flush();
    const QSet<QByteArray> ids(requestIds.cbegin(), requestIds.cend());
    for (const QByteArray &id : ids)
        m_openExchanges.remove(id);
    m_pending.removeIf([&ids](const Pending &pending) { return ids.contains(pending.event.requestId); });
    QString error;
    if (!m_db.transaction()) {
        error = describe(m_db.lastError());
    } else {
        QSqlQuery remove(m_db);
        bool ok = remove.prepare(u"DELETE FROM exchanges WHERE request_id = ?"_s);
        for (const QByteArray &id : ids) {
            remove.addBindValue(QString::fromLatin1(id));
            if (!ok || !remove.exec()) {
                ok = false;
                break;
            }
        }
        if (!ok || !m_db.commit()) {
            error = ok ? describe(m_db.lastError()) : describe(remove.lastError());
            m_db.rollback();
        }
    }
    if (!error.isEmpty())
        return reportFailure(error);
    (void)exec(m_db, u"PRAGMA incremental_vacuum"_s);
    refreshContentBytes();
}

void HistoryStore::clear()
{
    if (!m_open)
        return;
    m_openExchanges.clear();
    m_pending.clear();
    m_pendingBytes = 0;
    if (const QString error = exec(m_db, u"DELETE FROM exchanges"_s); !error.isEmpty())
        return reportFailure(error);
    (void)exec(m_db, u"PRAGMA incremental_vacuum"_s);
    (void)exec(m_db, u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
    refreshContentBytes();
}

qint64 HistoryStore::sizeBytes() const
{
    return QFileInfo(m_file).size() + QFileInfo(m_file + u"-wal"_s).size();
}

} // namespace Proxy
