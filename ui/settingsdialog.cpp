#include "settingsdialog.h"

#include "keystore.h"

#include "config/autostart.h"
#include "config/presets.h"
#include "config/settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using Proxy::Settings;

namespace Desktop {

namespace {

// Colours for the connection result and errors; text always says the same in words, colour only helps.
const QColor okColour(0x1b, 0x7f, 0x3b);
const QColor errorColour(0xb3, 0x26, 0x1e);

void setTextColour(QLabel *label, const QColor &colour)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, colour);
    label->setPalette(palette);
}

int seconds(int ms)
{
    return (ms + 500) / 1000;
}

// The spin box shows seconds; unchanged seconds keep the exact milliseconds the profile had.
void storeSeconds(const QSpinBox *spin, int *ms)
{
    if (spin->value() != seconds(*ms))
        *ms = spin->value() * 1000;
}

QSpinBox *secondsSpin(QWidget *parent, int maximum, const QString &objectName)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(1, maximum);
    spin->setSuffix(SettingsDialog::tr(" s"));
    spin->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    return spin;
}

bool isLocalHost(const QUrl &url)
{
    const QString host = url.host();
    return host == u"localhost"_s || host.startsWith(u"127."_s) || host == u"::1"_s;
}

} // namespace

SettingsDialog::SettingsDialog(Proxy::Settings *settings, KeyStore *keys, Proxy::Autostart *autostart, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_keys(keys)
    , m_autostart(autostart)
    , m_tester(new Proxy::ConnectionTester(nullptr, this))
{
    setWindowTitle(tr("Switchyard Settings"));
    m_test = [this](const Proxy::UpstreamProfile &profile, const QByteArray &key,
                 std::function<void(const Proxy::ConnectionTester::Result &)> done) {
        disconnect(m_tester, &Proxy::ConnectionTester::finished, this, nullptr);
        connect(m_tester, &Proxy::ConnectionTester::finished, this,
            [done = std::move(done)](const Proxy::ConnectionTester::Result &result) { done(result); });
        m_tester->test(profile, key);
    };

    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildProfilesTab(), tr("Upstreams"));
    m_tabs->addTab(buildGeneralTab(), tr("General"));
    layout->addWidget(m_tabs, 1);

    m_error = new QLabel(this);
    m_error->setObjectName(u"error"_s);
    m_error->setWordWrap(true);
    m_error->setVisible(false);
    setTextColour(m_error, errorColour);
    layout->addWidget(m_error);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { (void)apply(); });
    layout->addWidget(m_buttons);

    connect(m_keys, &KeyStore::fetched, this, [this](const QString &profile, const QByteArray &key) {
        for (qsizetype i = 0; i < m_rows.size(); ++i) {
            Row &row = m_rows[i];
            if (row.savedName != profile || row.keyEdited)
                continue;
            row.key = key;
            if (i == m_current) {
                const bool wasLoading = std::exchange(m_loading, true);
                m_key->setText(QString::fromUtf8(key));
                m_loading = wasLoading;
            }
        }
    });
    connect(m_keys, &KeyStore::modeChanged, this, &SettingsDialog::refreshKeyStorage);

    load();

    // Sized from the font, not in pixels, so it fits at any scale; never larger than the screen.
    const QFontMetrics metrics = fontMetrics();
    QSize size(metrics.averageCharWidth() * 150, metrics.height() * 50);
    if (const QScreen *screen = this->screen())
        size = size.boundedTo(screen->availableGeometry().size() * 9 / 10);
    resize(size.expandedTo(minimumSizeHint()));
}

SettingsDialog::~SettingsDialog() = default;

