// Composition root: parses the command line, builds the core and, with a display, the window. No logic here.
#include "commandline.h"
#include "unixsignals.h"

#include "config/autostart.h"
#include "config/settings.h"
#include "net/proxyservice.h"
#include "session/summarylog.h"
#include "desktopapp.h"
#include "singleinstance.h"

#include <QApplication>
#include <QCoreApplication>
#include <QHostAddress>

#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

void printLine(FILE *stream, const QString &text)
{
    std::fputs(qPrintable(text + u'\n'), stream);
    std::fflush(stream);
}

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

void warnIfExposed(const QUrl &url)
{
    if (!QHostAddress(url.host()).isLoopback()) {
        printLine(stderr, u"switchyard: warning: listening on a non-loopback address; anyone who can reach it and "
                          "knows the inbound token can spend your upstream key"_s);
    }
}

// The desktop app: one instance per user (a second launch raises the first one's window), the proxy on its own
// thread, the window and the tray.
int runDesktop(QCoreApplication &app, Proxy::Settings &settings, const Proxy::ProxyConfig &config,
               const CommandLineOptions &options)
{
    Desktop::SingleInstance instance(Desktop::SingleInstance::defaultName(settings.fileName()));
    if (instance.notifyRunningInstance()) {
        printLine(stderr, u"switchyard: already running; its window was raised"_s);
        return 0;
    }
    if (!instance.listen())
        printLine(stderr, u"switchyard: warning: another launch will not find this one (local socket failed)"_s);

    // Wayland links the window to the launcher entry (and its icon) by this id.
    QGuiApplication::setDesktopFileName(Proxy::Autostart::desktopId.toString());
    Desktop::DesktopApp::Options desktopOptions;
    desktopOptions.summaryLogFile = Proxy::SummaryLog::defaultFilePath();
    desktopOptions.useEnvironmentKey = !config.upstreamKey.isEmpty();
    desktopOptions.upstreamFromCommandLine = options.upstream.has_value() || options.model.has_value();
    Desktop::DesktopApp desktop(config, &settings, desktopOptions);
    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &desktop, &Desktop::DesktopApp::quit);
    QObject::connect(&instance, &Desktop::SingleInstance::activationRequested, &desktop,
                     &Desktop::DesktopApp::showWindow);
    const Proxy::Result<QUrl> url = desktop.start();
    if (!url) {
        printLine(stderr, u"switchyard: "_s + url.error().message);
        return 1;
    }
    printLine(stdout, u"listening on "_s + url->toString());
    printLine(stderr, u"switchyard: upstream "_s + config.upstream.displayName());
    warnIfExposed(*url);
    return app.exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    const auto options = parseCommandLine(arguments);
    if (!options) {
        printLine(stderr, u"switchyard: "_s + options.error() + u"\nTry 'switchyard --help'."_s);
        return 2;
    }
    if (options->help) {
        printLine(stdout, helpText());
        return 0;
    }
    if (options->version) {
        printLine(stdout, versionText());
        return 0;
    }

    bool headless = options->headless;
    if (!headless && !hasDisplay()) {
        printLine(stderr, u"switchyard: no display found; running headless (pass --headless to say so)"_s);
        headless = true;
    }
    // Headless never initialises Gui or Widgets.
    std::unique_ptr<QCoreApplication> app = headless ? std::make_unique<QCoreApplication>(argc, argv)
                                                     : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(u"Switchyard"_s);
    QCoreApplication::setApplicationName(u"switchyard"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHYARD_VERSION));

    Proxy::Settings settings;
    Proxy::ProxyConfig config = settings.proxyConfig();
    options->applyTo(config);
    applyEnvironment(config); // keys and the inbound token: never from argv (visible in ps)
    if (const auto refused = checkListenSecurity(config)) {
        printLine(stderr, u"switchyard: "_s + *refused);
        return 2;
    }

    if (!headless)
        return runDesktop(*app, settings, config, *options);

    Proxy::ProxyService service(config);
    // Before the ready line: a supervisor may send SIGTERM the moment it reads it.
    UnixSignals unixSignals;
    QObject::connect(&service, &Proxy::ProxyService::drained, app.get(), &QCoreApplication::quit);
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &service, [&service, &config] {
        if (service.isShuttingDown()) { // a second Ctrl-C: stop waiting
            QCoreApplication::quit();
            return;
        }
        printLine(stderr, u"switchyard: shutting down (%1 request(s) in flight)"_s.arg(service.activeExchangeCount()));
        service.shutdown(config.shutdownGraceMs); // bounded wait
    });

    const Proxy::Result<QUrl> url = service.start();
    if (!url) {
        printLine(stderr, u"switchyard: "_s + url.error().message);
        return 1;
    }
    // The summary log: JSON lines on stderr when headless, always in a rotating file under the XDG state dir.
    Proxy::SummaryLog summaryLog({Proxy::SummaryLog::defaultFilePath(), true});
    summaryLog.attach(service.hub());

    printLine(stdout, u"listening on "_s + url->toString());
    printLine(stderr, u"switchyard: upstream "_s + config.upstream.displayName());
    warnIfExposed(*url);
    return app->exec();
}
