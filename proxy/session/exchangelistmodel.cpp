#include "exchangelistmodel.h"

#include "exchangerecord.h"
#include "sessionstore.h"

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

QString milliseconds(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 10'000)
        return u"%1 ms"_s.arg(ms);
    return u"%1 s"_s.arg(double(ms) / 1000.0, 0, 'f', 1);
}

QString clientName(const ExchangeRecord &r)
{
    // "claude-cli/2.1.197 (external, cli)" -> "claude-cli/2.1.197"; x-app says which app when present.
    QString ua = r.client.section(u' ', 0, 0);
    if (ua.isEmpty())
        ua = u"unknown client"_s;
    return r.app.isEmpty() || ua.contains(r.app) ? ua : u"%1 (%2)"_s.arg(ua, r.app);
}

} // namespace

ExchangeListModel::ExchangeListModel(SessionStore *store, QObject *parent)
    : QAbstractItemModel(parent)
    , m_store(store)
{
    connect(store, &SessionStore::exchangesAdded, this, &ExchangeListModel::onAdded);
    connect(store, &SessionStore::exchangeUpdated, this, &ExchangeListModel::onUpdated);
    connect(store, &SessionStore::exchangesRemoved, this, &ExchangeListModel::rebuild);
    connect(store, &SessionStore::eventsAppended, this, [this](const QByteArray &id) {
        // Live exchanges show their progress (duration so far is not shown, but the in-flight flag may change).
        const QModelIndex i = indexOfExchange(id);
        if (i.isValid())
            Q_EMIT dataChanged(i, i.siblingAtColumn(ColumnCount - 1));
    });
    rebuild();
}

ExchangeListModel::~ExchangeListModel() = default;

void ExchangeListModel::rebuild()
{
    beginResetModel();
    m_groups.clear();
    m_groupOf.clear();
    for (qsizetype i = 0; i < m_store->count(); ++i) {
        const ExchangeRecord &r = m_store->at(i);
        auto it = m_groupOf.find(r.session);
        if (it == m_groupOf.end()) {
            it = m_groupOf.insert(r.session, int(m_groups.size()));
            m_groups.append({r.session, {}});
        }
        m_groups[*it].exchanges.append(r.requestId);
    }
    endResetModel();
}

void ExchangeListModel::onAdded(qsizetype first, qsizetype last)
{
    if (first < m_store->count() - 1 - (last - first)) // inserted before existing rows (history): rare
        return rebuild();
    for (qsizetype i = first; i <= last; ++i) {
        const ExchangeRecord &r = m_store->at(i);
        auto it = m_groupOf.find(r.session);
        if (it == m_groupOf.end()) {
            const int row = int(m_groups.size());
            beginInsertRows({}, row, row);
            m_groups.append({r.session, {}});
            m_groupOf.insert(r.session, row);
            endInsertRows();
            it = m_groupOf.find(r.session);
        }
        const int groupRow = *it;
        const int row = int(m_groups[groupRow].exchanges.size());
        beginInsertRows(index(groupRow, 0), row, row);
        m_groups[groupRow].exchanges.append(r.requestId);
        endInsertRows();
        const QModelIndex group = index(groupRow, 0);
        Q_EMIT dataChanged(group, group.siblingAtColumn(ColumnCount - 1));
    }
}

void ExchangeListModel::onUpdated(qsizetype storeIndex)
{
    const QModelIndex i = indexOfExchange(m_store->at(storeIndex).requestId);
    if (!i.isValid())
        return;
    Q_EMIT dataChanged(i, i.siblingAtColumn(ColumnCount - 1));
    const QModelIndex group = i.parent();
    Q_EMIT dataChanged(group, group.siblingAtColumn(ColumnCount - 1));
}

QModelIndex ExchangeListModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    return createIndex(row, column, quintptr(parent.row() + 1)); // children carry their group row + 1
}

QModelIndex ExchangeListModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int ExchangeListModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.internalId() == 0 && parent.column() == 0)
        return int(m_groups.at(parent.row()).exchanges.size());
    return 0;
}

int ExchangeListModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

const ExchangeRecord *ExchangeListModel::record(const QModelIndex &index) const
{
    if (!index.isValid() || index.internalId() == 0)
        return nullptr;
    const QByteArray &id = m_groups.at(int(index.internalId() - 1)).exchanges.at(index.row());
    return m_store->find(id);
}

QModelIndex ExchangeListModel::indexOfExchange(const QByteArray &requestId, int column) const
{
    const ExchangeRecord *r = m_store->find(requestId);
    if (!r)
        return {};
    const int group = m_groupOf.value(r->session, -1);
    if (group < 0)
        return {};
    const qsizetype row = m_groups.at(group).exchanges.lastIndexOf(requestId);
    return row < 0 ? QModelIndex() : index(int(row), column, index(group, 0));
}

QVariant ExchangeListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == 0)
        return groupData(m_groups.at(index.row()), index.column(), role);
    const ExchangeRecord *r = record(index);
    return r ? exchangeData(*r, index.column(), role) : QVariant();
}

