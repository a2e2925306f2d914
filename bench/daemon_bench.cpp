// The daemon under the reference load, measured from outside as an operator would:
// the fake Upbit streams at a fixed rate, sised (release build, its own process) conflates
// and fans out to local subscribers, and we read sised's CPU time from /proc, its frame
// counter from /healthz, and its peak RSS.
//
//   sise_bench_daemon [RATE] [SUBSCRIBERS] [SISED_CPU] [MORE_VENUES]
// defaults: 20000 frames/s, 10 subscribers, no pinning (-1), Upbit only. With SISED_CPU, sised
// is pinned to that CPU and this process (the fakes, the subscribers) to the others, so the
// saturation figure is sised's on one core of its own. MORE_VENUES ("binance,bithumb", or all
// six: "bithumb,binance,okx,bybit,coinbase,kraken") adds one fake per venue, comma-separated,
// each fed to sised as its own feed; RATE is then split evenly. PEER ("ccxt", the default, or
// "none") runs ccxt on the same fake Upbit stream during the measurement and prints the ratio
// of sised's CPU per 100k frames to ccxt's (install it once: cd bench/ccxt && npm ci).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sched.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ccxt_peer.hpp"
#include "fake/price_walk.hpp"
#include "reference_setup.hpp"
#include "support/daemon.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/process_stats.hpp"

using namespace std::chrono_literals;

namespace {

// Frames of every feed (the order of [feeds.*] does not matter for the sum).
std::uint64_t frames_received(std::uint16_t port, std::size_t feeds) {
    const auto health = sise::test::healthz(port);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < feeds; ++i)
        total += health.number(fmt::format("/feeds/{}/frames", i));
    return total;
}

// Each feed's name, state and frames, so a run shows that every venue took its share.
void print_feeds(std::uint16_t port, std::size_t feeds) {
    const auto health = sise::test::healthz(port);
    fmt::print("  per feed:");
    for (std::size_t i = 0; i < feeds; ++i)
        fmt::print(" {} {} {};", health.text(fmt::format("/feeds/{}/exchange", i)),
                   health.text(fmt::format("/feeds/{}/state", i)),
                   health.number(fmt::format("/feeds/{}/frames", i)));
    fmt::print("\n");
}

struct sample {
    double cpu;
    std::uint64_t frames;
    std::chrono::steady_clock::time_point at;
};

sample take(const sise::test::daemon_process& daemon, std::size_t feeds) {
    return {sise::test::cpu_seconds(daemon.pid()), frames_received(daemon.port(), feeds),
            std::chrono::steady_clock::now()};
}

