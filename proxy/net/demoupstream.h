#pragma once

#include <QAbstractHttpServer>
#include <QJsonObject>
#include <QPointer>
#include <QUrl>

class QTcpServer;

namespace Proxy {

// A small OpenAI-compatible Chat Completions server hosted in-process on an ephemeral loopback port, so a
// newcomer sees Switchyard work without an account. The proxy reaches it through the same network path as a
// real upstream. Replies are scripted but useful: plain text that echoes the prompt, a tool call when tools are
// offered (arguments built from the tool's schema), a summary after a tool result, and reasoning text when
// reasoning_effort is set. It honours max_tokens (finish_reason "length").
class DemoUpstream final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoUpstream)

public:
    explicit DemoUpstream(QObject *parent = nullptr);
    ~DemoUpstream() override;

    [[nodiscard]] bool start(); // binds 127.0.0.1 on a free port
    [[nodiscard]] QUrl baseUrl() const; // http://127.0.0.1:<port>/v1

    // The chat.completion the demo answers for a request body (pure; exposed for tests).
    [[nodiscard]] static QJsonObject completionFor(const QJsonObject &chatRequest);
    // The same answer as the chat.completion.chunk data lines a streaming upstream sends, ending with [DONE]:
    // reasoning and text a word at a time, tool arguments in fragments, finish_reason, then a usage chunk.
    [[nodiscard]] static QList<QByteArray> streamChunksFor(const QJsonObject &chatRequest);

    // Pause between streamed chunks (realistic pacing; tests set 0).
    void setChunkIntervalMs(int ms) { m_chunkIntervalMs = ms; }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void stream(QHttpServerResponder &&responder, QTcpSocket *socket, const QList<QByteArray> &chunks);

    QPointer<QTcpServer> m_listener;
    int m_chunkIntervalMs = 30;
};

} // namespace Proxy
