#pragma once

#include "observedevent.h"

#include <QElapsedTimer>
#include <QList>
#include <QMutex>
#include <QObject>

#include <atomic>
#include <deque>

namespace Proxy {

// The in-process observation interface: every exchange publishes what it read upstream and what it sent to the
// client here. A bounded ring keeps the most recent events (oldest dropped first); a view takes a snapshot,
// then subscribes to eventAppended for what follows (snapshot, then subscribe). Cheap when nobody listens: an
// append is a move into the ring, and the signal is only emitted to connected receivers.
// Thread-safe reads: the desktop app runs the proxy on its own thread and its window polls snapshot(after) —
// a bounded read of the ring, so a slow window can only miss the oldest events (it sees the sequence gap),
// never queue without bound or hold a stream up.
class EventHub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventHub)

public:
    static constexpr qsizetype defaultCapacity = 100'000;
    static constexpr qsizetype defaultCapacityBytes = 256 * 1024 * 1024;
    static constexpr qsizetype maxRecordedBodyBytes = 4 * 1024 * 1024;

    explicit EventHub(qsizetype capacity = defaultCapacity, QObject *parent = nullptr);
    ~EventHub() override;

    // Appends an event and returns its sequence number. `cause`: see ObservedEvent::cause.
    quint64 publish(const QByteArray &requestId, ObservedEvent::Kind kind, const QByteArray &name,
                    const QByteArray &data, quint64 cause = 0);

    // Whether exchanges publish their request bodies (RequestBody events). Off by default: the summary log and
    // the headless proxy never need prompt text; the desktop app turns it on when the user records bodies.
    [[nodiscard]] bool recordsBodies() const { return m_recordBodies; }
    void setRecordBodies(bool on) { m_recordBodies = on; }
    // The ring is bounded by count and by bytes of event data, whichever is reached first.
    void setCapacityBytes(qsizetype bytes) { m_capacityBytes = qMax<qsizetype>(bytes, 1); }
    [[nodiscard]] qsizetype sizeBytes() const;

    // Events with sequence > afterSequence still in the ring, oldest first; at most maxCount (0: all).
    [[nodiscard]] QList<ObservedEvent> snapshot(quint64 afterSequence = 0, qsizetype maxCount = 0) const;
    // Only the events of one exchange.
    [[nodiscard]] QList<ObservedEvent> eventsOf(const QByteArray &requestId) const;
    [[nodiscard]] quint64 lastSequence() const;
    [[nodiscard]] qsizetype size() const;
    [[nodiscard]] qsizetype capacity() const { return m_capacity; }
    [[nodiscard]] qint64 nowNs() const { return m_clock.nsecsElapsed(); }

Q_SIGNALS:
    void eventAppended(const Proxy::ObservedEvent &event);

private:
    qsizetype m_capacity;
    qsizetype m_capacityBytes = defaultCapacityBytes;
    qsizetype m_bytes = 0;
    std::atomic_bool m_recordBodies = false;
    mutable QMutex m_mutex; // guards the ring, its byte count and the sequence counter
    std::deque<ObservedEvent> m_ring;
    quint64 m_nextSequence = 1;
    QElapsedTimer m_clock;
};

} // namespace Proxy
