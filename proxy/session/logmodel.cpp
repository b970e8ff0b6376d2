#include "logmodel.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr qint64 tailBytes = 2 * 1024 * 1024;

} // namespace

LogModel::LogModel(qsizetype maxLines, QObject *parent)
    : QAbstractListModel(parent)
    , m_maxLines(qMax<qsizetype>(maxLines, 1))
{
}

LogModel::~LogModel() = default;

qsizetype LogModel::loadFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    if (file.size() > tailBytes)
        file.seek(file.size() - tailBytes);
    QList<QByteArray> raw = file.readAll().split('\n');
    if (file.pos() > tailBytes && !raw.isEmpty())
        raw.removeFirst(); // a partial line
    const qsizetype before = m_lines.size();
    for (const QByteArray &line : std::as_const(raw)) {
        if (!line.trimmed().isEmpty())
            addLine(line);
    }
    return m_lines.size() - before;
}

void LogModel::addLine(const QByteArray &jsonLine)
{
    const QJsonObject record = QJsonDocument::fromJson(jsonLine).object();
    if (record.isEmpty())
        return;
    append({{QString::fromUtf8(jsonLine.trimmed()), record.value(u"request_id"_s).toString().toLatin1(),
             record.value(u"kind"_s).toString()}});
}

void LogModel::addEvents(const QList<ObservedEvent> &events)
{
    QList<Line> lines;
    for (const ObservedEvent &e : events) {
        if (e.kind == ObservedEvent::Kind::ExchangeStarted || e.kind == ObservedEvent::Kind::ExchangeFinished) {
            lines.append({QString::fromUtf8(e.data), e.requestId,
                          e.kind == ObservedEvent::Kind::ExchangeStarted ? u"request"_s : u"response"_s});
        }
    }
    append(std::move(lines));
}

void LogModel::append(QList<Line> lines)
{
    if (lines.isEmpty())
        return;
    const qsizetype overflow = m_lines.size() + lines.size() - m_maxLines;
    if (overflow > 0) {
        const qsizetype drop = qMin(overflow, m_lines.size());
        if (drop > 0) {
            beginRemoveRows({}, 0, int(drop) - 1);
            m_lines.remove(0, drop);
            endRemoveRows();
        }
        if (lines.size() > m_maxLines)
            lines.remove(0, lines.size() - m_maxLines);
    }
    const int first = int(m_lines.size());
    beginInsertRows({}, first, first + int(lines.size()) - 1);
    m_lines += lines;
    endInsertRows();
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Line &line = m_lines.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole: return line.text;
    case RequestIdRole: return line.requestId;
    case KindRole: return line.kind;
    default: return {};
    }
}

} // namespace Proxy
