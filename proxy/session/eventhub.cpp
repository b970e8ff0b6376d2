#include "eventhub.h"

#include <QMetaMethod>

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
    // Remove the oldest before inserting.
    while (!m_ring.empty()
           && (qsizetype(m_ring.size()) >= m_capacity || m_bytes + data.size() > m_capacityBytes)) {
        m_bytes -= m_ring.front().data.size();
        m_ring.pop_front();
    }
    m_bytes += data.size();
    m_ring.push_back({m_nextSequence++, m_clock.nsecsElapsed(), requestId, kind, name, data, cause});
    static const QMetaMethod appended = QMetaMethod::fromSignal(&EventHub::eventAppended);
    if (isSignalConnected(appended))
        Q_EMIT eventAppended(m_ring.back());
    return m_ring.back().sequence;
}

QList<ObservedEvent> EventHub::snapshot(quint64 afterSequence) const
{
    QList<ObservedEvent> result;
    for (const ObservedEvent &event : m_ring) {
        if (event.sequence > afterSequence)
            result.append(event);
    }
    return result;
}

QList<ObservedEvent> EventHub::eventsOf(const QByteArray &requestId) const
{
    QList<ObservedEvent> result;
    for (const ObservedEvent &event : m_ring) {
        if (event.requestId == requestId)
            result.append(event);
    }
    return result;
}

} // namespace Proxy
