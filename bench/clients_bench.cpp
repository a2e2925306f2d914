// Many local subscribers held at once, measured from outside as an operator would: the fake
// Upbit streams, sised (release build, its own process) fans out to CLIENTS websocket
// subscribers driven from THREADS threads (one io_context each; connects bounded and retried),
// and a probe subscriber on its own thread, connected before them, timestamps updates ("time", stamped by sised, against
// our clock; both UTC epoch ms on this machine). Reports clients held, updates delivered per
// client per second, update latency, sised RSS per 1,000 clients, its CPU, its CPU per
// delivered message and the bytes per message (compare with sise_bench_send_floor). With FILTER = N, each client then
// subscribes to N of the 12 markets (client i: markets i, i+1, ... mod 12, so 12 distinct
// filters) and counts only what that brings.
//
//   sise_bench_clients [CLIENTS] [RATE] [HOLD_S] [FILTER] [THREADS]
//   defaults: 10000 clients, 200 frames/s, 20 s, 0 (every market), 2 client threads
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
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

// A share of the held clients on a thread and io_context of its own; its group is only touched
// on that thread (read through on()) until the thread is stopped.
struct client_thread {
    explicit client_thread(std::size_t count) : group(context, count) {}
    asio::io_context context;
    held_group group;
    asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
    std::thread thread;
};

// Runs `f` on the client thread's io_context and returns what it returns.
template <typename F>
auto on(client_thread& t, F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(t.context, std::move(task));
    return result.get();
}

struct tally {
    std::vector<std::uint64_t> bytes;     // each client's, received after its snapshot
    std::vector<std::uint64_t> messages;  // each client's updates
};

