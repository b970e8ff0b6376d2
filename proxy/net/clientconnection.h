#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>

namespace Proxy {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// The client side of one HTTP request, as an exchange sees it. ProxyServer implements it over QHttpServer's
// responder, so nothing else depends on QHttpServer. Writes after the client left are ignored (in Qt 6.4,
// writing to a closed socket crashes the process); `disconnected` is emitted once when the client goes away.
class ClientConnection : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientConnection)

public:
    using QObject::QObject;
    ~ClientConnection() override = default;

    [[nodiscard]] virtual bool isOpen() const = 0;
    [[nodiscard]] virtual bool hasResponded() const = 0;

    // A complete response with Content-Length.
    virtual void respond(int status, const HeaderList &headers, const QByteArray &body) = 0;

    // A chunked response written piece by piece (server-sent events).
    virtual void beginChunked(int status, const HeaderList &headers) = 0;
    virtual void writeChunk(const QByteArray &data) = 0; // empty data is ignored (it would end the body)
    virtual void endChunked() = 0;
    [[nodiscard]] virtual qint64 bytesToWrite() const = 0;
    // Drops the connection at once (a client that stopped reading); `disconnected` follows.
    virtual void close() = 0;

Q_SIGNALS:
    void disconnected();
};

} // namespace Proxy