QWidget *SettingsDialog::buildProfilesTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QHBoxLayout(page);
    // A splitter, so the user can give the form more room on narrow or scaled screens.
    auto *splitter = new QSplitter(Qt::Horizontal, page);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter);
    auto *leftPane = new QWidget(splitter);

    // Left: the profiles.
    auto *left = new QVBoxLayout(leftPane);
    left->setContentsMargins({});
    m_list = new QListWidget(page);
    m_list->setObjectName(u"profiles"_s);
    connect(m_list, &QListWidget::currentRowChanged, this, &SettingsDialog::onCurrentRowChanged);
    left->addWidget(m_list, 1);

    auto *buttons = new QGridLayout;
    auto *add = new QToolButton(page);
    add->setObjectName(u"addProfile"_s);
    add->setText(tr("Add"));
    add->setPopupMode(QToolButton::InstantPopup);
    add->setToolButtonStyle(Qt::ToolButtonTextOnly);
    add->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto *presetMenu = new QMenu(add);
    presetMenu->setObjectName(u"presetMenu"_s);
    const QList<Proxy::PresetInfo> presets = Proxy::presetInfos();
    for (const Proxy::PresetInfo &preset : presets) {
        QAction *action = presetMenu->addAction(preset.title);
        action->setData(preset.id);
        connect(action, &QAction::triggered, this, [this, id = preset.id] { addPreset(id); });
    }
    add->setMenu(presetMenu);
    m_duplicate = new QPushButton(tr("Duplicate"), page);
    m_duplicate->setObjectName(u"duplicateProfile"_s);
    connect(m_duplicate, &QPushButton::clicked, this, &SettingsDialog::duplicateProfile);
    m_rename = new QPushButton(tr("Rename"), page);
    m_rename->setObjectName(u"renameProfile"_s);
    connect(m_rename, &QPushButton::clicked, this, &SettingsDialog::renameProfile);
    m_remove = new QPushButton(tr("Remove"), page);
    m_remove->setObjectName(u"removeProfile"_s);
    connect(m_remove, &QPushButton::clicked, this, &SettingsDialog::removeProfile);
    buttons->addWidget(add, 0, 0);
    buttons->addWidget(m_duplicate, 0, 1);
    buttons->addWidget(m_rename, 1, 0);
    buttons->addWidget(m_remove, 1, 1);
    left->addLayout(buttons);
    splitter->addWidget(leftPane);

    // Right: the selected profile, scrollable so nothing is cut off on small or scaled screens.
    auto *scroll = new QScrollArea(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new QWidget(scroll);
    auto *form = new QVBoxLayout(m_form);

    auto *upstream = new QGroupBox(tr("Upstream"), m_form);
    auto *upstreamForm = new QFormLayout(upstream);
    m_name = new QLineEdit(upstream);
    m_name->setObjectName(u"name"_s);
    connect(m_name, &QLineEdit::textEdited, this, [this] {
        storeForm();
        refreshList();
    });
    upstreamForm->addRow(tr("&Name:"), m_name);
    m_baseUrl = new QLineEdit(upstream);
    m_baseUrl->setObjectName(u"baseUrl"_s);
    m_baseUrl->setPlaceholderText(tr("Empty: the built-in demo upstream"));
    upstreamForm->addRow(tr("&Base URL:"), m_baseUrl);

    auto *keyRow = new QHBoxLayout;
    m_key = new QLineEdit(upstream);
    m_key->setObjectName(u"apiKey"_s);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    connect(m_key, &QLineEdit::textEdited, this, [this] {
        if (m_current < 0 || m_loading)
            return;
        m_rows[m_current].key = m_key->text().trimmed().toUtf8();
        m_rows[m_current].keyEdited = true;
    });
    keyRow->addWidget(m_key, 1);
    m_showKey = new QCheckBox(tr("Show"), upstream);
    m_showKey->setObjectName(u"showKey"_s);
    connect(m_showKey, &QCheckBox::toggled, this,
        [this](bool show) { m_key->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password); });
    keyRow->addWidget(m_showKey);
    auto *keyLabel = new QLabel(tr("API &key:"), upstream);
    keyLabel->setBuddy(m_key);
    upstreamForm->addRow(keyLabel, keyRow);
    m_keyStorage = new QLabel(upstream);
    m_keyStorage->setObjectName(u"keyStorage"_s);
    m_keyStorage->setWordWrap(true);
    upstreamForm->addRow(QString(), m_keyStorage);
    m_keyFile = new QCheckBox(tr("Store keys in a file instead (less secure)"), upstream);
    m_keyFile->setObjectName(u"keyFileFallback"_s);
    upstreamForm->addRow(QString(), m_keyFile);

    auto *testRow = new QHBoxLayout;
    m_testButton = new QPushButton(tr("&Test connection"), upstream);
    m_testButton->setObjectName(u"testConnection"_s);
    connect(m_testButton, &QPushButton::clicked, this, &SettingsDialog::testConnection);
    testRow->addWidget(m_testButton);
    m_testResult = new QLabel(upstream);
    m_testResult->setObjectName(u"testResult"_s);
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    testRow->addWidget(m_testResult, 1);
    upstreamForm->addRow(QString(), testRow);
    m_use = new QPushButton(tr("&Use this profile"), upstream);
    m_use->setObjectName(u"useProfile"_s);
    connect(m_use, &QPushButton::clicked, this, &SettingsDialog::useProfile);
    auto *useRow = new QHBoxLayout;
    useRow->addWidget(m_use);
    useRow->addStretch();
    upstreamForm->addRow(QString(), useRow);
    form->addWidget(upstream);

    auto *models = new QGroupBox(tr("Models"), m_form);
    auto *modelsLayout = new QVBoxLayout(models);
    auto *overrideForm = new QFormLayout;
    m_modelOverride = new QLineEdit(models);
    m_modelOverride->setObjectName(u"modelOverride"_s);
    m_modelOverride->setPlaceholderText(tr("None: use the model map below"));
    overrideForm->addRow(tr("Send every request to &model:"), m_modelOverride);
    modelsLayout->addLayout(overrideForm);
    auto *mapHelp = new QLabel(tr("Model map: the first rule whose pattern matches the model the client asks for "
                                  "wins; unmatched names pass through unchanged."),
        models);
    mapHelp->setWordWrap(true);
    modelsLayout->addWidget(mapHelp);
    m_modelMap = new QTableWidget(0, 2, models);
    m_modelMap->setObjectName(u"modelMap"_s);
    m_modelMap->setHorizontalHeaderLabels({ tr("Client model (glob)"), tr("Upstream model") });
    m_modelMap->horizontalHeaderItem(0)->setToolTip(tr("A wildcard pattern, e.g. claude-*haiku*"));
    m_modelMap->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_modelMap->verticalHeader()->setVisible(false);
    m_modelMap->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_modelMap->setMinimumHeight(
        m_modelMap->horizontalHeader()->sizeHint().height() + 4 * m_modelMap->verticalHeader()->defaultSectionSize());
    modelsLayout->addWidget(m_modelMap);
    auto *ruleButtons = new QHBoxLayout;
    auto *addRule = new QPushButton(tr("Add rule"), models);
    addRule->setObjectName(u"addRule"_s);
    connect(addRule, &QPushButton::clicked, this, [this] {
        m_modelMap->insertRow(m_modelMap->rowCount());
        m_modelMap->setCurrentCell(m_modelMap->rowCount() - 1, 0);
        m_modelMap->editItem(m_modelMap->currentItem());
    });
    auto *removeRule = new QPushButton(tr("Remove rule"), models);
    removeRule->setObjectName(u"removeRule"_s);
    connect(removeRule, &QPushButton::clicked, this, [this] {
        if (m_modelMap->currentRow() >= 0)
            m_modelMap->removeRow(m_modelMap->currentRow());
    });
    ruleButtons->addWidget(addRule);
    ruleButtons->addWidget(removeRule);
    ruleButtons->addStretch();
    modelsLayout->addLayout(ruleButtons);
    form->addWidget(models);

    auto *options = new QGroupBox(tr("Request options"), m_form);
    auto *optionsForm = new QFormLayout(options);
    m_maxTokensField = new QComboBox(options);
    m_maxTokensField->setObjectName(u"maxTokensField"_s);
    m_maxTokensField->addItem(u"max_tokens"_s, u"max_tokens"_s);
    m_maxTokensField->addItem(tr("max_completion_tokens (OpenAI's newer models)"), u"max_completion_tokens"_s);
    optionsForm->addRow(tr("Send the token limit as:"), m_maxTokensField);
    m_streamUsage = new QCheckBox(tr("Send stream_options.include_usage (token counts while streaming)"), options);
    m_streamUsage->setObjectName(u"streamUsage"_s);
    optionsForm->addRow(m_streamUsage);
    m_reasoningEffort = new QCheckBox(tr("Send reasoning_effort when the client asks for extended thinking"), options);
    m_reasoningEffort->setObjectName(u"reasoningEffort"_s);
    optionsForm->addRow(m_reasoningEffort);
    form->addWidget(options);

    auto *timeouts = new QGroupBox(tr("Timeouts"), m_form);
    auto *timeoutsForm = new QFormLayout(timeouts);
    m_connectTimeout = secondsSpin(timeouts, 3600, u"connectTimeout"_s);
    timeoutsForm->addRow(tr("Connect (until the request is sent):"), m_connectTimeout);
    m_idleTimeout = secondsSpin(timeouts, 86'400, u"idleTimeout"_s);
    timeoutsForm->addRow(tr("Idle (longest silence while streaming):"), m_idleTimeout);
    m_totalTimeout = secondsSpin(timeouts, 86'400, u"totalTimeout"_s);
    timeoutsForm->addRow(tr("Total (whole answer):"), m_totalTimeout);
    form->addWidget(timeouts);
    form->addStretch();

    scroll->setWidget(m_form);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    return page;
}

QWidget *SettingsDialog::buildGeneralTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);

    auto *listen = new QGroupBox(tr("Proxy"), page);
    auto *listenForm = new QFormLayout(listen);
    m_listenHost = new QLineEdit(listen);
    m_listenHost->setObjectName(u"listenHost"_s);
    listenForm->addRow(tr("Listen &address:"), m_listenHost);
    m_listenPort = new QSpinBox(listen);
    m_listenPort->setObjectName(u"listenPort"_s);
    m_listenPort->setRange(0, 65535);
    m_listenPort->setSpecialValueText(tr("Any free port"));
    m_listenPort->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    listenForm->addRow(tr("&Port:"), m_listenPort);
    auto *note = new QLabel(tr("A new address or port is used when the proxy listens again; clients connected now "
                               "keep their connection. Anything but 127.0.0.1 or localhost exposes the proxy to "
                               "your network."),
        listen);
    note->setWordWrap(true);
    listenForm->addRow(note);
    layout->addWidget(listen);

    auto *desktop = new QGroupBox(tr("Desktop"), page);
    auto *desktopLayout = new QVBoxLayout(desktop);
    m_startAtLogin = new QCheckBox(tr("Start Switchyard when I log in"), desktop);
    m_startAtLogin->setObjectName(u"startAtLogin"_s);
    m_startAtLogin->setVisible(m_autostart != nullptr);
    desktopLayout->addWidget(m_startAtLogin);
    layout->addWidget(desktop);
    desktop->setVisible(m_autostart != nullptr);

    auto *history = new QGroupBox(tr("History"), page);
    auto *historyForm = new QFormLayout(history);
    m_recordBodies = new QCheckBox(tr("Record request and response bodies (secrets are redacted)"), history);
    m_recordBodies->setObjectName(u"recordBodies"_s);
    historyForm->addRow(m_recordBodies);
    m_retentionDays = new QSpinBox(history);
    m_retentionDays->setObjectName(u"retentionDays"_s);
    m_retentionDays->setRange(1, 3650);
    m_retentionDays->setSuffix(tr(" days"));
    m_retentionDays->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    historyForm->addRow(tr("Keep exchanges for:"), m_retentionDays);
    m_retentionMegabytes = new QSpinBox(history);
    m_retentionMegabytes->setObjectName(u"retentionMegabytes"_s);
    m_retentionMegabytes->setRange(1, 100'000);
    m_retentionMegabytes->setSuffix(tr(" MB"));
    m_retentionMegabytes->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    historyForm->addRow(tr("Keep at most:"), m_retentionMegabytes);
    layout->addWidget(history);
    layout->addStretch();
    return page;
}

