#include "protocol/toolnamemap.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using Proxy::ToolNameMap;

namespace {

QString sha1Prefix(const QString &name)
{
    return QString::fromLatin1(QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha1).toHex().left(8));
}

} // namespace

class TstToolNameMap final : public QObject {
    Q_OBJECT

private slots:
    void shouldKeepValidNamesUnchanged_data();
    void shouldKeepValidNamesUnchanged();
    void shouldRenameInvalidNames_data();
    void shouldRenameInvalidNames();
    void shouldRenameDeterministically();
    void shouldKeepNamesWithTheSamePrefixApart();
    void shouldPassUnknownUpstreamNamesThrough();
    void shouldTellValidUpstreamNames_data();
    void shouldTellValidUpstreamNames();
};

void TstToolNameMap::shouldKeepValidNamesUnchanged_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("simple") << u"Bash"_s;
    QTest::addRow("underscore and dash") << u"mcp__git-hub_search"_s;
    QTest::addRow("digits") << u"tool2"_s;
    QTest::addRow("64 characters") << QString(64, u'a');
}

void TstToolNameMap::shouldKeepValidNamesUnchanged()
{
    QFETCH(QString, name);
    ToolNameMap map;
    QCOMPARE(map.toUpstream(name), name);
    QCOMPARE(map.toClient(name), name);
    QVERIFY(map.isEmpty());
}

void TstToolNameMap::shouldRenameInvalidNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expectedPrefix");
    QTest::addRow("dot") << u"mcp.server.read"_s << u"mcp_server_read"_s;
    QTest::addRow("colon and slash") << u"fs:read/file"_s << u"fs_read_file"_s;
    QTest::addRow("space") << u"read file"_s << u"read_file"_s;
    QTest::addRow("65 characters") << QString(65, u'b') << QString(55, u'b');
    QTest::addRow("70 characters") << QString(70, u'c') << QString(55, u'c');
    QTest::addRow("non-ASCII, one underscore per character") << u"café☕😀"_s << u"caf___"_s;
    QTest::addRow("empty") << QString() << QString();
}

void TstToolNameMap::shouldRenameInvalidNames()
{
    QFETCH(QString, name);
    QFETCH(QString, expectedPrefix);
    ToolNameMap map;
    const QString upstream = map.toUpstream(name);
    QCOMPARE(upstream, expectedPrefix + u'_' + sha1Prefix(name));
    QVERIFY(upstream.size() <= 64);
    QVERIFY(QRegularExpression(u"^[a-zA-Z0-9_-]{1,64}$"_s).match(upstream).hasMatch());
    QVERIFY(ToolNameMap::isValidUpstreamName(upstream));
    QCOMPARE(map.toClient(upstream), name);
    QVERIFY(!map.isEmpty());
}

void TstToolNameMap::shouldRenameDeterministically()
{
    const QString name = u"mcp__server__"_s + QString(60, u'x') + u".tool"_s;
    ToolNameMap first;
    ToolNameMap second;
    QCOMPARE(first.toUpstream(name), second.toUpstream(name));
    QCOMPARE(first.toUpstream(name), first.toUpstream(name));
}

void TstToolNameMap::shouldKeepNamesWithTheSamePrefixApart()
{
    ToolNameMap map;
    const QString a = map.toUpstream(QString(70, u'd') + u"_alpha"_s);
    const QString b = map.toUpstream(QString(70, u'd') + u"_beta"_s);
    QVERIFY(a != b);
    QCOMPARE(map.toClient(a), QString(70, u'd') + u"_alpha"_s);
    QCOMPARE(map.toClient(b), QString(70, u'd') + u"_beta"_s);
}

void TstToolNameMap::shouldPassUnknownUpstreamNamesThrough()
{
    ToolNameMap map;
    (void)map.toUpstream(u"a.b"_s);
    QCOMPARE(map.toClient(u"Hallucinated_tool"_s), u"Hallucinated_tool"_s);
    QCOMPARE(map.toClient(u"a.b"_s), u"a.b"_s);
}

void TstToolNameMap::shouldTellValidUpstreamNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addRow("letters") << u"Read"_s << true;
    QTest::addRow("all classes") << u"aZ09_-"_s << true;
    QTest::addRow("64") << QString(64, u'z') << true;
    QTest::addRow("65") << QString(65, u'z') << false;
    QTest::addRow("empty") << QString() << false;
    QTest::addRow("dot") << u"a.b"_s << false;
    QTest::addRow("non-ASCII letter") << u"é"_s << false;
}

void TstToolNameMap::shouldTellValidUpstreamNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(ToolNameMap::isValidUpstreamName(name), valid);
}

QTEST_GUILESS_MAIN(TstToolNameMap)
#include "tst_toolnamemap.moc"
