#include "timelinemodel.h"

#include "sessionstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

constexpr qsizetype summaryChars = 160;

QString quoted(QString text)
{
    text.replace(u'\n', u"⏎"_s);
    if (text.size() > summaryChars)
        text = text.left(summaryChars) + u'…';
    return u'"' + text + u'"';
}

QString clipped(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes.left(summaryChars * 2)).simplified();
    return text.size() > summaryChars ? text.left(summaryChars) + u'…' : text;
}

QJsonObject parseObject(const QByteArray &data)
{
    return QJsonDocument::fromJson(data).object();
}

} // namespace

TimelineModel::TimelineModel(SessionStore *store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{
    connect(store, &SessionStore::eventsAppended, this, &TimelineModel::onEventsAppended);
    connect(store, &SessionStore::exchangesRemoved, this, [this] {
        if (!m_requestId.isEmpty() && !m_store->find(m_requestId))
            setExchange({});
    });
}

TimelineModel::~TimelineModel() = default;

void TimelineModel::setExchange(const QByteArray &requestId)
{
    beginResetModel();
    m_requestId = requestId;
    m_rows.clear();
    m_rowOfSequence.clear();
    m_openBlocks.clear();
    m_toolInput.clear();
    m_originNs = 0;
    endResetModel();
    if (!requestId.isEmpty())
        append(m_store->events(requestId));
}

void TimelineModel::onEventsAppended(const QByteArray &requestId, qsizetype first, qsizetype count)
{
    if (requestId != m_requestId || count <= 0)
        return;
    const QList<ObservedEvent> all = m_store->events(requestId);
    append(all.mid(first, count));
}

void TimelineModel::append(const QList<ObservedEvent> &events)
{
    if (events.isEmpty())
        return;
    if (m_rows.isEmpty())
        m_originNs = events.first().timestampNs;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(events.size()) - 1);
    for (const ObservedEvent &event : events) {
        Row row{event, MetaLane, {}, {}, {}, {}, {}, false};
        int closing = -1;
        switch (event.kind) {
        case ObservedEvent::Kind::UpstreamChunk:
            row.lane = UpstreamLane;
            row.summary = summarizeChunk(event.name, event.data);
            row.problem = event.data.contains("\"error\"") && !event.data.contains("\"choices\"");
            break;
        case ObservedEvent::Kind::ClientEvent: {
            row.lane = ClientLane;
            row.summary = summarizeClientEvent(event.name, event.data);
            row.problem = event.name == "error";
            const QJsonObject payload = parseObject(event.data);
            const int index = payload.value(u"index"_s).toInt(-1);
            if (event.name == "content_block_start") {
                const QString type = payload.value(u"content_block"_s).toObject().value(u"type"_s).toString();
                m_openBlocks.insert(index, type);
                row.detailType = type;
                if (type == u"tool_use"_s)
                    m_toolInput.insert(index, QString());
            } else if (event.name == "content_block_delta") {
                const QJsonObject delta = payload.value(u"delta"_s).toObject();
                row.detailType = delta.value(u"type"_s).toString();
                if (row.detailType == u"input_json_delta"_s)
                    m_toolInput[index] += delta.value(u"partial_json"_s).toString();
            } else if (event.name == "content_block_stop") {
                closing = index;
                row.detailType = m_openBlocks.value(index); // coloured like the block it closes
                if (m_toolInput.contains(index))
                    row.summary += u"  input "_s + m_toolInput.value(index);
            }
            if (index >= 0 && m_toolInput.contains(index))
                row.toolInput = m_toolInput.value(index);
            if (event.cause != 0) {
                const int chunkRow = m_rowOfSequence.value(event.cause, -1);
                if (chunkRow >= 0) {
                    row.linked.append(chunkRow);
                    m_rows[chunkRow].linked.append(int(m_rows.size()));
                }
            }
            break;
        }
        case ObservedEvent::Kind::Violation:
            row.lane = ClientLane;
            row.summary = u"protocol finding: "_s + QString::fromUtf8(event.data);
            row.problem = true;
            break;
        case ObservedEvent::Kind::ExchangeStarted: {
            const QJsonObject r = parseObject(event.data);
            row.summary = u"request %1 %2 · %3 → %4"_s.arg(r.value(u"method"_s).toString(), r.value(u"path"_s).toString(),
                                                          r.value(u"model"_s).toString(),
                                                          r.value(u"upstream"_s).toString());
            break;
        }
        case ObservedEvent::Kind::RequestBody:
            row.summary = u"request body, %1 bytes%2"_s.arg(event.data.size())
                              .arg(event.name == "body-truncated" ? u" (truncated)"_s : QString());
            break;
        case ObservedEvent::Kind::ExchangeFinished: {
            const QJsonObject r = parseObject(event.data);
            row.summary = u"finished: %1, HTTP %2, %3 ms"_s.arg(r.value(u"outcome"_s).toString())
                              .arg(r.value(u"status"_s).toInt())
                              .arg(r.value(u"duration_ms"_s).toInteger());
            row.problem = r.contains(u"error"_s) || r.contains(u"violations"_s);
            break;
        }
        }
        for (auto it = m_openBlocks.cbegin(); it != m_openBlocks.cend(); ++it) {
            const bool starting = event.name == "content_block_start" && row.lane == ClientLane
                && parseObject(event.data).value(u"index"_s).toInt(-1) == it.key();
            row.spans.append({it.key(), it.value(), starting ? 's' : it.key() == closing ? 'e' : 'i'});
        }
        if (closing >= 0)
            m_openBlocks.remove(closing);
        m_rowOfSequence.insert(event.sequence, int(m_rows.size()));
        m_rows.append(std::move(row));
    }
    endInsertRows();
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    const double elapsedMs = double(row.event.timestampNs - m_originNs) / 1e6;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return u"+%1"_s.arg(elapsedMs, 0, 'f', elapsedMs < 10'000 ? 1 : 0);
        case Upstream: return row.lane == UpstreamLane ? row.summary : QString();
        case Client: return row.lane != UpstreamLane ? row.summary : QString();
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Blocks && !row.toolInput.isEmpty())
            return QString(u"tool input so far: "_s + row.toolInput);
        return row.summary;
    case KindRole: return int(row.event.kind);
    case LaneRole: return int(row.lane);
    case NameRole: return QString::fromUtf8(row.event.name);
    case DetailTypeRole: return row.detailType;
    case SequenceRole: return qulonglong(row.event.sequence);
    case CauseRole: return qulonglong(row.event.cause);
    case LinkedRowsRole: return QVariant::fromValue(row.linked);
    case SpansRole: {
        QVariantList spans;
        for (const Span &span : row.spans) {
            spans.append(QVariantMap{{u"index"_s, span.index},
                                     {u"type"_s, span.type},
                                     {u"phase"_s, span.phase == 's' ? u"start"_s
                                                  : span.phase == 'e' ? u"stop"_s
                                                                      : u"inside"_s}});
        }
        return spans;
    }
    case JsonRole: {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(row.event.data, &error);
        if (error.error == QJsonParseError::NoError && !document.isNull())
            return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
        return QString::fromUtf8(row.event.data);
    }
    case ElapsedMsRole: return elapsedMs;
    case ProblemRole: return row.problem;
    case ToolInputRole: return row.toolInput;
    default: return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return u"ms"_s;
    case Upstream: return u"From the upstream (chunks)"_s;
    case Client: return u"To the client (Anthropic events)"_s;
    case Blocks: return u"Blocks"_s;
    default: return {};
    }
}

