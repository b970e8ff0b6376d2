#include "commandline.h"

#include <QCommandLineParser>
#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace {

tl::expected<std::pair<QString, quint16>, QString> parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return tl::unexpected(u"--listen expects HOST:PORT, got \"%1\""_s.arg(text));
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return tl::unexpected(u"--listen: \"%1\" is not a port number (0-65535)"_s.arg(text.mid(colon + 1)));
    if (host != u"localhost"_s && QHostAddress(host).isNull())
        return tl::unexpected(u"--listen: \"%1\" is not an IP address or localhost"_s.arg(host));
    return std::pair{host, quint16(port)};
}

tl::expected<QUrl, QString> parseUpstream(const QString &text)
{
    if (text == u"demo"_s)
        return QUrl();
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s) || url.host().isEmpty())
        return tl::unexpected(u"--upstream expects an http(s) base URL such as https://api.openai.com/v1, or "
                              "\"demo\"; got \"%1\""_s.arg(text));
    return url;
}

} // namespace

void CommandLineOptions::applyTo(Proxy::ProxyConfig &config) const
{
    if (listenHost)
        config.listenHost = *listenHost;
    if (listenPort)
        config.listenPort = *listenPort;
    if (upstream) {
        Proxy::UpstreamProfile profile;
        profile.baseUrl = *upstream;
        profile.name = upstream->isEmpty() ? u"demo"_s : upstream->host();
        config.upstream = profile;
    }
    if (model)
        config.upstream.modelOverride = *model;
    if (!modelMap.isEmpty())
        config.upstream.modelRules = modelMap + config.upstream.modelRules; // command line first
    config.allowedHosts += allowHosts;
    config.allowedOrigins += allowOrigins;
    if (retries)
        config.retry.maxRetries = *retries;
    if (!fallbacks.isEmpty()) {
        config.fallbacks.clear();
        for (const QUrl &url : fallbacks) {
            Proxy::UpstreamProfile profile;
            profile.baseUrl = url;
            profile.name = url.isEmpty() ? u"demo"_s : url.host();
            profile.modelOverride = config.upstream.modelOverride;
            profile.modelRules = config.upstream.modelRules;
            config.fallbacks.append({profile, {}});
        }
    }
}

void applyEnvironment(Proxy::ProxyConfig &config)
{
    config.upstreamKey = qgetenv("SWITCHYARD_UPSTREAM_KEY");
    config.inboundToken = qgetenv("SWITCHYARD_TOKEN").trimmed();
    for (qsizetype i = 0; i < config.fallbacks.size(); ++i)
        config.fallbacks[i].key = qgetenv(QByteArray("SWITCHYARD_FALLBACK_KEY_" + QByteArray::number(i + 1)).constData());
}

std::optional<QString> checkListenSecurity(const Proxy::ProxyConfig &config)
{
    const bool loopback = config.listenHost == u"localhost"_s || QHostAddress(config.listenHost).isLoopback();
    if (loopback || !config.inboundToken.isEmpty())
        return std::nullopt;
    return u"refusing to listen on %1, which is not a loopback address, without an inbound token: anyone who can "
           "reach it could spend your upstream key. Set SWITCHYARD_TOKEN (clients send it as x-api-key or "
           "Authorization: Bearer)"_s.arg(config.listenHost);
}

