// The floor under sised's fan-out: what the kernel alone costs on this machine to deliver one
// message to one subscriber over loopback TCP. CONNECTIONS connection pairs on 127.0.0.1, the
// sending ends set up as sised's sessions are (SO_SNDBUF = client_send_buffer_bytes' default,
// 64 KiB; Nagle left on, as sised leaves it); one sender thread does a non-blocking send() of the
// same BYTES buffer to every connection 10 times a second (one publication's round), one reader
// thread (epoll) drains them all. Prints the sender thread's CPU-µs per send
// (CLOCK_THREAD_CPUTIME_ID around the rounds), the sends/s achieved and the reader's CPU per send.
//
//   sise_bench_send_floor [CONNECTIONS] [BYTES] [SECONDS]
//   defaults: 10000 connections, 1024 bytes, 10 s
#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int sised_send_buffer = 65536;  // server.client_send_buffer_bytes' default
constexpr auto round_period = 100ms;       // sised's publication cadence

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(fmt::format("{}: {}", what, std::strerror(errno)));
}

double thread_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

std::string load_average() {
    std::ifstream file("/proc/loadavg");
    std::string one, five, fifteen;
    file >> one >> five >> fifteen;
    return fmt::format("{} {} {}", one, five, fifteen);
}

void set_non_blocking(int fd) {
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl");
}

struct pair_fds {
    int sender;
    int reader;
};

// CONNECTIONS accepted (sending) and connected (reading) ends, as sised and its subscribers.
std::vector<pair_fds> open_pairs(std::size_t connections) {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) fail("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
    if (::listen(listener, 1024) != 0) fail("listen");
    socklen_t length = sizeof address;
    if (::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        fail("getsockname");
    std::vector<pair_fds> pairs;
    pairs.reserve(connections);
    for (std::size_t i = 0; i < connections; ++i) {
        const int reader = ::socket(AF_INET, SOCK_STREAM, 0);
        if (reader < 0) fail("socket");
        if (::connect(reader, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            fail("connect");
        const int sender = ::accept(listener, nullptr, nullptr);
        if (sender < 0) fail("accept");
        if (::setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &sised_send_buffer,
                         sizeof sised_send_buffer) != 0)
            fail("SO_SNDBUF");
        set_non_blocking(sender);
        set_non_blocking(reader);
        pairs.push_back({sender, reader});
    }
    ::close(listener);
    return pairs;
}

struct reader_result {
    std::uint64_t bytes = 0;
    std::uint64_t errors = 0;  // read() errors other than EAGAIN
    double cpu = 0;
};

// Drains every reading end until `stop`, level-triggered epoll, 1,024 events a wait.
void drain_all(const std::vector<pair_fds>& pairs, const std::atomic<bool>& stop,
               reader_result& result) {
    const int poller = ::epoll_create1(0);
    if (poller < 0) fail("epoll_create1");
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = pairs[i].reader;
        if (::epoll_ctl(poller, EPOLL_CTL_ADD, pairs[i].reader, &event) != 0) fail("epoll_ctl");
    }
    const double cpu_start = thread_cpu_seconds();
    std::array<epoll_event, 1024> events{};
    static std::array<char, 1 << 16> scratch{};
    while (!stop) {
        const int ready = ::epoll_wait(poller, events.data(), static_cast<int>(events.size()), 50);
        for (int k = 0; k < ready; ++k) {
            for (;;) {
                const auto got = ::read(events[static_cast<std::size_t>(k)].data.fd,
                                        scratch.data(), scratch.size());
                if (got > 0) {
                    result.bytes += static_cast<std::uint64_t>(got);
                    continue;
                }
                if (got < 0 && errno != EAGAIN) ++result.errors;
                break;
            }
        }
    }
    result.cpu = thread_cpu_seconds() - cpu_start;
    ::close(poller);
}

}  // namespace

