#pragma once

#include "exchangerecord.h"
#include "observedevent.h"
#include "protocol/error.h"
#include "redactor.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QTimer>

namespace Proxy {

class EventHub;

// Exchanges and their events, persisted in SQLite so past sessions survive a restart. Events are buffered and
// written in one transaction per flush (every ~250 ms, or sooner when many are waiting); a failed write (disk
// full, locked database) is reported through writeFailed, retried with the next flush, and never stops or blocks
// the proxy for long: the busy timeout is short and the buffer is bounded (what does not fit is dropped and
// counted). Everything is redacted again before it is written, so the store is safe on its own.
//
// Events are keyed by (request id, ordinal within the exchange): sequence numbers restart with each process, so
// they are stored only to keep `cause` links intact within an exchange. Timestamps are stored relative to the
// exchange's start; loaded events have timestampNs = nanoseconds since their ExchangeStarted (which is 0).
// Exchanges a previous run left unfinished are marked "interrupted" by open().
//
// Single-threaded, like the hub: use it from the thread that created it.
class HistoryStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryStore)

public:
    static constexpr int schemaVersion = 1;
    static constexpr int flushIntervalMs = 250;
    static constexpr int flushAfterEvents = 500;
    static constexpr qint64 maxPendingBytes = 32 * 1024 * 1024; // beyond this while writes fail: drop and count
    static constexpr int busyTimeoutMs = 100;

    // `databaseFile`: e.g. QStandardPaths::AppDataLocation + "/history.sqlite"; its directory is created by open().
    explicit HistoryStore(QString databaseFile, QObject *parent = nullptr);
    ~HistoryStore() override; // flushes

    // Opens (creating when missing) the database: schema, WAL, synchronous=NORMAL, incremental auto-vacuum; marks
    // exchanges left unfinished by an earlier run as interrupted, then prunes to the retention limits.
    [[nodiscard]] Result<void> open();
    [[nodiscard]] bool isOpen() const { return m_open; }
    [[nodiscard]] QString databaseFile() const { return m_file; }

    // Records every event the hub publishes from now on (snapshot, then subscribe: append() the hub's snapshot
    // first if the exchanges already in flight should be recorded too).
    void attach(EventHub *hub);
    void setRedactor(const Redactor &redactor) { m_redactor = redactor; }

    // Buffers one event. Events of an exchange whose ExchangeStarted this store did not record (it was paused, or
    // attached late) are dropped and counted. Never throws, never touches the disk.
    void append(const ObservedEvent &event);
    // Writes everything buffered in one transaction. On failure the buffer is kept (bounded) for the next flush.
    void flush();

    // Paused: append() drops events and counts them. The ExchangeFinished of an exchange recorded before the
    // pause is still written, so it is not left looking in flight.
    [[nodiscard]] bool isPaused() const { return m_paused; }
    void setPaused(bool paused) { m_paused = paused; }

    // Limits: exchanges older than `days` (0: no limit) and, oldest first, beyond `maxBytes` of recorded content
    // (names, data and summaries; 0: no limit). Applied by open(), by prune(), after a flush that crosses the
    // size limit and hourly.
    void setRetention(int days, qint64 maxBytes);
    [[nodiscard]] int retentionDays() const { return m_retentionDays; }
    [[nodiscard]] qint64 retentionBytes() const { return m_retentionBytes; }
    void prune();

    // Reads see what has been flushed (call flush() first to include the buffer).
    [[nodiscard]] QList<ExchangeRecord> exchanges(int limit = 1000) const; // newest first, finished or not
    [[nodiscard]] QList<ObservedEvent> events(const QByteArray &requestId) const; // in order, cause links intact
    [[nodiscard]] RecordedExchange load(const QByteArray &requestId) const;
    // Deletes exchanges (and their events) from the history.
    void remove(const QList<QByteArray> &requestIds);
    void clear();

    [[nodiscard]] qint64 sizeBytes() const;     // the database files on disk (main + WAL)
    [[nodiscard]] qint64 contentBytes() const { return m_contentBytes; } // what the size limit counts
    [[nodiscard]] qint64 droppedEvents() const { return m_dropped; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

Q_SIGNALS:
    // Once per failure episode, human readable; writeRecovered when a write succeeds again.
    void writeFailed(const QString &message);
    void writeRecovered();

private:
    struct Pending
    {
        ObservedEvent event;
        int ordinal = 0;
        qint64 relativeNs = 0;
    };
    struct OpenExchange
    {
        qint64 startNs = 0;
        int nextOrdinal = 0;
    };

    [[nodiscard]] Result<void> createSchema();
    [[nodiscard]] bool writePending(QString &error);
    void reportFailure(const QString &message);
    void reportSuccess();
    [[nodiscard]] ObservedEvent redacted(const ObservedEvent &event) const;
    void refreshContentBytes();

    QString m_file;
    QString m_connection;
    QSqlDatabase m_db;
    bool m_open = false;
    bool m_paused = false;
    bool m_failing = false;
    Redactor m_redactor;
    QHash<QByteArray, OpenExchange> m_openExchanges;
    QList<Pending> m_pending;
    qint64 m_pendingBytes = 0;
    qint64 m_dropped = 0;
    qint64 m_contentBytes = 0;
    int m_retentionDays = 30;
    qint64 m_retentionBytes = 512LL * 1024 * 1024;
    QString m_lastError;
    QTimer m_flushTimer;
    QTimer m_pruneTimer;
};

} // namespace Proxy
