#pragma once

#include "observedevent.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>

namespace Proxy {

// The redacted summary log as rows: the `request` and `response` records of every exchange (no message text),
// newest last, bounded. Starts from the tail of the log file of earlier runs when given one.
class LogModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogModel)

public:
    enum Role { RequestIdRole = Qt::UserRole + 1, KindRole };
    static constexpr qsizetype defaultMaxLines = 20'000;

    explicit LogModel(qsizetype maxLines = defaultMaxLines, QObject *parent = nullptr);
    ~LogModel() override;

    // Reads the last lines of a summary log file (JSON lines); returns how many were read.
    qsizetype loadFile(const QString &path);
    // Keeps the ExchangeStarted/ExchangeFinished records of a batch of observed events.
    void addEvents(const QList<Proxy::ObservedEvent> &events);
    void addLine(const QByteArray &jsonLine);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    struct Line
    {
        QString text;
        QByteArray requestId;
        QString kind;
    };
    void append(QList<Line> lines);

    qsizetype m_maxLines;
    QList<Line> m_lines;
};

} // namespace Proxy
