// Produces docs/screenshots/*.png from the real widgets: the desktop app on a temporary profile with the demo
// upstream, a test request with a tool call streamed through it, then the main window (timeline, detail pane),
// the settings dialog and the tray menu grabbed to PNG. scripts/screenshots runs it under Xvfb at 1280x800 and
// at a HiDPI scale of 2.
#include "desktopapp.h"
#include "mainwindow.h"
#include "settingsdialog.h"
#include "tray.h"

#include "config/settings.h"
#include "net/servicehost.h"
#include "session/timelinemodel.h"

#include <QApplication>
#include <QDir>
#include <QItemSelectionModel>
#include <QMenu>
#include <QScreen>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

bool save(QWidget *widget, const QString &path)
{
    const QPixmap pixmap = widget->grab();
    const bool ok = pixmap.save(path);
    std::printf("%s %s (%dx%d device pixels)\n", ok ? "wrote" : "FAILED", qPrintable(path),
                pixmap.width(), pixmap.height());
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"Switchyard"_s);
    QCoreApplication::setApplicationName(u"switchyard-screenshots"_s);
    const QStringList args = app.arguments();
    const QString outDir = args.size() > 1 ? args.at(1) : u"docs/screenshots"_s;
    const QString suffix = args.size() > 2 ? args.at(2) : QString();
    QDir().mkpath(outDir);

    QTemporaryDir home;
    Proxy::Settings settings(home.filePath(u"switchyard.ini"_s));
    Proxy::ProxyConfig config = settings.proxyConfig();
    config.listenPort = 0;
    Desktop::DesktopApp::Options options;
    options.historyFile = home.filePath(u"history.sqlite"_s);
    options.summaryLogFile = home.filePath(u"switchyard.log"_s);
    Desktop::DesktopApp desktop(config, &settings, options);
    if (!desktop.start())
        return 1;
    Desktop::MainWindow *window = desktop.window();
    window->resize(1280 - 40, 800 - 60);

    // One plain exchange first, then the one to show: a streamed tool call.
    desktop.host()->sendTestRequest();
    QTest::qWait(2500);
    desktop.host()->sendTestRequest();
    QTest::qWait(3500);
    QTableView *timeline = window->timelineView();
    Proxy::TimelineModel *model = window->timelineModel();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->index(r, Proxy::TimelineModel::Client).data().toString().contains(u"start tool_use"_s)) {
            timeline->selectionModel()->setCurrentIndex(model->index(r, Proxy::TimelineModel::Client),
                                                        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            break;
        }
    }
    QTest::qWait(300);
    bool ok = save(window, outDir + u"/main-window"_s + suffix + u".png"_s);

    Desktop::SettingsDialog *dialog = desktop.openSettings();
    dialog->addPreset(u"openrouter"_s);
    dialog->addPreset(u"ollama"_s);
    dialog->selectProfile(u"openrouter"_s);
    dialog->resize(dialog->sizeHint().expandedTo(QSize(900, 600)));
    QTest::qWait(300);
    ok &= save(dialog, outDir + u"/settings"_s + suffix + u".png"_s);
    dialog->close();

    QMenu *menu = desktop.tray()->menu();
    menu->popup(window->geometry().center());
    QTest::qWait(300);
    ok &= save(menu, outDir + u"/tray-menu"_s + suffix + u".png"_s);
    menu->hide();
    return ok ? 0 : 1;
}
