#pragma once

#include <QSet>
#include <QStyledItemDelegate>

namespace Desktop {

// Paints the timeline: a coloured chip per event type in each lane, blocks as vertical spans (a dot where a
// block starts, a bar while it is open, a cap where it stops), problems in red, and rows linked to the
// selection (the chunk an event came from, the events a chunk produced) with an accent bar.
class TimelineDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineDelegate)

public:
    explicit TimelineDelegate(QObject *parent = nullptr);
    ~TimelineDelegate() override;

    void setLinkedRows(const QSet<int> &rows) { m_linked = rows; }
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The colour of an event type, a delta type or a block type (also used by the legend).
    [[nodiscard]] static QColor colorFor(const QString &type);

private:
    QSet<int> m_linked;
};

} // namespace Desktop