void SettingsDialog::load()
{
    m_rows.clear();
    QList<Proxy::UpstreamProfile> profiles = m_settings->profiles();
    if (profiles.isEmpty())
        profiles.append(Proxy::UpstreamProfile::demo());
    for (const Proxy::UpstreamProfile &profile : std::as_const(profiles)) {
        m_rows.append({ profile, profile.name, {}, false });
        m_appliedNames.append(profile.name);
    }
    m_activeName = m_settings->activeProfile().name;

    m_listenHost->setText(m_settings->listenHost());
    m_listenPort->setValue(m_settings->listenPort());
    m_recordBodies->setChecked(m_settings->value(Settings::Key::RecordBodies).toBool());
    m_retentionDays->setValue(m_settings->value(Settings::Key::HistoryRetentionDays).toInt());
    m_retentionMegabytes->setValue(m_settings->value(Settings::Key::HistoryMaxMegabytes).toInt());
    if (m_autostart)
        m_startAtLogin->setChecked(m_autostart->isEnabled());
    m_keyFile->setChecked(m_keys->isFileFallback());

    refreshList();
    m_list->setCurrentRow(0);
    for (const Row &row : std::as_const(m_rows)) {
        if (row.profile.name == m_activeName)
            selectProfile(row.profile.name);
    }
    refreshKeyStorage();
    for (Row &row : m_rows) {
        row.key = m_keys->cachedKey(row.savedName);
        m_keys->fetch(row.savedName);
    }
    loadForm();
}

