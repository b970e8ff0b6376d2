#include "protocol/jsonschemacleaner.h"
#include "testjson.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

using TestJson::object;

class TstJsonSchemaCleaner final : public QObject {
    Q_OBJECT

private slots:
    void shouldCleanSchema_data();
    void shouldCleanSchema();
    void shouldNotChangeACleanSchema();
};

void TstJsonSchemaCleaner::shouldCleanSchema_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("drops top-level $schema, $id, $comment")
        << R"({"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","$comment":"c","type":"object",
              "properties":{"a":{"type":"string"}}})"_ba
        << R"({"type":"object","properties":{"a":{"type":"string"}}})"_ba;
    QTest::addRow("drops format and propertyNames in properties")
        << R"({"type":"object","properties":{"url":{"type":"string","format":"uri"},
              "map":{"type":"object","propertyNames":{"pattern":"^a"}}}})"_ba
        << R"({"type":"object","properties":{"url":{"type":"string"},"map":{"type":"object"}}})"_ba;
    QTest::addRow("keeps properties named like keywords")
        << R"({"type":"object","properties":{"format":{"type":"string","format":"date"},"$schema":{"type":"string"},
              "$id":{"type":"integer"}},"required":["format","$schema"]})"_ba
        << R"({"type":"object","properties":{"format":{"type":"string"},"$schema":{"type":"string"},
              "$id":{"type":"integer"}},"required":["format","$schema"]})"_ba;
    QTest::addRow("walks items, prefixItems and tuple items")
        << R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"string","format":"email"}},
              "b":{"type":"array","prefixItems":[{"format":"uuid"}]},"c":{"items":[{"format":"uri"},true]}}})"_ba
        << R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"string"}},
              "b":{"type":"array","prefixItems":[{}]},"c":{"items":[{},true]}}})"_ba;
    QTest::addRow("walks anyOf, oneOf, allOf, not")
        << R"({"type":"object","properties":{"a":{"anyOf":[{"format":"uri"},{"type":"null"}]},
              "b":{"oneOf":[{"$comment":"x","type":"string"}]},"c":{"allOf":[{"format":"date"}]},
              "d":{"not":{"format":"ipv4"}}}})"_ba
        << R"({"type":"object","properties":{"a":{"anyOf":[{},{"type":"null"}]},"b":{"oneOf":[{"type":"string"}]},
              "c":{"allOf":[{}]},"d":{"not":{}}}})"_ba;
    QTest::addRow("walks $defs, definitions, patternProperties, additionalProperties")
        << R"({"type":"object","properties":{},"$defs":{"format":{"type":"string","format":"uri"}},
              "definitions":{"d":{"$id":"d"}},"patternProperties":{"^x":{"format":"time"}},
              "additionalProperties":{"type":"string","format":"uri"}})"_ba
        << R"({"type":"object","properties":{},"$defs":{"format":{"type":"string"}},"definitions":{"d":{}},
              "patternProperties":{"^x":{}},"additionalProperties":{"type":"string"}})"_ba;
    QTest::addRow("walks if/then/else, dependentSchemas, dependencies")
        << R"({"type":"object","properties":{},"if":{"format":"a"},"then":{"format":"b"},"else":{"format":"c"},
              "dependentSchemas":{"a":{"format":"d"}},"dependencies":{"b":["a"],"c":{"format":"e"}}})"_ba
        << R"({"type":"object","properties":{},"if":{},"then":{},"else":{},"dependentSchemas":{"a":{}},
              "dependencies":{"b":["a"],"c":{}}})"_ba;
    QTest::addRow("keeps keyword-like keys inside values")
        << R"({"type":"object","properties":{"a":{"type":"object","default":{"format":"x","$schema":"y"},
              "enum":[{"format":"z"}],"examples":[{"$id":1}]}}})"_ba
        << R"({"type":"object","properties":{"a":{"type":"object","default":{"format":"x","$schema":"y"},
              "enum":[{"format":"z"}],"examples":[{"$id":1}]}}})"_ba;
    QTest::addRow("keeps boolean additionalProperties")
        << R"({"type":"object","properties":{},"additionalProperties":false})"_ba
        << R"({"type":"object","properties":{},"additionalProperties":false})"_ba;
    QTest::addRow("adds type object at the top level") << R"({"properties":{"a":{}}})"_ba
                                                       << R"({"type":"object","properties":{"a":{}}})"_ba;
    QTest::addRow("adds type and properties to an empty schema") << R"({})"_ba
                                                                 << R"({"type":"object","properties":{}})"_ba;
    QTest::addRow("adds properties to an object schema without them")
        << R"({"$schema":"s","type":"object","additionalProperties":false})"_ba
        << R"({"type":"object","properties":{},"additionalProperties":false})"_ba;
    QTest::addRow("does not add type below the top level")
        << R"({"type":"object","properties":{"a":{"description":"anything"}}})"_ba
        << R"({"type":"object","properties":{"a":{"description":"anything"}}})"_ba;
    QTest::addRow("does not add properties to a non-object top level") << R"({"type":"string","format":"uri"})"_ba
                                                                       << R"({"type":"string"})"_ba;
}

void TstJsonSchemaCleaner::shouldCleanSchema()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(Proxy::cleanToolSchema(object(input)), object(expected));
}

void TstJsonSchemaCleaner::shouldNotChangeACleanSchema()
{
    const QJsonObject schema = object(R"({"type":"object","properties":{"command":{"type":"string","description":"d"},
        "timeout":{"type":"number","minimum":0}},"required":["command"],"additionalProperties":false})"_ba);
    QCOMPARE(Proxy::cleanToolSchema(schema), schema);
}

QTEST_GUILESS_MAIN(TstJsonSchemaCleaner)
#include "tst_jsonschemacleaner.moc"
