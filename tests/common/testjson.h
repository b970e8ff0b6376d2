#pragma once

// JSON helpers shared by the tests: test input is trusted, so bad JSON is a bug in the test and stops the run.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace TestJson {

namespace Detail {

inline QJsonDocument parse(const QByteArray &text, bool objectOnly)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || (objectOnly && !document.isObject()))
        qFatal("bad test JSON: %s in %s", qPrintable(error.errorString()), text.constData());
    return document;
}

} // namespace Detail

// `text` as a JSON document of any kind; qFatal()s with the parse error and the text if it is not JSON.
inline QJsonDocument document(const QByteArray &text)
{
    return Detail::parse(text, false);
}

// `text` as a JSON object; qFatal()s with the parse error and the text if it is not JSON or not an object.
inline QJsonObject object(const QByteArray &text)
{
    return Detail::parse(text, true).object();
}

// The JSON object in the file at `path`; qFatal()s if it cannot be read or is not a JSON object.
inline QJsonObject readJsonFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return object(file.readAll());
}

#ifdef SWITCHYARD_TEST_DATA_DIR
// Golden-file rows for a _data function that has added two QString columns (input path, expected path):
// one row per tests/data/<subdir>/<name><inputSuffix>, named <name>, with <name><expectedSuffix> beside it.
// Finding no input file fails the test, so a missing data directory cannot pass silently.
inline void addGoldenRows(const QString &subdir, const QString &inputSuffix, const QString &expectedSuffix)
{
    const QDir dir(QStringLiteral(SWITCHYARD_TEST_DATA_DIR "/") + subdir);
    const QStringList files = dir.entryList({ QLatin1Char('*') + inputSuffix }, QDir::Files, QDir::Name);
    QVERIFY2(!files.isEmpty(), qPrintable(QStringLiteral("no *%1 files in %2").arg(inputSuffix, dir.path())));
    for (const QString &file : files) {
        const QString name = file.chopped(inputSuffix.size());
        QTest::addRow("%s", qPrintable(name)) << dir.filePath(file) << dir.filePath(name + expectedSuffix);
    }
}
#endif

} // namespace TestJson
