#include "exchange.h"

#include "protocol/ids.h"
#include "protocol/responsemapper.h"
#include "protocol/tokenestimator.h"
#include "protocol/upstreamerror.h"
#include "requestlimiter.h"
#include "session/eventhub.h"
#include "upstreamclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcExchange, "switchyard.exchange", QtInfoMsg)

namespace Proxy {

namespace {

QByteArray compact(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

int s_liveExchanges = 0;

} // namespace

int Exchange::liveCount()
{
    return s_liveExchanges;
}

QByteArray ExchangeRequest::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

Exchange::Exchange(ExchangeRequest request, std::unique_ptr<ClientConnection> client, ExchangeContext context,
                   QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_client(std::move(client))
    , m_context(std::move(context))
    , m_parser(m_context.limits.maxSseLineBytes)
{
    ++s_liveExchanges;
    m_targets.append({m_context.profile, m_context.upstreamKey});
    m_targets += m_context.fallbacks;
    m_clock.start();
    m_client->setParent(nullptr); // owned by the unique_ptr
    connect(m_client.get(), &ClientConnection::disconnected, this, &Exchange::onClientGone);
    for (QTimer *timer : {&m_connectTimer, &m_firstByteTimer, &m_backoffTimer, &m_totalTimer, &m_idleTimer})
        timer->setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] { onTimeout(u"connect"_s, profile().connectTimeoutMs); });
    connect(&m_firstByteTimer, &QTimer::timeout, this,
            [this] { onTimeout(u"first-byte"_s, profile().firstByteTimeoutMs); });
    connect(&m_totalTimer, &QTimer::timeout, this, [this] { onTimeout(u"total"_s, m_totalTimer.interval()); });
    connect(&m_idleTimer, &QTimer::timeout, this, [this] { onTimeout(u"idle"_s, profile().idleTimeoutMs); });
    connect(&m_backoffTimer, &QTimer::timeout, this, &Exchange::sendUpstream);
    connect(&m_pingTimer, &QTimer::timeout, this, &Exchange::onPing);
}

Exchange::~Exchange()
{
    abortUpstream();
    --s_liveExchanges;
}

void Exchange::start()
{
    const int maxDepth = m_context.limits.maxJsonDepth;
    Result<QJsonObject> body = RequestLimiter::jsonDepth(m_request.body, maxDepth) > maxDepth
        ? Result<QJsonObject>(tl::unexpected(Error::invalidRequest(
              u"The request JSON is nested more than %1 levels deep"_s.arg(maxDepth))))
        : parseJsonObject(m_request.body);
    if (body) {
        m_clientModel = body->value(u"model"_s).toString();
        if (m_request.alwaysStream)
            body->insert(u"stream"_s, true);
        m_body = *body;
    }
    Result<MappedRequest> mapped = body ? mapFor(0) : Result<MappedRequest>(tl::unexpected(body.error()));
    if (mapped) {
        m_mapped = std::move(*mapped);
        m_streaming = m_mapped->stream;
    }
    publish(ObservedEvent::Kind::ExchangeStarted, "request", compact(requestRecord()));
    if (m_context.hub && m_context.hub->recordsBodies()) {
        const qsizetype limit = EventHub::maxRecordedBodyBytes;
        publish(ObservedEvent::Kind::RequestBody, m_request.body.size() > limit ? "body-truncated" : "body",
                m_context.redactor.body(m_request.body.left(limit)));
    }
    if (!mapped)
        return fail(mapped.error());
    if (!m_context.upstream)
        return fail(Error::make(ErrorType::Api, 503, u"Switchyard is shutting down"_s));

    if (m_streaming) {
        StreamTranslator::Options options;
        options.clientModel = m_mapped->clientModel;
        options.messageId = makeId("msg_");
        options.estimatedInputTokens = estimateInputTokens(*body);
        options.stopSequences = m_mapped->stopSequences;
        options.toolNames = m_mapped->toolNames;
        m_translator.emplace(std::move(options));
    }
    m_totalTimer.start(m_streaming ? profile().streamTimeoutMs : profile().totalTimeoutMs);
    sendUpstream();
}

Result<MappedRequest> Exchange::mapFor(qsizetype targetIndex)
{
    const UpstreamProfile &target = m_targets[targetIndex].profile;
    m_upstreamModel = targetIndex == 0 ? m_context.models.map(m_clientModel) : target.modelMapper().map(m_clientModel);
    return mapRequest(m_body, target.mappingOptions(m_upstreamModel));
}

void Exchange::abort(const Error &error)
{
    if (m_outcome != Outcome::Pending)
        return;
    abortUpstream();
    fail(error);
}

void Exchange::sendUpstream()
{
    if (m_outcome != Outcome::Pending || m_reply)
        return;
    if (!m_context.upstream)
        return fail(Error::make(ErrorType::Api, 503, u"Switchyard is shutting down"_s));
    m_timeoutError.reset();
    m_timeoutKind.clear();
    m_attemptClock.start();
    const UpstreamTarget &target = m_targets[m_targetIndex];
    m_reply = m_context.upstream->postChatCompletions(target.profile, target.key, compact(m_mapped->body), m_streaming);
    connect(m_reply, &QNetworkReply::requestSent, this, [this] {
        m_connectTimer.stop();
        m_firstByteTimer.start(profile().firstByteTimeoutMs);
    });
    connect(m_reply, &QNetworkReply::finished, this, &Exchange::onUpstreamFinished);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &Exchange::onUpstreamHeaders);
    connect(m_reply, &QNetworkReply::readyRead, this, &Exchange::onUpstreamData);
    m_connectTimer.start(target.profile.connectTimeoutMs);
    qCDebug(lcExchange) << m_request.requestId << m_clientModel << "->" << m_upstreamModel << "attempt"
                        << m_attempts.size() + 1;
}

