#pragma once

#include <QFile>
#include <QJsonObject>
#include <QObject>
#include <QString>

namespace Proxy {

class EventHub;
struct ObservedEvent;

// The user-visible summary log: one `request` and one `response` JSON line per exchange (already redacted by
// the exchange; no message text, no per-delta content). Written to stderr in headless mode and to a rotating
// file under the XDG state directory. It consumes the EventHub's ExchangeStarted/ExchangeFinished events.
class SummaryLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SummaryLog)

public:
    struct Options
    {
        QString filePath;          // empty: no file
        bool toStderr = false;
        qint64 maxFileBytes = 5 * 1024 * 1024;
        int keepFiles = 3;         // switchyard.log, switchyard.log.1, … .2
    };

    explicit SummaryLog(Options options, QObject *parent = nullptr);
    ~SummaryLog() override;

    void attach(EventHub *hub);
    void write(const QJsonObject &record);

    [[nodiscard]] QString filePath() const { return m_options.filePath; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    // $XDG_STATE_HOME/switchyard/switchyard.log (default ~/.local/state/switchyard/switchyard.log).
    [[nodiscard]] static QString defaultFilePath();

private:
    void onEvent(const ObservedEvent &event);
    void rotateIfNeeded();

    Options m_options;
    QFile m_file;
    QString m_lastError;
};

} // namespace Proxy
