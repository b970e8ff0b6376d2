#include "proxyserver.h"

#include "clientconnection.h"
#include "exchange.h"
#include "localaccess.h"
#include "protocol/error.h"
#include "protocol/ids.h"
#include "protocol/localendpoints.h"
#include "requestlimiter.h"
#include "session/eventhub.h"
#include "upstreamclient.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServer, "switchyard.server", QtInfoMsg)

namespace Proxy {

namespace {

using Method = QHttpServerRequest::Method;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    default: return "Bad Request";
    }
}

// Sees every socket's bytes before QHttpServer reads them (its readyRead slot is connected first) and runs them
// through the connection's RequestLimiter: an oversized header block or body is answered here (413/431) and the
// connection closed, before QHttpServer buffers it. It also answers `Expect: 100-continue`, which QHttpServer
// 6.4 ignores (curl stalled a second on bodies over 1 MB).
class Listener final : public QTcpServer
{
public:
    Listener(const Limits &limits, QObject *parent)
        : QTcpServer(parent)
        , m_limits(limits)
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        // Events are small writes that must go out at once: Nagle's algorithm would hold them back.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        auto limiter = std::make_shared<RequestLimiter>(m_limits);
        connect(socket, &QTcpSocket::readyRead, socket, [socket, limiter] { inspect(socket, *limiter); });
        addPendingConnection(socket);
    }

private:
    static void inspect(QTcpSocket *socket, RequestLimiter &limiter)
    {
        if (limiter.hasRefused()) { // lingering close: drain what the client still sends, never keep it
            socket->readAll();
            return;
        }
        const qint64 available = socket->bytesAvailable();
        const qint64 skipped = qMin(available, limiter.skippable());
        limiter.skip(skipped);
        RequestLimiter::Step step;
        if (available > skipped) {
            const QByteArray fresh = socket->peek(available);
            step = limiter.feed(QByteArrayView(fresh).sliced(skipped));
        }
        if (step.refusal)
            return refuse(socket, *step.refusal);
        for (int i = 0; i < step.continues; ++i)
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }

    static void refuse(QTcpSocket *socket, const Error &error)
    {
        socket->readAll(); // QHttpServer never sees the rest of this request
        const QByteArray requestId = makeId("req_");
        const QByteArray body = anthropicErrorBody(error, requestId);
        qCWarning(lcServer) << "refused a request before reading it:" << error.message;
        socket->write("HTTP/1.1 " + QByteArray::number(error.httpStatus) + ' ' + reasonPhrase(error.httpStatus)
                      + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                      + "\r\nrequest-id: " + requestId + "\r\nConnection: close\r\n\r\n" + body);
        // Half-close once the answer is out, and drain for a moment: closing with unread bytes would reset the
        // connection and the client could lose the answer.
        connect(socket, &QTcpSocket::bytesWritten, socket, [socket] {
            if (socket->bytesToWrite() == 0 && socket->socketDescriptor() != -1)
                ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
        });
        QTimer::singleShot(lingerMs, socket, [socket] { socket->abort(); });
    }

    static constexpr int lingerMs = 2'000;
    Limits m_limits;
};

// ClientConnection over QHttpServerResponder (6.4 streaming notes: ../shared/notes/qhttpserver-6.4.md).
class ResponderConnection final : public ClientConnection
{
public:
    ResponderConnection(QHttpServerResponder &&responder, QTcpSocket *socket, bool isHead, QObject *parent)
        : ClientConnection(parent)
        , m_responder(std::move(responder))
        , m_socket(socket)
        , m_isHead(isHead)
    {
        connect(socket, &QTcpSocket::disconnected, this, &ResponderConnection::onGone);
        connect(socket, &QObject::destroyed, this, &ResponderConnection::onGone);
    }

    bool isOpen() const override { return m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }
    bool hasResponded() const override { return m_started; }
    qint64 bytesToWrite() const override { return m_socket ? m_socket->bytesToWrite() : 0; }
    void close() override
    {
        if (m_socket)
            m_socket->abort();
    }

    void respond(int status, const HeaderList &headers, const QByteArray &body) override
    {
        if (!begin())
            return;
        writeHead(status, headers);
        m_responder.writeHeader("Content-Length", QByteArray::number(body.size()));
        m_responder.writeBody(m_isHead ? QByteArray() : body);
    }