tl::expected<CommandLineOptions, QString> parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption headless(u"headless"_s);
    const QCommandLineOption listen(u"listen"_s, {}, u"HOST:PORT"_s);
    const QCommandLineOption upstream(u"upstream"_s, {}, u"URL|demo"_s);
    const QCommandLineOption model(u"model"_s, {}, u"NAME"_s);
    const QCommandLineOption modelMap(u"model-map"_s, {}, u"FROM=TO"_s);
    const QCommandLineOption allowHost(u"allow-host"_s, {}, u"NAME"_s);
    const QCommandLineOption allowOrigin(u"allow-origin"_s, {}, u"ORIGIN"_s);
    const QCommandLineOption retries(u"retries"_s, {}, u"N"_s);
    const QCommandLineOption fallback(u"fallback"_s, {}, u"URL"_s);
    const QCommandLineOption help(QStringList{u"h"_s, u"help"_s});
    const QCommandLineOption version(QStringList{u"v"_s, u"version"_s});
    parser.addOptions({headless, listen, upstream, model, modelMap, allowHost, allowOrigin, retries, fallback, help,
                       version});

    if (!parser.parse(arguments))
        return tl::unexpected(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return tl::unexpected(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().first()));

    CommandLineOptions options;
    options.headless = parser.isSet(headless);
    options.help = parser.isSet(help);
    options.version = parser.isSet(version);
    for (const QCommandLineOption *single : {&listen, &upstream, &model, &retries}) {
        if (parser.values(*single).size() > 1)
            return tl::unexpected(u"--%1 given more than once"_s.arg(single->names().constFirst()));
    }
    if (parser.isSet(listen)) {
        const auto hostPort = parseListen(parser.value(listen));
        if (!hostPort)
            return tl::unexpected(hostPort.error());
        options.listenHost = hostPort->first;
        options.listenPort = hostPort->second;
    }
    if (parser.isSet(upstream)) {
        const auto url = parseUpstream(parser.value(upstream));
        if (!url)
            return tl::unexpected(url.error());
        options.upstream = *url;
    }
    if (parser.isSet(model)) {
        if (parser.value(model).trimmed().isEmpty())
            return tl::unexpected(u"--model expects a model name"_s);
        options.model = parser.value(model).trimmed();
    }
    options.allowHosts = parser.values(allowHost);
    options.allowOrigins = parser.values(allowOrigin);
    if (parser.isSet(retries)) {
        bool ok = false;
        const int n = parser.value(retries).toInt(&ok);
        if (!ok || n < 0 || n > 10)
            return tl::unexpected(u"--retries expects a number from 0 to 10, got \"%1\""_s.arg(parser.value(retries)));
        options.retries = n;
    }
    const QStringList fallbackUrls = parser.values(fallback);
    for (const QString &text : fallbackUrls) {
        const auto url = parseUpstream(text);
        if (!url)
            return tl::unexpected(u"--fallback "_s + url.error().mid(url.error().indexOf(u"expects"_s)));
        options.fallbacks.append(*url);
    }
    const QStringList rules = parser.values(modelMap);
    for (const QString &text : rules) {
        Proxy::ModelRule rule;
        if (!Proxy::ModelMapper::parseRule(text, &rule))
            return tl::unexpected(u"--model-map expects FROM=TO (FROM may use * and ?), got \"%1\""_s.arg(text));
        options.modelMap.append(rule);
    }
    return options;
}

QString versionText()
{
    return u"switchyard " SWITCHYARD_VERSION ""_s;
}

QString helpText()
{
    return uR"(Usage: switchyard [--headless] [--listen HOST:PORT] [--upstream URL|demo] [--model NAME]
                  [--model-map FROM=TO]... [--fallback URL]... [--retries N]
                  [--allow-host NAME]... [--allow-origin ORIGIN]...

Serves the Anthropic Messages API (what Claude Code and the Anthropic SDKs speak) and forwards each request to
an OpenAI-compatible Chat Completions upstream.

Options:
  --headless            Run without any window or tray (servers, CI, scripts). Without a display this is
                        chosen automatically.
  --listen HOST:PORT    Address to serve on (default 127.0.0.1:8082). Port 0 picks a free port. When ready,
                        one line "listening on http://HOST:PORT" is printed to standard output.
  --upstream URL|demo   OpenAI base URL, e.g. https://api.openai.com/v1 (requests go to URL/chat/completions),
                        or "demo" for the built-in demo upstream (the default when nothing is configured).
  --model NAME          Send every request to this upstream model.
  --model-map FROM=TO   Map client model names matching the glob FROM to upstream model TO, e.g.
                        'claude-*haiku*=gpt-4o-mini'. Repeatable; the first match wins. Unmapped names pass
                        through unchanged.
  --fallback URL        Before the first byte of an answer, when the upstream fails (connection failure,
                        429, 5xx) and its retries are used up, try this upstream next. Repeatable, in order.
  --retries N           Retries per upstream before falling back (default 0: clients retry themselves).
  --allow-host NAME     Also answer requests whose Host header is NAME (besides loopback names). Repeatable.
  --allow-origin ORIGIN Accept browser requests from this exact origin, e.g. http://localhost:3000.
                        Repeatable; by default every request with an Origin header is refused.
  -h, --help            Show this help and exit.
  -v, --version         Show the version and exit.

Environment:
  SWITCHYARD_UPSTREAM_KEY   API key for the upstream, sent as "Authorization: Bearer <key>". Never logged.
  SWITCHYARD_TOKEN          Inbound token: when set, every request must carry it as x-api-key or
                            "Authorization: Bearer <token>" (else 401). Required for a non-loopback --listen.
  SWITCHYARD_FALLBACK_KEY_<n>  API key for the n-th --fallback upstream (1-based).

Use it from Claude Code:
  ANTHROPIC_BASE_URL=http://127.0.0.1:8082 ANTHROPIC_AUTH_TOKEN=switchyard claude

Exit status: 0 after a clean shutdown (SIGINT/SIGTERM finish in-flight responses first), 1 when the proxy
cannot start, 2 for bad arguments.
)"_s;
}