QVariant ExchangeListModel::exchangeData(const ExchangeRecord &r, int column, int role) const
{
    switch (role) {
    case RequestIdRole: return r.requestId;
    case SessionRole: return r.session;
    case IsSessionRole: return false;
    case ProblemRole: return r.hasProblem();
    case InFlightRole: return !r.finished;
    case StatusRole: return r.status;
    case ModelRole: return r.model;
    case SearchTextRole:
        return QStringList{QString::fromLatin1(r.requestId), r.client, r.app, r.model, r.upstreamModel, r.upstream,
                           r.stopReason, r.errorType, r.errorMessage, r.session, QString::number(r.status)}
            .join(u'\n');
    case Qt::ToolTipRole:
        if (!r.errorMessage.isEmpty())
            return u"%1: %2"_s.arg(r.errorType, r.errorMessage);
        if (r.violations > 0)
            return u"%1 protocol finding(s): the stream sent to the client broke the Messages contract"_s.arg(r.violations);
        return u"%1 · %2"_s.arg(QString::fromLatin1(r.requestId), r.startedAt.toLocalTime().toString(Qt::ISODateWithMs));
    case Qt::TextAlignmentRole:
        if (column == FirstToken || column == Duration || column == Tokens)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole: break;
    default: return {};
    }
    switch (column) {
    case Time: return r.startedAt.toLocalTime().toString(u"HH:mm:ss"_s);
    case Client: return clientName(r);
    case Model:
        return r.upstreamModel.isEmpty() || r.upstreamModel == r.model ? r.model
                                                                        : u"%1 → %2"_s.arg(r.model, r.upstreamModel);
    case Status:
        if (!r.finished)
            return r.stream ? u"streaming…"_s : u"waiting…"_s;
        if (!r.errorType.isEmpty())
            return u"%1 %2"_s.arg(r.status).arg(r.errorType);
        return r.outcome == u"completed"_s ? QString::number(r.status) : u"%1 %2"_s.arg(r.status).arg(r.outcome);
    case FirstToken: return milliseconds(r.firstTokenMs);
    case Duration: return milliseconds(r.durationMs);
    case Tokens:
        if (r.inputTokens < 0 && r.outputTokens < 0)
            return {};
        return u"%1 / %2"_s.arg(qMax(r.inputTokens, 0)).arg(qMax(r.outputTokens, 0));
    case StopReason: return r.stopReason;
    default: return {};
    }
}

QVariant ExchangeListModel::groupData(const Group &g, int column, int role) const
{
    switch (role) {
    case SessionRole: return g.session;
    case IsSessionRole: return true;
    case RequestIdRole: return QByteArray();
    case SearchTextRole: return g.session;
    case ProblemRole:
    case InFlightRole: {
        for (const QByteArray &id : g.exchanges) {
            const ExchangeRecord *r = m_store->find(id);
            if (r && (role == ProblemRole ? r->hasProblem() : !r->finished))
                return true;
        }
        return false;
    }
    case Qt::DisplayRole: break;
    default: return {};
    }
    if (column == Time) { // session rows span the whole row in the view
        const QString label = g.session.isEmpty() ? u"Requests without a Claude Code session"_s
                                                  : u"Claude Code session %1"_s.arg(g.session.left(8));
        return u"%1 · %2 request(s)"_s.arg(label).arg(g.exchanges.size());
    }
    if (column == Client && !g.exchanges.isEmpty()) {
        const ExchangeRecord *r = m_store->find(g.exchanges.constLast());
        return r ? clientName(*r) : QString();
    }
    return {};
}

QVariant ExchangeListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Time", "Client", "Model → upstream", "Status", "1st token",
                                        "Duration", "Tokens in / out", "Stop reason"};
    return section >= 0 && section < ColumnCount ? QString::fromUtf8(names[section]) : QVariant();
}

ExchangeFilterModel::ExchangeFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true); // a session shows while one of its exchanges matches
}

ExchangeFilterModel::~ExchangeFilterModel() = default;

void ExchangeFilterModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void ExchangeFilterModel::setStatusFilter(StatusFilter filter)
{
    m_status = filter;
    invalidateFilter();
}

void ExchangeFilterModel::setModelFilter(const QString &model)
{
    m_model = model;
    invalidateFilter();
}

bool ExchangeFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    const bool isSession = i.data(ExchangeListModel::IsSessionRole).toBool();
    const bool filtering = !m_text.isEmpty() || m_status != StatusFilter::All || !m_model.isEmpty();
    if (isSession)
        return !filtering; // otherwise shown only for a matching exchange (recursive filtering)
    if (!m_text.isEmpty() && !i.data(ExchangeListModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive))
        return false;
    if (!m_model.isEmpty() && i.data(ExchangeListModel::ModelRole).toString() != m_model)
        return false;
    const bool inFlight = i.data(ExchangeListModel::InFlightRole).toBool();
    const bool problem = i.data(ExchangeListModel::ProblemRole).toBool();
    switch (m_status) {
    case StatusFilter::All: return true;
    case StatusFilter::Succeeded: return !inFlight && !problem;
    case StatusFilter::Problems: return problem;
    case StatusFilter::InFlight: return inFlight;
    }
    return true;
}

} // namespace Proxy
