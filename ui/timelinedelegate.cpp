#include "timelinedelegate.h"

#include "session/timelinemodel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

using namespace Qt::StringLiterals;
using Proxy::TimelineModel;

namespace Desktop {

TimelineDelegate::TimelineDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

TimelineDelegate::~TimelineDelegate() = default;

QColor TimelineDelegate::colorFor(const QString &type)
{
    static const QHash<QString, QColor> colors{
        {u"text"_s, QColor(0x2e, 0x9e, 0x5b)},           {u"text_delta"_s, QColor(0x2e, 0x9e, 0x5b)},
        {u"tool_use"_s, QColor(0xe0, 0x7b, 0x1a)},       {u"input_json_delta"_s, QColor(0xe0, 0x7b, 0x1a)},
        {u"thinking"_s, QColor(0x8e, 0x5c, 0xd9)},       {u"thinking_delta"_s, QColor(0x8e, 0x5c, 0xd9)},
        {u"signature_delta"_s, QColor(0xb0, 0x8f, 0xe3)}, {u"message_start"_s, QColor(0x3b, 0x73, 0xc4)},
        {u"message_delta"_s, QColor(0x3b, 0x73, 0xc4)},  {u"message_stop"_s, QColor(0x3b, 0x73, 0xc4)},
        {u"message"_s, QColor(0x3b, 0x73, 0xc4)},        {u"ping"_s, QColor(0x9a, 0xa0, 0xa6)},
        {u"error"_s, QColor(0xd0, 0x32, 0x32)},          {u"violation"_s, QColor(0xd0, 0x32, 0x32)},
        {u"chunk"_s, QColor(0x13, 0x8d, 0x9c)},          {u"meta"_s, QColor(0x70, 0x77, 0x7f)},
    };
    return colors.value(type, QColor(0x70, 0x77, 0x7f));
}

namespace {

QString chipType(const QModelIndex &index)
{
    const int lane = index.data(TimelineModel::LaneRole).toInt();
    if (lane == TimelineModel::UpstreamLane)
        return index.data(TimelineModel::ProblemRole).toBool() ? u"error"_s : u"chunk"_s;
    if (lane == TimelineModel::MetaLane)
        return u"meta"_s;
    const QString detail = index.data(TimelineModel::DetailTypeRole).toString();
    const QString name = index.data(TimelineModel::NameRole).toString();
    if (name == u"violation"_s)
        return name;
    return detail.isEmpty() ? name : detail;
}

} // namespace

void TimelineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const bool problem = index.data(TimelineModel::ProblemRole).toBool();
    const bool linked = m_linked.contains(index.row());
    painter->save();
    if (problem && !(option.state & QStyle::State_Selected))
        painter->fillRect(option.rect, QColor(0xd0, 0x32, 0x32, 28));

    if (index.column() == TimelineModel::Blocks) {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        opt.text.clear();
        QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        const QVariantList spans = index.data(TimelineModel::SpansRole).toList();
        const int unit = qMax(10, option.fontMetrics.height() * 2 / 3);
        painter->setRenderHint(QPainter::Antialiasing);
        for (const QVariant &v : spans) {
            const QVariantMap span = v.toMap();
            const int x = option.rect.left() + 6 + span.value(u"index"_s).toInt() * unit;
            const QColor color = colorFor(span.value(u"type"_s).toString());
            const QString phase = span.value(u"phase"_s).toString();
            const int w = qMax(4, unit / 2);
            QRect bar(x, option.rect.top(), w, option.rect.height());
            if (phase == u"start"_s)
                bar.setTop(option.rect.center().y());
            else if (phase == u"stop"_s)
                bar.setBottom(option.rect.center().y());
            painter->fillRect(bar, color);
            if (phase != u"inside"_s) {
                painter->setBrush(color);
                painter->setPen(Qt::NoPen);
                const int d = w + 4;
                painter->drawEllipse(QRect(x + w / 2 - d / 2, option.rect.center().y() - d / 2, d, d));
            }
        }
        painter->restore();
        return;
    }

    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const bool lane = index.column() == TimelineModel::Upstream || index.column() == TimelineModel::Client;
    if (!lane || opt.text.isEmpty()) {
        QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        if (linked && index.column() == TimelineModel::Time)
            painter->fillRect(QRect(option.rect.left(), option.rect.top(), 4, option.rect.height()), option.palette.highlight());
        painter->restore();
        return;
    }
    // Background and selection from the style, then a chip and the text.
    const QString text = opt.text;
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const QColor color = colorFor(chipType(index));
    const int chip = qMax(8, option.fontMetrics.height() / 2);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    const QRect chipRect(option.rect.left() + 6, option.rect.center().y() - chip / 2, chip, chip);
    if (index.column() == TimelineModel::Upstream)
        painter->drawRect(chipRect); // squares: what came in
    else
        painter->drawEllipse(chipRect); // circles: what went out
    QRect textRect = option.rect.adjusted(chip + 12, 0, -4, 0);
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(selected ? option.palette.highlightedText().color()
                             : problem ? QColor(0xb0, 0x20, 0x20) : option.palette.text().color());
    painter->drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
                      option.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width()));
    painter->restore();
}

QSize TimelineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(qMax(size.height(), option.fontMetrics.height() + 6));
    return size;
}

} // namespace Desktop
