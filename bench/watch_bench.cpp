// Bytes `sise watch` writes to the terminal per frame (src/cli/watch_view.cpp rendering,
// src/cli/screen_frame.cpp diffing): 12 markets, 10 updates per second (one frame each, the
// watch's cap), for 60 simulated seconds, with 1, 3 or all 12 markets changing per update.
// Pure: no terminal, no daemon; the same code path as the real loop from rows to bytes.
//   build/release/bench/sise_bench_watch
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "sise/cli/screen_frame.hpp"
#include "sise/cli/watch_view.hpp"

using namespace sise::cli;

namespace {

struct market {
    const char* code;
    const char* name;
    std::int64_t price;
    std::int64_t tick;
};

// The fake's 12 KRW markets at realistic prices and tick sizes.
const std::vector<market> markets{{"KRW-BTC", "비트코인", 150'000'000, 1000},
                                  {"KRW-ETH", "이더리움", 5'000'000, 1000},
                                  {"KRW-BCH", "비트코인캐시", 700'000, 50},
                                  {"KRW-XRP", "엑스알피", 3'000, 1},
                                  {"KRW-SOL", "솔라나", 250'000, 50},
                                  {"KRW-ADA", "에이다", 1'000, 1},
                                  {"KRW-EOS", "이오스", 1'050, 1},
                                  {"KRW-TRX", "트론", 347, 1},
                                  {"KRW-XLM", "스텔라루멘", 417, 1},
                                  {"KRW-BSV", "비트코인에스브이", 69'850, 10},
                                  {"KRW-LINK", "체인링크", 25'100, 10},
                                  {"KRW-SAND", "샌드박스", 502, 1}};

struct result {
    std::size_t first = 0;
    double mean = 0;
    std::size_t p50 = 0, p99 = 0, max = 0;
    double ns_per_frame = 0;
};

result run(std::size_t changed_per_update, std::size_t width, std::size_t height, bool age) {
    std::mt19937_64 random(42);
    std::vector<ticker_row> rows;
    for (const market& m : markets) {
        ticker_row r;
        r.exchange = "upbit";
        r.market = m.code;
        r.base = std::string(m.code).substr(4);
        r.quote = "KRW";
        r.name_ko = m.name;
        r.status = "live";
        r.price = std::to_string(m.price);
        r.change_pct_24h = "1.2345";
        r.basis = "rolling_24h";
        r.covered_24h_ms = 86'400'000;
        rows.push_back(r);
    }
    std::vector<std::int64_t> prices;
    for (const market& m : markets) prices.push_back(m.price);

    watch_settings settings;
    settings.daemon = "127.0.0.1:8765";
    settings.columns.age = age;
    watch_view view(settings);
    link_status link;
    link.now = link_status::state::live;
    std::int64_t now = 1'764'830'400'000;
    std::vector<std::size_t> all(rows.size());
    std::iota(all.begin(), all.end(), 0);
    view.observe(rows, all, now);

    std::vector<std::size_t> sizes;
    screen_frame shown;
    bool have_shown = false;
    std::size_t first = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int frame = 0; frame <= 600; ++frame) {
        now += 100;
        if (frame > 0) {
            std::vector<std::size_t> changed;
            for (std::size_t k = 0; k < changed_per_update; ++k) {
                const std::size_t i = (static_cast<std::size_t>(frame) * 5 + k * 7) % rows.size();
                const int steps = static_cast<int>(random() % 5) - 2;
                prices[i] += (steps == 0 ? 1 : steps) * markets[i].tick;
                rows[i].price = std::to_string(prices[i]);
                rows[i].change_pct_24h = fmt::format(
                    "{:.4f}", 100.0 * static_cast<double>(prices[i] - markets[i].price) /
                                  static_cast<double>(markets[i].price));
                rows[i].received_time_ms = now;
                changed.push_back(i);
            }
            std::sort(changed.begin(), changed.end());
            changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
            view.observe(rows, changed, now);
            link.last_update_ms = now;
        }
        const screen_frame next = view.render(rows, link, now, width, height);
        const std::string bytes = diff_frames(have_shown ? &shown : nullptr, next);
        if (!have_shown)
            first = bytes.size();
        else
            sizes.push_back(bytes.size());
        shown = next;
        have_shown = true;
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    result out;
    out.first = first;
    out.mean = static_cast<double>(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0})) /
               static_cast<double>(sizes.size());
    std::sort(sizes.begin(), sizes.end());
    out.p50 = sizes[sizes.size() / 2];
    out.p99 = sizes[sizes.size() * 99 / 100];
    out.max = sizes.back();
    out.ns_per_frame =
        static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) /
        601.0;
    return out;
}

}  // namespace

int main() {
    fmt::print("sise watch: bytes written per frame, 12 markets, 10 updates/s, 600 frames\n");
    fmt::print("{:>8} {:>9} {:>5} {:>11} {:>10} {:>6} {:>6} {:>6} {:>10} {:>9}\n", "terminal",
               "changed", "age", "first (B)", "mean (B)", "p50", "p99", "max", "bytes/s",
               "us/frame");
    for (const auto& [width, height] : {std::pair<std::size_t, std::size_t>{100, 30}, {80, 24}})
        for (std::size_t changed : {1u, 3u, 12u})
            for (bool age : {false, true}) {
                const result r = run(changed, width, height, age);
                fmt::print(
                    "{:>8} {:>9} {:>5} {:>11} {:>10.0f} {:>6} {:>6} {:>6} {:>10.0f} {:>9.1f}\n",
                    fmt::format("{}x{}", width, height), changed, age ? "on" : "off", r.first,
                    r.mean, r.p50, r.p99, r.max, r.mean * 10, r.ns_per_frame / 1000);
            }
}
