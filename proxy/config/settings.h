#pragma once

#include "proxyconfig.h"
#include "upstreamprofile.h"

#include <QList>
#include <QObject>
#include <QVariant>

#include <memory>

class QSettings;

namespace Proxy {

// The only code that touches QSettings. A table of key -> default value; set() writes only real changes and
// announces them. Secrets are never stored here: profiles carry no keys.
class Settings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Settings)

public:
    enum class Key {
        ListenHost, ListenPort, ActiveProfile, Profiles, PingIntervalMs, ShutdownGraceMs,
        // Hardening (docs/SECURITY.md). Fallbacks are profile names, in order; their keys live in the keychain.
        AllowedHosts, AllowedOrigins, FallbackProfiles, MaxRetries, MaxBodyBytes, MaxConcurrentExchanges,
        // Desktop: history recording, where API keys live (never here), first-run notices.
        RecordBodies, HistoryRetentionDays, HistoryMaxMegabytes, RecordingPaused, KeyFileFallback, TrayNoticeShown
    };
    Q_ENUM(Key)

    // The user's settings file (QSettings native format for organisation/application "Switchyard").
    explicit Settings(QObject *parent = nullptr);
    // An explicit INI file (tests, portable use).
    explicit Settings(const QString &iniFile, QObject *parent = nullptr);
    ~Settings() override;

    [[nodiscard]] QVariant value(Key key) const;
    void set(Key key, const QVariant &value);
    [[nodiscard]] static QVariant defaultValue(Key key);

    [[nodiscard]] QString listenHost() const { return value(Key::ListenHost).toString(); }
    [[nodiscard]] quint16 listenPort() const { return static_cast<quint16>(value(Key::ListenPort).toUInt()); }
    [[nodiscard]] QList<UpstreamProfile> profiles() const;
    void setProfiles(const QList<UpstreamProfile> &profiles);
    // The active profile by name; the demo when none matches.
    [[nodiscard]] UpstreamProfile activeProfile() const;

    // The configuration the proxy starts with (without the key, which never lives here).
    [[nodiscard]] ProxyConfig proxyConfig() const;

    [[nodiscard]] QString fileName() const;

Q_SIGNALS:
    void changed(Proxy::Settings::Key key);

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace Proxy
