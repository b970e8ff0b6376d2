#include "redactor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Proxy {

void Redactor::addSecret(const QByteArray &secret)
{
    if (secret.size() >= 4 && !m_secrets.contains(secret))
        m_secrets.append(secret);
}

bool Redactor::isSecretHeader(const QByteArray &name)
{
    static const QList<QByteArray> names{"authorization", "proxy-authorization", "x-api-key", "api-key",
                                         "cookie", "set-cookie", "x-goog-api-key", "openai-api-key"};
    return names.contains(name.toLower());
}

bool Redactor::isSecretQueryKey(const QString &key)
{
    const QString k = key.toLower();
    static const QStringList exact{u"key"_s, u"token"_s, u"sig"_s, u"signature"_s, u"password"_s, u"secret"_s,
                                   u"auth"_s, u"code"_s};
    return exact.contains(k) || k.contains(u"api_key"_s) || k.contains(u"apikey"_s) || k.contains(u"api-key"_s)
        || k.endsWith(u"_token"_s) || k.endsWith(u"-token"_s) || k.contains(u"secret"_s) || k.contains(u"password"_s);
}

QList<QPair<QByteArray, QByteArray>> Redactor::headers(const QList<QPair<QByteArray, QByteArray>> &headers) const
{
    QList<QPair<QByteArray, QByteArray>> result;
    result.reserve(headers.size());
    for (const auto &[name, value] : headers)
        result.append({name, isSecretHeader(name) ? QByteArray(mask) : text(value)});
    return result;
}

QString Redactor::url(const QString &url) const
{
    const qsizetype question = url.indexOf(u'?');
    if (question < 0)
        return text(url);
    QUrlQuery query(url.mid(question + 1));
    auto items = query.queryItems(QUrl::FullyEncoded);
    for (auto &[key, value] : items) {
        if (isSecretQueryKey(QUrl::fromPercentEncoding(key.toUtf8())))
            value = QString::fromLatin1(mask);
    }
    query.setQueryItems(items);
    return text(url.left(question + 1) + query.toString(QUrl::FullyEncoded));
}

QByteArray Redactor::text(QByteArray text) const
{
    for (const QByteArray &secret : m_secrets)
        text.replace(secret, mask);
    return text;
}

QString Redactor::text(const QString &text) const
{
    if (m_secrets.isEmpty())
        return text;
    return QString::fromUtf8(this->text(text.toUtf8()));
}

namespace {

bool isSecretField(const QString &key)
{
    const QString k = key.toLower();
    return Redactor::isSecretQueryKey(key) || k == u"authorization"_s || k.contains(u"apikey"_s)
        || k == u"access_token"_s || k == u"refresh_token"_s || k == u"client_secret"_s;
}

QJsonValue redactJson(const QJsonValue &value, int depth)
{
    if (depth > 64)
        return value;
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (isSecretField(it.key()) && (it.value().isString() || it.value().isDouble()))
                it.value() = QString::fromLatin1(Redactor::mask);
            else if (it.value().isObject() || it.value().isArray())
                it.value() = redactJson(it.value(), depth + 1);
        }
        return object;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (auto it = array.begin(); it != array.end(); ++it)
            *it = redactJson(*it, depth + 1);
        return array;
    }
    return value;
}

} // namespace

QByteArray Redactor::body(const QByteArray &body) const
{
    QByteArray result = body;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError && (document.isObject() || document.isArray())) {
        const QJsonValue redacted = redactJson(document.isObject() ? QJsonValue(document.object())
                                                                   : QJsonValue(document.array()), 0);
        result = redacted.isObject() ? QJsonDocument(redacted.toObject()).toJson(QJsonDocument::Compact)
                                     : QJsonDocument(redacted.toArray()).toJson(QJsonDocument::Compact);
    }
    result = text(result);
    static const QRegularExpression keyShaped(
        uR"((?<![A-Za-z0-9])(sk-[A-Za-z0-9_\-]{16,}|gsk_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_\-]{30,}|xai-[A-Za-z0-9]{16,}))"_s);
    QString textual = QString::fromUtf8(result);
    if (textual.contains(keyShaped)) {
        textual.replace(keyShaped, QString::fromLatin1(mask));
        result = textual.toUtf8();
    }
    return result;
}

} // namespace Proxy
