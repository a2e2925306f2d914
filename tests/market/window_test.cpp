#include "sise/market/window.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using sise::market::minute_ms;
using sise::market::rolling_window;
using sise::market::window_figures;
using sise::market::window_ms;

namespace {

constexpr std::int64_t second_ms = 1'000;
constexpr std::int64_t hour_ms = 3'600'000;

std::int64_t floor_minute(std::int64_t ms) {
    std::int64_t q = ms / minute_ms;
    if (ms % minute_ms != 0 && ms < 0) --q;
    return q;
}

// docs/rolling-24h.md, worked example: 2025-06-25T04:56:53.123Z.
constexpr std::int64_t example_now = 1'750'827'413'123;
// 2025-06-24T04:55:00Z, the reference minute k of the example.
constexpr std::int64_t example_ref_minute = 1'750'740'900'000;

// The definition in docs/rolling-24h.md, implemented literally over every event ever applied:
// no ring, no carry, no memo. Candles are the trades open, high, low at the minute's start
// followed by the close at its close time; marks add covered minutes.
class brute_force {
public:
    // Covered minutes are kept in a bitmap of `days` days centred on `around_ms`.
    explicit brute_force(std::int64_t around_ms, std::int64_t days = 40)
        : base_(floor_minute(around_ms) - days / 2 * 1440),
          covered_(static_cast<std::size_t>(days * 1440), 0) {}

    void add_trade(double price, std::int64_t t) {
        if (!std::isfinite(price)) return;
        trades_.push_back({t, floor_minute(t), price});
        set_covered(floor_minute(t));
        latest_ = std::max(latest_, t);
    }

    void add_candle(std::int64_t minute_start, double open, double high, double low, double close,
                    std::optional<std::int64_t> close_time = {}) {
        std::int64_t start = floor_minute(minute_start) * minute_ms;
        std::int64_t close_at =
            std::clamp(close_time.value_or(start + minute_ms - 1), start, start + minute_ms - 1);
        add_trade(open, start);
        add_trade(high, start);
        add_trade(low, start);
        add_trade(close, close_at);
    }

    void mark_covered(std::int64_t from, std::int64_t to) {
        std::int64_t first = -floor_minute(-from);  // ceil
        std::int64_t last = floor_minute(to) - 1;
        for (std::int64_t m = first; m <= last; ++m) set_covered(m);
        if (first <= last) latest_ = std::max(latest_, (last + 1) * minute_ms - 1);
    }

    bool out_of_range() const { return out_of_range_; }

    std::optional<window_figures> figures(std::int64_t now_ms) const {
        if (trades_.empty()) return std::nullopt;
        const std::int64_t now = std::max(now_ms, latest_);
        // k: the largest minute index whose candle [k*60000, (k+1)*60000) ended at or before
        // now - 24h, i.e. (k+1)*60000 <= now - 24h.
        const std::int64_t k = floor_minute(now - window_ms) - 1;
        const std::int64_t window_start = (k + 1) * minute_ms;
        window_figures f;
        f.window_start_ms = window_start;

        const trade* latest = nullptr;    // largest time, ties: last applied
        const trade* ref = nullptr;       // the latest minute <= k, then its close (ties: last)
        const trade* earliest = nullptr;  // smallest time, ties: first applied
        bool any_in_window = false;
        double high = 0;
        double low = 0;
        for (const trade& tr : trades_) {
            if (!latest || tr.t >= latest->t) latest = &tr;
            if (!earliest || tr.t < earliest->t) earliest = &tr;
            if (tr.minute <= k &&
                (!ref || tr.minute > ref->minute || (tr.minute == ref->minute && tr.t >= ref->t)))
                ref = &tr;
            if (tr.t >= window_start) {  // every trade is <= now
                if (!any_in_window || tr.price > high) high = tr.price;
                if (!any_in_window || tr.price < low) low = tr.price;
                any_in_window = true;
            }
        }
        if (any_in_window) {
            f.high = high;
            f.low = low;
        }
        f.price = latest->price;
        f.price_time_ms = latest->t;
        f.ref_before_window = ref != nullptr;
        if (!ref) ref = earliest;  // nothing at or before k: measure from the first trade
        f.ref_price = ref->price;
        f.ref_time_ms = ref->t;
        f.ref_minute_start_ms = ref->minute * minute_ms;
        f.change = f.price - f.ref_price;
        f.change_pct = f.ref_price != 0 ? 100.0 * f.change / f.ref_price : 0.0;

        // Coverage: the run of covered minutes ending at the latest data's minute.
        const std::int64_t head = floor_minute(latest_);
        std::int64_t run_low = head;
        while (covered(run_low - 1)) --run_low;
        if (head >= k + 1) f.covered_ms = std::min(window_ms, now - run_low * minute_ms);
        bool all_known = head >= k + 1;
        for (std::int64_t m = ref->minute + 1; all_known && m <= head; ++m) all_known = covered(m);
        f.complete = f.ref_before_window && all_known;
        return f;
    }

private:
    struct trade {
        std::int64_t t;
        std::int64_t minute;
        double price;
    };

