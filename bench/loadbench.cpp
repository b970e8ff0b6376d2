// End-to-end loopback benchmark (issue 6, part 2): a streaming OpenAI-compatible upstream stub and a load
// client in one process, measuring the same streamed requests first direct to the stub, then through a
// switchyard it starts (headless), side by side in one invocation.
//
//   switchyard-loadbench --proxy build/bin/switchyard [options]      (--help lists them)
//
// Loopback only. It starts exactly one child (the proxy, with its own XDG dirs in a temporary directory),
// stops it with SIGTERM (SIGKILL after 10 s) and removes that directory; a run is bounded by --deadline.
// The stub and the client share one thread each on the bench's core; the proxy gets its own core
// (--bench-cpu / --proxy-cpu, via sched_setaffinity, like taskset).
#include "streams.h"

#include <QByteArray>
#include <QList>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string &what)
{
    std::fprintf(stderr, "switchyard-loadbench: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

double microseconds(Clock::duration d)
{
    return std::chrono::duration<double, std::micro>(d).count();
}

void noDelay(int fd)
{
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

sockaddr_in loopback(int port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

void pinTo(int cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0)
        std::fprintf(stderr, "switchyard-loadbench: cannot pin to cpu %d (%s); running unpinned\n", cpu,
                     std::strerror(errno));
}

// --- the upstream stub -------------------------------------------------------------------------------------
// Answers every POST with a chunked text/event-stream: the first event at once, then one event every `gap`
// (all at once when the gap is 0), then the terminating chunk. Keep-alive; any number of connections.

class Stub
{
public:
    Stub(const QList<QByteArray> &events, std::chrono::microseconds gap)
        : m_gap(gap)
    {
        m_head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n";
        for (const QByteArray &event : events) {
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", std::size_t(event.size()));
            m_chunks.push_back(std::string(size) + event.toStdString() + "\r\n");
        }
        m_chunks.back() += "0\r\n\r\n";
        for (const std::string &chunk : m_chunks)
            m_all += chunk;

        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int on = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in address = loopback(0);
        if (::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::listen(m_listener, 4096) != 0)
            die("stub listen");
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        m_timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        add(m_listener, EPOLLIN);
        add(m_timer, EPOLLIN);
        ::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK);
        add(m_wake[0], EPOLLIN);
    }

    ~Stub()
    {
        stop();
        for (auto &[fd, connection] : m_connections)
            ::close(fd);
        for (const int fd : {m_listener, m_epoll, m_timer, m_wake[0], m_wake[1]})
            ::close(fd);
    }

    [[nodiscard]] int port() const { return m_port; }

    void start(int cpu)
    {
        m_thread = std::thread([this, cpu] {
            pinTo(cpu);
            loop();
        });
    }

    void stop()
    {
        if (!m_thread.joinable())
            return;
        m_stop = true;
        const char byte = 0;
        (void)!::write(m_wake[1], &byte, 1);
        m_thread.join();
    }

private:
    struct Connection
    {
        std::string in;
        std::string out; // not yet accepted by the socket
        std::size_t next = 0; // next chunk to send; == m_chunks.size() when idle
        bool streaming = false;
        std::uint64_t generation = 0; // invalidates timers of a previous response
        bool wantsOut = false;
    };
    struct Due
    {
        Clock::time_point at;
        int fd;
        std::uint64_t generation;
        bool operator>(const Due &other) const { return at > other.at; }
    };

    void add(int fd, std::uint32_t events)
    {
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
    }

    void loop()
    {
        std::vector<epoll_event> events(512);
        while (!m_stop) {
            const int n = ::epoll_wait(m_epoll, events.data(), int(events.size()), 1000);
            for (int i = 0; i < n; ++i) {
                const int fd = events[std::size_t(i)].data.fd;
                if (fd == m_listener)
                    accept();
                else if (fd == m_timer)
                    timers();
                else if (fd != m_wake[0])
                    service(fd, events[std::size_t(i)].events);
            }
        }
    }

    void accept()
    {
        for (;;) {
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                return;
            noDelay(fd);
            m_connections[fd] = Connection{};
            add(fd, EPOLLIN | EPOLLRDHUP);
        }
    }

    void close(int fd)
    {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        m_connections.erase(fd);
    }

    void service(int fd, std::uint32_t events)
    {
        auto it = m_connections.find(fd);
        if (it == m_connections.end())
            return;
        Connection &c = it->second;
        if (events & EPOLLOUT) {
            if (!flush(fd, c))
                return;
        }
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
            char buffer[16384];
            for (;;) {
                const ssize_t got = ::read(fd, buffer, sizeof buffer);
                if (got > 0) {
                    c.in.append(buffer, std::size_t(got));
                    continue;
                }
                if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                    return close(fd);
                break;
            }
            request(fd, c);
        }
    }

    // A complete request (headers + Content-Length body) starts a response, unless one is still streaming.
    void request(int fd, Connection &c)
    {
        if (c.streaming)
            return;
        const std::size_t headerEnd = c.in.find("\r\n\r\n");
        if (headerEnd == std::string::npos)
            return;
        std::size_t length = 0;
        std::string headers = c.in.substr(0, headerEnd);
        std::transform(headers.begin(), headers.end(), headers.begin(), [](unsigned char ch) {
            return char(std::tolower(ch));
        });
        if (const std::size_t at = headers.find("\r\ncontent-length:"); at != std::string::npos)
            length = std::strtoull(headers.c_str() + at + 17, nullptr, 10);
        if (c.in.size() < headerEnd + 4 + length)
            return;
        c.in.erase(0, headerEnd + 4 + length);
        c.streaming = true;
        ++c.generation;
        if (m_gap.count() == 0) {
            c.next = m_chunks.size();
            send(fd, c, m_head + m_all);
            return;
        }
        c.next = 1;
        send(fd, c, m_head + m_chunks[0]);
        schedule(fd, c);
    }

    void schedule(int fd, Connection &c)
    {
        if (c.next >= m_chunks.size()) {
            c.streaming = false;
            if (!c.in.empty())
                request(fd, c); // a pipelined request
            return;
        }
        const Clock::time_point at = Clock::now() + m_gap;
        const bool earliest = m_due.empty() || at < m_due.top().at;
        m_due.push({at, fd, c.generation});
        if (earliest)
            arm(at);
    }

    void arm(Clock::time_point at)
    {
        itimerspec spec{};
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
        spec.it_value.tv_sec = ns / 1'000'000'000;
        spec.it_value.tv_nsec = std::max<long long>(ns % 1'000'000'000, 1);
        ::timerfd_settime(m_timer, TFD_TIMER_ABSTIME, &spec, nullptr);
    }

    void timers()
    {
        std::uint64_t expirations = 0;
        (void)!::read(m_timer, &expirations, sizeof expirations);
        const Clock::time_point now = Clock::now();
        while (!m_due.empty() && m_due.top().at <= now) {
            const Due due = m_due.top();
            m_due.pop();
            auto it = m_connections.find(due.fd);
            if (it == m_connections.end() || it->second.generation != due.generation)
                continue;
            Connection &c = it->second;
            if (!send(due.fd, c, m_chunks[c.next++]))
                continue;
            schedule(due.fd, c);
        }
        if (!m_due.empty())
            arm(m_due.top().at);
    }

    bool send(int fd, Connection &c, const std::string &bytes)
    {
        c.out += bytes;
        return flush(fd, c);
    }

    void want(int fd, Connection &c, bool out)
    {
        if (c.wantsOut == out)
            return;
        c.wantsOut = out;
        epoll_event event{};
        event.events = EPOLLIN | EPOLLRDHUP | (out ? std::uint32_t(EPOLLOUT) : 0u);
        event.data.fd = fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
    }

    // False when the connection was closed.
    bool flush(int fd, Connection &c)
    {
        while (!c.out.empty()) {
            const ssize_t sent = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (sent > 0) {
                c.out.erase(0, std::size_t(sent));
                continue;
            }
            if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                want(fd, c, true);
                return true;
            }
            close(fd);
            return false;
        }
        want(fd, c, false);
        if (m_gap.count() == 0 && c.streaming && c.next == m_chunks.size()) {
            c.streaming = false;
            if (!c.in.empty())
                request(fd, c);
        }
        return true;
    }

    std::chrono::microseconds m_gap;
    std::string m_head;
    std::vector<std::string> m_chunks;
    std::string m_all;
    int m_listener = -1;
    int m_epoll = -1;
    int m_timer = -1;
    int m_wake[2] = {-1, -1};
    int m_port = 0;
    std::unordered_map<int, Connection> m_connections;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// --- the load client ---------------------------------------------------------------------------------------
// `concurrency` keep-alive connections, each sending its next request as soon as the previous response ended,
// until `requests` have been sent. Per request: time to the first response byte and to the end of the chunked
// body, and the SSE events in it (blank-line terminated).

struct Sample
{
    double ttfbUs;
    double totalUs;
};

struct RunResult
{
    std::vector<Sample> samples;
    std::uint64_t events = 0;
    int errors = 0;
    double seconds = 0;
    bool timedOut = false;
};

class Client
{
public:
    Client(int port, std::string path, const QByteArray &body)
        : m_port(port)
    {
        m_request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
            + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nanthropic-version: 2023-06-01"
              "\r\nContent-Length: "
            + std::to_string(body.size()) + "\r\n\r\n" + body.toStdString();
    }

    RunResult run(int concurrency, int requests, Clock::time_point deadline)
    {
        RunResult result;
        result.samples.reserve(std::size_t(requests));
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        m_remaining = requests;
        m_result = &result;
        const Clock::time_point begin = Clock::now();
        for (int i = 0; i < std::min(concurrency, requests); ++i)
            open();
        std::vector<epoll_event> events(1024);
        while (!m_connections.empty()) {
            if (Clock::now() > deadline) {
                result.timedOut = true;
                break;
            }
            const int n = ::epoll_wait(m_epoll, events.data(), int(events.size()), 200);
            for (int i = 0; i < n; ++i)
                service(events[std::size_t(i)].data.fd, events[std::size_t(i)].events);
        }
        result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
        for (auto &[fd, connection] : m_connections)
            ::close(fd);
        m_connections.clear();
        ::close(m_epoll);
        return result;
    }

private:
    enum class Body { Headers, Size, Data, DataEnd, Done };
    struct Connection
    {
        Clock::time_point sent;
        std::optional<Clock::time_point> first;
        std::string buffer;
        std::size_t written = 0;
        bool busy = false;
        Body state = Body::Headers;
        std::size_t chunkLeft = 0;
        bool ok = true;
        bool close = false;
        char last = 0; // the previous body byte, to count "\n\n" across reads
    };

    void open()
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            die("socket");
        noDelay(fd);
        sockaddr_in address = loopback(m_port);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 && errno != EINPROGRESS)
            die("connect");
        m_connections[fd] = Connection{};
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        event.data.fd = fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
        next(fd, m_connections[fd]);
    }

    void drop(int fd)
    {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        m_connections.erase(fd);
    }

    // Starts the next request on this connection, or closes it when all were sent.
    void next(int fd, Connection &c)
    {
        if (m_remaining == 0)
            return drop(fd);
        --m_remaining;
        c.busy = true;
        c.first.reset();
        c.buffer.clear();
        c.state = Body::Headers;
        c.ok = true;
        c.written = 0;
        c.last = 0;
        c.sent = Clock::now();
        write(fd, c);
    }

    void write(int fd, Connection &c)
    {
        while (c.written < m_request.size()) {
            const ssize_t sent = ::send(fd, m_request.data() + c.written, m_request.size() - c.written, MSG_NOSIGNAL);
            if (sent <= 0)
                return; // EAGAIN (or connecting): EPOLLOUT continues; an error shows as EPOLLERR/HUP
            c.written += std::size_t(sent);
        }
    }

    void service(int fd, std::uint32_t events)
    {
        auto it = m_connections.find(fd);
        if (it == m_connections.end())
            return;
        Connection &c = it->second;
        if ((events & EPOLLOUT) && c.written < m_request.size())
            write(fd, c);
        if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
            return;
        char buffer[65536];
        for (;;) {
            const ssize_t got = ::read(fd, buffer, sizeof buffer);
            if (got > 0) {
                if (!c.first)
                    c.first = Clock::now();
                if (!consume(fd, c, buffer, std::size_t(got)))
                    return; // finished and the connection is gone or reused
                continue;
            }
            if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                const bool retry = c.busy && ++m_result->errors < 100; // counted, and retried on a new connection
                if (retry)
                    ++m_remaining;
                drop(fd);
                if (retry)
                    open();
            }
            return;
        }
    }

    // False when the response ended (the connection was reused or dropped: stop reading it here).
    bool consume(int fd, Connection &c, const char *data, std::size_t size)
    {
        c.buffer.append(data, size);
        std::size_t at = 0;
        for (;;) {
            if (c.state == Body::Headers) {
                const std::size_t end = c.buffer.find("\r\n\r\n", at);
                if (end == std::string::npos)
                    break;
                std::string headers = c.buffer.substr(at, end - at);
                std::transform(headers.begin(), headers.end(), headers.begin(), [](unsigned char ch) {
                    return char(std::tolower(ch));
                });
                c.ok = headers.compare(0, 12, "http/1.1 200") == 0;
                c.close = headers.find("\r\nconnection: close") != std::string::npos;
                if (headers.find("transfer-encoding: chunked") == std::string::npos) {
                    std::fprintf(stderr, "switchyard-loadbench: response is not chunked:\n%s\n", headers.c_str());
                    std::exit(1);
                }
                at = end + 4;
                c.state = Body::Size;
            } else if (c.state == Body::Size) {
                const std::size_t end = c.buffer.find("\r\n", at);
                if (end == std::string::npos)
                    break;
                c.chunkLeft = std::strtoull(c.buffer.c_str() + at, nullptr, 16);
                at = end + 2;
                c.state = c.chunkLeft == 0 ? Body::Done : Body::Data;
            } else if (c.state == Body::Data) {
                const std::size_t take = std::min(c.chunkLeft, c.buffer.size() - at);
                if (take == 0)
                    break;
                for (std::size_t i = at; i < at + take; ++i) {
                    if (c.buffer[i] == '\n' && c.last == '\n')
                        ++m_result->events;
                    c.last = c.buffer[i];
                }
                at += take;
                c.chunkLeft -= take;
                if (c.chunkLeft == 0)
                    c.state = Body::DataEnd;
            } else if (c.state == Body::DataEnd) {
                if (c.buffer.size() - at < 2)
                    break;
                at += 2;
                c.state = Body::Size;
            } else { // Done: the final CRLF after the 0 chunk
                if (c.buffer.size() - at < 2)
                    break;
                const Clock::time_point end = Clock::now();
                if (c.ok)
                    m_result->samples.push_back({microseconds(*c.first - c.sent), microseconds(end - c.sent)});
                else
                    ++m_result->errors;
                c.busy = false;
                if (c.close) {
                    drop(fd);
                    if (m_remaining > 0)
                        open();
                } else {
                    next(fd, c);
                }
                return false;
            }
        }
        c.buffer.erase(0, at);
        return true;
    }

    int m_port;
    std::string m_request;
    int m_epoll = -1;
    int m_remaining = 0;
    RunResult *m_result = nullptr;
    std::unordered_map<int, Connection> m_connections;
};

