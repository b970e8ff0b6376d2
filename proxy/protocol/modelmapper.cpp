#include "modelmapper.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Proxy {

namespace {

// '*' and '?' are wildcards, everything else literal: QRegularExpression::wildcardToRegularExpression keeps '*'
// from matching '/' before Qt 6.6, and model names such as "qwen/qwen3-coder" contain slashes. Literal runs are
// escaped whole so a surrogate pair is never split by a backslash.
QRegularExpression globToRegex(const QString &glob)
{
    QString pattern;
    qsizetype literalStart = 0;
    for (qsizetype i = 0; i <= glob.size(); ++i) {
        if (i < glob.size() && glob.at(i) != u'*' && glob.at(i) != u'?')
            continue;
        pattern += QRegularExpression::escape(QStringView(glob).mid(literalStart, i - literalStart));
        if (i < glob.size())
            pattern += glob.at(i) == u'*' ? ".*"_L1 : "."_L1;
        literalStart = i + 1;
    }
    return QRegularExpression(QRegularExpression::anchoredPattern(pattern), QRegularExpression::CaseInsensitiveOption);
}

} // namespace

ModelMapper::ModelMapper(QString overrideModel, QList<ModelRule> rules)
    : m_override(std::move(overrideModel))
    , m_rules(std::move(rules))
{
    m_patterns.reserve(m_rules.size());
    for (const ModelRule &rule : std::as_const(m_rules))
        m_patterns.append(globToRegex(rule.pattern));
}

QString ModelMapper::map(const QString &clientModel) const
{
    if (!m_override.isEmpty())
        return m_override;
    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        if (m_patterns[i].match(clientModel).hasMatch())
            return m_rules[i].target;
    }
    return clientModel;
}

bool ModelMapper::parseRule(const QString &text, ModelRule *rule)
{
    const qsizetype equals = text.indexOf(u'=');
    if (equals < 0)
        return false;
    const QString from = text.left(equals).trimmed();
    const QString to = text.mid(equals + 1).trimmed();
    if (from.isEmpty() || to.isEmpty())
        return false;
    if (rule)
        *rule = { from, to };
    return true;
}

} // namespace Proxy
