#pragma once

// A scripted OpenAI-compatible upstream for integration tests: listens on 127.0.0.1:0, records every request,
// and answers from a queue of scripted replies (status, headers, body, optional delay). Streaming replies are a
// list of (delay, bytes) pieces written with chunked framing.

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QQueue>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

struct FakeReply
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int delayMs = 0;
    QList<QPair<int, QByteArray>> chunks; // non-empty: a chunked (SSE) reply, each piece after its delay
    bool neverAnswer = false;
    bool resetAtEnd = false; // after the chunks, drop the connection instead of ending the body
    bool resetAtOnce = false; // drop the connection as soon as the request arrived (no status line)
};

struct RecordedRequest
{
    QByteArray path;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    [[nodiscard]] QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class FakeUpstream final : public QAbstractHttpServer
{
public:
    FakeUpstream()
    {
        auto *listener = new QTcpServer(this);
        if (listener->listen(QHostAddress::LocalHost, 0)) {
            bind(listener);
            m_port = listener->serverPort();
        }
    }

    [[nodiscard]] QUrl baseUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(m_port)); }
    void enqueue(const FakeReply &reply) { m_script.enqueue(reply); }
    // An SSE reply: each data payload as `data: …\n\n`, `gapMs` apart.
    static FakeReply sse(const QList<QByteArray> &payloads, int gapMs = 0)
    {
        FakeReply reply;
        reply.headers = {{"Content-Type", "text/event-stream"}};
        for (const QByteArray &payload : payloads)
            reply.chunks.append({gapMs, "data: " + payload + "\n\n"});
        return reply;
    }
    static FakeReply json(const QJsonObject &body, int status = 200)
    {
        FakeReply reply;
        reply.status = status;
        reply.headers = {{"Content-Type", "application/json"}};
        reply.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        return reply;
    }

    // When set, answers every request (instead of the script): parallel tests choose by what was asked.
    std::function<FakeReply(const RecordedRequest &)> replyFor;
    QList<RecordedRequest> requests;
    int inFlight = 0;
    int maxInFlight = 0;
    int clientsGone = 0; // connections the proxy closed while a reply was still pending

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        requests.append({request.url().path().toUtf8(), request.headers(), request.body()});
        const FakeReply reply = replyFor ? replyFor(requests.constLast())
            : m_script.isEmpty()          ? json({{QStringLiteral("error"), QStringLiteral("no script")}}, 500)
                                          : m_script.dequeue();
        auto responder = std::make_shared<QHttpServerResponder>(makeResponder(request, socket));
        QPointer<QTcpSocket> guard(socket);
        maxInFlight = qMax(maxInFlight, ++inFlight);
        auto done = std::make_shared<bool>(false);
        const auto gone = [this, done] {
            if (!*done) {
                *done = true;
                --inFlight;
                ++clientsGone;
            }
        };
        // A reset while a large write is pending shows up as an error, not always as `disconnected`.
        connect(socket, &QTcpSocket::disconnected, this, gone);
        connect(socket, &QTcpSocket::errorOccurred, this, gone);
        if (reply.neverAnswer)
            return true;
        if (reply.resetAtOnce) {
            QTimer::singleShot(0, socket, [guard] {
                if (guard)
                    guard->abort();
            });
            return true;
        }
        QTimer::singleShot(reply.delayMs, this, [this, reply, responder, guard, done] {
            if (!guard || guard->state() != QAbstractSocket::ConnectedState)
                return;
            responder->writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(reply.status));
            for (const auto &[name, value] : reply.headers)
                responder->writeHeader(name, value);
            if (reply.chunks.isEmpty()) {
                responder->writeHeader("Content-Length", QByteArray::number(reply.body.size()));
                responder->writeBody(reply.body);
                *done = true;
                --inFlight;
                return;
            }
            responder->writeHeader("Transfer-Encoding", "chunked");
            responder->writeBody(QByteArray());
            writeChunks(responder, guard, reply, 0, done);
        });
        return true;
    }

    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}

private:
    void writeChunks(const std::shared_ptr<QHttpServerResponder> &responder, const QPointer<QTcpSocket> &guard,
                     const FakeReply &reply, qsizetype next, const std::shared_ptr<bool> &done)
    {
        if (!guard || guard->state() != QAbstractSocket::ConnectedState)
            return;
        const auto &chunks = reply.chunks;
        if (next == chunks.size()) {
            if (reply.resetAtEnd) // give the written chunks time to arrive before the reset
                QTimer::singleShot(50, guard, [guard] { guard->abort(); });
            else
                responder->writeBody("0\r\n\r\n");
            *done = true;
            --inFlight;
            return;
        }
        QTimer::singleShot(chunks[next].first, this, [=, this] {
            if (!guard || guard->state() != QAbstractSocket::ConnectedState)
                return;
            const QByteArray &data = chunks[next].second;
            responder->writeBody(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
            writeChunks(responder, guard, reply, next + 1, done);
        });
    }

    QQueue<FakeReply> m_script;
    quint16 m_port = 0;
};