void SettingsDialog::refreshList()
{
    const bool wasLoading = std::exchange(m_loading, true);
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        const bool active = m_rows[i].profile.name == m_activeName;
        const QString text = active ? tr("%1 (active)").arg(m_rows[i].profile.name) : m_rows[i].profile.name;
        QListWidgetItem *item = i < m_list->count() ? m_list->item(int(i)) : new QListWidgetItem(m_list);
        item->setText(text);
        QFont font = m_list->font();
        font.setBold(active);
        item->setFont(font);
    }
    while (m_list->count() > m_rows.size())
        delete m_list->takeItem(m_list->count() - 1);
    m_loading = wasLoading;
    const bool any = !m_rows.isEmpty();
    m_duplicate->setEnabled(any);
    m_rename->setEnabled(any);
    m_remove->setEnabled(any);
    m_form->setEnabled(any);
}

void SettingsDialog::refreshKeyStorage()
{
    m_keyStorage->setText(m_keys->storageDescription());
    const bool noKeychain = m_keys->mode() != KeyStore::Mode::Keychain;
    m_keyFile->setVisible(noKeychain);
    m_keyFile->setToolTip(tr("Keys are written unencrypted to %1 (readable only by you). "
                             "Use this only where no keychain service can run.")
                              .arg(m_keys->keyFile()));
}

