// Many local subscribers held at once, measured from outside as an operator would: the fake
// Upbit streams, sised (release build, its own process) fans out to CLIENTS websocket
// subscribers driven from one thread (connects bounded and retried), and a probe subscriber on
// its own thread, connected before them, timestamps updates ("time", stamped by sised, against
// our clock; both UTC epoch ms on this machine). Reports clients held, updates delivered per
// client per second, update latency, sised RSS per 1,000 clients, its CPU, its CPU per
// delivered message and the bytes per message (compare with sise_bench_send_floor). With FILTER = N, each client then
// subscribes to N of the 12 markets (client i: markets i, i+1, ... mod 12, so 12 distinct
// filters) and counts only what that brings.
//
//   sise_bench_clients [CLIENTS] [RATE] [HOLD_S] [FILTER]
//   defaults: 10000 clients, 200 frames/s, 20 s, 0 (every market)
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>

#include "reference_setup.hpp"
#include "support/daemon.hpp"
#include "support/health.hpp"
#include "support/held_subscribers.hpp"
#include "support/latency_probe.hpp"
#include "support/local_client.hpp"
#include "support/process_stats.hpp"
#include "support/timing.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;
using namespace sise::test;

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

}  // namespace

int main(int argc, char** argv) {
    const std::size_t clients = argc > 1 ? std::stoul(argv[1]) : 10'000;
    const double rate = argc > 2 ? std::stod(argv[2]) : 200;
    const int hold_s = argc > 3 ? std::stoi(argv[3]) : 20;
    const std::size_t filter = argc > 4 ? std::stoul(argv[4]) : 0;
    constexpr std::size_t rows = 12;
    // Connects in flight, and how many more times a client that failed to open (a connect timed
    // out on a loaded machine) is tried again: the bench's side must finish.
    constexpr int in_flight = 128;
    constexpr int retries = 3;

    const auto limit = raise_fd_limit(clients + 1024);
    if (limit < clients + 1024) {
        fmt::print(stderr, "RLIMIT_NOFILE is {}; {} clients need {}\n", limit, clients,
                   clients + 1024);
        return 1;
    }

    // The held clients read raw bytes and never answer sised's keep-alive pings: a long write
    // timeout keeps them connected for the whole run (liveness is tested elsewhere).
    sise::bench::reference_setup setup(rate, clients + 100, {}, {},
                                       "client_write_timeout_ms = 600000");
    auto& daemon = setup.daemon;
    const auto port = daemon.port();
    const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port};
    std::this_thread::sleep_for(2s);  // feed connected, names loaded, first publications out
    const auto rss_before = daemon.rss_kib();
    const auto fds_before = fd_count(daemon.pid());

    // The probe connects first, so the 10,000 cannot crowd it out; what it measures while they
    // connect is forgotten when the hold starts.
    sise::test::latency_probe probe(port, 30s, 60s);
    while (!probe.ready() && !probe.ended()) std::this_thread::sleep_for(10ms);

    asio::io_context context;
    held_group group(context, clients);
    group.step_timeout = 30s;
    group.retries = retries;
    if (filter > 0) {
        const auto markets = sise::fake::default_markets();
        group.subscribed_rows = std::min(filter, markets.size());
        group.subscribe = [markets, wanted = group.subscribed_rows](std::size_t client) {
            std::string request = R"({"type":"subscribe","markets":[)";
            for (std::size_t k = 0; k < wanted; ++k)
                request +=
                    fmt::format("{}\"{}\"", k ? "," : "", markets[(client + k) % markets.size()]);
            return request + "]}";
        };
    }
    const auto connect_start = clock_type::now();
    open_held(context, group, endpoint, rows, in_flight);
    drive(context, 300s, [&] { return group.settled() == clients; });
    const auto connect_took = clock_type::now() - connect_start;
    // Settle, still reading: let sised finish the snapshot writes before sampling its memory.
    const auto settle_until = clock_type::now() + 2s;
    drive(context, 5s, [&] { return clock_type::now() >= settle_until; });
    const auto rss_after = daemon.rss_kib();
    const auto fds_after = fd_count(daemon.pid());

    // Hold: everyone connected and reading, the probe measuring, sised's CPU sampled.
    std::vector<std::uint64_t> bytes_before;
    std::vector<std::uint64_t> messages_before;
    for (const auto& c : group.clients) {
        bytes_before.push_back(c->bytes);
        messages_before.push_back(c->messages.updates());
    }
    probe.restart();
    const auto counts_before = read_health(port);
    const double cpu_before = cpu_seconds(daemon.pid());
    const auto hold_start = clock_type::now();
    drive(context, std::chrono::seconds(hold_s + 10),
          [&] { return clock_type::now() >= hold_start + std::chrono::seconds(hold_s); });
    const double hold_wall = std::chrono::duration<double>(clock_type::now() - hold_start).count();
    const double cpu = cpu_seconds(daemon.pid()) - cpu_before;
    const auto counts = read_health(port);
    probe.stop();
    std::size_t fed = 0;
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
    for (std::size_t i = 0; i < clients; ++i) {
        const auto got = group.clients[i]->bytes - bytes_before[i];
        if (got > 0) ++fed;
        bytes += got;
        messages += group.clients[i]->messages.updates() - messages_before[i];
    }
    const auto publications = static_cast<double>(counts.seq - counts_before.seq);

    const auto& latencies = probe.latencies();
    const double rss_delta = static_cast<double>(rss_after) - static_cast<double>(rss_before);
    fmt::print(
        "clients: {} requested, {} got a full snapshot ({} needed a retry, {} failed after {} "
        "retries; first error: {}), connected in {:.1f} s ({:.0f}/s); probe connected at "
        "attempt {}\n",
        clients, group.snapshots, group.retried, group.failures, retries,
        group.first_error().empty() ? "none" : group.first_error(), 
        static_cast<double>(ms(connect_took)) / 1000,
        static_cast<double>(group.snapshots) / (static_cast<double>(ms(connect_took)) / 1000),
        probe.attempts());
    fmt::print(
        "held for {:.1f} s: /healthz subscribers {}, open_connections {}, rejected {}, "
        "slow-client disconnects {}; {} of {} held clients received data, {} dropped\n",
        hold_wall, counts.subscribers, counts.open_connections, counts.rejected_connections,
        counts.slow_client_disconnects, fed, group.snapshots, group.disconnects);
    fmt::print(
        "load: {:.0f} frames/s offered upstream ({:.0f}/s read by sised), 12 markets, 100 ms "
        "conflation; {} publications ({:.1f}/s); {:.1f} MB/s delivered to the held clients\n",
        rate, static_cast<double>(counts.frames - counts_before.frames) / hold_wall,
        counts.seq - counts_before.seq,
        static_cast<double>(counts.seq - counts_before.seq) / hold_wall,
        static_cast<double>(bytes) / hold_wall / 1e6);
    fmt::print(
        "delivered: {} messages to {} clients{} = {:.2f} updates per client per second "
        "({:.2f} publications/s); sised {:.2f} CPU-us per delivered message; {:.0f} bytes per "
        "message on the wire\n",
        messages, clients,
        filter > 0 ? fmt::format(" each filtered to {} markets", group.subscribed_rows) : "",
        static_cast<double>(messages) / static_cast<double>(clients) / hold_wall,
        publications / hold_wall, messages > 0 ? cpu * 1e6 / static_cast<double>(messages) : 0.0,
        messages > 0 ? static_cast<double>(bytes) / static_cast<double>(messages) : 0.0);
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

    close_all(context, group, 30s);
    const auto deadline = clock_type::now() + 10s;
    while (read_health(port).open_connections != 1 && clock_type::now() < deadline)
        std::this_thread::sleep_for(50ms);
    fmt::print("after closing all: open_connections {}, sised RSS {} KiB\n",
               read_health(port).open_connections, daemon.rss_kib());
    daemon.terminate();
    return group.snapshots == clients ? 0 : 1;
}
