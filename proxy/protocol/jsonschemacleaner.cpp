#include "jsonschemacleaner.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

bool isRemovedKeyword(QStringView keyword)
{
    return keyword == "$schema"_L1 || keyword == "$id"_L1 || keyword == "$comment"_L1 || keyword == "propertyNames"_L1
        || keyword == "format"_L1;
}

// Keywords whose value is a schema, or an array of schemas (`items` in its draft-7 tuple form, `anyOf`, ...).
bool holdsSubschemas(QStringView keyword)
{
    static const QStringList keywords{ u"items"_s, u"prefixItems"_s, u"additionalItems"_s, u"contains"_s,
        u"additionalProperties"_s, u"unevaluatedProperties"_s, u"unevaluatedItems"_s, u"anyOf"_s, u"oneOf"_s,
        u"allOf"_s, u"not"_s, u"if"_s, u"then"_s, u"else"_s };
    return keywords.contains(keyword);
}

// Keywords whose value maps names to schemas: the names are data and are never cleaned.
bool holdsNamedSubschemas(QStringView keyword)
{
    static const QStringList keywords{ u"properties"_s, u"patternProperties"_s, u"$defs"_s, u"definitions"_s,
        u"dependentSchemas"_s, u"dependencies"_s };
    return keywords.contains(keyword);
}

QJsonObject cleanSchema(const QJsonObject &schema);

// Booleans are valid schemas, and draft-7 `dependencies` values may be arrays of names: both pass unchanged.
QJsonValue cleanSchemaValue(const QJsonValue &value)
{
    return value.isObject() ? QJsonValue(cleanSchema(value.toObject())) : value;
}

QJsonValue cleanSubschemas(const QJsonValue &value)
{
    if (!value.isArray())
        return cleanSchemaValue(value);
    QJsonArray result;
    for (const QJsonValue item : value.toArray())
        result.append(cleanSchemaValue(item));
    return result;
}

QJsonValue cleanNamedSubschemas(const QJsonValue &value)
{
    if (!value.isObject())
        return value;
    QJsonObject result = value.toObject();
    for (auto it = result.begin(); it != result.end(); ++it)
        it.value() = cleanSchemaValue(it.value());
    return result;
}

QJsonObject cleanSchema(const QJsonObject &schema)
{
    QJsonObject result;
    for (auto it = schema.constBegin(); it != schema.constEnd(); ++it) {
        const QString keyword = it.key();
        if (isRemovedKeyword(keyword))
            continue;
        if (holdsSubschemas(keyword))
            result.insert(keyword, cleanSubschemas(it.value()));
        else if (holdsNamedSubschemas(keyword))
            result.insert(keyword, cleanNamedSubschemas(it.value()));
        else
            result.insert(keyword, it.value()); // enum, const, default, examples...: values, not schemas
    }
    return result;
}

} // namespace

QJsonObject cleanToolSchema(const QJsonObject &inputSchema)
{
    QJsonObject result = cleanSchema(inputSchema);
    if (!result.contains("type"_L1))
        result.insert(u"type"_s, u"object"_s);
    // OpenAI rejects an object schema for function parameters that has no `properties`.
    if (result.value("type"_L1).toString() == "object"_L1 && !result.contains("properties"_L1))
        result.insert(u"properties"_s, QJsonObject());
    return result;
}

} // namespace Proxy
