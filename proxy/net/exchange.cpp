#include "exchange.h"

#include "protocol/ids.h"
#include "protocol/responsemapper.h"
#include "protocol/upstreamerror.h"
#include "upstreamclient.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcExchange, "switchyard.exchange", QtInfoMsg)

namespace Proxy {

QByteArray ExchangeRequest::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

Exchange::Exchange(ExchangeRequest request, std::unique_ptr<ClientConnection> client, UpstreamClient *upstream,
                   UpstreamProfile profile, QByteArray upstreamKey, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_client(std::move(client))
    , m_upstream(upstream)
    , m_profile(std::move(profile))
    , m_upstreamKey(std::move(upstreamKey))
{
    m_clock.start();
    m_client->setParent(nullptr); // owned by the unique_ptr
    connect(m_client.get(), &ClientConnection::disconnected, this, &Exchange::onClientGone);
    for (QTimer *timer : {&m_connectTimer, &m_totalTimer})
        timer->setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this,
            [this] { onTimeout(u"connect"_s, m_profile.connectTimeoutMs); });
    connect(&m_totalTimer, &QTimer::timeout, this, [this] { onTimeout(u"total"_s, m_profile.totalTimeoutMs); });
}

Exchange::~Exchange()
{
    abortUpstream();
}

void Exchange::start()
{
    Result<QJsonObject> body = parseJsonObject(m_request.body);
    if (!body)
        return fail(body.error());
    const QString clientModel = body->value(u"model"_s).toString();
    m_upstreamModel = m_profile.modelMapper().map(clientModel);
    Result<MappedRequest> mapped = mapRequest(*body, m_profile.mappingOptions(m_upstreamModel));
    if (!mapped)
        return fail(mapped.error());
    if (mapped->stream || m_request.alwaysStream) {
        return fail(Error::invalidRequest(
            u"Streaming is not available in this version of Switchyard yet; send the request without "
            "\"stream\": true"_s));
    }
    m_mapped = std::move(*mapped);
    if (!m_upstream)
        return fail(Error::make(ErrorType::Api, 503, u"Switchyard is shutting down"_s));

    const QByteArray upstreamBody = QJsonDocument(m_mapped->body).toJson(QJsonDocument::Compact);
    m_reply = m_upstream->postChatCompletions(m_profile, m_upstreamKey, upstreamBody, false);
    connect(m_reply, &QNetworkReply::requestSent, &m_connectTimer, &QTimer::stop);
    connect(m_reply, &QNetworkReply::finished, this, &Exchange::onUpstreamFinished);
    m_connectTimer.start(m_profile.connectTimeoutMs);
    m_totalTimer.start(m_profile.totalTimeoutMs);
    qCDebug(lcExchange) << m_request.requestId << clientModel << "->" << m_upstreamModel;
}

void Exchange::onUpstreamFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_outcome != Outcome::Pending)
        return;
    reply->deleteLater();
    m_connectTimer.stop();
    m_totalTimer.stop();

    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QByteArray body = reply->readAll();
    if (!statusAttribute.isValid() || m_timeoutError)
        return fail(networkError(reply));

    const int status = statusAttribute.toInt();
    if (status < 200 || status >= 300) {
        return fail(errorFromUpstreamStatus(status, body, reply->rawHeader("Retry-After"),
                                            m_profile.displayName()));
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        return fail(Error::make(ErrorType::Api, 502,
                                u"Upstream %1 answered HTTP %2 with a body that is not a JSON object (%3)"_s.arg(
                                    m_profile.displayName(), QString::number(status),
                                    body.isEmpty() ? u"empty body"_s : parseError.errorString())));
    }
    ResponseContext context;
    context.clientModel = m_mapped->clientModel;
    context.messageId = makeId("msg_");
    context.stopSequences = m_mapped->stopSequences;
    context.toolNames = m_mapped->toolNames;
    const Result<QJsonObject> message = mapResponse(document.object(), context);
    if (!message)
        return fail(message.error());
    answer(200, QJsonDocument(*message).toJson(QJsonDocument::Compact));
    finish(Outcome::Completed);
}

Error Exchange::networkError(QNetworkReply *reply) const
{
    if (m_timeoutError)
        return *m_timeoutError;
    const QString upstream = m_profile.displayName();
    switch (reply->error()) {
    case QNetworkReply::TimeoutError:
        return Error::make(ErrorType::Api, 504, u"Upstream %1 timed out: %2"_s.arg(upstream, reply->errorString()));
    case QNetworkReply::SslHandshakeFailedError:
        return Error::make(ErrorType::Api, 502,
                           u"TLS handshake with upstream %1 failed: %2"_s.arg(upstream, reply->errorString()));
    default:
        return Error::make(ErrorType::Api, 502,
                           u"Upstream %1 is unreachable: %2"_s.arg(upstream, reply->errorString()));
    }
}

void Exchange::onTimeout(const QString &what, int afterMs)
{
    if (m_outcome != Outcome::Pending)
        return;
    const QString phase = what == u"connect"_s ? u"did not accept the request"_s : u"did not finish"_s;
    m_timeoutError = Error::make(ErrorType::Api, 504,
                                 u"Upstream %1 %2 within %3 s (%4 timeout)"_s.arg(
                                     m_profile.displayName(), phase, QString::number(afterMs / 1000.0), what));
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
    m_connectTimer.stop();
    m_totalTimer.stop();
    Q_EMIT finished();
}

} // namespace Proxy
