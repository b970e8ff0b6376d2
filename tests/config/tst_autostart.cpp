#include "config/autostart.h"

#include "testfiles.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Proxy;

namespace {

void writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(contents);
}

} // namespace

class TstAutostart final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    [[nodiscard]] QString autostartDir() const { return m_dir->filePath(u"config/autostart"_s); }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void shouldBeDisabledWithoutAnEntry()
    {
        const Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        QVERIFY(!autostart.isEnabled());
        QCOMPARE(autostart.filePath(), autostartDir() + u"/io.github.switchyard.Switchyard.desktop"_s);
    }

    void shouldWriteAnEntryThatStartsTheExecutable()
    {
        Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        QVERIFY(autostart.setEnabled(true)); // the directory does not exist yet
        QVERIFY(autostart.isEnabled());
        const QByteArray entry = fileBytes(autostart.filePath());
        QVERIFY(entry.startsWith("[Desktop Entry]\n"));
        const QList<QByteArray> lines = entry.split('\n');
        QVERIFY(lines.contains("Type=Application"));
        QVERIFY(lines.contains("Exec=/usr/bin/switchyard"));
        QVERIFY(lines.contains("TryExec=/usr/bin/switchyard"));
        QVERIFY(lines.contains("Icon=io.github.switchyard.Switchyard"));
        QVERIFY(lines.contains("Name=Switchyard"));
    }

    void shouldPassArguments()
    {
        Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s, {u"--listen"_s, u"127.0.0.1:9000"_s});
        QVERIFY(autostart.setEnabled(true));
        QVERIFY(fileBytes(autostart.filePath()).split('\n').contains("Exec=/usr/bin/switchyard --listen 127.0.0.1:9000"));
    }

    void shouldLeaveOutTryExecForABareName()
    {
        Autostart autostart(autostartDir(), u"switchyard"_s);
        QVERIFY(autostart.setEnabled(true));
        const QByteArray entry = fileBytes(autostart.filePath());
        QVERIFY(entry.split('\n').contains("Exec=switchyard"));
        QVERIFY(!entry.contains("TryExec="));
    }

    void shouldRewriteWhenEnabledTwice()
    {
        QVERIFY(Autostart(autostartDir(), u"/opt/old/switchyard"_s).setEnabled(true));
        Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        QVERIFY(autostart.setEnabled(true));
        QVERIFY(fileBytes(autostart.filePath()).split('\n').contains("Exec=/usr/bin/switchyard"));
    }

    void shouldRemoveTheEntryWhenDisabled()
    {
        Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        QVERIFY(autostart.setEnabled(true));
        QVERIFY(autostart.setEnabled(false));
        QVERIFY(!QFile::exists(autostart.filePath()));
        QVERIFY(!autostart.isEnabled());
        QVERIFY(autostart.setEnabled(false)); // nothing to remove is fine
    }

    void shouldCountAnEntrySwitchedOffByTheDesktopAsDisabled_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addRow("Hidden") << QByteArray("Hidden=true");
        QTest::addRow("GNOME") << QByteArray("X-GNOME-Autostart-enabled=false");
    }

    void shouldCountAnEntrySwitchedOffByTheDesktopAsDisabled()
    {
        QFETCH(QByteArray, line);
        Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        QVERIFY(QDir().mkpath(autostartDir()));
        writeFile(autostart.filePath(), "[Desktop Entry]\nType=Application\nExec=/usr/bin/switchyard\n" + line + '\n');
        QVERIFY(!autostart.isEnabled());
        QVERIFY(autostart.setEnabled(true)); // switching it on again writes a clean entry
        QVERIFY(autostart.isEnabled());
    }

    void shouldOnlyReadTheMainGroup()
    {
        Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        QVERIFY(QDir().mkpath(autostartDir()));
        writeFile(autostart.filePath(), "[Desktop Entry]\nExec=/usr/bin/switchyard\n[Desktop Action x]\nHidden=true\n");
        QVERIFY(autostart.isEnabled());
    }

    void shouldQuoteExecArguments_data()
    {
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QString>("quoted");
        QTest::addRow("plain") << u"/usr/bin/switchyard"_s << u"/usr/bin/switchyard"_s;
        QTest::addRow("space") << u"/opt/my apps/switchyard"_s << u"\"/opt/my apps/switchyard\""_s;
        QTest::addRow("dollar") << u"/opt/$x/switchyard"_s << u"\"/opt/\\\\$x/switchyard\""_s;
        QTest::addRow("quote") << u"/opt/a\"b"_s << u"\"/opt/a\\\\\"b\""_s;
        QTest::addRow("backslash") << u"/opt/a\\b"_s << u"\"/opt/a\\\\\\\\b\""_s;
        QTest::addRow("percent") << u"/opt/100%/switchyard"_s << u"/opt/100%%/switchyard"_s;
        QTest::addRow("empty") << QString() << u"\"\""_s;
    }

    void shouldQuoteExecArguments()
    {
        QFETCH(QString, argument);
        QFETCH(QString, quoted);
        QCOMPARE(Autostart::quoteExecArgument(argument), quoted);
    }

    void shouldRefuseAnUnusableExecutable_data()
    {
        QTest::addColumn<QString>("executable");
        QTest::addRow("empty") << QString();
        QTest::addRow("newline") << u"/usr/bin/switchyard\nHidden=true"_s;
    }

    void shouldRefuseAnUnusableExecutable()
    {
        QFETCH(QString, executable);
        Autostart autostart(autostartDir(), executable);
        const Result<void> result = autostart.setEnabled(true);
        QVERIFY(!result);
        QVERIFY(!result.error().message.isEmpty());
        QVERIFY(!QFile::exists(autostart.filePath()));
    }

    void shouldReportADirectoryThatCannotBeCreated()
    {
        writeFile(m_dir->filePath(u"config"_s), "a file where the folder should be");
        Autostart autostart(autostartDir(), u"/usr/bin/switchyard"_s);
        const Result<void> result = autostart.setEnabled(true);
        QVERIFY(!result);
        QVERIFY2(result.error().message.contains(autostartDir()), qPrintable(result.error().message));
        QVERIFY(!autostart.isEnabled());
    }

    void shouldDefaultToTheXdgConfigHome()
    {
        const QByteArray saved = qgetenv("XDG_CONFIG_HOME");
        qputenv("XDG_CONFIG_HOME", m_dir->filePath(u"xdg"_s).toLocal8Bit());
        const QString directory = Autostart::defaultDirectory();
        if (saved.isNull())
            qunsetenv("XDG_CONFIG_HOME");
        else
            qputenv("XDG_CONFIG_HOME", saved);
        QCOMPARE(directory, m_dir->filePath(u"xdg/autostart"_s));
    }

    void shouldDefaultToTheRunningProgram()
    {
        QCOMPARE(Autostart::defaultExecutable(), QCoreApplication::applicationFilePath());
    }
};

QTEST_GUILESS_MAIN(TstAutostart)
#include "tst_autostart.moc"
