#pragma once

#include <QJsonObject>

namespace Proxy {

// Removes JSON-Schema keywords that OpenAI-compatible upstreams reject from a tool's input_schema:
// `$schema`, `$id`, `$comment`, `propertyNames` and `format`. It walks the schema structurally
// (properties, patternProperties, $defs/definitions, items/prefixItems, additionalProperties, anyOf/oneOf/allOf,
// not, if/then/else, dependentSchemas), so a *property* that happens to be named "format" or "$schema" is kept.
// A schema without "type" gets {"type":"object"} at the top level (OpenAI requires it for function parameters).
[[nodiscard]] QJsonObject cleanToolSchema(const QJsonObject &inputSchema);

} // namespace Proxy
