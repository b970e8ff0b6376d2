#pragma once

#include "config/upstreamprofile.h"
#include "net/connectiontester.h"

#include <QByteArray>
#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;

namespace Proxy {
class Autostart;
class Settings;
} // namespace Proxy

namespace Desktop {

class KeyStore;

// Settings: upstream profiles (from presets, with their keys in KeyStore) and the general options (listen
// address, start at login, history). Edits stay in the dialog until Apply/OK, which write through Proxy::Settings,
// KeyStore and Autostart and then emit applied(); the composition root then hands the active profile and its key
// (KeyStore::cachedKey, available at once) to ProxyService::setUpstream, so new requests use them while requests
// in flight finish on the old ones.
class SettingsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    // Runs one connection test; done() is called once with the result (on the GUI thread, any time later).
    using ConnectionTest = std::function<void(const Proxy::UpstreamProfile &profile, const QByteArray &key,
        std::function<void(const Proxy::ConnectionTester::Result &)> done)>;

    // settings and keys must outlive the dialog; autostart may be nullptr (the option is then hidden).
    SettingsDialog(
        Proxy::Settings *settings, KeyStore *keys, Proxy::Autostart *autostart = nullptr, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // Replaces the real ConnectionTester (tests).
    void setConnectionTest(ConnectionTest test);

    // Writes everything; false (with the reason shown in the dialog and errorText()) when a field is invalid.
    [[nodiscard]] bool apply();
    [[nodiscard]] QString errorText() const;

    // Adds a profile from a preset (Proxy::presetInfos() id) and selects it.
    void addPreset(const QString &presetId);
    void selectProfile(const QString &name);
    [[nodiscard]] QStringList profileNames() const;
    [[nodiscard]] QString activeProfileName() const;

    void accept() override;

Q_SIGNALS:
    void applied();

private:
    struct Row {
        Proxy::UpstreamProfile profile;
        QString savedName; // the name its key is stored under; empty for a profile not applied yet
        QByteArray key;
        bool keyEdited = false;
    };

    QWidget *buildProfilesTab();
    QWidget *buildGeneralTab();
    void load();
    void loadForm();
    void storeForm();
    void refreshList();
    void refreshKeyStorage();
    void onCurrentRowChanged(int row);
    void addRow(Row row);
    void duplicateProfile();
    void removeProfile();
    void renameProfile();
    void useProfile();
    void testConnection();
    void showTestResult(const Proxy::ConnectionTester::Result &result);
    void showError(const QString &text);
    [[nodiscard]] QString uniqueName(const QString &base) const;

    Proxy::Settings *m_settings;
    KeyStore *m_keys;
    Proxy::Autostart *m_autostart;
    Proxy::ConnectionTester *m_tester;
    ConnectionTest m_test;
    quint64 m_testGeneration = 0;

    QList<Row> m_rows;
    QStringList m_appliedNames; // profile names as last written to the settings
    QString m_activeName;
    int m_current = -1;
    bool m_loading = false;

    QTabWidget *m_tabs = nullptr;
    QListWidget *m_list = nullptr;
    QPushButton *m_duplicate = nullptr;
    QPushButton *m_rename = nullptr;
    QPushButton *m_remove = nullptr;
    QWidget *m_form = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QLineEdit *m_key = nullptr;
    QCheckBox *m_showKey = nullptr;
    QLabel *m_keyStorage = nullptr;
    QCheckBox *m_keyFile = nullptr;
    QPushButton *m_testButton = nullptr;
    QLabel *m_testResult = nullptr;
    QPushButton *m_use = nullptr;
    QLineEdit *m_modelOverride = nullptr;
    QTableWidget *m_modelMap = nullptr;
    QComboBox *m_maxTokensField = nullptr;
    QCheckBox *m_streamUsage = nullptr;
    QCheckBox *m_reasoningEffort = nullptr;
    QSpinBox *m_connectTimeout = nullptr;
    QSpinBox *m_idleTimeout = nullptr;
    QSpinBox *m_totalTimeout = nullptr;

    QLineEdit *m_listenHost = nullptr;
    QSpinBox *m_listenPort = nullptr;
    QCheckBox *m_startAtLogin = nullptr;
    QCheckBox *m_recordBodies = nullptr;
    QSpinBox *m_retentionDays = nullptr;
    QSpinBox *m_retentionMegabytes = nullptr;

    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Desktop
