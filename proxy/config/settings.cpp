#include "settings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

struct Entry
{
    Settings::Key key;
    const char *name;
};

constexpr Entry table[] = {
    {Settings::Key::ListenHost, "listen/host"},
    {Settings::Key::ListenPort, "listen/port"},
    {Settings::Key::ActiveProfile, "upstream/active"},
    {Settings::Key::Profiles, "upstream/profiles"},
    {Settings::Key::PingIntervalMs, "stream/pingIntervalMs"},
    {Settings::Key::ShutdownGraceMs, "shutdown/graceMs"},
    {Settings::Key::AllowedHosts, "security/allowedHosts"},
    {Settings::Key::AllowedOrigins, "security/allowedOrigins"},
    {Settings::Key::FallbackProfiles, "upstream/fallbacks"},
    {Settings::Key::MaxRetries, "upstream/maxRetries"},
    {Settings::Key::MaxBodyBytes, "limits/maxBodyBytes"},
    {Settings::Key::MaxConcurrentExchanges, "limits/maxConcurrentExchanges"},
    {Settings::Key::RecordBodies, "history/recordBodies"},
    {Settings::Key::HistoryRetentionDays, "history/retentionDays"},
    {Settings::Key::HistoryMaxMegabytes, "history/maxMegabytes"},
    {Settings::Key::RecordingPaused, "history/recordingPaused"},
    {Settings::Key::KeyFileFallback, "credentials/fileFallback"},
    {Settings::Key::TrayNoticeShown, "ui/trayNoticeShown"},
};

QString keyName(Settings::Key key)
{
    for (const Entry &e : table) {
        if (e.key == key)
            return QString::fromLatin1(e.name);
    }
    Q_UNREACHABLE();
    return {};
}

} // namespace

Settings::Settings(QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>(u"Switchyard"_s, u"switchyard"_s))
{
}

Settings::Settings(const QString &iniFile, QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
}

Settings::~Settings() = default;

QVariant Settings::defaultValue(Key key)
{
    const ProxyConfig defaults;
    switch (key) {
    case Key::ListenHost: return defaults.listenHost;
    case Key::ListenPort: return defaults.listenPort;
    case Key::ActiveProfile: return u"demo"_s;
    case Key::Profiles: return u"[]"_s;
    case Key::PingIntervalMs: return defaults.pingIntervalMs;
    case Key::ShutdownGraceMs: return defaults.shutdownGraceMs;
    case Key::AllowedHosts:
    case Key::AllowedOrigins:
    case Key::FallbackProfiles: return QStringList();
    case Key::MaxRetries: return defaults.retry.maxRetries;
    case Key::MaxBodyBytes: return defaults.limits.maxBodyBytes;
    case Key::MaxConcurrentExchanges: return defaults.limits.maxConcurrentExchanges;
    case Key::RecordBodies: return true;
    case Key::HistoryRetentionDays: return 30;
    case Key::HistoryMaxMegabytes: return 200;
    case Key::RecordingPaused:
    case Key::KeyFileFallback:
    case Key::TrayNoticeShown: return false;
    }
    return {};
}

QVariant Settings::value(Key key) const
{
    return m_settings->value(keyName(key), defaultValue(key));
}

void Settings::set(Key key, const QVariant &value)
{
    if (this->value(key) == value)
        return;
    m_settings->setValue(keyName(key), value);
    m_settings->sync();
    Q_EMIT changed(key);
}

QList<UpstreamProfile> Settings::profiles() const
{
    QList<UpstreamProfile> result;
    const QJsonArray array = QJsonDocument::fromJson(value(Key::Profiles).toString().toUtf8()).array();
    for (const QJsonValue &v : array)
        result.append(UpstreamProfile::fromJson(v.toObject()));
    return result;
}

void Settings::setProfiles(const QList<UpstreamProfile> &profiles)
{
    QJsonArray array;
    for (const UpstreamProfile &p : profiles)
        array.append(p.toJson());
    set(Key::Profiles, QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact)));
}

UpstreamProfile Settings::activeProfile() const
{
    const QString active = value(Key::ActiveProfile).toString();
    const QList<UpstreamProfile> all = profiles();
    for (const UpstreamProfile &p : all) {
        if (p.name == active)
            return p;
    }
    return UpstreamProfile::demo();
}

ProxyConfig Settings::proxyConfig() const
{
    ProxyConfig config;
    config.listenHost = listenHost();
    config.listenPort = listenPort();
    config.upstream = activeProfile();
    const auto positive = [this](Key key) {
        const int ms = value(key).toInt();
        return ms > 0 ? ms : defaultValue(key).toInt();
    };
    config.pingIntervalMs = positive(Key::PingIntervalMs);
    config.shutdownGraceMs = positive(Key::ShutdownGraceMs);
    config.allowedHosts = value(Key::AllowedHosts).toStringList();
    config.allowedOrigins = value(Key::AllowedOrigins).toStringList();
    config.retry.maxRetries = qBound(0, value(Key::MaxRetries).toInt(), 10);
    const qint64 maxBody = value(Key::MaxBodyBytes).toLongLong();
    config.limits.maxBodyBytes = maxBody > 0 ? maxBody : defaultValue(Key::MaxBodyBytes).toLongLong();
    config.limits.maxConcurrentExchanges = positive(Key::MaxConcurrentExchanges);
    const QStringList fallbackNames = value(Key::FallbackProfiles).toStringList();
    const QList<UpstreamProfile> all = profiles();
    for (const QString &name : fallbackNames) {
        for (const UpstreamProfile &p : all) {
            if (p.name == name && name != config.upstream.name)
                config.fallbacks.append({p, {}}); // the caller adds each key from the keychain
        }
    }
    return config;
}

QString Settings::fileName() const
{
    return m_settings->fileName();
}

} // namespace Proxy
