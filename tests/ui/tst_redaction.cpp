// Redaction proven end to end (issue 7, item 9): distinct planted secrets — the inbound token, the upstream key,
// a key in the URL query, an "api_key" body field — and a distinctive prompt go through the assembled desktop app
// (proxy thread, history database, summary log, exports). Afterwards every file is searched byte by byte: no
// secret anywhere; the prompt only where the user asked to record bodies.
#include "../net/fakeupstream.h"

#include "desktopapp.h"
#include "mainwindow.h"

#include "config/settings.h"
#include "net/servicehost.h"
#include "session/exchangelistmodel.h"

#include "testfiles.h"

#include <QDir>
#include <QJsonArray>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace {

const QByteArray inboundToken = "tok-planted-inbound-7f3a9c2e51";
const QByteArray upstreamKey = "sk-planted-upstream-4d8b1e6f93a2c7";
const QByteArray querySecret = "planted-query-secret-91c4";
const QByteArray bodySecret = "planted-body-field-secret-2b7d";
const QByteArray prompt = "PROMPT-MARKER the purple elephant recites Horace";
const QList<QByteArray> secrets{inboundToken, upstreamKey, querySecret, bodySecret};

QByteArray requestBody(bool stream)
{
    return R"({"model":"claude-sonnet-4-5","max_tokens":64,"stream":)" + QByteArray(stream ? "true" : "false")
        + R"(,"api_key":")" + bodySecret + R"(","messages":[{"role":"user","content":")" + prompt + R"("}]})";
}

} // namespace

class TstRedaction final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeUpstream m_upstream;
    QNetworkAccessManager m_nam;

    Desktop::DesktopApp::Options options() const
    {
        Desktop::DesktopApp::Options o;
        o.historyFile = m_dir.filePath(u"history.sqlite"_s);
        o.summaryLogFile = m_dir.filePath(u"switchyard.log"_s);
        o.upstreamFromCommandLine = true; // the profile below, not one from the keychain
        o.useEnvironmentKey = true;
        return o;
    }

    Proxy::ProxyConfig config(Proxy::Settings &settings) const
    {
        Proxy::ProxyConfig c = settings.proxyConfig();
        c.listenPort = 0;
        c.upstream.name = u"planted"_s;
        c.upstream.baseUrl = m_upstream.baseUrl();
        c.upstreamKey = upstreamKey;
        c.inboundToken = inboundToken;
        return c;
    }

    // One streamed request (token as x-api-key) and one JSON request (token as bearer), both with the secret query.
    void sendRequests(Desktop::DesktopApp &app)
    {
        // The upstream echoes the key it was sent, as some error messages do: it must be masked too.
        m_upstream.enqueue(FakeUpstream::sse(
            {R"({"choices":[{"index":0,"delta":{"content":"REPLY your key )" + upstreamKey + R"("}}]})",
             R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})", "[DONE]"}));
        m_upstream.enqueue(FakeUpstream::json(QJsonObject{
            {u"id"_s, u"c"_s},
            {u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0},
                                                  {u"message"_s, QJsonObject{{u"role"_s, u"assistant"_s},
                                                                            {u"content"_s, QString::fromLatin1("REPLY " + upstreamKey)}}},
                                                  {u"finish_reason"_s, u"stop"_s}}}},
            {u"usage"_s, QJsonObject{{u"prompt_tokens"_s, 5}, {u"completion_tokens"_s, 2}}}}));
        for (bool stream : {true, false}) {
            QUrl url = app.host()->url();
            url.setPath(u"/v1/messages"_s);
            url.setQuery(u"api_key="_s + QString::fromLatin1(querySecret));
            QNetworkRequest request(url);
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            if (stream)
                request.setRawHeader("x-api-key", inboundToken);
            else
                request.setRawHeader("Authorization", "Bearer " + inboundToken);
            QNetworkReply *reply = m_nam.post(request, requestBody(stream));
            QSignalSpy finished(reply, &QNetworkReply::finished);
            QVERIFY(finished.wait(20000));
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
    }

    // Every export of every exchange the window knows, written next to the database.
    void exportEverything(Desktop::DesktopApp &app, const QString &tag)
    {
        QAbstractItemModel *model = app.window()->exchangeView()->model();
        QTRY_VERIFY(model->rowCount() > 0);
        QList<QByteArray> ids;
        for (int g = 0; g < model->rowCount(); ++g) {
            for (int r = 0; r < model->rowCount(model->index(g, 0)); ++r)
                ids.append(model->index(r, 0, model->index(g, 0)).data(Proxy::ExchangeListModel::RequestIdRole).toByteArray());
        }
        QVERIFY(!ids.isEmpty());
        QVERIFY(app.window()->exportTo(m_dir.filePath(tag + u".jsonl"_s), ids, Desktop::MainWindow::ExportFormat::Jsonl));
        QVERIFY(app.window()->exportTo(m_dir.filePath(tag + u".har"_s), ids, Desktop::MainWindow::ExportFormat::Har));
        QFile curl(m_dir.filePath(tag + u".curl"_s));
        QVERIFY(curl.open(QIODevice::WriteOnly));
        for (const QByteArray &id : std::as_const(ids)) {
            app.window()->selectExchange(id);
            curl.write(app.window()->curlForSelection().toUtf8() + '\n');
        }
    }

    // name -> bytes of every file in the profile directory (logs, database and its WAL, exports).
    QList<QPair<QString, QByteArray>> everyFile() const
    {
        QList<QPair<QString, QByteArray>> files;
        const auto names = QDir(m_dir.path()).entryList(QDir::Files);
        for (const QString &name : names) {
            if (name != u"switchyard.ini"_s) // the settings file is checked on its own below
                files.append({name, fileBytes(m_dir.filePath(name))});
        }
        return files;
    }