int main(int argc, char** argv) try {
    const std::size_t bytes = argc > 2 ? std::stoul(argv[2]) : 1024;
    const int seconds = argc > 3 ? std::stoi(argv[3]) : 10;

    // Two descriptors a connection: where the hard limit cannot hold them all (20,000 is
    // common), as many as it can, said so.
    const std::size_t requested = argc > 1 ? std::stoul(argv[1]) : 10'000;
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 2 * requested + 16);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    const std::size_t connections = std::min<std::size_t>(requested, (limit.rlim_cur - 16) / 2);
    if (connections < requested)
        fmt::print("RLIMIT_NOFILE {} holds {} of the {} connections asked for\n", limit.rlim_cur,
                   connections, requested);
    const std::string load_before = load_average();
    const auto pairs = open_pairs(connections);

    std::atomic<bool> stop{false};
    reader_result reading;
    std::thread reader([&] { drain_all(pairs, stop, reading); });

    // The sender: this thread, one round of sends to every connection per period.
    const std::string message(bytes, 'x');
    std::uint64_t sends = 0;
    std::uint64_t short_sends = 0;  // took part of the message (sised would keep the rest)
    std::uint64_t refused = 0;      // EAGAIN: the send buffer was full
    std::uint64_t errors = 0;
    std::uint64_t sent_bytes = 0;
    std::uint64_t rounds = 0;
    std::uint64_t late_rounds = 0;  // took longer than the period
    double round_max_ms = 0;
    double cpu = 0;
    const auto start = clock_type::now();
    auto next = start;
    while (clock_type::now() < start + std::chrono::seconds(seconds)) {
        std::this_thread::sleep_until(next);
        const auto round_start = clock_type::now();
        const double cpu_start = thread_cpu_seconds();
        for (const auto& pair : pairs) {
            const auto sent =
                ::send(pair.sender, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent > 0) sent_bytes += static_cast<std::uint64_t>(sent);
            if (sent == static_cast<ssize_t>(message.size())) {
                ++sends;
            } else if (sent >= 0) {
                ++short_sends;
            } else if (errno == EAGAIN) {
                ++refused;
            } else {
                ++errors;
            }
        }
        cpu += thread_cpu_seconds() - cpu_start;
        const double round_ms =
            std::chrono::duration<double, std::milli>(clock_type::now() - round_start).count();
        round_max_ms = std::max(round_max_ms, round_ms);
        ++rounds;
        next += round_period;
        if (clock_type::now() > next) {
            ++late_rounds;
            next = clock_type::now();
        }
    }
    const double wall = std::chrono::duration<double>(clock_type::now() - start).count();
    std::this_thread::sleep_for(200ms);  // let the reader drain the last round
    stop = true;
    reader.join();
    for (const auto& pair : pairs) {
        ::close(pair.sender);
        ::close(pair.reader);
    }

    const auto attempts = sends + short_sends + refused + errors;
    fmt::print(
        "send floor: {} loopback connections (SO_SNDBUF {}), {} bytes a send, {} rounds in "
        "{:.1f} s ({:.1f}/s; {} late, slowest {:.1f} ms); load average {} before, {} after\n",
        connections, sised_send_buffer, bytes, rounds, wall, static_cast<double>(rounds) / wall,
        late_rounds, round_max_ms, load_before, load_average());
    fmt::print(
        "sender: {} whole sends ({:.0f}/s), {} short, {} refused (buffer full), {} errors; "
        "{:.2f} CPU-us per send ({:.0f}% of one core)\n",
        sends, static_cast<double>(sends) / wall, short_sends, refused, errors,
        attempts > 0 ? cpu * 1e6 / static_cast<double>(attempts) : 0.0, 100 * cpu / wall);
    fmt::print(
        "reader: {:.1f} MB/s drained ({} of {} bytes sent), {} errors; {:.2f} CPU-us per send\n",
        static_cast<double>(reading.bytes) / wall / 1e6, reading.bytes,
        sent_bytes, reading.errors,
        attempts > 0 ? reading.cpu * 1e6 / static_cast<double>(attempts) : 0.0);
    return errors == 0 ? 0 : 1;
} catch (const std::exception& e) {
    fmt::print(stderr, "sise_bench_send_floor: {}\n", e.what());
    return 1;
}