void SettingsDialog::onCurrentRowChanged(int row)
{
    if (m_loading)
        return;
    storeForm();
    m_current = row;
    // A result belongs to the profile it was tested with.
    ++m_testGeneration;
    m_tester->cancel();
    m_testResult->clear();
    m_testButton->setEnabled(true);
    loadForm();
}

void SettingsDialog::loadForm()
{
    m_current = m_list->currentRow();
    if (m_current < 0 || m_current >= m_rows.size())
        return;
    const bool wasLoading = std::exchange(m_loading, true);
    const Row &row = m_rows[m_current];
    const Proxy::UpstreamProfile &p = row.profile;
    m_name->setText(p.name);
    m_baseUrl->setText(p.baseUrl.toString());
    m_key->setText(QString::fromUtf8(row.key));
    m_key->setPlaceholderText(
        isLocalHost(p.baseUrl) || p.isDemo() ? tr("Not needed for this upstream") : tr("The upstream's API key"));
    m_modelOverride->setText(p.modelOverride);
    m_modelMap->setRowCount(0);
    for (const Proxy::ModelRule &rule : p.modelRules) {
        const int r = m_modelMap->rowCount();
        m_modelMap->insertRow(r);
        m_modelMap->setItem(r, 0, new QTableWidgetItem(rule.pattern));
        m_modelMap->setItem(r, 1, new QTableWidgetItem(rule.target));
    }
    m_maxTokensField->setCurrentIndex(std::max(0, m_maxTokensField->findData(p.maxTokensField)));
    m_streamUsage->setChecked(p.includeStreamUsage);
    m_reasoningEffort->setChecked(p.sendReasoningEffort);
    m_connectTimeout->setValue(seconds(p.connectTimeoutMs));
    m_idleTimeout->setValue(seconds(p.idleTimeoutMs));
    m_totalTimeout->setValue(seconds(p.totalTimeoutMs));
    m_use->setEnabled(p.name != m_activeName);
    m_loading = wasLoading;
}

