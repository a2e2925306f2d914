// Many local subscribers held at once, measured from outside as an operator would: the fake
// Upbit streams, sised (release build, its own process) fans out to CLIENTS websocket
// subscribers driven from one thread, and a probe subscriber on its own thread timestamps
// updates ("time", stamped by sised, against our clock; both UTC epoch ms on this machine).
// Reports clients held, update latency, sised RSS per 1,000 clients and its CPU.
//
//   sise_bench_clients [CLIENTS] [RATE] [HOLD_S]    defaults: 10000 clients, 200 frames/s, 20 s
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
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
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "reference_setup.hpp"
#include "support/daemon.hpp"
#include "support/health.hpp"
#include "support/latency_probe.hpp"
#include "support/local_client.hpp"
#include "support/process_stats.hpp"
#include "support/timing.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;
using sise::test::cpu_seconds;
using sise::test::drive;
using sise::test::epoch_ms;
using sise::test::fd_count;
using sise::test::ms;
using sise::test::open_files_limit;
using sise::test::percentile;
using sise::test::raise_fd_limit;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using ws_stream = websocket::stream<beast::tcp_stream>;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

struct server_counts {
    std::uint64_t open_connections = 0, subscribers = 0, rejected = 0, slow = 0, seq = 0;
    std::uint64_t frames = 0;  // upstream frames sised has read
};

server_counts read_counts(std::uint16_t port) {
    server_counts out;
    const sise::test::healthz health(port);
    if (!health.has("/server")) return out;
    out.open_connections = health.number("/server/open_connections");
    out.subscribers = health.number("/server/subscribers");
    out.rejected = health.number("/server/rejected_connections");
    out.slow = health.number("/server/slow_client_disconnects");
    out.seq = health.number("/seq");
    out.frames = health.number("/feeds/0/frames");
    return out;
}

// A subscriber that checks its snapshot, then reads everything without parsing it.
struct held_subscriber {
    explicit held_subscriber(asio::io_context& context) : ws(context) {}
    ws_stream ws;
    beast::flat_buffer buffer;
    bool snapshot = false;
    bool closing = false;
    std::string error;
    std::uint64_t bytes = 0;
};

struct held_group {
    std::vector<std::unique_ptr<held_subscriber>> clients;
    std::size_t next = 0, snapshots = 0, failures = 0, running = 0, disconnects = 0;
    std::array<char, 65536> scratch{};
    std::string first_error;
    void fail(held_subscriber& s, std::string why) {
        s.error = std::move(why);
        ++failures;
        if (first_error.empty()) first_error = s.error;
    }
};

asio::awaitable<void> drain(held_group& group, held_subscriber& s) {
    for (;;) {
        auto [ec, size] = co_await beast::get_lowest_layer(s.ws).socket().async_read_some(
            asio::buffer(group.scratch), nothrow);
        if (ec) {
            if (!s.closing) {
                ++group.disconnects;
                if (group.first_error.empty()) group.first_error = "disconnected: " + ec.message();
            }
            break;
        }
        s.bytes += size;
    }
    --group.running;
}