tally read_tally(client_thread& t) {
    return on(t, [&t] {
        tally got;
        for (const auto& c : t.group.clients) {
            got.bytes.push_back(c->bytes);
            got.messages.push_back(c->messages.updates());
        }
        return got;
    });
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t clients = argc > 1 ? std::stoul(argv[1]) : 10'000;
    const double rate = argc > 2 ? std::stod(argv[2]) : 200;
    const int hold_s = argc > 3 ? std::stoi(argv[3]) : 20;
    const std::size_t filter = argc > 4 ? std::stoul(argv[4]) : 0;
    const std::size_t threads = std::max<std::size_t>(1, argc > 5 ? std::stoul(argv[5]) : 2);
    constexpr std::size_t rows = 12;
    // Connects in flight, and how many more times a client that failed to open (a connect timed
    // out on a loaded machine) is tried again: the bench's side must finish.
    constexpr int in_flight = 128;
    constexpr int retries = 3;
    // The longest the connecting may take: past it the hold starts with the clients held so
    // far (printed), and the per-client figures are over those.
    constexpr auto connect_bound = 240s;

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

    std::vector<std::unique_ptr<client_thread>> shards;
    const auto markets = sise::fake::default_markets();
    const std::size_t subscribed_rows = std::min(filter, markets.size());
    for (std::size_t t = 0, first = 0; t < threads; ++t) {
        const std::size_t count = clients / threads + (t < clients % threads ? 1 : 0);
        auto& shard = *shards.emplace_back(std::make_unique<client_thread>(count));
        shard.group.step_timeout = 30s;
        shard.group.retries = retries;
        if (filter > 0) {
            shard.group.subscribed_rows = subscribed_rows;
            shard.group.subscribe = [markets, subscribed_rows, first](std::size_t client) {
                std::string request = R"({"type":"subscribe","markets":[)";
                for (std::size_t k = 0; k < subscribed_rows; ++k)
                    request += fmt::format("{}\"{}\"", k ? "," : "",
                                           markets[(first + client + k) % markets.size()]);
                return request + "]}";
            };
        }
        first += count;
    }
    const auto connect_start = clock_type::now();
    for (auto& shard : shards) {
        open_held(shard->context, shard->group, endpoint, rows,
                  std::max(1, in_flight / static_cast<int>(threads)));
        shard->thread = std::thread([&context = shard->context] { context.run(); });
    }
    const auto sum = [&](auto field) {
        std::size_t total = 0;
        for (auto& shard : shards) total += on(*shard, [&] { return field(shard->group); });
        return total;
    };
    eventually([&] { return sum([](const held_group& g) { return g.settled(); }) == clients; },
               connect_bound, 100ms);
    const auto connect_took = clock_type::now() - connect_start;
    const auto held = sum([](const held_group& g) { return g.snapshots; });
    // Settle, still reading: let sised finish the snapshot writes before sampling its memory.
    std::this_thread::sleep_for(2s);
    const auto rss_after = daemon.rss_kib();
    const auto fds_after = fd_count(daemon.pid());

    // Hold: everyone connected and reading, the probe measuring, sised's CPU sampled.
    std::vector<tally> before;
    for (auto& shard : shards) before.push_back(read_tally(*shard));
    probe.restart();  // a fresh connection: no backlog from the connecting minutes
    eventually([&] { return probe.ready() || probe.ended(); }, 60s, 10ms);
    const auto counts_before = read_health(port);
    const double cpu_before = cpu_seconds(daemon.pid());
    const auto hold_start = clock_type::now();
    std::this_thread::sleep_for(std::chrono::seconds(hold_s));
    const double hold_wall = std::chrono::duration<double>(clock_type::now() - hold_start).count();
    const double cpu = cpu_seconds(daemon.pid()) - cpu_before;
    const auto counts = read_health(port);
    std::vector<tally> after;
    for (auto& shard : shards) after.push_back(read_tally(*shard));
    probe.stop();
    std::size_t fed = 0;
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
    for (std::size_t t = 0; t < threads; ++t) {
        for (std::size_t i = 0; i < before[t].bytes.size(); ++i) {
            const auto got = after[t].bytes[i] - before[t].bytes[i];
            if (got > 0) ++fed;
            bytes += got;
            messages += after[t].messages[i] - before[t].messages[i];
        }
    }
    const auto snapshots = sum([](const held_group& g) { return g.snapshots; });
    const auto retried = sum([](const held_group& g) { return g.retried; });
    const auto failures = sum([](const held_group& g) { return g.failures; });
    const auto disconnects = sum([](const held_group& g) { return g.disconnects; });
    std::string first_error;
    for (auto& shard : shards)
        if (first_error.empty()) first_error = on(*shard, [&] { return shard->group.first_error(); });
    const auto publications = static_cast<double>(counts.seq - counts_before.seq);

    const auto& latencies = probe.latencies();
    const double rss_delta = static_cast<double>(rss_after) - static_cast<double>(rss_before);
    fmt::print(
        "clients: {} requested, {} got a full snapshot ({} needed a retry, {} failed after {} "
        "retries; first error: {}), connected in {:.1f} s ({:.0f}/s); probe reconnected at "
        "the hold's start at attempt {}\n",
        clients, snapshots, retried, failures, retries,
        first_error.empty() ? "none" : first_error,
        static_cast<double>(ms(connect_took)) / 1000,
        static_cast<double>(snapshots) / (static_cast<double>(ms(connect_took)) / 1000),
        probe.attempts());
    fmt::print(
        "held for {:.1f} s: /healthz subscribers {}, open_connections {}, rejected {}, "
        "slow-client disconnects {}; {} of {} held clients received data, {} dropped\n",
        hold_wall, counts.subscribers, counts.open_connections, counts.rejected_connections,
        counts.slow_client_disconnects, fed, snapshots, disconnects);
    fmt::print(
        "load: {:.0f} frames/s offered upstream ({:.0f}/s read by sised), 12 markets, 100 ms "
        "conflation; {} publications ({:.1f}/s); {:.1f} MB/s delivered to the held clients\n",
        rate, static_cast<double>(counts.frames - counts_before.frames) / hold_wall,
        counts.seq - counts_before.seq,
        static_cast<double>(counts.seq - counts_before.seq) / hold_wall,
        static_cast<double>(bytes) / hold_wall / 1e6);
    fmt::print(
        "delivered: {} messages to {} clients on {} threads{} = {:.2f} updates per client per second "
        "({:.2f} publications/s) over the {} held; sised {:.2f} CPU-us per delivered message; {:.0f} bytes per "
        "message on the wire\n",
        messages, clients, threads,
        filter > 0 ? fmt::format(" each filtered to {} markets", subscribed_rows) : "",
        static_cast<double>(messages) / static_cast<double>(std::max<std::size_t>(1, held)) /
            hold_wall,
        publications / hold_wall, held, messages > 0 ? cpu * 1e6 / static_cast<double>(messages) : 0.0,
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

    for (auto& shard : shards) {
        shard->work.reset();
        shard->context.stop();
        shard->thread.join();
        close_all(shard->context, shard->group, 30s);
    }
    const auto deadline = clock_type::now() + 10s;
    while (read_health(port).open_connections != 1 && clock_type::now() < deadline)
        std::this_thread::sleep_for(50ms);
    fmt::print("after closing all: open_connections {}, sised RSS {} KiB\n",
               read_health(port).open_connections, daemon.rss_kib());
    daemon.terminate();
    return snapshots == clients ? 0 : 1;
}
