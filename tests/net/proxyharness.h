#pragma once

// The real ProxyServer on port 0 in front of a FakeUpstream on port 0, with an EventHub, driven by QNAM.
#include "fakeupstream.h"

#include "net/proxyserver.h"
#include "net/upstreamclient.h"
#include "session/eventhub.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <functional>

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QHash<QByteArray, QByteArray> headers; // lower-case names

    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    [[nodiscard]] QString errorType() const { return json()[QStringLiteral("error")][QStringLiteral("type")].toString(); }
    [[nodiscard]] QString errorMessage() const
    {
        return json()[QStringLiteral("error")][QStringLiteral("message")].toString();
    }
};

class ProxyHarness
{
public:
    FakeUpstream upstream;
    Proxy::UpstreamClient client;
    Proxy::EventHub hub;
    std::unique_ptr<Proxy::ProxyServer> server;
    QNetworkAccessManager nam;

    static constexpr auto upstreamKey = "sk-upstream-secret-0123456789";

    // `tweak` adjusts the configuration before the server starts (limits, token, fallbacks, retries).
    bool start(Proxy::UpstreamProfile profile = {}, int pingIntervalMs = 15'000,
               const std::function<void(Proxy::ProxyConfig &)> &tweak = {})
    {
        if (profile.baseUrl.isEmpty())
            profile.baseUrl = upstream.baseUrl();
        profile.name = QStringLiteral("fake");
        Proxy::ProxyConfig config;
        config.upstream = profile;
        config.upstreamKey = upstreamKey;
        config.pingIntervalMs = pingIntervalMs;
        if (tweak)
            tweak(config);
        server = std::make_unique<Proxy::ProxyServer>(config, &client, &hub);
        return server->listen(QHostAddress::LocalHost, 0);
    }

    [[nodiscard]] QNetworkRequest request(const QString &pathAndQuery,
                                          const QList<QPair<QByteArray, QByteArray>> &headers = {}) const
    {
        QUrl url = server->url();
        url.setPath(pathAndQuery.section(u'?', 0, 0));
        if (pathAndQuery.contains(u'?'))
            url.setQuery(pathAndQuery.section(u'?', 1));
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("x-api-key", "sk-ant-client-key");
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        return request;
    }

    // Sends a request and waits for the whole response.
    HttpResult send(const QByteArray &verb, const QString &pathAndQuery, const QByteArray &body = {},
                    const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        // QNAM only knows a HEAD response has no body when it sent the request as HEAD itself.
        QNetworkReply *reply = verb == "HEAD" ? nam.head(request(pathAndQuery, headers))
                                              : nam.sendCustomRequest(request(pathAndQuery, headers), verb, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished() && !finished.wait(20000))
            qWarning("request did not finish");
        HttpResult result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.error = reply->error();
        const auto pairs = reply->rawHeaderPairs();
        for (const auto &[name, value] : pairs)
            result.headers.insert(name.toLower(), value);
        reply->deleteLater();
        return result;
    }

    static QByteArray messagesBody(const QString &model = QStringLiteral("claude-sonnet-4-5"), bool stream = false,
                                   const QString &prompt = QStringLiteral("Hello"))
    {
        QJsonObject body{
            {QStringLiteral("model"), model},
            {QStringLiteral("max_tokens"), 64},
            {QStringLiteral("messages"),
             QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), prompt}}}},
        };
        if (stream)
            body.insert(QStringLiteral("stream"), true);
        return QJsonDocument(body).toJson(QJsonDocument::Compact);
    }

    static QJsonObject completion(const QString &text, const QString &finishReason = QStringLiteral("stop"))
    {
        return {
            {QStringLiteral("id"), QStringLiteral("chatcmpl-1")},
            {QStringLiteral("object"), QStringLiteral("chat.completion")},
            {QStringLiteral("choices"),
             QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                    {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                            {QStringLiteral("content"), text}}},
                                    {QStringLiteral("finish_reason"), finishReason}}}},
            {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), 12}, {QStringLiteral("completion_tokens"), 5}}},
        };
    }
};