void SettingsDialog::storeForm()
{
    if (m_loading || m_current < 0 || m_current >= m_rows.size())
        return;
    Row &row = m_rows[m_current];
    Proxy::UpstreamProfile &p = row.profile;
    const QString name = m_name->text().trimmed();
    if (p.name == m_activeName)
        m_activeName = name;
    p.name = name;
    const QString url = m_baseUrl->text().trimmed();
    p.baseUrl = url.isEmpty() ? QUrl() : QUrl(url);
    p.modelOverride = m_modelOverride->text().trimmed();
    p.modelRules.clear();
    for (int r = 0; r < m_modelMap->rowCount(); ++r) {
        const QTableWidgetItem *from = m_modelMap->item(r, 0);
        const QTableWidgetItem *to = m_modelMap->item(r, 1);
        const QString pattern = from ? from->text().trimmed() : QString();
        const QString target = to ? to->text().trimmed() : QString();
        if (!pattern.isEmpty() && !target.isEmpty())
            p.modelRules.append({ pattern, target });
    }
    p.maxTokensField = m_maxTokensField->currentData().toString();
    p.includeStreamUsage = m_streamUsage->isChecked();
    p.sendReasoningEffort = m_reasoningEffort->isChecked();
    storeSeconds(m_connectTimeout, &p.connectTimeoutMs);
    storeSeconds(m_idleTimeout, &p.idleTimeoutMs);
    storeSeconds(m_totalTimeout, &p.totalTimeoutMs);
}

QString SettingsDialog::uniqueName(const QString &base) const
{
    const QStringList names = profileNames();
    QString name = base;
    for (int n = 2; names.contains(name); ++n)
        name = base + u'-' + QString::number(n);
    return name;
}

void SettingsDialog::addRow(Row row)
{
    storeForm();
    m_rows.append(std::move(row));
    refreshList();
    m_list->setCurrentRow(int(m_rows.size() - 1));
}

void SettingsDialog::addPreset(const QString &presetId)
{
    Proxy::PresetInfo preset = Proxy::presetInfo(presetId);
    storeForm();
    preset.profile.name = uniqueName(preset.profile.name);
    addRow({ preset.profile, {}, {}, false });
}

void SettingsDialog::duplicateProfile()
{
    if (m_current < 0)
        return;
    storeForm();
    Row copy = m_rows[m_current];
    copy.profile.name = uniqueName(copy.profile.name + tr("-copy"));
    copy.savedName.clear();
    copy.keyEdited = !copy.key.isEmpty(); // stored under the new name on Apply
    addRow(copy);
}

void SettingsDialog::removeProfile()
{
    if (m_current < 0)
        return;
    const int removed = m_current;
    m_current = -1; // nothing to store from the form of a removed profile
    const QString name = m_rows[removed].profile.name;
    m_rows.removeAt(removed);
    if (name == m_activeName)
        m_activeName = m_rows.isEmpty() ? u"demo"_s : m_rows.constFirst().profile.name;
    refreshList();
    m_list->setCurrentRow(std::min(removed, int(m_rows.size()) - 1));
    loadForm(); // the row index may not have changed, so no currentRowChanged
}

void SettingsDialog::renameProfile()
{
    m_tabs->setCurrentIndex(0);
    m_name->setFocus(Qt::OtherFocusReason);
    m_name->selectAll();
}

void SettingsDialog::useProfile()
{
    if (m_current < 0)
        return;
    storeForm();
    m_activeName = m_rows[m_current].profile.name;
    refreshList();
    m_use->setEnabled(false);
}

void SettingsDialog::selectProfile(const QString &name)
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].profile.name == name)
            m_list->setCurrentRow(int(i));
    }
}

QStringList SettingsDialog::profileNames() const
{
    QStringList names;
    for (const Row &row : m_rows)
        names.append(row.profile.name);
    return names;
}

QString SettingsDialog::activeProfileName() const
{
    return m_activeName;
}

void SettingsDialog::setConnectionTest(ConnectionTest test)
{
    m_test = std::move(test);
}

