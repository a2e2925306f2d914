// A long soak, run by hand: the fake Upbit streams 20,000 frames/s, sised (release build, its
// own process) fans out to 1,000 websocket subscribers driven from one thread, and every 30 s
// the fake drops its connections abruptly. Every 10 s a line reports sised's RSS and fd count,
// its connections and what the subscribers received; at the end a summary says whether memory
// or fds grew after the first minute and whether any subscriber was disconnected.
//
//   sise_bench_soak MINUTES [SUBSCRIBERS] [RATE]    defaults: 1,000 subscribers, 20000 frames/s
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "reference_setup.hpp"
#include "support/daemon.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/process_stats.hpp"
#include "support/timing.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;
using namespace sise::test;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto sample_every = 10s;
constexpr auto fault_every = 30s;
constexpr auto warmup = 60s;  // growth is judged against the first sample after this

// A full websocket client (it answers sised's keep-alive pings): reads and counts messages.
struct subscriber {
    explicit subscriber(asio::io_context& context) : ws(context) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    bool snapshot = false;
    bool closing = false;
    bool finished = false;
    std::string error;
    std::uint64_t messages = 0;
    std::uint64_t stale = 0;  // messages with a stale row: the upstream was down
};

asio::awaitable<void> run_subscriber(subscriber& s, tcp::endpoint endpoint) {
    auto& layer = beast::get_lowest_layer(s.ws);
    layer.expires_after(30s);
    auto [connect_ec] = co_await layer.async_connect(endpoint, nothrow);
    boost::system::error_code ec = connect_ec;
    if (!ec) {
        layer.expires_after(30s);
        std::tie(ec) = co_await s.ws.async_handshake(fmt::format("127.0.0.1:{}", endpoint.port()),
                                                     "/v1/stream", nothrow);
    }
    layer.expires_never();
    if (ec) {
        s.error = "connect: " + ec.message();
        s.finished = true;
        co_return;
    }
    for (;;) {
        auto [read_ec, size] = co_await s.ws.async_read(s.buffer, nothrow);
        if (read_ec) {
            if (!s.closing) s.error = "disconnected: " + read_ec.message();
            break;
        }
        const auto data = s.buffer.cdata();
        const std::string_view text(static_cast<const char*>(data.data()), data.size());
        if (!s.snapshot) s.snapshot = text.rfind(R"({"type":"snapshot")", 0) == 0;
        if (text.find(R"("status":"stale")") != std::string_view::npos) ++s.stale;
        ++s.messages;
        s.buffer.consume(size);
    }
    s.finished = true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        fmt::print(stderr, "usage: {} MINUTES [SUBSCRIBERS] [RATE]\n", argv[0]);
        return 2;
    }
    const auto duration = std::chrono::seconds(static_cast<long>(std::stod(argv[1]) * 60));
    const std::size_t count = argc > 2 ? std::stoul(argv[2]) : 1000;
    const double rate = argc > 3 ? std::stod(argv[3]) : 20'000;

    raise_fd_limit(count + 512);

    sise::bench::reference_setup setup(rate, count + 100,
                                       "reconnect_initial_ms = 500\nreconnect_max_ms = 5000");
    auto& exchange = setup.exchange;
    auto& daemon = setup.daemon;
    const auto port = daemon.port();
    const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port};

    asio::io_context context;
    std::vector<std::unique_ptr<subscriber>> subs;
    for (std::size_t i = 0; i < count; ++i) {
        subs.push_back(std::make_unique<subscriber>(context));
        asio::co_spawn(context, run_subscriber(*subs.back(), endpoint), asio::detached);
    }
    auto how_many = [&](auto predicate) {
        return static_cast<std::size_t>(
            std::count_if(subs.begin(), subs.end(), [&](const auto& s) { return predicate(*s); }));
    };
    drive(context, 120s, [&] {
        return how_many([](const subscriber& s) { return s.snapshot || s.finished; }) == count;
    });
    fmt::print(
        "soak: {} min, {:.0f} frames/s upstream, {} subscribers ({} with a snapshot), "
        "upstream dropped every {} s, sised pid {}\n",
        static_cast<double>(duration.count()) / 60, rate, count,
        how_many([](const subscriber& s) { return s.snapshot; }),
        std::chrono::seconds(fault_every).count(), daemon.pid());
    fmt::print("{:>6} {:>10} {:>10} {:>5} {:>6} {:>6} {:>6} {:>10} {:>9} {:>6} {:>6}\n", "t_s",
               "rss_kib", "hwm_kib", "fds", "open", "subs", "feedc", "frames/s", "msgs/s", "drops",
               "lost");

    struct sample {
        long long t;
        std::size_t rss, fds;
    };
    std::vector<sample> samples;
    int faults = 0;
    const auto start = clock_type::now();
    auto next_sample = start + sample_every;
    auto next_fault = start + fault_every;
    auto last = read_health(port);
    std::uint64_t last_messages = 0;
    for (const auto& s : subs) last_messages += s->messages;
    auto last_at = start;
    drive(context, duration + 60s, [&] {
        const auto now = clock_type::now();
        if (now >= next_fault && now < start + duration) {
            exchange.drop_connections();
            ++faults;
            next_fault += fault_every;
        }
        if (now >= next_sample) {
            const auto health = read_health(port);
            std::uint64_t messages = 0;
            for (const auto& s : subs) messages += s->messages;
            const double dt = std::chrono::duration<double>(now - last_at).count();
            const sample taken{ms(now - start), daemon.rss_kib(), fd_count(daemon.pid())};
            samples.push_back(taken);
            fmt::print(
                "{:>6} {:>10} {:>10} {:>5} {:>6} {:>6} {:>6} {:>10.0f} {:>9.0f} {:>6} {:>6}\n",
                taken.t / 1000, taken.rss, daemon.peak_rss_kib(), taken.fds,
                health.open_connections, health.subscribers, health.feed_connections,
                static_cast<double>(health.frames - last.frames) / dt,
                static_cast<double>(messages - last_messages) / dt, faults,
                how_many([](const subscriber& s) { return !s.error.empty(); }));
            std::fflush(stdout);
            last = health;
            last_messages = messages;
            last_at = now;
            next_sample += sample_every;
        }
        return now >= start + duration;
    });

    const auto lost = how_many([](const subscriber& s) { return !s.error.empty(); });
    const auto saw_stale = how_many([](const subscriber& s) { return s.stale > 0; });
    std::string first_error;
    for (const auto& s : subs)
        if (!s->error.empty() && first_error.empty()) first_error = s->error;
    const auto warm = std::find_if(samples.begin(), samples.end(), [](const sample& s) {
        return s.t >= std::chrono::duration_cast<std::chrono::milliseconds>(warmup).count();
    });
    if (warm != samples.end()) {
        const auto [rss_min, rss_max] = std::minmax_element(
            warm, samples.end(), [](const sample& a, const sample& b) { return a.rss < b.rss; });
        const auto [fd_min, fd_max] = std::minmax_element(
            warm, samples.end(), [](const sample& a, const sample& b) { return a.fds < b.fds; });
        fmt::print(
            "after warm-up ({} s): RSS {} KiB at t={} s, range {}..{} KiB, last {} KiB "
            "(growth {:+} KiB); fds range {}..{}, last {}\n",
            std::chrono::seconds(warmup).count(), warm->rss, warm->t / 1000, rss_min->rss,
            rss_max->rss, samples.back().rss,
            static_cast<long long>(samples.back().rss) - static_cast<long long>(warm->rss),
            fd_min->fds, fd_max->fds, samples.back().fds);
    }
    const auto health = read_health(port);
    fmt::print(
        "faults {}, feed connections {}, feed state {}, bad frames {}; subscribers: {} "
        "disconnected{}, {} saw stale rows, /healthz subscribers {}, slow-client "
        "disconnects {}\n",
        faults, health.feed_connections, health.feed_state, health.bad_frames, lost,
        first_error.empty() ? "" : " (" + first_error + ")", saw_stale, health.subscribers,
        health.slow_client_disconnects);

    for (auto& s : subs) {
        s->closing = true;
        boost::system::error_code ignored;
        beast::get_lowest_layer(s->ws).socket().close(ignored);
    }
    drive(context, 30s,
          [&] { return how_many([](const subscriber& s) { return s.finished; }) == count; });
    daemon.terminate();
    return lost == 0 ? 0 : 1;
}
