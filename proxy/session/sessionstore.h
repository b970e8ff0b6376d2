#pragma once

#include "exchangerecord.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace Proxy {

class EventHub;

// What the window knows: every exchange seen live (polled from the EventHub) or loaded from history, with its
// events. Polling at a fixed rate coalesces updates (one batch per tick, however fast streams run) and bounds
// the work: a window that falls behind the hub's ring misses only the oldest events, and says how many
// (droppedEvents()). Bounded itself: the oldest exchanges are forgotten first.
class SessionStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionStore)

public:
    static constexpr int defaultPollIntervalMs = 33; // ~30 Hz
    static constexpr qsizetype maxEventsPerTick = 20'000;

    explicit SessionStore(qsizetype maxExchanges = 2'000, QObject *parent = nullptr);
    ~SessionStore() override;

    // Takes what the hub holds now, then polls it.
    void attach(EventHub *hub, int pollIntervalMs = defaultPollIntervalMs);
    // One poll now (tests; the timer calls it).
    void poll();
    // Events fed directly (tests, or a source other than a hub), as one batch.
    void ingest(const QList<ObservedEvent> &events);

    // Past exchanges (from history), oldest first; their events come from the loader when first asked for.
    void addPast(const QList<ExchangeRecord> &records);
    void setEventLoader(std::function<QList<ObservedEvent>(const QByteArray &)> loader);

    [[nodiscard]] qsizetype count() const { return m_order.size(); }
    [[nodiscard]] const ExchangeRecord &at(qsizetype index) const;
    [[nodiscard]] qsizetype indexOf(const QByteArray &requestId) const;
    // The record of an exchange by id (a hash lookup), or null.
    [[nodiscard]] const ExchangeRecord *find(const QByteArray &requestId) const;
    [[nodiscard]] QList<ObservedEvent> events(const QByteArray &requestId) const;
    [[nodiscard]] RecordedExchange recorded(const QByteArray &requestId) const;
    [[nodiscard]] quint64 droppedEvents() const { return m_dropped; }

Q_SIGNALS:
    // Batched, once per poll: new exchanges first, then updates, then events.
    void exchangesAdded(qsizetype first, qsizetype last);
    void exchangeUpdated(qsizetype index);
    void eventsAppended(const QByteArray &requestId, qsizetype first, qsizetype count);
    void exchangesRemoved(qsizetype first, qsizetype last); // the oldest, when over the bound
    void eventsObserved(const QList<Proxy::ObservedEvent> &batch); // everything ingested this tick (history)
    void droppedEventsChanged(quint64 dropped);

private:
    struct Entry
    {
        ExchangeRecord record;
        QList<ObservedEvent> events;
        bool eventsLoaded = true;
    };
    Entry *entry(const QByteArray &requestId);
    void trim();

    qsizetype m_maxExchanges;
    QPointer<EventHub> m_hub;
    QTimer m_timer;
    quint64 m_lastSequence = 0;
    quint64 m_dropped = 0;
    QList<QByteArray> m_order;             // request ids, oldest first
    QHash<QByteArray, Entry> m_entries;
    std::function<QList<ObservedEvent>(const QByteArray &)> m_loader;
};

} // namespace Proxy