void Exchange::recordAttempt(int httpStatus, const QString &error)
{
    Attempt attempt;
    attempt.upstream = profile().displayName();
    attempt.model = m_upstreamModel;
    attempt.httpStatus = httpStatus;
    attempt.error = m_context.redactor.text(error);
    attempt.durationMs = m_attemptClock.isValid() ? m_attemptClock.elapsed() : 0;
    attempt.startMs = m_clock.elapsed() - attempt.durationMs;
    m_attempts.append(attempt);
}

// Before the client has seen anything: retry the same upstream with backoff (honouring its Retry-After, capped),
// then move on to the next upstream of the fallback chain; otherwise the client gets this attempt's error.
void Exchange::afterFailedAttempt(const Error &error, int httpStatus, bool retryable, const QByteArray &retryAfter)
{
    recordAttempt(httpStatus, error.message);
    if (!retryable || m_outcome != Outcome::Pending || m_streamStarted)
        return fail(error);
    const RetryPolicy &policy = m_context.retry;
    if (m_retries < policy.maxRetries) {
        qint64 delay = policy.initialBackoffMs;
        for (int i = 0; i < m_retries && delay < policy.maxBackoffMs; ++i)
            delay *= 2;
        bool ok = false;
        const qint64 seconds = retryAfter.trimmed().toLongLong(&ok);
        if (ok && seconds > 0)
            delay = qMax(delay, seconds * 1000);
        ++m_retries;
        qCDebug(lcExchange) << m_request.requestId << "retrying in" << std::min<qint64>(delay, policy.maxBackoffMs) << "ms";
        m_backoffTimer.start(int(std::clamp<qint64>(delay, 0, policy.maxBackoffMs)));
        return;
    }
    if (m_targetIndex + 1 < m_targets.size()) {
        ++m_targetIndex;
        m_retries = 0;
        Result<MappedRequest> mapped = mapFor(m_targetIndex);
        if (!mapped)
            return fail(mapped.error());
        m_mapped = std::move(*mapped);
        qCDebug(lcExchange) << m_request.requestId << "falling back to" << profile().displayName();
        return sendUpstream();
    }
    fail(error);
}

