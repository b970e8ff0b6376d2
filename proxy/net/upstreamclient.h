#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>

class QNetworkAccessManager;
class QNetworkReply;

namespace Proxy {

struct UpstreamProfile;

// Sends chat/completions requests. Qt's HTTP/1.1 stack allows six connections per host and manager, so one
// shared manager would queue the seventh parallel stream behind the others (measured: ~600 ms). The client
// keeps a small pool and gives each request a manager with a free connection slot, creating one when all are
// busy; idle managers keep their keep-alive connections for reuse.
class UpstreamClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamClient)

public:
    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override;

    // POST <profile base>/chat/completions with the JSON body. The caller owns the reply (deleteLater).
    [[nodiscard]] QNetworkReply *postChatCompletions(const UpstreamProfile &profile, const QByteArray &key,
                                                     const QByteArray &body, bool stream);

    [[nodiscard]] int managerCount() const { return int(m_managers.size()); }
    // Closes the idle kept-alive upstream connections (tests that count descriptors).
    void clearConnectionCaches();
    [[nodiscard]] int activeRequestCount() const;

    static constexpr int maxRequestsPerManager = 6;

private:
    QNetworkAccessManager *freeManager();

    QList<QNetworkAccessManager *> m_managers;
    QHash<QNetworkAccessManager *, int> m_active;
};

} // namespace Proxy