    void beginChunked(int status, const HeaderList &headers) override
    {
        if (!begin())
            return;
        writeHead(status, headers);
        m_responder.writeHeader("Transfer-Encoding", "chunked");
        m_responder.writeBody(QByteArray()); // ends the header block so the headers leave now
        m_chunked = true;
    }

    void writeChunk(const QByteArray &data) override
    {
        if (!m_chunked || data.isEmpty() || !isOpen())
            return;
        m_responder.writeBody(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
    }

    void endChunked() override
    {
        if (!m_chunked || !isOpen())
            return;
        m_chunked = false;
        m_responder.writeBody("0\r\n\r\n");
    }

private:
    bool begin()
    {
        if (m_started || !isOpen())
            return false;
        m_started = true;
        return true;
    }

    void writeHead(int status, const HeaderList &headers)
    {
        m_responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(status));
        for (const auto &[name, value] : headers)
            m_responder.writeHeader(name, value);
    }

    void onGone()
    {
        if (m_gone)
            return;
        m_gone = true;
        Q_EMIT disconnected();
    }

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    bool m_isHead = false;
    bool m_started = false;
    bool m_chunked = false;
    bool m_gone = false;
};

QByteArray methodName(Method method)
{
    switch (method) {
    case Method::Get: return "GET";
    case Method::Put: return "PUT";
    case Method::Delete: return "DELETE";
    case Method::Post: return "POST";
    case Method::Head: return "HEAD";
    case Method::Options: return "OPTIONS";
    case Method::Patch: return "PATCH";
    case Method::Connect: return "CONNECT";
    case Method::Trace: return "TRACE";
    default: return "UNKNOWN";
    }
}

struct Route
{
    enum Kind { Root, Messages, MessagesStream, CountTokens, Models, Model, None } kind = None;
    QString argument; // the model id of /v1/models/{id}
};

Route route(QString path)
{
    while (path.size() > 1 && path.endsWith(u'/'))
        path.chop(1);
    if (path == u"/"_s)
        return {Route::Root, {}};
    if (path == u"/v1/messages"_s)
        return {Route::Messages, {}};
    if (path == u"/v1/messages/stream"_s)
        return {Route::MessagesStream, {}};
    if (path == u"/v1/messages/count_tokens"_s)
        return {Route::CountTokens, {}};
    if (path == u"/v1/models"_s)
        return {Route::Models, {}};
    static const QString modelPrefix = u"/v1/models/"_s;
    if (path.startsWith(modelPrefix) && path.indexOf(u'/', modelPrefix.size()) < 0)
        return {Route::Model, path.mid(modelPrefix.size())};
    return {};
}

Method allowedMethod(Route::Kind kind)
{
    switch (kind) {
    case Route::Messages:
    case Route::MessagesStream:
    case Route::CountTokens: return Method::Post;
    default: return Method::Get; // HEAD is accepted wherever GET is
    }
}

Error jsonTooDeep(int limit)
{
    return Error::invalidRequest(u"The request JSON is nested more than %1 levels deep"_s.arg(limit));
}

HeaderList jsonHeaders(const QByteArray &requestId)
{
    return {{"Content-Type", "application/json"}, {"request-id", requestId}};
}

} // namespace

