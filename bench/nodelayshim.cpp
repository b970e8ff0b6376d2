// LD_PRELOAD shim for a what-if measurement only (switchyard-loadbench --what-if-nodelay): sets TCP_NODELAY on
// every socket the proxy accepts or connects, to show what Nagle's algorithm costs it (docs/BENCHMARKS.md).
// Never part of the product.
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace {

void noDelay(int fd)
{
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on); // fails harmlessly on non-TCP sockets
}

template<typename Function> Function next(const char *name)
{
    return reinterpret_cast<Function>(::dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

int accept(int fd, sockaddr *address, socklen_t *length)
{
    static const auto real = next<int (*)(int, sockaddr *, socklen_t *)>("accept");
    const int result = real(fd, address, length);
    if (result >= 0)
        noDelay(result);
    return result;
}

int accept4(int fd, sockaddr *address, socklen_t *length, int flags)
{
    static const auto real = next<int (*)(int, sockaddr *, socklen_t *, int)>("accept4");
    const int result = real(fd, address, length, flags);
    if (result >= 0)
        noDelay(result);
    return result;
}

int connect(int fd, const sockaddr *address, socklen_t length)
{
    static const auto real = next<int (*)(int, const sockaddr *, socklen_t)>("connect");
    noDelay(fd);
    return real(fd, address, length);
}

} // extern "C"
