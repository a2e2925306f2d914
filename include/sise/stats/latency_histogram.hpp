// A fixed-bucket histogram of durations for the event loop to bump: bounds fixed at compile
// time, counts in an array, no allocation and no clock (the caller passes the duration).
// Prometheus's `le` buckets are cumulative; this keeps per-bucket counts and the encoder sums.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sise::stats {

struct latency_histogram {
    // Upper bounds in microseconds, 100 µs to 10 s: wide enough for both the exchange-to-
    // receipt lag (network and exchange clocks, tens of ms) and receipt-to-subscriber latency
    // (sub-ms work plus the publish conflation window, 100 ms by default).
    static constexpr std::array<std::int64_t, 16> bounds_us = {
        100,    250,     500,     1'000,   2'500,     5'000,     10'000,    25'000,
        50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};

    std::array<std::uint64_t, bounds_us.size() + 1> counts{};  // the last one is +Inf
    std::uint64_t count = 0;
    std::int64_t sum_us = 0;

    // A negative duration (an exchange clock running ahead of ours) counts as 0: a histogram's
    // sum must never go down.
    void observe(std::int64_t duration_us) noexcept {
        if (duration_us < 0) duration_us = 0;
        std::size_t bucket = 0;
        while (bucket < bounds_us.size() && duration_us > bounds_us[bucket]) ++bucket;
        ++counts[bucket];
        ++count;
        sum_us += duration_us;
    }
};

}  // namespace sise::stats