// --- the proxy under test ----------------------------------------------------------------------------------

struct ProcessStats
{
    double cpuSeconds = 0; // user + system, all threads
    long rssKb = 0;
    long peakRssKb = 0;
    int fds = 0;
};

class ProxyProcess
{
public:
    ProxyProcess(const std::string &binary, int upstreamPort, int cpu)
    {
        char pattern[] = "/tmp/switchyard-loadbench-XXXXXX";
        if (!::mkdtemp(pattern))
            die("mkdtemp");
        m_dir = pattern;
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0)
            die("pipe");
        m_pid = ::fork();
        if (m_pid < 0)
            die("fork");
        if (m_pid == 0) {
            pinTo(cpu);
            ::dup2(out[1], STDOUT_FILENO);
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, STDERR_FILENO); // the headless summary log: two lines per request
            for (const char *name : {"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"})
                ::setenv(name, m_dir.c_str(), 1);
            ::unsetenv("SWITCHYARD_UPSTREAM_KEY");
            const std::string upstream = "http://127.0.0.1:" + std::to_string(upstreamPort) + "/v1";
            ::execl(binary.c_str(), binary.c_str(), "--headless", "--listen", "127.0.0.1:0", "--upstream",
                    upstream.c_str(), static_cast<char *>(nullptr));
            std::_Exit(127);
        }
        ::close(out[1]);
        std::string line;
        char ch = 0;
        while (::read(out[0], &ch, 1) == 1 && ch != '\n')
            line += ch;
        m_stdout = out[0];
        const std::size_t colon = line.rfind(':');
        if (line.rfind("listening on http://", 0) != 0 || colon == std::string::npos) {
            std::fprintf(stderr, "switchyard-loadbench: the proxy did not start (got \"%s\")\n", line.c_str());
            stop();
            std::exit(1);
        }
        m_port = std::atoi(line.c_str() + colon + 1);
    }

    ~ProxyProcess() { stop(); }

    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] pid_t pid() const { return m_pid; }

    [[nodiscard]] ProcessStats stats() const
    {
        ProcessStats stats;
        const std::string proc = "/proc/" + std::to_string(m_pid);
        std::ifstream stat(proc + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const std::size_t close = text.rfind(')');
        if (close != std::string::npos) {
            // Fields after the command: state(3) ... utime(14) stime(15).
            std::vector<std::string> fields;
            std::size_t at = close + 2;
            while (at < text.size()) {
                const std::size_t space = text.find(' ', at);
                fields.push_back(text.substr(at, space - at));
                if (space == std::string::npos)
                    break;
                at = space + 1;
            }
            if (fields.size() > 12)
                stats.cpuSeconds = double(std::stoll(fields[11]) + std::stoll(fields[12])) / double(::sysconf(_SC_CLK_TCK));
        }
        std::ifstream status(proc + "/status");
        std::string line;
        while (std::getline(status, line)) {
            if (line.rfind("VmRSS:", 0) == 0)
                stats.rssKb = std::atol(line.c_str() + 6);
            else if (line.rfind("VmHWM:", 0) == 0)
                stats.peakRssKb = std::atol(line.c_str() + 6);
        }
        std::error_code error;
        for (auto it = std::filesystem::directory_iterator(proc + "/fd", error);
             !error && it != std::filesystem::directory_iterator(); it.increment(error))
            ++stats.fds;
        return stats;
    }

    // Resets the peak RSS (VmHWM) to the current RSS, so the next peak is this phase's.
    void resetPeak() const
    {
        std::ofstream("/proc/" + std::to_string(m_pid) + "/clear_refs") << "5";
    }

    void stop()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            for (int i = 0; i < 1000; ++i) {
                if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                    m_pid = -1;
                    break;
                }
                ::usleep(10'000);
            }
            if (m_pid > 0) {
                ::kill(m_pid, SIGKILL);
                ::waitpid(m_pid, &status, 0);
                m_pid = -1;
            }
        }
        if (m_stdout >= 0) {
            ::close(m_stdout);
            m_stdout = -1;
        }
        if (!m_dir.empty()) {
            std::error_code error;
            std::filesystem::remove_all(m_dir, error);
            m_dir.clear();
        }
    }