void Exchange::stopForUpstreamLimit()
{
    const Error error = Error::make(
        ErrorType::Api, 502,
        u"Upstream %1 sent more than %2 bytes for one response (Switchyard's limit); the response was stopped"_s.arg(
            profile().displayName(), QString::number(m_context.limits.maxUpstreamBytes)));
    if (m_streamStarted) {
        sendEvents(m_translator->fail(error));
        return endStream();
    }
    abortUpstream();
    recordAttempt(0, error.message);
    fail(error);
}

// A client that stopped reading would make its unsent events pile up without bound: past the backlog limit the
// connection is dropped (nothing could reach that client anyway).
void Exchange::cutSlowClient()
{
    m_error = Error::make(ErrorType::Api,
                          u"The client read too slowly: more than %1 bytes waited to be sent; the connection was "
                          "closed"_s.arg(m_context.limits.maxClientBacklogBytes));
    qCWarning(lcExchange) << m_request.requestId << m_error->message;
    abortUpstream();
    finish(Outcome::Cancelled);
    m_client->close();
}

// Streaming: the status line arrived. Only a 2xx event stream starts the client's 200 stream; an error status
// waits for its body so the client gets a real HTTP error.
void Exchange::onUpstreamHeaders()
{
    if (m_streamStarted || !m_reply || m_outcome != Outcome::Pending)
        return;
    m_connectTimer.stop();
    m_firstByteTimer.stop();
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid() || !isSuccess(status.toInt()))
        return;
    // Switchyard asks for identity; a compressed body would reach the parsers as binary noise.
    const QByteArray encoding = m_reply->rawHeader("Content-Encoding").trimmed().toLower();
    if (!encoding.isEmpty() && encoding != "identity") {
        const Error error = Error::make(
            ErrorType::Api, 502,
            u"Upstream %1 sent a response with Content-Encoding \"%2\" although Switchyard asked for identity"_s.arg(
                profile().displayName(), QString::fromLatin1(encoding.left(40))));
        abortUpstream();
        recordAttempt(status.toInt(), error.message);
        return fail(error);
    }
    if (!m_streaming)
        return;
    const QByteArray contentType = m_reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
    if (contentType.contains("application/json"))
        return; // an upstream that ignored stream:true; converted when its body is complete
    beginStream();
}

void Exchange::beginStream()
{
    m_streamStarted = true;
    m_httpStatus = 200;
    m_client->beginChunked(200, {{"Content-Type", "text/event-stream; charset=utf-8"},
                                 {"Cache-Control", "no-cache"},
                                 {"X-Accel-Buffering", "no"},
                                 {"request-id", m_request.requestId}});
    sendEvents(m_translator->start());
    m_idleTimer.start(profile().idleTimeoutMs);
    m_pingTimer.start(m_context.pingIntervalMs);
    if (m_attempts.isEmpty() || !m_attempts.last().error.isEmpty())
        recordAttempt(200, {});
}

void Exchange::onUpstreamData()
{
    if (!m_reply || m_outcome != Outcome::Pending)
        return;
    if (!m_streamStarted) { // error bodies and JSON bodies are read whole when the reply finishes: bounded
        if (m_upstreamBytes + m_reply->bytesAvailable() > m_context.limits.maxUpstreamBytes)
            stopForUpstreamLimit();
        return;
    }
    const QByteArray bytes = m_reply->readAll();
    if (bytes.isEmpty())
        return;
    m_idleTimer.start(profile().idleTimeoutMs);
    translateUpstreamBytes(bytes);
}