std::vector<std::string> split_venues(std::string_view list) {
    std::vector<std::string> venues;
    while (!list.empty()) {
        const auto comma = list.find(',');
        venues.emplace_back(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    return venues;
}

}  // namespace

int main(int argc, char** argv) {
    const double rate = argc > 1 ? std::stod(argv[1]) : 20'000;
    const int subscriber_count = argc > 2 ? std::stoi(argv[2]) : 10;
    const int sised_cpu = argc > 3 ? std::stoi(argv[3]) : -1;
    const auto more_venues = split_venues(argc > 4 ? argv[4] : "");
    const std::string_view peer_name = argc > 5 ? argv[5] : "ccxt";
    const std::size_t feeds = 1 + more_venues.size();
    cpu_set_t others;
    if (sised_cpu >= 0) {
        // Before any thread starts: they all inherit it.
        CPU_ZERO(&others);
        sched_getaffinity(0, sizeof others, &others);
        CPU_CLR(static_cast<std::size_t>(sised_cpu), &others);
        if (CPU_COUNT(&others) == 0 || sched_setaffinity(0, sizeof others, &others) != 0) {
            fmt::print(stderr, "cannot keep CPU {} for sised alone\n", sised_cpu);
            return 2;
        }
    }

    sise::bench::reference_setup setup(rate, 20'000, {}, more_venues);
    const auto exchanges = setup.exchanges();
    auto& daemon = setup.daemon;

    if (sised_cpu >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(static_cast<std::size_t>(sised_cpu), &one);
        // Every thread of sised: the loop and the history writer and reader.
        for (const auto& task :
             std::filesystem::directory_iterator(fmt::format("/proc/{}/task", daemon.pid())))
            if (sched_setaffinity(std::stoi(task.path().filename().string()), sizeof one, &one) !=
                0) {
                fmt::print(stderr, "cannot pin sised to CPU {}\n", sised_cpu);
                return 2;
            }
        fmt::print("sised pinned to CPU {}, the fake and the subscribers to the others\n",
                   sised_cpu);
    }

    std::atomic<bool> running{true};
    std::atomic<std::uint64_t> messages{0};
    std::vector<std::thread> subscribers;
    for (int i = 0; i < subscriber_count; ++i)
        subscribers.emplace_back([&, port = daemon.port()] {
            sise::test::stream_client client(port);
            while (running && client.read(2s)) ++messages;
        });

    std::optional<sise::bench::ccxt_peer> peer;  // the same stream as sised's Upbit feed
    if (peer_name == "ccxt") peer.emplace(setup.exchange, sise::fake::default_markets(), 100'000);
    std::this_thread::sleep_for(2s);  // connect, snapshot, warm up (the peer's too)
    // Run until 100k upstream frames have been processed at the configured rate.
    const sample before = take(daemon, feeds);
    sample after = before;
    while (after.frames - before.frames < 100'000) {
        std::this_thread::sleep_for(250ms);
        after = take(daemon, feeds);
    }
    const double wall = std::chrono::duration<double>(after.at - before.at).count();
    const double frames = static_cast<double>(after.frames - before.frames);
    const double cpu = after.cpu - before.cpu;
    fmt::print(
        "load: {:.0f} frames/s offered over {} feed(s) (upbit{}{}), 12 markets each, {} "
        "subscribers, 100 ms conflation\n",
        rate, feeds, more_venues.empty() ? "" : ",", fmt::join(more_venues, ","), subscriber_count);
    fmt::print("  processed {:.0f} frames in {:.2f} s ({:.0f} frames/s)\n", frames, wall,
               frames / wall);
    fmt::print("  sised CPU: {:.3f} s per 100k frames ({:.1f}% of one core)\n",
               cpu / frames * 100'000, 100 * cpu / wall);
    fmt::print("  subscriber messages received: {}\n", messages.load());
    print_feeds(daemon.port(), feeds);
    fmt::print("  sised peak RSS: {:.1f} MiB (VmHWM)\n",
               static_cast<double>(daemon.peak_rss_kib()) / 1024);
    if (peer) {
        const auto ccxt = peer->wait();
        if (!ccxt.ran) {
            fmt::print("peer ccxt: {}\n", ccxt.note);
        } else {
            const double ccxt_per_100k = ccxt.cpu_s / ccxt.frames * 100'000;
            fmt::print(
                "peer ccxt (same fake Upbit stream, same run): {:.0f} frames in {:.2f} s, CPU "
                "{:.3f} s per 100k frames, peak RSS {:.1f} MiB\n",
                ccxt.frames, ccxt.wall_s, ccxt_per_100k, ccxt.peak_rss_mib);
            fmt::print("  ratio sised / ccxt, CPU per 100k frames: {:.3f}\n",
                       cpu / frames * 100'000 / ccxt_per_100k);
        }
    }

    // Saturation: the fake sends as fast as sised reads; sised runs on one thread.
    for (auto* exchange : exchanges) exchange->set_rate(0);
    std::this_thread::sleep_for(1s);
    const sample sat_before = take(daemon, feeds);
    std::this_thread::sleep_for(5s);
    const sample sat_after = take(daemon, feeds);
    std::uint64_t sent = 0;
    for (auto* exchange : exchanges) sent += exchange->frames_sent();
    const double sat_wall = std::chrono::duration<double>(sat_after.at - sat_before.at).count();
    const double sat_frames = static_cast<double>(sat_after.frames - sat_before.frames);
    fmt::print(
        "saturation: {:.0f} frames/s, sised CPU {:.1f}% of one core, fake sent {} frames total\n",
        sat_frames / sat_wall, 100 * (sat_after.cpu - sat_before.cpu) / sat_wall, sent);
    fmt::print("  sised peak RSS: {:.1f} MiB (VmHWM)\n",
               static_cast<double>(daemon.peak_rss_kib()) / 1024);

    running = false;
    for (auto* exchange : exchanges) exchange->set_rate(rate / static_cast<double>(feeds));
    for (auto& t : subscribers) t.join();
    daemon.terminate();
}