    void set_covered(std::int64_t m) {
        std::int64_t i = m - base_;
        if (i < 0 || i >= static_cast<std::int64_t>(covered_.size())) {
            out_of_range_ = true;
            return;
        }
        covered_[static_cast<std::size_t>(i)] = 1;
    }

    bool covered(std::int64_t m) const {
        std::int64_t i = m - base_;
        return i >= 0 && i < static_cast<std::int64_t>(covered_.size()) &&
               covered_[static_cast<std::size_t>(i)] != 0;
    }

    std::vector<trade> trades_;
    std::int64_t base_;
    std::vector<char> covered_;
    bool out_of_range_ = false;
    std::int64_t latest_ = std::numeric_limits<std::int64_t>::min();
};

std::string describe(const std::optional<window_figures>& f) {
    if (!f) return "nullopt";
    std::ostringstream out;
    out.precision(17);
    out << "price=" << f->price << "@" << f->price_time_ms << " ref=" << f->ref_price << "@"
        << f->ref_time_ms << " ref_minute=" << f->ref_minute_start_ms
        << " before=" << f->ref_before_window << " high=";
    if (f->high)
        out << *f->high;
    else
        out << "none";
    out << " low=";
    if (f->low)
        out << *f->low;
    else
        out << "none";
    out << " start=" << f->window_start_ms << " change=" << f->change << " pct=" << f->change_pct
        << " covered=" << f->covered_ms << " complete=" << f->complete;
    return out.str();
}

// Exact equality, doubles included: both sides compute from the same doubles. With
// `conservative_coverage` the engine may report less coverage than the scan (it forgot old
// stretches), never more; every other field must still be identical.
bool same(const std::optional<window_figures>& e, const std::optional<window_figures>& b,
          bool conservative_coverage = false) {
    if (e.has_value() != b.has_value()) return false;
    if (!e) return true;
    bool coverage = conservative_coverage
                        ? (e->covered_ms <= b->covered_ms && (!e->complete || b->complete))
                        : (e->covered_ms == b->covered_ms && e->complete == b->complete);
    return coverage && e->price == b->price && e->price_time_ms == b->price_time_ms &&
           e->ref_price == b->ref_price && e->ref_time_ms == b->ref_time_ms &&
           e->ref_minute_start_ms == b->ref_minute_start_ms &&
           e->ref_before_window == b->ref_before_window && e->high == b->high && e->low == b->low &&
           e->window_start_ms == b->window_start_ms && e->change == b->change &&
           e->change_pct == b->change_pct;
}

// Feeds the engine and the scan the same events and compares them at query times.
struct pair_under_test {
    explicit pair_under_test(std::int64_t around_ms) : model(around_ms) {}

