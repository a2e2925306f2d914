// Costs of the rolling 24-hour window (src/market/window.cpp): ns per add_trade at a realistic
// rate and in bursts, ns per figures() in the common and the worst cases, bytes per market.
// Plain main, std::chrono only. Not in bench/CMakeLists.txt; from the repository root:
//   g++ -O2 -std=c++20 -march=x86-64-v2 -mpclmul -Iinclude bench/window_bench.cpp
//   src/market/window.cpp -o window_bench   (one command)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "sise/market/window.hpp"

using sise::market::minute_ms;
using sise::market::rolling_window;
using sise::market::window_ms;

namespace {

using bench_clock = std::chrono::steady_clock;

constexpr std::int64_t t0 = 1'750'000'020'000;  // a minute boundary
constexpr std::int64_t hour_ms = 3'600'000;

double checksum = 0;  // printed, so the optimiser keeps the work

void fold(const std::optional<sise::market::window_figures>& f) {
    if (!f) return;
    checksum += f->ref_price + f->high.value_or(0) + f->low.value_or(0) +
                static_cast<double>(f->covered_ms);
}

struct trade {
    double price;
    std::int64_t t;
};

// Prices on a 1-unit tick random walk; times as given.
std::vector<trade> walk(const std::vector<std::int64_t>& times, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> step(-2, 2);
    std::vector<trade> out;
    out.reserve(times.size());
    double price = 50'000'000;
    for (std::int64_t t : times) {
        price += 1000.0 * step(rng);
        out.push_back({price, t});
    }
    return out;
}

double ns_per(bench_clock::duration d, std::size_t n) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) /
           static_cast<double>(n);
}

double time_trades(rolling_window& w, const std::vector<trade>& trades) {
    auto start = bench_clock::now();
    for (const trade& tr : trades) w.add_trade(tr.price, tr.t);
    return ns_per(bench_clock::now() - start, trades.size());
}

template <class Now>
double time_queries(const rolling_window& w, std::size_t n, Now now_of) {
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < n; ++i) fold(w.figures(now_of(i)));
    return ns_per(bench_clock::now() - start, n);
}

}  // namespace

int main() {
    std::printf("bytes per market: sizeof(rolling_window) = %zu (bucket %zu x %zu)\n",
                sizeof(rolling_window), sizeof(rolling_window::minute_bucket),
                rolling_window::bucket_count);

    // 1. Steady: 20 trades/s for 48 h, 0-100 ms jitter, 5 % delivered up to 2 s late.
    {
        std::mt19937_64 rng(1);
        std::uniform_int_distribution<std::int64_t> jitter(0, 100);
        std::uniform_int_distribution<std::int64_t> late(0, 2000);
        std::uniform_real_distribution<double> unit(0, 1);
        std::vector<std::int64_t> times;
        for (std::int64_t t = t0; t < t0 + 48 * hour_ms; t += 50) {
            std::int64_t x = t + jitter(rng);
            if (unit(rng) < 0.05) x -= late(rng);
            times.push_back(x);
        }
        auto trades = walk(times, 2);
        rolling_window w;
        double ns = time_trades(w, trades);
        std::printf("add_trade, 20/s for 48 h (%zu trades):           %6.1f ns/trade\n",
                    trades.size(), ns);

        // Queries as a publisher makes them: now advancing 100 ms per query for 2 h after
        // the data (the window slides; extremes expire now and then).
        const std::int64_t end = t0 + 48 * hour_ms;
        std::size_t n = 72'000;
        double q = time_queries(
            w, n, [&](std::size_t i) { return end + static_cast<std::int64_t>(i) * 100; });
        std::printf("figures(), now +100 ms per query, after it:     %6.1f ns/query\n", q);

        // The O(1) path alone: queries within one minute, the memo always fresh.
        double hit = time_queries(w, 1'000'000, [&](std::size_t i) {
            return end + static_cast<std::int64_t>(i % 50'000);
        });
        std::printf("figures(), memo fresh, ref minute traded:       %6.1f ns/query\n", hit);

        // Interleaved: one query per 20 trades (one per second), timed together.
        rolling_window v;
        auto start = bench_clock::now();
        for (std::size_t i = 0; i < trades.size(); ++i) {
            v.add_trade(trades[i].price, trades[i].t);
            if (i % 20 == 19) fold(v.figures(trades[i].t + 30));
        }
        double mixed = ns_per(bench_clock::now() - start, trades.size());
        std::printf("add_trade + figures() every 20th, 48 h:          %6.1f ns/trade\n", mixed);
    }

    // 2. Bursts: 2000 trades in the same millisecond once a minute, for 48 h.
    {
        std::vector<std::int64_t> times;
        for (std::int64_t m = 0; m < 48 * 60; ++m)
            for (int i = 0; i < 2000; ++i) times.push_back(t0 + m * minute_ms + 17'000);
        auto trades = walk(times, 3);
        rolling_window w;
        double ns = time_trades(w, trades);
        std::printf("add_trade, bursts of 2000 in 1 ms each minute:   %6.1f ns/trade\n", ns);
    }

    // 3. Worst case for figures(): a price falling every minute, so the high is always the
    // window's oldest minute and expires when the next minute starts. One trade and one query
    // per minute: every query rescans all 1441 window buckets (timed: trade + query).
    {
        rolling_window w;
        const std::int64_t warm = 25 * 60;
        for (std::int64_t m = 0; m < warm; ++m)
            w.add_trade(1e6 - static_cast<double>(m), t0 + m * minute_ms);
        std::size_t n = 100'000;
        auto start = bench_clock::now();
        for (std::size_t i = 0; i < n; ++i) {
            std::int64_t m = warm + static_cast<std::int64_t>(i);
            w.add_trade(1e6 - static_cast<double>(m), t0 + m * minute_ms);
            fold(w.figures(t0 + m * minute_ms + 1));
        }
        double q = ns_per(bench_clock::now() - start, n);
        std::printf("falling price, 1 trade + 1 figures() per minute: %5.1f ns/step\n", q);

        // The clock alternating between two times an hour apart: every query rescans.
        const std::int64_t last = t0 + (warm + static_cast<std::int64_t>(n) - 1) * minute_ms;
        double back = time_queries(
            w, 20'000, [&](std::size_t i) { return last + (i % 2 == 0 ? 0 : hour_ms); });
        std::printf("figures(), now alternating +-1 h (rescans):     %6.1f ns/query\n", back);
    }

    // 4. A quiet market: one trade a day; the reference is found by scanning back through
    // up to ~1440 empty minutes, the window holds no trade.
    {
        rolling_window w;
        for (int d = 0; d < 3; ++d) w.add_trade(100.0 + d, t0 + d * window_ms);
        const std::int64_t last = t0 + 2 * window_ms;
        std::size_t n = 20'000;
        double q = time_queries(w, n, [&](std::size_t i) {
            return last + window_ms - minute_ms + static_cast<std::int64_t>(i % 100);
        });
        std::printf("figures(), quiet market, ref scan ~1440 minutes: %5.1f ns/query\n", q);
    }

    std::printf("(checksum %.0f)\n", checksum);
    return 0;
}
