#include "commandline.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TstCommandLine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldAcceptTheDocumentedOptions()
    {
        const auto options = parseCommandLine({u"switchyard"_s, u"--headless"_s, u"--listen"_s, u"127.0.0.1:0"_s,
                                               u"--upstream"_s, u"https://api.openai.com/v1"_s, u"--model"_s,
                                               u"gpt-4o"_s, u"--model-map"_s, u"claude-*haiku*=gpt-4o-mini"_s,
                                               u"--model-map=claude-*=gpt-4o"_s});
        QVERIFY2(options.has_value(), options ? "" : qPrintable(options.error()));
        QVERIFY(options->headless);
        QCOMPARE(options->listenHost.value(), u"127.0.0.1"_s);
        QCOMPARE(options->listenPort.value(), quint16(0));
        QCOMPARE(options->upstream.value(), QUrl(u"https://api.openai.com/v1"_s));
        QCOMPARE(options->model.value(), u"gpt-4o"_s);
        QCOMPARE(options->modelMap.size(), 2);
        QCOMPARE(options->modelMap[0].pattern, u"claude-*haiku*"_s);
        QCOMPARE(options->modelMap[0].target, u"gpt-4o-mini"_s);
    }

    void shouldOverrideStoredConfiguration()
    {
        const auto options = parseCommandLine({u"switchyard"_s, u"--listen"_s, u"[::1]:9000"_s, u"--upstream"_s,
                                               u"http://localhost:11434/v1"_s, u"--model-map"_s, u"a*=b"_s});
        QVERIFY(options.has_value());
        Proxy::ProxyConfig config;
        config.upstream.modelRules = {{u"x"_s, u"y"_s}};
        options->applyTo(config);
        QCOMPARE(config.listenHost, u"::1"_s);
        QCOMPARE(config.listenPort, quint16(9000));
        QCOMPARE(config.upstream.baseUrl, QUrl(u"http://localhost:11434/v1"_s));
        QCOMPARE(config.upstream.chatCompletionsUrl(), QUrl(u"http://localhost:11434/v1/chat/completions"_s));
        QCOMPARE(config.upstream.modelRules.size(), 1); // a new upstream starts from a fresh profile
    }

    void shouldSelectTheDemo()
    {
        const auto options = parseCommandLine({u"switchyard"_s, u"--upstream"_s, u"demo"_s});
        QVERIFY(options.has_value());
        Proxy::ProxyConfig config;
        config.upstream.baseUrl = QUrl(u"https://example.com/v1"_s);
        options->applyTo(config);
        QVERIFY(config.upstream.isDemo());
    }

    void shouldRejectBadArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addRow("unknown option") << QStringList{u"--bogus"_s};
        QTest::addRow("listen without port") << QStringList{u"--listen"_s, u"127.0.0.1"_s};
        QTest::addRow("listen bad port") << QStringList{u"--listen"_s, u"127.0.0.1:70000"_s};
        QTest::addRow("listen bad host") << QStringList{u"--listen"_s, u"not a host:80"_s};
        QTest::addRow("upstream not a URL") << QStringList{u"--upstream"_s, u"ftp://x"_s};
        QTest::addRow("model-map without =") << QStringList{u"--model-map"_s, u"claude"_s};
        QTest::addRow("model-map empty target") << QStringList{u"--model-map"_s, u"claude="_s};
        QTest::addRow("missing value") << QStringList{u"--model"_s};
        QTest::addRow("positional") << QStringList{u"extra"_s};
        QTest::addRow("listen twice") << QStringList{u"--listen"_s, u"127.0.0.1:1"_s, u"--listen"_s, u"127.0.0.1:2"_s};
        QTest::addRow("retries not a number") << QStringList{u"--retries"_s, u"many"_s};
        QTest::addRow("retries too many") << QStringList{u"--retries"_s, u"11"_s};
        QTest::addRow("fallback not a URL") << QStringList{u"--fallback"_s, u"nope"_s};
    }

    void shouldRejectBadArguments()
    {
        QFETCH(QStringList, arguments);
        arguments.prepend(u"switchyard"_s);
        const auto options = parseCommandLine(arguments);
        QVERIFY(!options.has_value());
        QVERIFY(!options.error().isEmpty());
    }

    void shouldDocumentEveryOptionInHelp()
    {
        const QString help = helpText();
        for (const auto *option : {"--headless", "--listen", "--upstream", "--model", "--model-map", "--help",
                                   "--version", "SWITCHYARD_UPSTREAM_KEY", "--fallback", "--retries", "--allow-host",
                                   "--allow-origin", "SWITCHYARD_TOKEN", "SWITCHYARD_FALLBACK_KEY_"})
            QVERIFY2(help.contains(QLatin1StringView(option)), option);
    }

    void shouldParseTheHardeningOptions()
    {
        const auto options = parseCommandLine({u"switchyard"_s, u"--allow-host"_s, u"box.lan"_s, u"--allow-origin"_s,
                                               u"http://localhost:3000"_s, u"--retries"_s, u"2"_s, u"--fallback"_s,
                                               u"https://b.example/v1"_s, u"--fallback"_s, u"demo"_s});
        QVERIFY2(options.has_value(), options ? "" : qPrintable(options.error()));
        Proxy::ProxyConfig config;
        options->applyTo(config);
        QCOMPARE(config.allowedHosts, QStringList{u"box.lan"_s});
        QCOMPARE(config.allowedOrigins, QStringList{u"http://localhost:3000"_s});
        QCOMPARE(config.retry.maxRetries, 2);
        QCOMPARE(config.fallbacks.size(), 2);
        QCOMPARE(config.fallbacks[0].profile.baseUrl, QUrl(u"https://b.example/v1"_s));
        QVERIFY(config.fallbacks[1].profile.isDemo());

        qputenv("SWITCHYARD_TOKEN", " tok-env \n");
        qputenv("SWITCHYARD_FALLBACK_KEY_1", "sk-fallback-1");
        applyEnvironment(config);
        qunsetenv("SWITCHYARD_TOKEN");
        qunsetenv("SWITCHYARD_FALLBACK_KEY_1");
        QCOMPARE(config.inboundToken, QByteArray("tok-env"));
        QCOMPARE(config.fallbacks[0].key, QByteArray("sk-fallback-1"));
        QVERIFY(config.fallbacks[1].key.isEmpty());
    }

    void shouldRefuseANonLoopbackListenWithoutAToken_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<bool>("refused");
        QTest::addRow("loopback") << u"127.0.0.1"_s << QByteArray() << false;
        QTest::addRow("localhost") << u"localhost"_s << QByteArray() << false;
        QTest::addRow("::1") << u"::1"_s << QByteArray() << false;
        QTest::addRow("any, no token") << u"0.0.0.0"_s << QByteArray() << true;
        QTest::addRow("lan, no token") << u"192.168.1.2"_s << QByteArray() << true;
        QTest::addRow("any with token") << u"0.0.0.0"_s << QByteArray("tok") << false;
    }

    void shouldRefuseANonLoopbackListenWithoutAToken()
    {
        QFETCH(QString, host);
        QFETCH(QByteArray, token);
        QFETCH(bool, refused);
        Proxy::ProxyConfig config;
        config.listenHost = host;
        config.inboundToken = token;
        const auto message = checkListenSecurity(config);
        QCOMPARE(message.has_value(), refused);
        if (message)
            QVERIFY(message->contains(u"SWITCHYARD_TOKEN"_s));
    }
};

QTEST_GUILESS_MAIN(TstCommandLine)
#include "tst_commandline.moc"
