#include "exchangerecord.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Proxy {

double ExchangeRecord::tokensPerSecond() const
{
    if (outputTokens <= 0 || durationMs <= 0)
        return -1;
    const qint64 generatingMs = firstTokenMs >= 0 && durationMs > firstTokenMs ? durationMs - firstTokenMs : durationMs;
    return outputTokens * 1000.0 / double(qMax<qint64>(generatingMs, 1));
}

ExchangeRecord ExchangeRecord::fromStarted(const QByteArray &requestId, const QByteArray &json, qint64 timestampNs)
{
    ExchangeRecord r;
    r.requestId = requestId;
    r.startedNs = timestampNs;
    r.request = QJsonDocument::fromJson(json).object();
    r.startedAt = QDateTime::fromString(r.request.value(u"time"_s).toString(), Qt::ISODateWithMs);
    if (!r.startedAt.isValid())
        r.startedAt = QDateTime::currentDateTimeUtc();
    r.method = r.request.value(u"method"_s).toString();
    r.path = r.request.value(u"path"_s).toString();
    r.client = r.request.value(u"client"_s).toString();
    r.app = r.request.value(u"app"_s).toString();
    r.session = r.request.value(u"session"_s).toString();
    r.model = r.request.value(u"model"_s).toString();
    r.upstreamModel = r.request.value(u"upstream_model"_s).toString();
    r.upstream = r.request.value(u"upstream"_s).toString();
    r.stream = r.request.value(u"stream"_s).toBool();
    return r;
}

void ExchangeRecord::applyFinished(const QByteArray &json)
{
    response = QJsonDocument::fromJson(json).object();
    finished = true;
    outcome = response.value(u"outcome"_s).toString();
    status = response.value(u"status"_s).toInt();
    firstTokenMs = response.value(u"ttft_ms"_s).toInteger(-1);
    durationMs = response.value(u"duration_ms"_s).toInteger(-1);
    const QJsonObject usage = response.value(u"usage"_s).toObject();
    inputTokens = usage.contains(u"input_tokens"_s) ? usage.value(u"input_tokens"_s).toInt() : -1;
    outputTokens = usage.contains(u"output_tokens"_s) ? usage.value(u"output_tokens"_s).toInt() : -1;
    stopReason = response.value(u"stop_reason"_s).toString();
    const QJsonObject error = response.value(u"error"_s).toObject();
    errorType = error.value(u"type"_s).toString();
    errorMessage = error.value(u"message"_s).toString();
    violations = response.value(u"violations"_s).toInt();
}

} // namespace Proxy