    void trade(double price, std::int64_t t) {
        engine.add_trade(price, t);
        model.add_trade(price, t);
    }
    void candle(std::int64_t minute_start, double o, double h, double l, double c,
                std::optional<std::int64_t> close_time = {}) {
        engine.add_candle(minute_start, o, h, l, c, close_time);
        model.add_candle(minute_start, o, h, l, c, close_time);
    }
    void mark(std::int64_t from, std::int64_t to) {
        engine.mark_covered(from, to);
        model.mark_covered(from, to);
    }
    // Empty when they agree; otherwise both sides, for the failure message.
    std::string query(std::int64_t now, bool conservative_coverage = false) {
        ++queries;
        auto e = engine.figures(now);
        auto b = model.figures(now);
        if (e && e->complete) ++complete;
        if (same(e, b, conservative_coverage)) return {};
        return "now " + std::to_string(now) + "\n engine: " + describe(e) +
               "\n  brute: " + describe(b);
    }

    rolling_window engine;
    brute_force model;
    long queries = 0;
    long complete = 0;
};

struct sim_trade {
    std::int64_t t;  // trade time (exchange)
    double price;
    std::int64_t arrival;  // when it reaches us: t, or late
};

// A trade sequence over about three days: bursts in one millisecond, trades exactly on minute
// boundaries, gaps of hours and one longer than the window, late and duplicate deliveries.
std::vector<sim_trade> make_trades(std::mt19937_64& rng, std::size_t count) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto between = [&rng](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    std::vector<sim_trade> out;
    std::int64_t t = 1'750'000'000'000 + between(0, 10 * hour_ms);
    std::int64_t ticks = 1'000'000;  // price = ticks * 0.01: coarse enough for equal prices
    for (std::size_t i = 0; i < count; ++i) {
        double r = unit(rng);
        if (r < 0.0015)
            t += between(hour_ms, 8 * hour_ms);
        else if (r < 0.0020)
            t += between(24 * hour_ms, 30 * hour_ms);
        else if (r < 0.25)
            t += between(0, 1);
        else if (r < 0.30)
            t = (floor_minute(t) + 1) * minute_ms;
        else
            t += between(0, 120 * second_ms);
        ticks += between(-3, 3);
        double price = static_cast<double>(ticks) * 0.01;
        std::int64_t arrival = t;
        double late = unit(rng);
        if (late < 0.13)
            arrival += between(0, 4 * minute_ms);
        else if (late < 0.15)
            arrival += between(20 * hour_ms, 26 * hour_ms);
        out.push_back({t, price, arrival});
        if (unit(rng) < 0.03) out.push_back({t, price, arrival + between(0, 2 * minute_ms)});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const sim_trade& a, const sim_trade& b) { return a.arrival < b.arrival; });
    return out;
}

// Query times beside "just after each arrival": anywhere, minute boundaries, the window's
// start exactly on a past trade's minute or on the trade itself, and the clock going back.
std::int64_t pick_query(std::mt19937_64& rng, const std::vector<sim_trade>& trades,
                        std::size_t applied, std::int64_t now) {
    auto between = [&rng](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    const sim_trade& past =
        trades[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(applied) - 1))];
    switch (between(0, 5)) {
        case 0: return between(trades.front().t - hour_ms, now + 30 * hour_ms);
        case 1: return floor_minute(between(now - 2 * hour_ms, now + 26 * hour_ms)) * minute_ms;
        case 2: return floor_minute(past.t) * minute_ms + window_ms;
        case 3: return past.t + window_ms;
        case 4: return (floor_minute(past.t) + 1) * minute_ms + window_ms - 1;
        default: return now - between(0, 3 * hour_ms);
    }
}

}  // namespace

