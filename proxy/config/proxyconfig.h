#pragma once

#include "upstreamprofile.h"

#include <QByteArray>
#include <QString>

namespace Proxy {

// Everything the core needs to run, as one value. Built by the composition root from Settings and the command
// line; the key comes from the environment (headless) or the keychain (desktop) and is never persisted here.
struct ProxyConfig
{
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8082;
    UpstreamProfile upstream;
    QByteArray upstreamKey;       // secret: sent as Authorization: Bearer; never logged
    int shutdownGraceMs = 10'000; // SIGINT/SIGTERM: how long in-flight responses may take to finish
    int pingIntervalMs = 15'000;  // streaming: a ping after this much upstream silence (clients' idle watchdogs)
};

} // namespace Proxy