ProxyServer::ProxyServer(ProxyConfig config, UpstreamClient *upstream, EventHub *hub, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_config(std::move(config))
    , m_models(m_config.upstream.modelMapper())
    , m_upstream(upstream)
    , m_hub(hub)
{
}

ProxyServer::~ProxyServer() = default;

bool ProxyServer::listen(const QHostAddress &address, quint16 port)
{
    if (!address.isLoopback() && m_config.inboundToken.isEmpty()) {
        m_errorString = u"refusing to listen on the non-loopback address %1 without an inbound token "
                        "(set SWITCHYARD_TOKEN)"_s.arg(address.toString());
        return false;
    }
    auto *listener = new Listener(m_config.limits, this);
    // Qt's default backlog (50) drops connection bursts (Claude Code opens many at once); the kernel caps it anyway.
    listener->setListenBacklogSize(1024);
    if (!listener->listen(address, port)) {
        m_errorString = listener->errorString();
        delete listener;
        return false;
    }
    bind(listener);
    // Listening again (the user changed the address): the old listener stops accepting, its connections go on.
    if (m_listener)
        m_listener->close();
    m_listener = listener;
    if (!address.isLoopback()) {
        qCWarning(lcServer) << "listening on non-loopback address" << address.toString()
                            << "- every request must carry the inbound token";
    }
    return true;
}

quint16 ProxyServer::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

QUrl ProxyServer::url() const
{
    QUrl url;
    url.setScheme(u"http"_s);
    if (m_listener)
        url.setHost(m_listener->serverAddress().toString());
    url.setPort(port());
    return url;
}

void ProxyServer::setUpstream(const UpstreamProfile &profile, const QByteArray &key)
{
    m_config.upstream = profile;
    m_config.upstreamKey = key;
    m_models = profile.modelMapper();
}

bool ProxyServer::setInboundToken(const QByteArray &token)
{
    if (token.isEmpty() && m_listener && !m_listener->serverAddress().isLoopback())
        return false;
    m_config.inboundToken = token;
    return true;
}

void ProxyServer::stopListening()
{
    if (m_listener)
        m_listener->close();
}

qint64 ProxyServer::pendingClientBytes() const
{
    qint64 pending = 0;
    {
        const QList<QTcpSocket *> sockets = findChildren<QTcpSocket *>(); // under every listener, old ones too
        for (const QTcpSocket *socket : sockets)
            pending += socket->state() == QAbstractSocket::ConnectedState ? socket->bytesToWrite() : 0;
    }
    return pending;
}

int ProxyServer::clientSocketCount() const
{
    return int(findChildren<QTcpSocket *>().size()); // under every listener, old ones too
}

void ProxyServer::abortAll(const Error &error)
{
    const QList<Exchange *> exchanges = findChildren<Exchange *>(Qt::FindDirectChildrenOnly);
    for (Exchange *exchange : exchanges)
        exchange->abort(error);
}

bool ProxyServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QByteArray requestId = makeId("req_");
    const Route target = route(request.url().path());
    const Method method = request.method();
    const bool isHead = method == Method::Head;
    qCDebug(lcServer) << methodName(method) << request.url().path() << requestId;

    const auto answer = [&](int status, const QByteArray &body, HeaderList headers) {
        ResponderConnection connection(makeResponder(request, socket), socket, isHead, nullptr);
        headers.append(jsonHeaders(requestId));
        connection.respond(status, headers, body);
    };
    const auto answerJson = [&](const QJsonObject &json) {
        answer(200, QJsonDocument(json).toJson(QJsonDocument::Compact), {});
    };
    const auto answerError = [&](const Error &error, HeaderList headers = {}) {
        answer(error.httpStatus, anthropicErrorBody(error, requestId), std::move(headers));
    };

    const auto header = [&request](const QByteArray &name) {
        const auto headers = request.headers();
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return QByteArray();
    };
    const bool loopback = m_listener && m_listener->serverAddress().isLoopback();
    if (const auto refused = checkLocalAccess(header("host"), header("origin"), loopback, m_config.allowedHosts,
                                              m_config.allowedOrigins)) {
        qCWarning(lcServer) << "refused" << methodName(method) << request.url().path() << refused->message;
        answerError(*refused);
        return true;
    }
    // The root answers without the token (clients probe it with HEAD), but names the upstream only with it.
    const auto unauthenticated = checkInboundToken(header("x-api-key"), header("authorization"), m_config.inboundToken);
    if (unauthenticated && target.kind != Route::Root) {
        qCWarning(lcServer) << "refused" << methodName(method) << request.url().path() << unauthenticated->message;
        answerError(*unauthenticated, {{"WWW-Authenticate", "Bearer"}});
        return true;
    }

    if (target.kind == Route::None) {
        answerError(Error::make(ErrorType::NotFound, u"Not found: %1 %2"_s.arg(QString::fromLatin1(methodName(method)),
                                                                                request.url().path())));
        return true;
    }
    const Method allowed = allowedMethod(target.kind);
    if (method != allowed && !(allowed == Method::Get && isHead)) {
        const QByteArray allow = allowed == Method::Get ? "GET, HEAD" : "POST";
        answerError(Error::make(ErrorType::InvalidRequest, 405,
                                u"Method %1 is not allowed on %2; use %3"_s.arg(
                                    QString::fromLatin1(methodName(method)), request.url().path(),
                                    QString::fromLatin1(allow))),
                    {{"Allow", allow}});
        return true;
    }

    switch (target.kind) {
    case Route::Root: {
        QJsonObject root{{u"name"_s, u"Switchyard"_s}, {u"version"_s, QStringLiteral(SWITCHYARD_VERSION)}};
        if (!unauthenticated)
            root.insert(u"upstream"_s, m_config.upstream.displayName());
        answerJson(root);
        break;
    }
    case Route::Models: answerJson(modelListResponse(m_models)); break;
    case Route::Model: answerJson(modelInfo(target.argument, m_models)); break;
    case Route::CountTokens: {
        if (RequestLimiter::jsonDepth(request.body(), m_config.limits.maxJsonDepth) > m_config.limits.maxJsonDepth) {
            answerError(jsonTooDeep(m_config.limits.maxJsonDepth));
            break;
        }
        const Result<QJsonObject> counted = countTokensResponse(request.body());
        counted ? answerJson(*counted) : answerError(counted.error());
        break;
    }
    case Route::Messages:
    case Route::MessagesStream:
        if (m_paused) { // the user paused the proxy from the window or the tray
            answerError(Error::make(ErrorType::Api, 503, u"Switchyard is paused; resume it from its window or tray menu"_s));
            break;
        }
        startExchange(request, socket, requestId, target.kind == Route::MessagesStream);
        break;
    case Route::None: break;
    }
    return true;
}

void ProxyServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // handleRequest answers everything; kept for completeness of the interface.
    ResponderConnection connection(makeResponder(request, socket), socket, false, nullptr);
    const QByteArray requestId = makeId("req_");
    connection.respond(404, jsonHeaders(requestId),
                       anthropicErrorBody(Error::make(ErrorType::NotFound, u"Not found"_s), requestId));
}

void ProxyServer::startExchange(const QHttpServerRequest &request, QTcpSocket *socket, const QByteArray &requestId,
                                bool alwaysStream)
{
    ExchangeRequest copy; // the request object is reused by the connection: copy what outlives this call
    copy.requestId = requestId;
    copy.method = methodName(request.method());
    copy.path = request.url().toString(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::FullyEncoded).toLatin1();
    copy.body = request.body();
    const auto headers = request.headers();
    for (const auto &[name, value] : headers)
        copy.headers.append({name.toLower(), value});
    copy.alwaysStream = alwaysStream;

    auto *connection = new ResponderConnection(makeResponder(request, socket), socket, false, nullptr);
    if (m_activeExchanges >= m_config.limits.maxConcurrentExchanges) {
        const QByteArray body = anthropicErrorBody(
            Error::make(ErrorType::Overloaded, u"Switchyard is handling %1 requests already (its limit); retry "
                                               "shortly"_s.arg(m_activeExchanges)),
            requestId);
        connection->respond(529, jsonHeaders(requestId), body);
        delete connection;
        return;
    }
    ExchangeContext context;
    context.upstream = m_upstream;
    context.hub = m_hub;
    context.redactor.addSecret(m_config.upstreamKey);
    context.profile = m_config.upstream;
    context.models = m_models;
    context.upstreamKey = m_config.upstreamKey;
    context.pingIntervalMs = m_config.pingIntervalMs;
    context.fallbacks = m_config.fallbacks;
    for (const UpstreamTarget &fallback : std::as_const(m_config.fallbacks))
        context.redactor.addSecret(fallback.key);
    context.redactor.addSecret(m_config.inboundToken);
    context.retry = m_config.retry;
    context.limits = m_config.limits;
    auto *exchange = new Exchange(std::move(copy), std::unique_ptr<ClientConnection>(connection),
                                  std::move(context), this);
    ++m_activeExchanges;
    connect(exchange, &Exchange::finished, this, [this, exchange] {
        --m_activeExchanges;
        Q_EMIT exchangeFinished(exchange);
        exchange->deleteLater();
        if (m_activeExchanges == 0)
            Q_EMIT drained();
    });
    Q_EMIT exchangeStarted(exchange);
    exchange->start();
}

} // namespace Proxy
