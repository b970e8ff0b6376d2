#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QSortFilterProxyModel>

namespace Proxy {

class SessionStore;
struct ExchangeRecord;

// The live list of exchanges, grouped by Claude Code session (X-Claude-Code-Session-Id; requests without one
// share a group). Two levels: session rows, then their exchanges in arrival order. Data roles only: the UI's
// delegate decides colours and icons.
class ExchangeListModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExchangeListModel)

public:
    enum Column { Time, Client, Model, Status, FirstToken, Duration, Tokens, StopReason, ColumnCount };
    enum Role {
        RequestIdRole = Qt::UserRole + 1, // QByteArray; empty on session rows
        SessionRole,                      // QString
        IsSessionRole,                    // bool
        ProblemRole,                      // bool: failed, an error event or validator findings (any child, on sessions)
        InFlightRole,                     // bool
        StatusRole,                       // int HTTP status (0 while in flight)
        ModelRole,                        // QString client model
        SearchTextRole,                   // QString: everything a text filter should match
    };

    explicit ExchangeListModel(SessionStore *store, QObject *parent = nullptr);
    ~ExchangeListModel() override;

    [[nodiscard]] QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex &child) const override;
    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    [[nodiscard]] QModelIndex indexOfExchange(const QByteArray &requestId, int column = 0) const;

private:
    struct Group
    {
        QString session;
        QList<QByteArray> exchanges;
    };
    void rebuild();
    void onAdded(qsizetype first, qsizetype last);
    void onUpdated(qsizetype index);
    [[nodiscard]] const ExchangeRecord *record(const QModelIndex &index) const;
    [[nodiscard]] QVariant exchangeData(const ExchangeRecord &r, int column, int role) const;
    [[nodiscard]] QVariant groupData(const Group &g, int column, int role) const;

    SessionStore *m_store;
    QList<Group> m_groups;
    QHash<QString, int> m_groupOf; // session -> group row
};

// Text, status and model filters over ExchangeListModel; a session stays visible while any exchange in it matches.
class ExchangeFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExchangeFilterModel)

public:
    enum class StatusFilter { All, Succeeded, Problems, InFlight };
    Q_ENUM(StatusFilter)

    explicit ExchangeFilterModel(QObject *parent = nullptr);
    ~ExchangeFilterModel() override;

    void setText(const QString &text);
    void setStatusFilter(StatusFilter filter);
    void setModelFilter(const QString &model); // empty: any

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    StatusFilter m_status = StatusFilter::All;
    QString m_model;
};

} // namespace Proxy