QString TimelineModel::summarizeChunk(const QByteArray &name, const QByteArray &data)
{
    if (data.trimmed() == "[DONE]")
        return u"[DONE]"_s;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(data, &error);
    if (!document.isObject())
        return (name == "data" ? QString() : QString::fromUtf8(name) + u": "_s) + clipped(data);
    const QJsonObject chunk = document.object();
    if (chunk.contains(u"error"_s)) {
        const QJsonValue e = chunk.value(u"error"_s);
        return u"error: "_s + (e.isObject() ? e.toObject().value(u"message"_s).toString() : e.toString());
    }
    QStringList parts;
    const QJsonArray choices = chunk.value(u"choices"_s).toArray();
    for (const QJsonValue &c : choices) {
        const QJsonObject choice = c.toObject();
        const QJsonObject delta = choice.value(name == "body" ? u"message"_s : u"delta"_s).toObject();
        if (delta.contains(u"role"_s) && delta.value(u"content"_s).toString().isEmpty() && !delta.contains(u"tool_calls"_s))
            parts.append(u"role "_s + delta.value(u"role"_s).toString());
        for (const QString &key : {u"reasoning_content"_s, u"reasoning"_s}) {
            if (!delta.value(key).toString().isEmpty())
                parts.append(u"reasoning "_s + quoted(delta.value(key).toString()));
        }
        if (!delta.value(u"content"_s).toString().isEmpty())
            parts.append(u"content "_s + quoted(delta.value(u"content"_s).toString()));
        const QJsonArray calls = delta.value(u"tool_calls"_s).toArray();
        for (const QJsonValue &v : calls) {
            const QJsonObject call = v.toObject();
            const QJsonObject function = call.value(u"function"_s).toObject();
            QString text = u"tool_calls[%1]"_s.arg(call.value(u"index"_s).toInt());
            if (function.contains(u"name"_s))
                text += u" "_s + function.value(u"name"_s).toString();
            if (!function.value(u"arguments"_s).toString().isEmpty())
                text += u" args "_s + quoted(function.value(u"arguments"_s).toString());
            parts.append(text);
        }
        if (!choice.value(u"finish_reason"_s).isNull() && choice.contains(u"finish_reason"_s))
            parts.append(u"finish "_s + choice.value(u"finish_reason"_s).toString());
    }
    const QJsonObject usage = chunk.value(u"usage"_s).toObject();
    if (!usage.isEmpty()) {
        parts.append(u"usage in %1 out %2"_s.arg(usage.value(u"prompt_tokens"_s).toInt())
                         .arg(usage.value(u"completion_tokens"_s).toInt()));
    }
    if (parts.isEmpty())
        parts.append(u"(empty delta)"_s);
    return parts.join(u" · "_s);
}

