#include "ids.h"

#include <QRandomGenerator>

namespace Proxy {

QByteArray makeId(const char *prefix)
{
    static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QByteArray id(prefix);
    auto *rng = QRandomGenerator::global();
    for (int i = 0; i < 24; ++i)
        id.append(alphabet[rng->bounded(62)]);
    return id;
}

} // namespace Proxy