private:
    pid_t m_pid = -1;
    int m_port = 0;
    int m_stdout = -1;
    std::string m_dir;
};

// --- statistics and the report -----------------------------------------------------------------------------

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const double rank = p * double(values.size() - 1);
    const auto low = std::size_t(rank);
    const std::size_t high = std::min(low + 1, values.size() - 1);
    return values[low] + (values[high] - values[low]) * (rank - double(low));
}

struct Metrics
{
    double ttfbP50 = 0, ttfbP99 = 0, totalP50 = 0, totalP99 = 0; // µs
    double requestsPerSecond = 0, eventsPerSecond = 0;
    double cpuPer1000 = 0; // proxy CPU seconds per 1000 requests (proxied only)
    double peakRssMb = 0;
    int errors = 0;
    bool timedOut = false;
};

Metrics metricsOf(const RunResult &run)
{
    Metrics m;
    std::vector<double> ttfb, total;
    for (const Sample &s : run.samples) {
        ttfb.push_back(s.ttfbUs);
        total.push_back(s.totalUs);
    }
    m.ttfbP50 = percentile(ttfb, 0.5);
    m.ttfbP99 = percentile(ttfb, 0.99);
    m.totalP50 = percentile(total, 0.5);
    m.totalP99 = percentile(total, 0.99);
    m.requestsPerSecond = double(run.samples.size()) / run.seconds;
    m.eventsPerSecond = double(run.events) / run.seconds;
    m.errors = run.errors;
    m.timedOut = run.timedOut;
    return m;
}