QString TimelineModel::summarizeClientEvent(const QByteArray &name, const QByteArray &data)
{
    const QJsonObject payload = parseObject(data);
    const QString index = u"#%1 "_s.arg(payload.value(u"index"_s).toInt());
    if (name == "message_start") {
        const QJsonObject message = payload.value(u"message"_s).toObject();
        return u"message_start %1 · %2"_s.arg(message.value(u"id"_s).toString(), message.value(u"model"_s).toString());
    }
    if (name == "content_block_start") {
        const QJsonObject block = payload.value(u"content_block"_s).toObject();
        const QString type = block.value(u"type"_s).toString();
        return index + u"start "_s + type
            + (type == u"tool_use"_s ? u" "_s + block.value(u"name"_s).toString() : QString());
    }
    if (name == "content_block_delta") {
        const QJsonObject delta = payload.value(u"delta"_s).toObject();
        const QString type = delta.value(u"type"_s).toString();
        if (type == u"text_delta"_s)
            return index + u"text "_s + quoted(delta.value(u"text"_s).toString());
        if (type == u"input_json_delta"_s)
            return index + u"json "_s + quoted(delta.value(u"partial_json"_s).toString());
        if (type == u"thinking_delta"_s)
            return index + u"thinking "_s + quoted(delta.value(u"thinking"_s).toString());
        if (type == u"signature_delta"_s)
            return index + u"signature"_s;
        return index + type;
    }
    if (name == "content_block_stop")
        return index + u"stop"_s;
    if (name == "message_delta") {
        const QJsonObject delta = payload.value(u"delta"_s).toObject();
        const QJsonObject usage = payload.value(u"usage"_s).toObject();
        return u"message_delta stop_reason %1 · out %2"_s.arg(delta.value(u"stop_reason"_s).toString())
            .arg(usage.value(u"output_tokens"_s).toInt());
    }
    if (name == "error") {
        const QJsonObject error = payload.value(u"error"_s).toObject();
        return u"error %1: %2"_s.arg(error.value(u"type"_s).toString(), error.value(u"message"_s).toString());
    }
    if (name == "message") {
        return u"message (JSON) · stop_reason %1 · %2 block(s)"_s.arg(payload.value(u"stop_reason"_s).toString())
            .arg(payload.value(u"content"_s).toArray().size());
    }
    return QString::fromUtf8(name);
}

} // namespace Proxy
