#pragma once

#include <QHash>
#include <QString>

namespace Proxy {

// OpenAI-compatible upstreams accept tool names matching ^[a-zA-Z0-9_-]{1,64}$. Claude Code's MCP tools can be
// longer or contain other characters. ToolNameMap gives each such name a deterministic upstream name
// (a sanitised prefix + "_" + 8 hex digits of SHA-1 of the original, at most 64 characters) and remembers the
// original, so tool calls coming back are renamed to what the client offered. Valid names pass unchanged.
class ToolNameMap
{
public:
    // The name to send upstream for a client tool name; records the pair.
    [[nodiscard]] QString toUpstream(const QString &clientName);
    // The client's name for an upstream name; names never recorded pass through unchanged.
    [[nodiscard]] QString toClient(const QString &upstreamName) const;

    [[nodiscard]] bool isEmpty() const { return m_toClient.isEmpty(); }
    [[nodiscard]] static bool isValidUpstreamName(const QString &name);

private:
    QHash<QString, QString> m_toClient; // only names that were changed
};

} // namespace Proxy