private Q_SLOTS:
    void shouldKeepEverySecretOutOfLogsHistoryAndExports()
    {
        Proxy::Settings settings(m_dir.filePath(u"switchyard.ini"_s));
        settings.set(Proxy::Settings::Key::RecordBodies, false);
        {
            Desktop::DesktopApp app(config(settings), &settings, options());
            QVERIFY(app.start());
            sendRequests(app);
            exportEverything(app, u"bodies-off"_s);
        } // closing flushes the history
        const auto files = everyFile();
        QStringList names;
        for (const auto &[name, bytes] : files)
            names.append(name);
        for (const QString &expected : {u"switchyard.log"_s, u"history.sqlite"_s, u"bodies-off.jsonl"_s,
                                        u"bodies-off.har"_s, u"bodies-off.curl"_s})
            QVERIFY2(names.contains(expected), qPrintable(names.join(u", "_s)));
        for (const auto &[name, bytes] : files) {
            QVERIFY2(!bytes.isEmpty(), qPrintable(name));
            for (const QByteArray &secret : secrets)
                QVERIFY2(!bytes.contains(secret), qPrintable(name + u" holds "_s + QString::fromLatin1(secret)));
            QVERIFY2(!bytes.contains(prompt), qPrintable(name + u" holds the prompt with bodies off"_s));
        }
        QVERIFY(fileBytes(m_dir.filePath(u"history.sqlite"_s)).contains("REPLY")); // what was recorded is there
        QVERIFY(fileBytes(m_dir.filePath(u"switchyard.log"_s)).contains("[redacted]"));
        // The upstream really got the key and the client's secrets reached the proxy: the test planted them for real.
        QCOMPARE(m_upstream.requests.first().header("authorization"), "Bearer " + upstreamKey);

        // Now the user asks to record bodies: the prompt is recorded, the secrets still are not.
        settings.set(Proxy::Settings::Key::RecordBodies, true);
        {
            Desktop::DesktopApp app(config(settings), &settings, options());
            QVERIFY(app.start());
            sendRequests(app);
            exportEverything(app, u"bodies-on"_s);
        }
        bool promptRecorded = false;
        for (const auto &[name, bytes] : everyFile()) {
            for (const QByteArray &secret : secrets)
                QVERIFY2(!bytes.contains(secret), qPrintable(name + u" holds "_s + QString::fromLatin1(secret)));
            if (name.startsWith(u"history.sqlite"_s) || name.startsWith(u"bodies-on"_s))
                promptRecorded |= bytes.contains(prompt);
            if (name == u"switchyard.log"_s || name.startsWith(u"bodies-off"_s))
                QVERIFY2(!bytes.contains(prompt), qPrintable(name)); // the summary log never has message text
        }
        QVERIFY(promptRecorded);
        const QByteArray ini = fileBytes(m_dir.filePath(u"switchyard.ini"_s));
        for (const QByteArray &secret : secrets)
            QVERIFY(!ini.contains(secret));
    }
};

QTEST_MAIN(TstRedaction)
#include "tst_redaction.moc"
