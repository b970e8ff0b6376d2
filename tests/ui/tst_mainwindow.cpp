#include "mainwindow.h"

#include "net/proxyservice.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;

class TstMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldShowWhereToPointClaudeCode()
    {
        Proxy::ProxyConfig config;
        config.listenPort = 0;
        Proxy::ProxyService service(config);
        QVERIFY(service.start().has_value());
        Desktop::MainWindow window(&service);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QVERIFY(!window.windowIcon().isNull());
        QVERIFY(!window.windowIcon().pixmap(16, 16).isNull()); // the SVG renders at tray size
        const QString expected = u"ANTHROPIC_BASE_URL=%1"_s.arg(service.url().toString());
        auto *line = window.findChild<QLineEdit *>();
        QVERIFY(line);
        QVERIFY(line->text().startsWith(expected));

        auto *copy = window.findChild<QPushButton *>();
        QVERIFY(copy);
        QApplication::clipboard()->clear();
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), window.claudeCodeEnvironment());
        QVERIFY(QApplication::clipboard()->text().startsWith(expected));
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