void SettingsDialog::testConnection()
{
    if (m_current < 0)
        return;
    storeForm();
    const Row &row = m_rows[m_current];
    m_testResult->setText(tr("Testing %1 …")
                              .arg(row.profile.isDemo() ? tr("the demo upstream")
                                                        : Proxy::ConnectionTester::modelsUrl(row.profile)
                                                              .toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)));
    m_testResult->setPalette(palette());
    m_testButton->setEnabled(false);
    const quint64 generation = ++m_testGeneration;
    m_test(row.profile, row.key, [self = QPointer<SettingsDialog>(this), generation](const auto &result) {
        if (self && self->m_testGeneration == generation)
            self->showTestResult(result);
    });
}

void SettingsDialog::showTestResult(const Proxy::ConnectionTester::Result &result)
{
    m_testButton->setEnabled(true);
    m_testResult->setText((result.ok ? u"✔ "_s : u"✘ "_s) + result.message);
    setTextColour(m_testResult, result.ok ? okColour : errorColour);
}

void SettingsDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

QString SettingsDialog::errorText() const
{
    return m_error->text();
}

bool SettingsDialog::apply()
{
    storeForm();
    QStringList names;
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        const Proxy::UpstreamProfile &p = m_rows[i].profile;
        QString problem;
        if (p.name.isEmpty())
            problem = tr("Every profile needs a name.");
        else if (names.contains(p.name))
            problem = tr("Two profiles are called “%1”; names must differ.").arg(p.name);
        else if (!p.isDemo()
            && (!p.baseUrl.isValid() || p.baseUrl.host().isEmpty()
                || (p.baseUrl.scheme() != u"http"_s && p.baseUrl.scheme() != u"https"_s)))
            problem = tr("The base URL of “%1” must start with http:// or https://, e.g. https://api.openai.com/v1.")
                          .arg(p.name);
        if (!problem.isEmpty()) {
            m_tabs->setCurrentIndex(0);
            m_list->setCurrentRow(int(i));
            showError(problem);
            return false;
        }
        names.append(p.name);
    }
    if (m_listenHost->text().trimmed().isEmpty()) {
        m_tabs->setCurrentIndex(1);
        showError(tr("The listen address cannot be empty (127.0.0.1 is the safe choice)."));
        return false;
    }
    showError({});

    // Where keys live first, so the keys below go there.
    if (m_keyFile->isChecked() != m_keys->isFileFallback())
        m_keys->setFileFallback(m_keyFile->isChecked());
    m_settings->set(Settings::Key::KeyFileFallback, m_keys->isFileFallback());

    for (Row &row : m_rows) {
        if (row.keyEdited || row.profile.name != row.savedName)
            m_keys->store(row.profile.name, row.key);
        row.savedName = row.profile.name;
        row.keyEdited = false;
    }
    for (const QString &gone : std::as_const(m_appliedNames)) {
        if (!names.contains(gone))
            m_keys->remove(gone);
    }
    m_appliedNames = names;

    QList<Proxy::UpstreamProfile> profiles;
    for (const Row &row : std::as_const(m_rows))
        profiles.append(row.profile);
    m_settings->setProfiles(profiles);
    if (!names.contains(m_activeName))
        m_activeName = names.isEmpty() ? u"demo"_s : names.constFirst();
    m_settings->set(Settings::Key::ActiveProfile, m_activeName);

    m_settings->set(Settings::Key::ListenHost, m_listenHost->text().trimmed());
    m_settings->set(Settings::Key::ListenPort, m_listenPort->value());
    m_settings->set(Settings::Key::RecordBodies, m_recordBodies->isChecked());
    m_settings->set(Settings::Key::HistoryRetentionDays, m_retentionDays->value());
    m_settings->set(Settings::Key::HistoryMaxMegabytes, m_retentionMegabytes->value());

    if (m_autostart && m_startAtLogin->isChecked() != m_autostart->isEnabled()) {
        const Proxy::Result<void> done = m_autostart->setEnabled(m_startAtLogin->isChecked());
        if (!done) {
            showError(tr("Start at login: %1").arg(done.error().message));
            m_startAtLogin->setChecked(m_autostart->isEnabled());
        }
    }
    refreshList();
    loadForm();
    Q_EMIT applied();
    return true;
}

void SettingsDialog::accept()
{
    if (apply())
        QDialog::accept();
}

} // namespace Desktop
