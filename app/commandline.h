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

    // Command-line values override the stored configuration.
    void applyTo(Proxy::ProxyConfig &config) const;
};

// Parses arguments (argv[0] first). On error, the message to print before exiting with status 2.
[[nodiscard]] tl::expected<CommandLineOptions, QString> parseCommandLine(const QStringList &arguments);

[[nodiscard]] QString helpText();
[[nodiscard]] QString versionText();
