#include "sessionstore.h"

#include "eventhub.h"

#include <QSet>

namespace Proxy {

SessionStore::SessionStore(qsizetype maxExchanges, QObject *parent)
    : QObject(parent)
    , m_maxExchanges(qMax<qsizetype>(maxExchanges, 1))
{
    connect(&m_timer, &QTimer::timeout, this, &SessionStore::poll);
}

SessionStore::~SessionStore() = default;

void SessionStore::attach(EventHub *hub, int pollIntervalMs)
{
    m_hub = hub;
    m_lastSequence = 0;
    poll();
    m_timer.start(pollIntervalMs);
}

void SessionStore::poll()
{
    if (!m_hub)
        return;
    const QList<ObservedEvent> batch = m_hub->snapshot(m_lastSequence, maxEventsPerTick);
    if (batch.isEmpty())
        return;
    // A gap in the sequence: the ring moved on before we read it (the window was too slow, or started late).
    const quint64 expected = m_lastSequence + 1;
    if (m_lastSequence > 0 && batch.first().sequence > expected) {
        m_dropped += batch.first().sequence - expected;
        Q_EMIT droppedEventsChanged(m_dropped);
    }
    m_lastSequence = batch.last().sequence;
    ingest(batch);
}

SessionStore::Entry *SessionStore::entry(const QByteArray &requestId)
{
    const auto it = m_entries.find(requestId);
    return it == m_entries.end() ? nullptr : &it.value();
}

void SessionStore::ingest(const QList<ObservedEvent> &events)
{
    const qsizetype firstNew = m_order.size();
    QSet<QByteArray> updated;
    QList<QByteArray> touched;                 // in first-touch order
    QHash<QByteArray, qsizetype> firstEvent;   // where this batch's events start, per exchange
    for (const ObservedEvent &event : events) {
        Entry *e = entry(event.requestId);
        if (!e) {
            Entry fresh;
            if (event.kind == ObservedEvent::Kind::ExchangeStarted) {
                fresh.record = ExchangeRecord::fromStarted(event.requestId, event.data, event.timestampNs);
            } else { // its start fell out of the ring: keep what we can
                fresh.record.requestId = event.requestId;
                fresh.record.startedAt = QDateTime::currentDateTimeUtc();
                fresh.record.startedNs = event.timestampNs;
            }
            m_order.append(event.requestId);
            e = &m_entries.insert(event.requestId, std::move(fresh)).value();
        }
        if (!firstEvent.contains(event.requestId)) {
            firstEvent.insert(event.requestId, e->events.size());
            touched.append(event.requestId);
        }
        e->events.append(event);
        if (event.kind == ObservedEvent::Kind::ExchangeFinished) {
            e->record.applyFinished(event.data);
            updated.insert(event.requestId);
        } else if (event.kind == ObservedEvent::Kind::Violation) {
            ++e->record.violations;
            updated.insert(event.requestId);
        }
    }
    if (m_order.size() > firstNew)
        Q_EMIT exchangesAdded(firstNew, m_order.size() - 1);
    for (const QByteArray &id : std::as_const(touched)) {
        const qsizetype index = indexOf(id);
        if (updated.contains(id) && index < firstNew)
            Q_EMIT exchangeUpdated(index);
        const qsizetype first = firstEvent.value(id);
        Q_EMIT eventsAppended(id, first, m_entries.value(id).events.size() - first);
    }
    Q_EMIT eventsObserved(events);
    trim();
}

void SessionStore::addPast(const QList<ExchangeRecord> &records)
{
    QList<QByteArray> added;
    for (const ExchangeRecord &record : records) {
        if (m_entries.contains(record.requestId))
            continue;
        added.append(record.requestId);
        m_entries.insert(record.requestId, Entry{record, {}, false});
    }
    if (added.isEmpty())
        return;
    // Past exchanges go before the live ones.
    m_order = added + m_order;
    Q_EMIT exchangesAdded(0, added.size() - 1);
    trim();
}

void SessionStore::setEventLoader(std::function<QList<ObservedEvent>(const QByteArray &)> loader)
{
    m_loader = std::move(loader);
}

void SessionStore::trim()
{
    if (m_order.size() <= m_maxExchanges)
        return;
    // Forget a tenth more than needed, so views rebuild rarely rather than on every new exchange.
    const qsizetype excess = qMin(m_order.size(), m_order.size() - m_maxExchanges + m_maxExchanges / 10);
    for (qsizetype i = 0; i < excess; ++i)
        m_entries.remove(m_order.at(i));
    m_order.remove(0, excess);
    Q_EMIT exchangesRemoved(0, excess - 1);
}

const ExchangeRecord &SessionStore::at(qsizetype index) const
{
    return m_entries.find(m_order.at(index)).value().record;
}

const ExchangeRecord *SessionStore::find(const QByteArray &requestId) const
{
    const auto it = m_entries.constFind(requestId);
    return it == m_entries.cend() ? nullptr : &it->record;
}

qsizetype SessionStore::indexOf(const QByteArray &requestId) const
{
    // Recent exchanges are the ones asked for: search from the end.
    for (qsizetype i = m_order.size() - 1; i >= 0; --i) {
        if (m_order.at(i) == requestId)
            return i;
    }
    return -1;
}

QList<ObservedEvent> SessionStore::events(const QByteArray &requestId) const
{
    const auto it = m_entries.find(requestId);
    if (it == m_entries.end())
        return {};
    if (!it->eventsLoaded && m_loader) {
        auto *self = const_cast<SessionStore *>(this); // a cache fill, invisible to callers
        Entry &e = self->m_entries[requestId];
        e.events = m_loader(requestId);
        e.eventsLoaded = true;
        return e.events;
    }
    return it->events;
}

RecordedExchange SessionStore::recorded(const QByteArray &requestId) const
{
    const auto it = m_entries.find(requestId);
    if (it == m_entries.end())
        return {};
    return {it->record, events(requestId)};
}

} // namespace Proxy
