#pragma once

#include <QList>
#include <QRegularExpression>
#include <QString>

namespace Proxy {

struct ModelRule
{
    QString pattern; // wildcard glob over the client model name (case-insensitive), e.g. "claude-*haiku*"
    QString target;  // upstream model name
    friend bool operator==(const ModelRule &, const ModelRule &) = default;
};

// Resolves a client model name to an upstream model: a fixed override wins, then the first matching rule in
// order, otherwise the name passes through.
class ModelMapper
{
public:
    ModelMapper() = default;
    ModelMapper(QString overrideModel, QList<ModelRule> rules);

    [[nodiscard]] QString map(const QString &clientModel) const;

    // Parses "FROM=TO" (FROM a glob, both non-empty). Returns false on malformed input.
    [[nodiscard]] static bool parseRule(const QString &text, ModelRule *rule);

private:
    QString m_override;
    QList<ModelRule> m_rules;
    QList<QRegularExpression> m_patterns; // compiled once: map() runs for every request and count_tokens

};

} // namespace Proxy