void Exchange::translateUpstreamBytes(const QByteArray &bytes)
{
    m_upstreamBytes += bytes.size();
    if (m_upstreamBytes > m_context.limits.maxUpstreamBytes)
        return stopForUpstreamLimit();
    QList<SseEvent> events;
    const bool ok = m_parser.feed(bytes, events);
    QList<StreamEvent> out;
    QList<quint64> causes;
    for (const SseEvent &event : std::as_const(events)) {
        const quint64 chunk = publish(ObservedEvent::Kind::UpstreamChunk,
                                      event.event.isEmpty() ? QByteArray("data") : event.event, event.data);
        out += m_translator->feed(event.data);
        causes.insert(causes.size(), out.size() - causes.size(), chunk);
        if (m_translator->isDone())
            break;
    }
    if (!ok && !m_translator->isDone()) {
        out += m_translator->fail(Error::make(
            ErrorType::Api, u"Upstream %1 sent a line longer than %2 bytes; the stream was stopped"_s.arg(
                                profile().displayName(), QString::number(m_context.limits.maxSseLineBytes))));
    }
    sendEvents(out, causes);
    if (m_translator->isDone())
        endStream();
}

void Exchange::sendEvents(const QList<StreamEvent> &events, const QList<quint64> &causes)
{
    if (events.isEmpty())
        return;
    QByteArray wire;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const StreamEvent &event = events[i];
        const QByteArray &json = event.payload.json(); // written by the translator, no re-serialising
        wire += "event: " + event.type + "\ndata: " + json + "\n\n";
        ++m_eventCounts[event.type];
        if (event.type == "error" && !m_error) {
            const QJsonObject error = event.payload.value(u"error"_s).toObject();
            m_error = Error::make(errorTypeFromName(error.value(u"type"_s).toString()),
                                  error.value(u"message"_s).toString());
        }
        if (m_firstTokenMs < 0 && event.type == "content_block_delta")
            m_firstTokenMs = m_clock.elapsed();
        publish(ObservedEvent::Kind::ClientEvent, event.type, json, i < causes.size() ? causes[i] : 0);
        const auto violations = m_validator.feed(event.type, event.payload);
        for (const ProtocolValidator::Violation &violation : violations) {
            qCWarning(lcExchange) << m_request.requestId << "protocol violation:" << violation.message;
            publish(ObservedEvent::Kind::Violation, "violation", violation.message.toUtf8());
        }
    }
    m_client->writeChunk(wire);
    if (m_client->bytesToWrite() > m_context.limits.maxClientBacklogBytes && m_outcome == Outcome::Pending)
        return cutSlowClient();
    // Pings measure the client's silence, not the upstream's: keep-alive comments or held-back tool fragments
    // from the upstream reach the client as nothing, and its idle watchdog must still see traffic.
    if (m_streamStarted)
        m_pingTimer.start(m_context.pingIntervalMs);
}

void Exchange::endStream()
{
    m_pingTimer.stop();
    m_idleTimer.stop();
    m_stopReason = m_translator->stopReason();
    m_usage = m_translator->usage();
    m_client->endChunked();
    abortUpstream(); // after [DONE] or an error chunk nothing more is wanted from it
    if (m_translator->hasFailed()) {
        finish(Outcome::Failed);
    } else {
        finish(Outcome::Completed);
    }
}

void Exchange::onPing()
{
    if (m_streamStarted && m_outcome == Outcome::Pending)
        sendEvents({pingEvent()});
}

