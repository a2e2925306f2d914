#include "sise/history/sampler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using sise::history::sampler;

namespace {

constexpr std::int64_t minute = 60'000;
constexpr std::int64_t t0 = 1'764'288'000'000;  // 2025-11-28T00:00:00Z, a minute boundary

// Runs updates through a sampler as the daemon does and returns the times written.
struct harness {
    sampler s;
    std::vector<std::int64_t> current;  // per market: time of the applied state
    std::vector<std::int64_t> written;

    explicit harness(std::int64_t interval) : s(interval), current(4, 0) {}

    void update(std::size_t market, std::int64_t t) {
        const auto d = s.on_update(market, t);
        if (d.write_previous) written.push_back(current[market]);
        current[market] = t;
        if (d.write_this) written.push_back(t);
    }
    void tick(std::int64_t now) {
        std::vector<std::size_t> due;
        s.due(now, due);
        for (auto m : due) written.push_back(current[m]);
    }
};

}  // namespace

TEST_SUITE_BEGIN("history");

TEST_CASE("history sampler: interval 0 writes every update") {
    harness h(0);
    for (std::int64_t t : {t0, t0 + 1, t0 + 1, t0 + 5}) h.update(0, t);
    CHECK(h.written == std::vector<std::int64_t>{t0, t0 + 1, t0 + 1, t0 + 5});
    h.tick(t0 + 10 * minute);
    CHECK(h.written.size() == 4);
}

TEST_CASE("history sampler: at most one record per interval, and each minute's close") {
    harness h(1'000);
    h.update(0, t0 + 100);      // first: written
    h.update(0, t0 + 600);      // held
    h.update(0, t0 + 1'100);    // 1 s after the last written: written (replaces the held one)
    h.update(0, t0 + 1'500);    // held
    h.update(0, t0 + 59'900);   // written (>= 1 s after 1'100)
    h.update(0, t0 + 59'950);   // held: the last of minute 0
    h.update(0, t0 + minute + 10);  // next minute: the held close is written first; this is held
    CHECK(h.written == std::vector<std::int64_t>{t0 + 100, t0 + 1'100, t0 + 59'900, t0 + 59'950});
}

TEST_CASE("history sampler: a held close is written by the tick after the minute and its grace") {
    harness h(1'000);
    h.update(1, t0 + 30'000);
    h.update(1, t0 + 30'500);  // held
    h.tick(t0 + minute + 1'999);
    CHECK(h.written == std::vector<std::int64_t>{t0 + 30'000});
    h.tick(t0 + minute + 2'000);
    CHECK(h.written == std::vector<std::int64_t>{t0 + 30'000, t0 + 30'500});
    h.tick(t0 + 5 * minute);  // nothing held any more
    CHECK(h.written.size() == 2);
    // A late update of the same, already closed minute is held again and closed again.
    h.update(1, t0 + 30'700);
    h.tick(t0 + 5 * minute);
    CHECK(h.written.back() == t0 + 30'700);
}

TEST_CASE("history sampler: random streams keep both promises") {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 50; ++round) {
        const std::int64_t interval = std::uniform_int_distribution<std::int64_t>(0, 5'000)(rng);
        harness h(interval);
        std::vector<std::int64_t> updates;
        std::int64_t t = t0 + std::uniform_int_distribution<std::int64_t>(0, minute)(rng);
        for (int i = 0; i < 2'000; ++i) {
            t += std::uniform_int_distribution<std::int64_t>(0, 700)(rng);
            if (rng() % 50 == 0) t += 3 * minute;  // a quiet stretch
            updates.push_back(t);
            h.update(0, t);
            if (rng() % 10 == 0) {
                // The local clock; later trades are never more than the grace (2 s) behind it.
                const auto now = t + std::uniform_int_distribution<std::int64_t>(0, 3'000)(rng);
                h.tick(now);
                t = std::max(t, now - 1'999);
            }
        }
        h.tick(t + 2 * minute);
        // Written times are a subsequence of the updates, nondecreasing.
        std::size_t at = 0;
        for (auto w : h.written) {
            while (at < updates.size() && updates[at] != w) ++at;
            REQUIRE(at < updates.size());
            ++at;
        }
        // Every minute's last update is written.
        for (std::size_t i = 0; i < updates.size(); ++i) {
            const bool last_of_minute =
                i + 1 == updates.size() || updates[i + 1] / minute != updates[i] / minute;
            if (last_of_minute)
                CHECK(std::find(h.written.begin(), h.written.end(), updates[i]) != h.written.end());
        }
        // Two consecutive records of one minute are at least the interval apart, unless the
        // second is the minute's close.
        for (std::size_t i = 1; i < h.written.size(); ++i) {
            const auto a = h.written[i - 1], b = h.written[i];
            if (a / minute != b / minute) continue;
            const bool b_is_close =
                std::upper_bound(updates.begin(), updates.end(), b) == updates.end() ||
                *std::upper_bound(updates.begin(), updates.end(), b) / minute != b / minute;
            if (!b_is_close) CHECK(b - a >= interval);
        }
    }
}

TEST_SUITE_END();