TEST_SUITE("market") {
    TEST_CASE("the reference is the close of the last minute that ended by now minus 24 hours") {
        // docs/rolling-24h.md, worked example. now = 2025-06-25T04:56:53.123Z, now - 24h =
        // 2025-06-24T04:56:53.123Z, k = the minute 04:55 (its candle ends 04:56:00).
        const std::int64_t k_start = example_ref_minute;
        rolling_window w;
        w.add_trade(100.0, k_start - minute_ms + 5 * second_ms);  // 04:54:05
        w.add_trade(101.0, k_start + 10 * second_ms);             // 04:55:10
        w.add_trade(102.0, k_start + minute_ms - 1);              // 04:55:59.999, k's close
        w.add_trade(110.0, k_start + minute_ms);                  // 04:56:00.000: in the window
        w.add_trade(90.0, k_start + minute_ms + 53 * second_ms);  // 04:56:53.000: in the window
        w.add_trade(105.0, example_now - 5 * second_ms);          // the latest price

        auto f = w.figures(example_now);
        REQUIRE(f);
        CHECK(f->ref_price == 102.0);
        CHECK(f->ref_minute_start_ms == k_start);
        CHECK(f->ref_time_ms == k_start + minute_ms - 1);
        CHECK(f->ref_before_window);
        CHECK(f->window_start_ms == k_start + minute_ms);
        CHECK(f->high == 110.0);
        CHECK(f->low == 90.0);
        CHECK(f->price == 105.0);
        CHECK(f->change == 105.0 - 102.0);
        CHECK(f->change_pct == 100.0 * (105.0 - 102.0) / 102.0);

        // Exactly on a boundary: now = 2025-06-25T04:57:00.000Z, now - 24h = 04:57:00.000 the
        // day before. The 04:56 candle ends exactly then, so it is the reference; a trade at
        // 04:57:00.000 that day opens the next minute and belongs to the window.
        const std::int64_t boundary_now = k_start + 2 * minute_ms + window_ms;
        w.add_trade(95.0, k_start + 2 * minute_ms);  // 2025-06-24T04:57:00.000Z
        auto b = w.figures(boundary_now);
        REQUIRE(b);
        CHECK(b->ref_price == 90.0);  // close of 04:56 (04:56:53.000)
        CHECK(b->ref_minute_start_ms == k_start + minute_ms);
        CHECK(b->window_start_ms == k_start + 2 * minute_ms);
        CHECK(b->high == 105.0);
        CHECK(b->low == 95.0);

        // One millisecond earlier the 04:56 candle has not ended by now - 24h yet.
        auto before = w.figures(boundary_now - 1);
        REQUIRE(before);
        CHECK(before->ref_price == 102.0);
        CHECK(before->high == 110.0);
    }

    TEST_CASE("a quiet market measures against the nearest earlier close, even 30 hours old") {
        const std::int64_t t0 = 1'750'000'000'000;
        rolling_window w;
        w.add_trade(50.0, t0);
        w.add_trade(51.0, t0 + 10 * second_ms);
        const std::int64_t now = t0 + 30 * hour_ms;
        auto f = w.figures(now);
        REQUIRE(f);
        CHECK(f->ref_price == 51.0);
        CHECK(f->ref_before_window);
        CHECK(f->ref_minute_start_ms == floor_minute(t0) * minute_ms);
        CHECK(f->price == 51.0);
        CHECK(f->change == 0.0);
        CHECK_FALSE(f->high);
        CHECK_FALSE(f->low);
        // Nothing says the last 30 hours had no trades: not complete, nothing covered.
        CHECK_FALSE(f->complete);
        CHECK(f->covered_ms == 0);
    }

    TEST_CASE("mark_covered makes a quiet window complete") {
        const std::int64_t t0 = 1'750'000'000'000;
        rolling_window w;
        w.add_trade(51.0, t0 + 10 * second_ms);
        const std::int64_t now = t0 + 30 * hour_ms + 7 * second_ms;
        // The exchange returned no candle after that trade's minute up to now.
        w.mark_covered((floor_minute(t0) + 1) * minute_ms, now);
        auto f = w.figures(now);
        REQUIRE(f);
        CHECK(f->ref_price == 51.0);
        CHECK_FALSE(f->high);
        CHECK(f->complete);
        CHECK(f->covered_ms == window_ms);

        // A mark that leaves one minute out right after the trade is not enough.
        rolling_window gap;
        gap.add_trade(51.0, t0 + 10 * second_ms);
        gap.mark_covered((floor_minute(t0) + 2) * minute_ms, now);
        auto g = gap.figures(now);
        REQUIRE(g);
        CHECK_FALSE(g->complete);
        CHECK(g->covered_ms == window_ms);  // the window itself is covered; the ref is not
    }

    TEST_CASE("a reference candle backfilled before the window's pages still completes it") {
        // Backfill requests finish in any order. The one for the reference (the latest candle
        // before the window, 30 h old) lands first, older than the ring and not yet joined to
        // the live data; the window's page then joins it up.
        const std::int64_t now = 1'750'000'020'000 + 15 * second_ms;
        const std::int64_t head = floor_minute(now);
        rolling_window w;
        w.add_trade(70.0, now);
        const std::int64_t ref = head - 30 * 60;
        const std::int64_t page_from = (head - 1442) * minute_ms;  // below the ring
        w.add_candle(ref * minute_ms, 60.0, 66.0, 59.0, 65.0);
        w.mark_covered((ref + 1) * minute_ms, page_from);
        auto before = w.figures(now);
        REQUIRE(before);
        CHECK_FALSE(before->complete);
        CHECK(before->ref_price == 65.0);
        w.mark_covered(page_from, head * minute_ms);
        auto f = w.figures(now);
        REQUIRE(f);
        CHECK(f->complete);
        CHECK(f->ref_price == 65.0);
        CHECK(f->ref_minute_start_ms == ref * minute_ms);
        CHECK(f->high == 70.0);
        CHECK(f->change == 5.0);
    }

    TEST_CASE("a window with less than 24 hours of data reports partial coverage") {
        const std::int64_t t0 = 1'750'000'000'000;  // 2025-06-15T15:06:40Z
        rolling_window w;
        w.add_trade(200.0, t0);
        w.add_trade(210.0, t0 + hour_ms);
        w.add_trade(190.0, t0 + 2 * hour_ms);
        w.mark_covered(t0, t0 + 3 * hour_ms);
        const std::int64_t now = t0 + 3 * hour_ms;
        auto f = w.figures(now);
        REQUIRE(f);
        CHECK_FALSE(f->complete);
        CHECK_FALSE(f->ref_before_window);
        CHECK(f->ref_price == 200.0);  // the earliest known trade
        CHECK(f->ref_time_ms == t0);
        CHECK(f->high == 210.0);
        CHECK(f->low == 190.0);
        // Covered from the start of t0's minute (minute resolution) to now.
        CHECK(f->covered_ms == now - floor_minute(t0) * minute_ms);
        CHECK(f->covered_ms < window_ms);
    }

    TEST_CASE("backfilled candles and live trades together make a complete window") {
        const std::int64_t live_from = 1'750'000'020'000;  // a minute boundary
        REQUIRE(live_from % minute_ms == 0);
        const std::int64_t now = live_from + 2 * hour_ms + 30 * second_ms;
        rolling_window w;
        for (std::int64_t t = live_from; t <= now; t += 20 * second_ms)
            w.add_trade(1000.0 + static_cast<double>((t / minute_ms) % 7), t);
        auto live_only = w.figures(now);
        REQUIRE(live_only);
        CHECK_FALSE(live_only->complete);

        // Backfill: one candle a minute from 25 h before up to the live start, newest first.
        const std::int64_t k = floor_minute(now - window_ms) - 1;
        for (std::int64_t m = floor_minute(live_from) - 1; m >= k - 60; --m) {
            double close = m == k ? 777.0 : 900.0;
            double high = m == k + 1 ? 2000.0 : 950.0;
            w.add_candle(m * minute_ms, 900.0, high, 850.0, close);
        }
        w.mark_covered((k - 60) * minute_ms, live_from);
        auto f = w.figures(now);
        REQUIRE(f);
        CHECK(f->complete);
        CHECK(f->ref_price == 777.0);
        CHECK(f->ref_minute_start_ms == k * minute_ms);
        CHECK(f->high == 2000.0);  // minute k+1, the window's first
        CHECK(f->low == 850.0);
        CHECK(f->covered_ms == window_ms);

        // A candle for the current minute with its close time, then a later live trade: the
        // trade is the close. Without a close time the candle is the minute's final state.
        const std::int64_t cur = floor_minute(now) * minute_ms;
        w.add_candle(cur, 1000.0, 1001.0, 999.0, 1000.5, cur + 31 * second_ms);
        w.add_trade(1003.0, cur + 40 * second_ms);
        auto g = w.figures(cur + 41 * second_ms);
        REQUIRE(g);
        CHECK(g->price == 1003.0);

        rolling_window v;
        v.add_trade(10.0, cur + 40 * second_ms);
        v.add_candle(cur, 9.0, 12.0, 8.0, 11.0);
        auto h = v.figures(cur + 59 * second_ms);
        REQUIRE(h);
        CHECK(h->price == 11.0);
        CHECK(h->high == 12.0);
        CHECK(h->low == 8.0);
    }

    TEST_CASE("a clock going backwards gets the figures as of the latest data") {
        const std::int64_t t0 = 1'750'000'000'000;
        rolling_window w;
        for (int i = 0; i < 3000; ++i) w.add_trade(100.0 + (i % 13), t0 + i * 30 * second_ms);
        const std::int64_t latest = t0 + 2999 * 30 * second_ms;
        auto at_latest = w.figures(latest);
        REQUIRE(at_latest);
        for (std::int64_t back : {std::int64_t{1}, minute_ms, 5 * hour_ms, 40 * hour_ms,
                                  std::int64_t{1'000'000'000'000}, latest}) {
            auto f = w.figures(latest - back);
            REQUIRE(f);
            CHECK(f->window_start_ms == at_latest->window_start_ms);
            CHECK(f->ref_price == at_latest->ref_price);
            CHECK(f->high == at_latest->high);
            CHECK(f->low == at_latest->low);
            CHECK(f->price == at_latest->price);
        }
        // And forward again, past a memoised earlier window, still agrees.
        auto later = w.figures(latest + 3 * hour_ms);
        REQUIRE(later);
        CHECK(later->window_start_ms == at_latest->window_start_ms + 3 * hour_ms);
    }

    TEST_CASE("a jump forward longer than the window keeps only the carried close") {
        const std::int64_t t0 = 1'750'000'000'000;
        rolling_window w;
        w.add_trade(500.0, t0);
        w.add_trade(10.0, t0 + minute_ms);
        w.add_trade(300.0, t0 + 2 * minute_ms);
        const std::int64_t t1 = t0 + 50 * hour_ms;
        w.add_trade(200.0, t1);
        auto f = w.figures(t1);
        REQUIRE(f);
        CHECK(f->ref_price == 300.0);
        CHECK(f->ref_before_window);
        CHECK(f->high == 200.0);
        CHECK(f->low == 200.0);
        // A trade older than the ring that is newer than the carry replaces it; it does not
        // count for high/low.
        w.add_trade(900.0, t0 + 3 * minute_ms);
        auto g = w.figures(t1);
        REQUIRE(g);
        CHECK(g->ref_price == 900.0);
        CHECK(g->high == 200.0);
        // One older than the carry changes nothing.
        w.add_trade(1.0, t0 - minute_ms);
        auto h = w.figures(t1);
        REQUIRE(h);
        CHECK(h->ref_price == 900.0);
        CHECK(h->low == 200.0);
    }

    TEST_CASE("late and duplicate trades update high and low but not a newer close") {
        const std::int64_t m = 1'750'000'020'000;
        rolling_window w;
        w.add_trade(100.0, m + 30 * second_ms);
        w.add_trade(150.0, m + 10 * second_ms);         // late: a new high, not the close
        w.add_trade(150.0, m + 10 * second_ms);         // duplicate
        w.add_trade(100.0, m + 30 * second_ms);         // duplicate of the close
        w.add_trade(99.0, m + 30 * second_ms);          // same time: the last applied is the close
        auto f = w.figures(m + window_ms + minute_ms);  // minute m is now the reference
        REQUIRE(f);
        CHECK(f->ref_price == 99.0);
        CHECK(f->ref_minute_start_ms == m);
        auto g = w.figures(m + 40 * second_ms);
        REQUIRE(g);
        CHECK(g->high == 150.0);
        CHECK(g->low == 99.0);
        CHECK(g->price == 99.0);
    }

    TEST_CASE("no figures before the first trade, and non-finite prices are ignored") {
        rolling_window w;
        CHECK_FALSE(w.figures(0));
        w.mark_covered(0, hour_ms);
        CHECK_FALSE(w.figures(hour_ms));
        w.add_trade(std::numeric_limits<double>::quiet_NaN(), hour_ms);
        w.add_trade(std::numeric_limits<double>::infinity(), hour_ms);
        CHECK_FALSE(w.figures(hour_ms));
        w.add_trade(0.0, hour_ms);
        auto f = w.figures(hour_ms);
        REQUIRE(f);
        CHECK(f->change_pct == 0.0);  // a zero reference gives 0, not inf or NaN
    }

    TEST_CASE("a market's memory is a fixed ring of 1442 cache-line buckets") {
        static_assert(sizeof(rolling_window::minute_bucket) == 64);
        static_assert(rolling_window::bucket_count == 1442);
        CHECK(sizeof(rolling_window) >= 1442 * 64);
        CHECK(sizeof(rolling_window) <= 1442 * 64 + 512);
        MESSAGE("sizeof(rolling_window) = " << sizeof(rolling_window) << " bytes");
    }

    TEST_CASE("randomized trades: the engine agrees exactly with a brute-force scan") {
        long queries = 0;
        for (std::uint64_t seed = 1; seed <= 200; ++seed) {
            std::mt19937_64 rng(seed);
            auto trades = make_trades(rng, 2000);
            pair_under_test p(trades.front().t);
            std::uniform_int_distribution<std::int64_t> jitter(0, 1'000);
            std::uniform_real_distribution<double> unit(0.0, 1.0);
            std::string failure;
            for (std::size_t i = 0; i < trades.size() && failure.empty(); ++i) {
                p.trade(trades[i].price, trades[i].t);
                const std::int64_t now = trades[i].arrival + jitter(rng);
                failure = p.query(now);
                if (failure.empty() && unit(rng) < 0.3)
                    failure = p.query(pick_query(rng, trades, i + 1, now));
                if (!failure.empty()) failure += "\n after " + std::to_string(i + 1) + " trades";
            }
            INFO("seed ", seed, ": ", failure);
            CHECK(failure.empty());
            CHECK_FALSE(p.model.out_of_range());
            queries += p.queries;
        }
        MESSAGE("200 sequences, " << queries << " queries compared");
    }

    TEST_CASE("randomized live marks and paged backfill: coverage agrees exactly with a scan") {
        // Live marks while connected; on each (re)connect a backfill of the gap, at most 25 h,
        // in pages of 200 minutes that complete in any order, often with the reference candle
        // from before the window and a mark up to it (a quiet market's case).
        long queries = 0;
        long complete = 0;
        for (std::uint64_t seed = 1001; seed <= 1100; ++seed) {
            std::mt19937_64 rng(seed);
            auto between = [&rng](std::int64_t lo, std::int64_t hi) {
                return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
            };
            std::uniform_real_distribution<double> unit(0.0, 1.0);
            auto trades = make_trades(rng, 1000);
            pair_under_test p(trades.front().t);
            bool connected = false;
            std::int64_t marked_to = 0;  // the live feed's last mark
            std::int64_t dropped_at = trades.front().t - 30 * hour_ms;
            std::string failure;
            for (std::size_t i = 0; i < trades.size() && failure.empty(); ++i) {
                const sim_trade& tr = trades[i];
                const std::int64_t now = tr.arrival + between(0, 1'000);
                if (!connected || unit(rng) < 0.01) {
                    if (connected) {
                        connected = false;  // the feed drops; it comes back a few trades later
                        dropped_at = marked_to;
                    } else if (i == 0 || unit(rng) < 0.2) {
                        connected = true;
                        marked_to = now;
                        const std::int64_t to = (floor_minute(now) + 1) * minute_ms;
                        const std::int64_t from =
                            std::max(dropped_at, to - window_ms - 2 * minute_ms);
                        std::vector<std::pair<std::int64_t, std::int64_t>> pages;
                        for (std::int64_t hi = to; hi > from; hi -= 200 * minute_ms)
                            pages.emplace_back(std::max(from, hi - 200 * minute_ms), hi);
                        std::int64_t ref_minute = 0;
                        bool with_ref = unit(rng) < 0.7;
                        if (with_ref) {
                            ref_minute = floor_minute(from) - between(1, 20 * 60);
                            pages.emplace_back((ref_minute + 1) * minute_ms, from);
                        }
                        std::shuffle(pages.begin(), pages.end(), rng);
                        for (auto [lo, hi] : pages) {
                            bool mark_first = unit(rng) < 0.5;
                            if (mark_first) p.mark(lo, hi);
                            for (int c = static_cast<int>(between(0, 8)); c > 0; --c) {
                                std::int64_t m = floor_minute(between(lo, hi - 1));
                                double o = tr.price + static_cast<double>(between(-5, 5));
                                std::optional<std::int64_t> close_at;
                                if (unit(rng) < 0.5)
                                    close_at = m * minute_ms + between(-5'000, 65'000);
                                p.candle(m * minute_ms, o, o + 3, o - 4, o + 1, close_at);
                            }
                            if (!mark_first) p.mark(lo, hi);
                        }
                        if (with_ref)
                            p.candle(ref_minute * minute_ms, tr.price, tr.price + 1, tr.price - 1,
                                     tr.price - 0.5);
                    }
                }
                p.trade(tr.price, tr.t);
                if (connected && unit(rng) < 0.5) {
                    p.mark(marked_to, now);
                    marked_to = std::max(marked_to, now);
                }
                failure = p.query(now);
                if (failure.empty() && unit(rng) < 0.3)
                    failure = p.query(pick_query(rng, trades, i + 1, now));
                if (!failure.empty()) failure += "\n after " + std::to_string(i + 1) + " trades";
            }
            INFO("seed ", seed, ": ", failure);
            CHECK(failure.empty());
            CHECK_FALSE(p.model.out_of_range());
            queries += p.queries;
            complete += p.complete;
        }
        // The marks must produce complete windows, or the comparison proves little.
        CHECK(complete > queries / 10);
        MESSAGE(queries << " queries compared, " << complete << " of them complete");
    }

    TEST_CASE("randomized marks in any order: the engine never claims coverage it lacks") {
        // Arbitrary intervals anywhere in the last 31 h, in any order, can leave more detached
        // old stretches than the engine keeps: it may then say incomplete where a full scan says
        // complete, never the reverse; prices, high and low stay exact.
        long queries = 0;
        long complete = 0;
        for (std::uint64_t seed = 2001; seed <= 2050; ++seed) {
            std::mt19937_64 rng(seed);
            auto between = [&rng](std::int64_t lo, std::int64_t hi) {
                return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
            };
            std::uniform_real_distribution<double> unit(0.0, 1.0);
            auto trades = make_trades(rng, 1000);
            pair_under_test p(trades.front().t);
            std::string failure;
            for (std::size_t i = 0; i < trades.size() && failure.empty(); ++i) {
                const sim_trade& tr = trades[i];
                const std::int64_t now = tr.arrival + between(0, 1'000);
                p.trade(tr.price, tr.t);
                for (int n = static_cast<int>(between(0, 3)); n > 0; --n) {
                    std::int64_t to = now - between(0, 25 * hour_ms);
                    std::int64_t from = to - between(minute_ms, 6 * hour_ms);
                    if (unit(rng) < 0.5) {
                        // Not necessarily consistent (the close may be above the high).
                        std::int64_t m = floor_minute(between(from, to - 1));
                        auto near = [&] { return tr.price + static_cast<double>(between(-9, 9)); };
                        p.candle(m * minute_ms, near(), near(), near(), near());
                    }
                    p.mark(from, to);
                }
                failure = p.query(now, true);
                if (failure.empty() && unit(rng) < 0.3)
                    failure = p.query(pick_query(rng, trades, i + 1, now), true);
                if (!failure.empty()) failure += "\n after " + std::to_string(i + 1) + " trades";
            }
            INFO("seed ", seed, ": ", failure);
            CHECK(failure.empty());
            queries += p.queries;
            complete += p.complete;
        }
        CHECK(complete > 0);
        MESSAGE(queries << " queries compared, " << complete << " of them complete");
    }
}