// Median of the repeats, with min and max.
struct Spread
{
    double median = 0, min = 0, max = 0;
};

Spread spread(std::vector<double> values)
{
    if (values.empty())
        return {};
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return {median, values.front(), values.back()};
}

std::string format(double value, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string cell(const Spread &s, int decimals)
{
    return format(s.median, decimals) + " (" + format(s.min, decimals) + "–" + format(s.max, decimals) + ")";
}

struct Options
{
    std::string proxy;
    std::vector<int> concurrency{1, 16, 64, 500};
    int repeats = 3;
    int chunks = 100;
    int gapUs = 2000; // between upstream events in the paced profile
    int minRequests = 50;
    int requestsPerConnection = 4;
    int burstRequests = 2000;
    int soakRequests = 10000;
    int soakConcurrency = 16;
    int benchCpu = 0;
    int proxyCpu = 1;
    int deadlineSeconds = 600;
    std::string markdown;
    BenchStreams::Kind kind = BenchStreams::Kind::Text;
};

void usage()
{
    std::puts(
        "usage: switchyard-loadbench --proxy PATH [options]\n"
        "  --concurrency LIST     comma-separated (default 1,16,64,500)\n"
        "  --repeats N            sweeps, each direct then proxied per level (default 3)\n"
        "  --chunks N             content chunks per upstream stream (default 100)\n"
        "  --gap-us N             pause between upstream events in the paced runs (default 2000)\n"
        "  --min-requests N       per level and target, at least (default 50)\n"
        "  --requests-per-connection N  otherwise concurrency x N (default 4)\n"
        "  --burst-requests N     unpaced run at each level: throughput and CPU (default 2000, 0 skips)\n"
        "  --soak N               requests for the RSS/fd flatness check, concurrency 16 (default 10000, 0 skips)\n"
        "  --bench-cpu N          core for the stub and the client (default 0, -1 unpinned)\n"
        "  --proxy-cpu N          core for the proxy (default 1, -1 unpinned)\n"
        "  --deadline S           give up after S seconds in all (default 600)\n"
        "  --markdown FILE        also write the tables there\n"
        "  --smoke                tiny counts (for ctest)");
}

Options parse(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--proxy") {
            o.proxy = value();
        } else if (arg == "--concurrency") {
            o.concurrency.clear();
            const std::string list = value();
            for (std::size_t at = 0; at < list.size();) {
                const std::size_t comma = std::min(list.find(',', at), list.size());
                o.concurrency.push_back(std::atoi(list.substr(at, comma - at).c_str()));
                at = comma + 1;
            }
        } else if (arg == "--repeats") {
            o.repeats = std::atoi(value().c_str());
        } else if (arg == "--chunks") {
            o.chunks = std::atoi(value().c_str());
        } else if (arg == "--gap-us") {
            o.gapUs = std::atoi(value().c_str());
        } else if (arg == "--min-requests") {
            o.minRequests = std::atoi(value().c_str());
        } else if (arg == "--requests-per-connection") {
            o.requestsPerConnection = std::atoi(value().c_str());
        } else if (arg == "--burst-requests") {
            o.burstRequests = std::atoi(value().c_str());
        } else if (arg == "--soak") {
            o.soakRequests = std::atoi(value().c_str());
        } else if (arg == "--bench-cpu") {
            o.benchCpu = std::atoi(value().c_str());
        } else if (arg == "--proxy-cpu") {
            o.proxyCpu = std::atoi(value().c_str());
        } else if (arg == "--deadline") {
            o.deadlineSeconds = std::atoi(value().c_str());
        } else if (arg == "--markdown") {
            o.markdown = value();
        } else if (arg == "--smoke") {
            o.concurrency = {1, 8};
            o.repeats = 1;
            o.chunks = 10;
            o.gapUs = 200;
            o.minRequests = 8;
            o.requestsPerConnection = 1;
            o.burstRequests = 20;
            o.soakRequests = 40;
            o.soakConcurrency = 4;
            o.deadlineSeconds = 60;
        } else if (arg == "--help" || arg == "-h") {
            usage();
            std::exit(0);
        } else {
            std::fprintf(stderr, "switchyard-loadbench: unknown argument %s\n", arg.c_str());
            usage();
            std::exit(2);
        }
    }
    if (o.proxy.empty()) {
        usage();
        std::exit(2);
    }
    return o;
}

