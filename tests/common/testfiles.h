#pragma once

// Reading files back in tests: their bytes (empty when unreadable) and their permission bits.
#include <QByteArray>
#include <QFile>
#include <QString>

#include <utility>

inline QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The file's permission bits as chmod shows them (QFile's "User" flags mirror the owner's for the file's owner).
inline int modeBits(const QString &path)
{
    const QFileDevice::Permissions p = QFile::permissions(path);
    const std::pair<QFileDevice::Permission, int> bits[] = {
        {QFileDevice::ReadOwner, 0400}, {QFileDevice::WriteOwner, 0200}, {QFileDevice::ExeOwner, 0100},
        {QFileDevice::ReadGroup, 040},  {QFileDevice::WriteGroup, 020},  {QFileDevice::ExeGroup, 010},
        {QFileDevice::ReadOther, 04},   {QFileDevice::WriteOther, 02},   {QFileDevice::ExeOther, 01},
    };
    int mode = 0;
    for (const auto &[flag, bit] : bits)
        mode |= p.testFlag(flag) ? bit : 0;
    return mode;
}