void Exchange::onUpstreamFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_outcome != Outcome::Pending)
        return;
    m_connectTimer.stop();
    m_firstByteTimer.stop();

    if (m_streamStarted) {
        const QByteArray rest = reply->isOpen() ? reply->readAll() : QByteArray(); // closed when aborted
        if (!rest.isEmpty())
            translateUpstreamBytes(rest);
        if (m_outcome != Outcome::Pending)
            return;
        QList<StreamEvent> out;
        QList<quint64> causes;
        if (reply->error() != QNetworkReply::NoError || m_timeoutError) {
            out = m_translator->fail(networkError(reply));
        } else {
            QList<SseEvent> events;
            m_parser.finish(events);
            for (const SseEvent &event : std::as_const(events)) {
                const quint64 chunk = publish(ObservedEvent::Kind::UpstreamChunk, "data", event.data);
                out += m_translator->feed(event.data);
                causes.insert(causes.size(), out.size() - causes.size(), chunk);
            }
            out += m_translator->finish();
        }
        sendEvents(out, causes);
        return endStream();
    }

    m_reply = nullptr;
    reply->deleteLater();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (m_timeoutError) // a stalled connect is a connection failure; a stalled answer is not retried
        return afterFailedAttempt(*m_timeoutError, 0, m_timeoutKind == u"connect"_s, {});
    if (!status.isValid()) {
        // A kept-alive upstream connection the server closed just as the request went out: nothing was answered,
        // and every HTTP client retries that once on a fresh connection. Other failures follow the retry policy.
        if (reply->error() == QNetworkReply::RemoteHostClosedError && !m_retriedClosedConnection) {
            m_retriedClosedConnection = true;
            recordAttempt(0, networkError(reply).message);
            return sendUpstream();
        }
        return afterFailedAttempt(networkError(reply), 0, true, {});
    }
    const QByteArray body = reply->readAll();
    m_upstreamBytes += body.size();
    publish(ObservedEvent::Kind::UpstreamChunk, "body", body);
    if (!isSuccess(status.toInt())) {
        const int code = status.toInt();
        const QByteArray retryAfter = reply->rawHeader("Retry-After");
        return afterFailedAttempt(errorFromUpstreamStatus(code, body, retryAfter, profile().displayName()), code,
                                  code == 429 || code >= 500, retryAfter);
    }
    recordAttempt(status.toInt(), {});
    finishNonStreaming(status.toInt(), body);
}

void Exchange::finishNonStreaming(int status, const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        return fail(Error::make(ErrorType::Api, 502,
                                u"Upstream %1 answered HTTP %2 with a body that is not a JSON object (%3)"_s.arg(
                                    profile().displayName(), QString::number(status),
                                    body.isEmpty() ? u"empty body"_s : parseError.errorString())));
    }
    if (m_streaming)
        return convertJsonToStream(document.object());

    ResponseContext context;
    context.clientModel = m_mapped->clientModel;
    context.messageId = makeId("msg_");
    context.stopSequences = m_mapped->stopSequences;
    context.toolNames = m_mapped->toolNames;
    const Result<QJsonObject> message = mapResponse(document.object(), context);
    if (!message)
        return fail(message.error());
    m_stopReason = message->value(u"stop_reason"_s).toString();
    m_usage = message->value(u"usage"_s).toObject();
    const QByteArray json = compact(*message);
    publish(ObservedEvent::Kind::ClientEvent, "message", json);
    answer(200, json);
    finish(Outcome::Completed);
}

// The client asked for a stream but the upstream answered one JSON completion: replay it as a single chunk
// through the same translator, so the client still gets a well-formed event stream.
void Exchange::convertJsonToStream(const QJsonObject &completion)
{
    const QJsonObject choice = completion.value(u"choices"_s).toArray().first().toObject();
    QJsonObject delta = choice.value(u"message"_s).toObject();
    QJsonArray calls = delta.value(u"tool_calls"_s).toArray();
    for (qsizetype i = 0; i < calls.size(); ++i) {
        QJsonObject call = calls[i].toObject();
        call.insert(u"index"_s, int(i));
        calls[i] = call;
    }
    if (!calls.isEmpty())
        delta.insert(u"tool_calls"_s, calls);
    QJsonObject chunk = completion;
    chunk.insert(u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0}, {u"delta"_s, delta},
                                                      {u"finish_reason"_s, choice.value(u"finish_reason"_s)}}});
    m_totalTimer.stop();
    beginStream();
    const QByteArray data = compact(chunk);
    const quint64 converted = publish(ObservedEvent::Kind::UpstreamChunk, "converted", data);
    QList<StreamEvent> out = m_translator->feed(data);
    out += m_translator->feed("[DONE]");
    sendEvents(out, QList<quint64>(out.size(), converted));
    endStream();
}

