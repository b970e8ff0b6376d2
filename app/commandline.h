#pragma once

#include "config/proxyconfig.h"
#include "protocol/modelmapper.h"

#include <QStringList>
#include <QUrl>

#include <tl/expected.hpp>

#include <optional>

// The command line is a contract other tools rely on:
//   switchyard [--headless] [--listen HOST:PORT] [--upstream URL|demo] [--model NAME] [--model-map FROM=TO]...
// Extend it; never change what an existing option means.
struct CommandLineOptions
{
    bool headless = false;
    bool help = false;
    bool version = false;
    std::optional<QString> listenHost;
    std::optional<quint16> listenPort;
    std::optional<QUrl> upstream; // an empty URL means the built-in demo
    std::optional<QString> model;
    QList<Proxy::ModelRule> modelMap;
    QStringList allowHosts;   // --allow-host NAME (repeatable)
    QStringList allowOrigins; // --allow-origin ORIGIN (repeatable)
    std::optional<int> retries;
    QList<QUrl> fallbacks;    // --fallback URL (repeatable), keys from SWITCHYARD_FALLBACK_KEY_<n>

    // Command-line values override the stored configuration.
    void applyTo(Proxy::ProxyConfig &config) const;
};

// Reads the secrets that never travel on the command line (visible in ps): SWITCHYARD_UPSTREAM_KEY,
// SWITCHYARD_TOKEN (the inbound token) and SWITCHYARD_FALLBACK_KEY_<n> for the n-th --fallback (1-based).
void applyEnvironment(Proxy::ProxyConfig &config);

// Listening on a non-loopback address without an inbound token is refused: the message to print before exiting
// with status 2, or nothing.
[[nodiscard]] std::optional<QString> checkListenSecurity(const Proxy::ProxyConfig &config);

// Parses arguments (argv[0] first). On error, the message to print before exiting with status 2.
[[nodiscard]] tl::expected<CommandLineOptions, QString> parseCommandLine(const QStringList &arguments);

[[nodiscard]] QString helpText();
[[nodiscard]] QString versionText();