struct Level
{
    std::vector<Metrics> direct, proxied;
};

} // namespace

int main(int argc, char **argv)
{
    const Options options = parse(argc, argv);
    std::signal(SIGPIPE, SIG_IGN);
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max; // 500 client + 500 stub sockets need more than the usual 1024
    ::setrlimit(RLIMIT_NOFILE, &files);
    pinTo(options.benchCpu);
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(options.deadlineSeconds);

    const QList<QByteArray> events = BenchStreams::events(options.kind, options.chunks);
    Stub paced(events, std::chrono::microseconds(options.gapUs));
    Stub burst(events, std::chrono::microseconds(0));
    paced.start(options.benchCpu);
    burst.start(options.benchCpu);

    std::string report;
    const auto out = [&report](const std::string &line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
        report += line + "\n";
    };
    bool failed = false;

    out("## Loopback: " + std::to_string(options.chunks + 4) + " upstream events per stream ("
        + BenchStreams::name(options.kind) + "), " + std::to_string(options.repeats) + " sweep(s)");
    out("");
    out("Stub and client on cpu " + std::to_string(options.benchCpu) + ", proxy on cpu "
        + std::to_string(options.proxyCpu) + " (-1: unpinned).");

    // --- paced: the latency comparison -----------------------------------------------------------------
    std::map<int, Level> pacedLevels;
    std::map<int, Level> burstLevels;
    std::map<int, std::vector<double>> peakRss;
    {
        ProxyProcess pacedProxy(options.proxy, paced.port(), options.proxyCpu);
        ProxyProcess burstProxy(options.proxy, burst.port(), options.proxyCpu);
        for (int sweep = 0; sweep < options.repeats && !failed; ++sweep) {
            for (const int c : options.concurrency) {
                const int requests = std::max(options.minRequests, c * options.requestsPerConnection);
                {
                    Client direct(paced.port(), "/v1/chat/completions", BenchStreams::chatRequest());
                    pacedLevels[c].direct.push_back(metricsOf(direct.run(c, requests, deadline)));
                }
                {
                    Client viaProxy(pacedProxy.port(), "/v1/messages", BenchStreams::messagesRequest());
                    pacedProxy.resetPeak();
                    const ProcessStats before = pacedProxy.stats();
                    Metrics m = metricsOf(viaProxy.run(c, requests, deadline));
                    const ProcessStats after = pacedProxy.stats();
                    m.cpuPer1000 = (after.cpuSeconds - before.cpuSeconds) * 1000.0 / requests;
                    m.peakRssMb = double(after.peakRssKb) / 1024.0;
                    pacedLevels[c].proxied.push_back(m);
                }
                if (options.burstRequests > 0) {
                    const int n = std::max(options.burstRequests, c * 2);
                    Client direct(burst.port(), "/v1/chat/completions", BenchStreams::chatRequest());
                    burstLevels[c].direct.push_back(metricsOf(direct.run(c, n, deadline)));
                    Client viaProxy(burstProxy.port(), "/v1/messages", BenchStreams::messagesRequest());
                    const ProcessStats before = burstProxy.stats();
                    Metrics m = metricsOf(viaProxy.run(c, n, deadline));
                    const ProcessStats after = burstProxy.stats();
                    m.cpuPer1000 = (after.cpuSeconds - before.cpuSeconds) * 1000.0 / n;
                    burstLevels[c].proxied.push_back(m);
                }
                for (const Level *level : {&pacedLevels[c], &burstLevels[c]}) {
                    for (const std::vector<Metrics> *list : {&level->direct, &level->proxied}) {
                        if (!list->empty() && (list->back().timedOut || list->back().errors > 0)) {
                            std::fprintf(stderr, "switchyard-loadbench: concurrency %d: %d error(s)%s\n", c,
                                         list->back().errors, list->back().timedOut ? ", deadline reached" : "");
                            failed = true;
                        }
                    }
                }
                std::fprintf(stderr, "sweep %d, concurrency %d done\n", sweep + 1, c);
            }
        }
    }

    const auto column = [](const std::vector<Metrics> &list, double Metrics::*field, double scale = 1.0) {
        std::vector<double> values;
        for (const Metrics &m : list)
            values.push_back(m.*field * scale);
        return spread(values);
    };
    const auto ratio = [](const Level &level, double Metrics::*field) {
        std::vector<double> values;
        for (std::size_t i = 0; i < std::min(level.direct.size(), level.proxied.size()); ++i)
            values.push_back(level.proxied[i].*field / level.direct[i].*field);
        return spread(values);
    };
    const auto added = [](const Level &level, double Metrics::*field) {
        std::vector<double> values;
        for (std::size_t i = 0; i < std::min(level.direct.size(), level.proxied.size()); ++i)
            values.push_back((level.proxied[i].*field - level.direct[i].*field) / 1000.0);
        return spread(values);
    };

    out("");
    out("### Paced streams (one upstream event every " + format(options.gapUs / 1000.0, 1)
        + " ms): latency, direct vs through Switchyard");
    out("");
    out("Median of the sweeps (min–max). Times in ms; ratio = proxied / direct within the same sweep; added = "
        "proxied − direct.");
    out("");
    out("| concurrency | requests | direct TTFB p50 | proxied TTFB p50 | added TTFB p99 | direct total p50 | "
        "proxied total p50 | total p50 ratio | proxied total p99 | proxied events/s | proxy CPU s / 1000 req | "
        "proxy peak RSS MB |");
    out("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const auto &[c, level] : pacedLevels) {
        out("| " + std::to_string(c) + " | " + std::to_string(std::max(options.minRequests, c * options.requestsPerConnection))
            + " | " + cell(column(level.direct, &Metrics::ttfbP50, 1e-3), 3) + " | "
            + cell(column(level.proxied, &Metrics::ttfbP50, 1e-3), 3) + " | " + cell(added(level, &Metrics::ttfbP99), 3)
            + " | " + cell(column(level.direct, &Metrics::totalP50, 1e-3), 1) + " | "
            + cell(column(level.proxied, &Metrics::totalP50, 1e-3), 1) + " | " + cell(ratio(level, &Metrics::totalP50), 3)
            + " | " + cell(column(level.proxied, &Metrics::totalP99, 1e-3), 1) + " | "
            + cell(column(level.proxied, &Metrics::eventsPerSecond), 0) + " | "
            + cell(column(level.proxied, &Metrics::cpuPer1000), 2) + " | "
            + cell(column(level.proxied, &Metrics::peakRssMb), 1) + " |");
    }

    if (!burstLevels.empty() && options.burstRequests > 0) {
        out("");
        out("### Unpaced streams (the stub writes a whole response at once): throughput ceilings");
        out("");
        out("\"direct\" is the stub + client ceiling on their one core; the proxy's CPU is its own core's.");
        out("");
        out("| concurrency | requests | direct req/s | direct events/s | proxied req/s | proxied events/s | "
            "proxied total p50 ms | proxied total p99 ms | proxy CPU s / 1000 req |");
        out("|---|---|---|---|---|---|---|---|---|");
        for (const auto &[c, level] : burstLevels) {
            out("| " + std::to_string(c) + " | " + std::to_string(std::max(options.burstRequests, c * 2)) + " | "
                + cell(column(level.direct, &Metrics::requestsPerSecond), 0) + " | "
                + cell(column(level.direct, &Metrics::eventsPerSecond), 0) + " | "
                + cell(column(level.proxied, &Metrics::requestsPerSecond), 0) + " | "
                + cell(column(level.proxied, &Metrics::eventsPerSecond), 0) + " | "
                + cell(column(level.proxied, &Metrics::totalP50, 1e-3), 2) + " | "
                + cell(column(level.proxied, &Metrics::totalP99, 1e-3), 2) + " | "
                + cell(column(level.proxied, &Metrics::cpuPer1000), 3) + " |");
        }
    }

    // --- soak: RSS and open files across many requests -------------------------------------------------
    if (options.soakRequests > 0 && !failed) {
        ProxyProcess proxy(options.proxy, burst.port(), options.proxyCpu);
        const int steps = 10;
        const int perStep = std::max(1, options.soakRequests / steps);
        out("");
        out("### Soak: " + std::to_string(perStep * steps) + " unpaced requests through one proxy, concurrency "
            + std::to_string(options.soakConcurrency));
        out("");
        out("| requests done | RSS MB | open fds | proxy CPU s |");
        out("|---|---|---|---|");
        const ProcessStats start = proxy.stats();
        out("| 0 | " + format(double(start.rssKb) / 1024.0, 1) + " | " + std::to_string(start.fds) + " | "
            + format(start.cpuSeconds, 2) + " |");
        for (int step = 1; step <= steps && !failed; ++step) {
            Client client(proxy.port(), "/v1/messages", BenchStreams::messagesRequest());
            const RunResult result = client.run(options.soakConcurrency, perStep, deadline);
            if (result.errors > 0 || result.timedOut) {
                std::fprintf(stderr, "switchyard-loadbench: soak: %d error(s)%s\n", result.errors,
                             result.timedOut ? ", deadline reached" : "");
                failed = true;
            }
            ::usleep(100'000); // let closed connections be reaped before counting fds
            const ProcessStats s = proxy.stats();
            out("| " + std::to_string(step * perStep) + " | " + format(double(s.rssKb) / 1024.0, 1) + " | "
                + std::to_string(s.fds) + " | " + format(s.cpuSeconds, 2) + " |");
        }
    }

    paced.stop();
    burst.stop();
    if (!options.markdown.empty())
        std::ofstream(options.markdown) << report;
    return failed ? 1 : 0;
}