Error Exchange::networkError(QNetworkReply *reply) const
{
    if (m_timeoutError)
        return *m_timeoutError;
    const QString upstream = profile().displayName();
    switch (reply->error()) {
    case QNetworkReply::TimeoutError:
        return Error::make(ErrorType::Api, 504, u"Upstream %1 timed out: %2"_s.arg(upstream, reply->errorString()));
    case QNetworkReply::SslHandshakeFailedError:
        return Error::make(ErrorType::Api, 502,
                           u"TLS handshake with upstream %1 failed: %2"_s.arg(upstream, reply->errorString()));
    case QNetworkReply::RemoteHostClosedError:
        if (m_streamStarted)
            return Error::make(ErrorType::Api, 502,
                               u"Upstream %1 closed the connection mid-stream"_s.arg(upstream));
        [[fallthrough]];
    default:
        if (m_streamStarted)
            return Error::make(ErrorType::Api, 502,
                               u"Connection to upstream %1 failed mid-stream: %2"_s.arg(upstream, reply->errorString()));
        return Error::make(ErrorType::Api, 502,
                           u"Upstream %1 is unreachable: %2"_s.arg(upstream, reply->errorString()));
    }
}

void Exchange::onTimeout(const QString &which, int afterMs)
{
    if (m_outcome != Outcome::Pending)
        return;
    QString what;
    if (which == u"connect"_s)
        what = u"did not accept the request within %1 s (connect timeout)"_s;
    else if (which == u"first-byte"_s)
        what = u"did not start answering within %1 s (first-byte timeout)"_s;
    else if (which == u"idle"_s)
        what = u"sent nothing for %1 s (idle timeout)"_s;
    else
        what = m_streaming && !m_streamStarted ? u"did not start answering within %1 s (total timeout)"_s
                                               : u"did not finish within %1 s (total timeout)"_s;
    m_timeoutKind = which;
    m_timeoutError = Error::make(ErrorType::Api, 504, u"Upstream %1 "_s.arg(profile().displayName())
                                                          + what.arg(QString::number(afterMs / 1000.0)));
    if (m_reply)
        m_reply->abort(); // finishes the reply at once -> onUpstreamFinished
    else
        fail(*m_timeoutError);
}

void Exchange::onClientGone()
{
    if (m_outcome != Outcome::Pending)
        return;
    qCDebug(lcExchange) << m_request.requestId << "client went away";
    abortUpstream();
    finish(Outcome::Cancelled);
}

