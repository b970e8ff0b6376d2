#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace Proxy {

// Removes secrets before anything is stored, emitted, logged or exported (views never redact). Covers
// credential headers, key-like URL query parameters, and any configured secret value wherever it appears.
class Redactor
{
public:
    static constexpr auto mask = "[redacted]";

    // Secret values (the upstream key, an inbound token, …) to scrub from any text. Values shorter than 4
    // characters are ignored: masking them would shred ordinary text.
    void addSecret(const QByteArray &secret);

    [[nodiscard]] static bool isSecretHeader(const QByteArray &lowerCaseName);
    [[nodiscard]] static bool isSecretQueryKey(const QString &key);

    [[nodiscard]] QList<QPair<QByteArray, QByteArray>> headers(const QList<QPair<QByteArray, QByteArray>> &headers) const;
    [[nodiscard]] QString url(const QString &url) const;     // also a path with a query string
    [[nodiscard]] QByteArray text(QByteArray text) const;   // configured secret values only
    [[nodiscard]] QString text(const QString &text) const;
    // A recorded body: configured secrets, values of secret-named JSON fields ("api_key", "password", …, at any
    // depth) and key-shaped tokens ("sk-…", "sk-ant-…", "AIza…", "gsk_…") are masked. Not JSON: text only.
    [[nodiscard]] QByteArray body(const QByteArray &body) const;

private:
    QList<QByteArray> m_secrets;
};

} // namespace Proxy