asio::awaitable<void> open_held(held_group& group, tcp::endpoint endpoint, std::size_t rows) {
    while (group.next < group.clients.size()) {
        held_subscriber& s = *group.clients[group.next++];
        auto& layer = beast::get_lowest_layer(s.ws);
        layer.expires_after(30s);
        auto [connect_ec] = co_await layer.async_connect(endpoint, nothrow);
        if (connect_ec) {
            group.fail(s, "connect: " + connect_ec.message());
            continue;
        }
        layer.expires_after(30s);
        auto [handshake_ec] = co_await s.ws.async_handshake(
            fmt::format("127.0.0.1:{}", endpoint.port()), "/v1/stream", nothrow);
        if (handshake_ec) {
            group.fail(s, "handshake: " + handshake_ec.message());
            continue;
        }
        layer.expires_after(30s);
        auto [read_ec, size] = co_await s.ws.async_read(s.buffer, nothrow);
        layer.expires_never();
        if (read_ec) {
            group.fail(s, "snapshot: " + read_ec.message());
            continue;
        }
        const auto data = s.buffer.cdata();
        const std::string_view text(static_cast<const char*>(data.data()), data.size());
        std::size_t markets = 0;
        for (auto at = text.find(R"("market":)"); at != std::string_view::npos;
             at = text.find(R"("market":)", at + 1))
            ++markets;
        if (text.rfind(R"({"type":"snapshot")", 0) != 0 || markets != rows) {
            group.fail(s, "first message is not a full snapshot");
            continue;
        }
        s.buffer.consume(size);
        s.snapshot = true;
        ++group.snapshots;
        ++group.running;
        asio::co_spawn(co_await asio::this_coro::executor, drain(group, s), asio::detached);
    }
    --group.running;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t clients = argc > 1 ? std::stoul(argv[1]) : 10'000;
    const double rate = argc > 2 ? std::stod(argv[2]) : 200;
    const int hold_s = argc > 3 ? std::stoi(argv[3]) : 20;
    constexpr std::size_t rows = 12;
    constexpr int in_flight = 256;

    const auto limit = raise_fd_limit(clients + 1024);
    if (limit < clients + 1024) {
        fmt::print(stderr, "RLIMIT_NOFILE is {}; {} clients need {}\n", limit, clients,
                   clients + 1024);
        return 1;
    }

    sise::bench::reference_setup setup(rate, clients + 100);
    auto& daemon = setup.daemon;
    const auto port = daemon.port();
    const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port};
    std::this_thread::sleep_for(2s);  // feed connected, names loaded, first publications out
    const auto rss_before = daemon.rss_kib();
    const auto fds_before = fd_count(daemon.pid());

    asio::io_context context;
    held_group group;
    for (std::size_t i = 0; i < clients; ++i)
        group.clients.push_back(std::make_unique<held_subscriber>(context));
    const auto connect_start = clock_type::now();
    for (int worker = 0; worker < in_flight; ++worker) {
        ++group.running;
        asio::co_spawn(context, open_held(group, endpoint, rows), asio::detached);
    }
    drive(context, 300s, [&] { return group.snapshots + group.failures == clients; });
    const auto connect_took = clock_type::now() - connect_start;
    // Settle, still reading: let sised finish the snapshot writes before sampling its memory.
    const auto settle_until = clock_type::now() + 2s;
    drive(context, 5s, [&] { return clock_type::now() >= settle_until; });
    const auto rss_after = daemon.rss_kib();
    const auto fds_after = fd_count(daemon.pid());

    // Hold: everyone connected and reading, the probe measuring, sised's CPU sampled.
    std::vector<std::uint64_t> bytes_before;
    for (const auto& c : group.clients) bytes_before.push_back(c->bytes);
    sise::test::latency_probe probe(port, 5s);
    drive(context, 30s, [&] { return probe.ready() || probe.ended(); });
    const auto counts_before = read_counts(port);
    const double cpu_before = cpu_seconds(daemon.pid());
    const auto hold_start = clock_type::now();
    drive(context, std::chrono::seconds(hold_s + 10),
          [&] { return clock_type::now() >= hold_start + std::chrono::seconds(hold_s); });
    const double hold_wall = std::chrono::duration<double>(clock_type::now() - hold_start).count();
    const double cpu = cpu_seconds(daemon.pid()) - cpu_before;
    const auto counts = read_counts(port);
    probe.stop();
    std::size_t fed = 0;
    std::uint64_t bytes = 0;
    for (std::size_t i = 0; i < clients; ++i) {
        const auto got = group.clients[i]->bytes - bytes_before[i];
        if (got > 0) ++fed;
        bytes += got;
    }

    const auto& latencies = probe.latencies();
    const double rss_delta = static_cast<double>(rss_after) - static_cast<double>(rss_before);
    fmt::print(
        "clients: {} requested, {} got a full snapshot ({} failed; first error: {}), "
        "connected in {:.1f} s ({:.0f}/s)\n",
        clients, group.snapshots, group.failures,
        group.first_error.empty() ? "none" : group.first_error,
        static_cast<double>(ms(connect_took)) / 1000,
        static_cast<double>(group.snapshots) / (static_cast<double>(ms(connect_took)) / 1000));
    fmt::print(
        "held for {:.1f} s: /healthz subscribers {}, open_connections {}, rejected {}, "
        "slow-client disconnects {}; {} of {} held clients received data, {} dropped\n",
        hold_wall, counts.subscribers, counts.open_connections, counts.rejected, counts.slow, fed,
        group.snapshots, group.disconnects);
    fmt::print(
        "load: {:.0f} frames/s offered upstream ({:.0f}/s read by sised), 12 markets, 100 ms "
        "conflation; {} publications ({:.1f}/s); {:.1f} MB/s delivered to the held clients\n",
        rate, static_cast<double>(counts.frames - counts_before.frames) / hold_wall,
        counts.seq - counts_before.seq,
        static_cast<double>(counts.seq - counts_before.seq) / hold_wall,
        static_cast<double>(bytes) / hold_wall / 1e6);
    fmt::print(
        "probe latency (update \"time\" to receipt): {} updates, p50 {} ms, p90 {} ms, "
        "p99 {} ms, max {} ms{}\n",
        latencies.size(), percentile(latencies, 50), percentile(latencies, 90),
        percentile(latencies, 99), percentile(latencies, 100),
        probe.error().empty() ? "" : " (" + probe.error() + ")");
    fmt::print(
        "sised: fd limit {}, fds {} -> {}; RSS {} KiB before, {} KiB with clients = "
        "{:.0f} KiB ({:.1f} MiB) per 1,000 clients; peak RSS {} KiB; CPU {:.0f}% of one "
        "core while holding\n",
        open_files_limit(daemon.pid()), fds_before, fds_after, rss_before, rss_after,
        rss_delta / (static_cast<double>(clients) / 1000.0),
        rss_delta / (static_cast<double>(clients) / 1000.0) / 1024, daemon.peak_rss_kib(),
        100 * cpu / hold_wall);

    for (auto& c : group.clients) {
        c->closing = true;
        boost::system::error_code ignored;
        beast::get_lowest_layer(c->ws).socket().close(ignored);
    }
    drive(context, 30s, [&] { return group.running == 0; });
    const auto deadline = clock_type::now() + 10s;
    while (read_counts(port).open_connections != 1 && clock_type::now() < deadline)
        std::this_thread::sleep_for(50ms);
    fmt::print("after closing all: open_connections {}, sised RSS {} KiB\n",
               read_counts(port).open_connections, daemon.rss_kib());
    daemon.terminate();
    return group.snapshots == clients ? 0 : 1;
}
