#include "alloccounter.h"

#include <atomic>
#include <cstddef>
#include <new>

// glibc's own entry points: the definitions below replace malloc & co. for the whole process (the executable's
// symbols win over libc's in dynamic linking) and forward here.
extern "C" {
void *__libc_malloc(std::size_t size);
void *__libc_calloc(std::size_t count, std::size_t size);
void *__libc_realloc(void *pointer, std::size_t size);
void __libc_free(void *pointer);
}

namespace {

std::atomic<bool> enabled{false};
std::atomic<std::uint64_t> allocations{0};

inline void counted()
{
    if (enabled.load(std::memory_order_relaxed))
        allocations.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

extern "C" {

void *malloc(std::size_t size)
{
    counted();
    return __libc_malloc(size);
}

void *calloc(std::size_t count, std::size_t size)
{
    counted();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, std::size_t size)
{
    counted();
    return __libc_realloc(pointer, size);
}

void free(void *pointer)
{
    __libc_free(pointer);
}

} // extern "C"

// operator new goes through malloc in libstdc++, so it is counted there; these keep it that way even for a
// libstdc++ that calls the libc symbol directly.
void *operator new(std::size_t size)
{
    if (void *p = malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t size)
{
    return operator new(size);
}
void operator delete(void *pointer) noexcept
{
    free(pointer);
}
void operator delete[](void *pointer) noexcept
{
    free(pointer);
}
void operator delete(void *pointer, std::size_t) noexcept
{
    free(pointer);
}
void operator delete[](void *pointer, std::size_t) noexcept
{
    free(pointer);
}

namespace AllocCounter {

void setEnabled(bool on)
{
    enabled.store(on, std::memory_order_relaxed);
}

std::uint64_t count()
{
    return allocations.load(std::memory_order_relaxed);
}

} // namespace AllocCounter
