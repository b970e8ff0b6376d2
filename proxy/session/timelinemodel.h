#pragma once

#include "observedevent.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QMap>

namespace Proxy {

class SessionStore;

// The events of one exchange on one time axis, one row per event, in two lanes: what the upstream sent
// (chunks) and what the client received (Anthropic events). Client events know the chunk they came from, so
// a view can link its selection across lanes. Content blocks are spans: every row carries the blocks open at
// that point (start, inside, stop), and a tool_use block's stop row carries its accumulated input JSON.
// Follows a live exchange as its events arrive. Data roles only.
class TimelineModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineModel)

public:
    enum Column { Time, Upstream, Client, Blocks, ColumnCount };
    enum Lane { MetaLane, UpstreamLane, ClientLane };
    enum Role {
        KindRole = Qt::UserRole + 1, // int (ObservedEvent::Kind)
        LaneRole,                    // int (Lane)
        NameRole,                    // QString: Anthropic event type or upstream event name
        DetailTypeRole,              // QString: delta type (text_delta, input_json_delta, …) or block type at start
        SequenceRole,                // qulonglong
        CauseRole,                   // qulonglong: the chunk's sequence (client events)
        LinkedRowsRole,              // QList<int>: the chunk of a client event, or the client events of a chunk
        SpansRole,                   // QVariantList of QVariantMap {index, type, phase: "start"|"inside"|"stop"}
        JsonRole,                    // QString: the payload, pretty-printed when it is JSON
        ElapsedMsRole,               // double: ms since the exchange started
        ProblemRole,                 // bool: error event, upstream error chunk or validator finding
        ToolInputRole,               // QString: a tool_use block's input JSON so far (on its rows)
    };

    explicit TimelineModel(SessionStore *store, QObject *parent = nullptr);
    ~TimelineModel() override;

    // Shows one exchange (empty: none) and follows it while it is live.
    void setExchange(const QByteArray &requestId);
    [[nodiscard]] QByteArray exchange() const { return m_requestId; }
    [[nodiscard]] int rowOfSequence(quint64 sequence) const { return m_rowOfSequence.value(sequence, -1); }

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // One-line summaries, shared with exports and tests.
    [[nodiscard]] static QString summarizeChunk(const QByteArray &name, const QByteArray &data);
    [[nodiscard]] static QString summarizeClientEvent(const QByteArray &name, const QByteArray &data);

private:
    struct Span
    {
        int index;
        QString type;
        char phase; // 's'tart, 'i'nside, 'e'nd
    };
    struct Row
    {
        ObservedEvent event;
        Lane lane;
        QString summary;
        QString detailType;
        QList<Span> spans;
        QList<int> linked;
        QString toolInput;
        bool problem = false;
    };
    void append(const QList<ObservedEvent> &events);
    void onEventsAppended(const QByteArray &requestId, qsizetype first, qsizetype count);

    SessionStore *m_store;
    QByteArray m_requestId;
    qint64 m_originNs = 0;
    QList<Row> m_rows;
    QHash<quint64, int> m_rowOfSequence;
    // Blocks open so far: index -> type, and tool inputs accumulated so far.
    QMap<int, QString> m_openBlocks;
    QHash<int, QString> m_toolInput;
};

} // namespace Proxy
