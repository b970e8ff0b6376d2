#include "eventhub.h"

#include <QMetaMethod>

#include <algorithm>
#include <iterator>

namespace Proxy {

EventHub::EventHub(qsizetype capacity, QObject *parent)
    : QObject(parent)
    , m_capacity(qMax<qsizetype>(capacity, 1))
{
    m_clock.start();
}

EventHub::~EventHub() = default;

quint64 EventHub::publish(const QByteArray &requestId, ObservedEvent::Kind kind, const QByteArray &name,
                          const QByteArray &data, quint64 cause)
{
    QMutexLocker locker(&m_mutex);
    // Remove the oldest before inserting.
    while (!m_ring.empty()
           && (qsizetype(m_ring.size()) >= m_capacity || m_bytes + data.size() > m_capacityBytes)) {
        m_bytes -= m_ring.front().data.size();
        m_ring.pop_front();
    }
    m_bytes += data.size();
    m_ring.push_back({m_nextSequence++, m_clock.nsecsElapsed(), requestId, kind, name, data, cause});
    const quint64 sequence = m_ring.back().sequence;
    static const QMetaMethod appended = QMetaMethod::fromSignal(&EventHub::eventAppended);
    if (isSignalConnected(appended)) {
        const ObservedEvent event = m_ring.back(); // shares the data; emitted outside the lock
        locker.unlock();
        Q_EMIT eventAppended(event);
    }
    return sequence;
}

QList<ObservedEvent> EventHub::snapshot(quint64 afterSequence, qsizetype maxCount) const
{
    QMutexLocker locker(&m_mutex);
    // Sequences increase along the ring: find the first newer event by binary search.
    const auto first = std::upper_bound(m_ring.cbegin(), m_ring.cend(), afterSequence,
                                        [](quint64 after, const ObservedEvent &e) { return after < e.sequence; });
    qsizetype count = qsizetype(m_ring.cend() - first);
    if (maxCount > 0)
        count = qMin(count, maxCount);
    QList<ObservedEvent> result;
    result.reserve(count);
    std::copy(first, first + count, std::back_inserter(result));
    return result;
}

quint64 EventHub::lastSequence() const
{
    QMutexLocker locker(&m_mutex);
    return m_nextSequence - 1;
}

qsizetype EventHub::size() const
{
    QMutexLocker locker(&m_mutex);
    return qsizetype(m_ring.size());
}

qsizetype EventHub::sizeBytes() const
{
    QMutexLocker locker(&m_mutex);
    return m_bytes;
}

QList<ObservedEvent> EventHub::eventsOf(const QByteArray &requestId) const
{
    QMutexLocker locker(&m_mutex);
    QList<ObservedEvent> result;
    for (const ObservedEvent &event : m_ring) {
        if (event.requestId == requestId)
            result.append(event);
    }
    return result;
}

} // namespace Proxy