void Exchange::abortUpstream()
{
    if (QNetworkReply *reply = m_reply) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void Exchange::answer(int status, const QByteArray &body, HeaderList headers)
{
    m_httpStatus = status;
    headers.prepend({"request-id", m_request.requestId});
    headers.prepend({"Content-Type", "application/json"});
    m_client->respond(status, headers, body);
}

void Exchange::fail(const Error &error)
{
    if (m_outcome != Outcome::Pending)
        return;
    m_error = error;
    if (m_streamStarted) { // the 200 is out: the error travels as an event
        sendEvents(m_translator->fail(error));
        return endStream();
    }
    HeaderList headers;
    if (!error.retryAfter.isEmpty())
        headers.append({"retry-after", error.retryAfter});
    answer(error.httpStatus, anthropicErrorBody(error, m_request.requestId), headers);
    finish(Outcome::Failed);
}

void Exchange::finish(Outcome outcome)
{
    if (m_outcome != Outcome::Pending)
        return;
    m_outcome = outcome;
    for (QTimer *timer : {&m_connectTimer, &m_firstByteTimer, &m_backoffTimer, &m_totalTimer, &m_idleTimer, &m_pingTimer})
        timer->stop();
    if (m_streamStarted && outcome != Outcome::Cancelled) {
        const auto violations = m_validator.finish();
        for (const ProtocolValidator::Violation &violation : violations)
            publish(ObservedEvent::Kind::Violation, "violation", violation.message.toUtf8());
    }
    publish(ObservedEvent::Kind::ExchangeFinished, "response", compact(responseRecord()));
    Q_EMIT finished();
}

quint64 Exchange::publish(ObservedEvent::Kind kind, const QByteArray &name, const QByteArray &data, quint64 cause)
{
    return m_context.hub ? m_context.hub->publish(m_request.requestId, kind, name, m_context.redactor.text(data), cause)
                         : 0;
}

QJsonObject Exchange::requestRecord() const
{
    QJsonObject headers;
    const auto redacted = m_context.redactor.headers(m_request.headers);
    for (const auto &[name, value] : redacted)
        headers.insert(QString::fromLatin1(name), QString::fromUtf8(value));
    QJsonObject record{
        {u"kind"_s, u"request"_s},
        {u"request_id"_s, QString::fromLatin1(m_request.requestId)},
        {u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {u"method"_s, QString::fromLatin1(m_request.method)},
        {u"path"_s, m_context.redactor.url(QString::fromUtf8(m_request.path))},
        {u"client"_s, QString::fromUtf8(m_request.header("user-agent"))},
        {u"app"_s, QString::fromUtf8(m_request.header("x-app"))},
        {u"session"_s, QString::fromUtf8(m_request.header("x-claude-code-session-id"))},
        {u"model"_s, m_clientModel},
        {u"upstream_model"_s, m_upstreamModel},
        {u"upstream"_s, profile().displayName()},
        {u"stream"_s, m_streaming},
        {u"headers"_s, headers},
    };
    if (m_mapped) {
        record.insert(u"messages"_s, m_mapped->messageCount);
        record.insert(u"tools"_s, m_mapped->toolCount);
        record.insert(u"max_tokens"_s, m_mapped->maxTokens);
    }
    return record;
}

QJsonObject Exchange::responseRecord() const
{
    static const char *const outcomes[] = {"pending", "completed", "failed", "cancelled"};
    QJsonObject counts;
    for (auto it = m_eventCounts.cbegin(); it != m_eventCounts.cend(); ++it)
        counts.insert(QString::fromLatin1(it.key()), it.value());
    QJsonObject record{
        {u"kind"_s, u"response"_s},
        {u"request_id"_s, QString::fromLatin1(m_request.requestId)},
        {u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {u"status"_s, m_httpStatus},
        {u"outcome"_s, QString::fromLatin1(outcomes[int(m_outcome)])},
        {u"stream"_s, m_streaming},
        {u"duration_ms"_s, m_clock.elapsed()},
        {u"upstream_bytes"_s, m_upstreamBytes},
    };
    if (m_firstTokenMs >= 0)
        record.insert(u"ttft_ms"_s, m_firstTokenMs);
    if (!m_stopReason.isEmpty())
        record.insert(u"stop_reason"_s, m_stopReason);
    if (!m_usage.isEmpty())
        record.insert(u"usage"_s, m_usage);
    if (!counts.isEmpty())
        record.insert(u"events"_s, counts);
    if (m_error)
        record.insert(u"error"_s, QJsonObject{{u"type"_s, errorTypeName(m_error->type)},
                                             {u"message"_s, m_context.redactor.text(m_error->message)}});
    if (!m_validator.violations().isEmpty())
        record.insert(u"violations"_s, int(m_validator.violations().size()));
    QJsonArray attempts;
    for (const Attempt &attempt : m_attempts) {
        QJsonObject a{{u"upstream"_s, attempt.upstream}, {u"model"_s, attempt.model},
                      {u"start_ms"_s, attempt.startMs}, {u"duration_ms"_s, attempt.durationMs}};
        if (attempt.httpStatus)
            a.insert(u"status"_s, attempt.httpStatus);
        if (!attempt.error.isEmpty())
            a.insert(u"error"_s, attempt.error);
        attempts.append(a);
    }
    if (!attempts.isEmpty())
        record.insert(u"attempts"_s, attempts);
    return record;
}

} // namespace Proxy
