#include "summarylog.h"

#include "eventhub.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Proxy {

SummaryLog::SummaryLog(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

SummaryLog::~SummaryLog() = default;

QString SummaryLog::defaultFilePath()
{
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty() || !QDir::isAbsolutePath(state))
        state = QDir::homePath() + u"/.local/state"_s;
    return state + u"/switchyard/switchyard.log"_s;
}

void SummaryLog::attach(EventHub *hub)
{
    connect(hub, &EventHub::eventAppended, this, &SummaryLog::onEvent);
}

void SummaryLog::onEvent(const ObservedEvent &event)
{
    if (event.kind != ObservedEvent::Kind::ExchangeStarted && event.kind != ObservedEvent::Kind::ExchangeFinished)
        return;
    write(QJsonDocument::fromJson(event.data).object());
}

void SummaryLog::write(const QJsonObject &record)
{
    const QByteArray line = QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n';
    if (m_options.toStderr) {
        std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
        std::fflush(stderr);
    }
    if (m_options.filePath.isEmpty())
        return;
    rotateIfNeeded();
    if (!m_file.isOpen()) {
        QDir().mkpath(QFileInfo(m_options.filePath).absolutePath());
        m_file.setFileName(m_options.filePath);
        if (!m_file.open(QIODevice::Append | QIODevice::WriteOnly)) {
            m_lastError = m_file.errorString(); // logging must never stop the proxy
            return;
        }
        m_file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    if (m_file.write(line) != line.size())
        m_lastError = m_file.errorString();
    m_file.flush();
}

void SummaryLog::rotateIfNeeded()
{
    if (m_file.isOpen() && m_file.size() < m_options.maxFileBytes)
        return;
    if (!m_file.isOpen() && QFileInfo(m_options.filePath).size() < m_options.maxFileBytes)
        return;
    m_file.close();
    const QString base = m_options.filePath;
    QFile::remove(base + u'.' + QString::number(m_options.keepFiles - 1));
    for (int i = m_options.keepFiles - 2; i >= 1; --i)
        QFile::rename(base + u'.' + QString::number(i), base + u'.' + QString::number(i + 1));
    if (m_options.keepFiles > 1)
        QFile::rename(base, base + u".1"_s);
    else
        QFile::remove(base);
}

} // namespace Proxy
