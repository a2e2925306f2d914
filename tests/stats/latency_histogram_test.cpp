#include "sise/stats/latency_histogram.hpp"

#include <doctest/doctest.h>

using sise::stats::latency_histogram;

TEST_SUITE("stats") {
    TEST_CASE("a duration lands in the first bucket whose bound it does not exceed") {
        latency_histogram h;
        h.observe(100);         // == the first bound: first bucket (le is "less or equal")
        h.observe(101);         // just above: second bucket
        h.observe(3'000);       // 2.5 ms < 3 ms <= 5 ms
        h.observe(10'000'000);  // the last finite bound
        h.observe(10'000'001);  // +Inf
        CHECK(h.counts[0] == 1);
        CHECK(h.counts[1] == 1);
        CHECK(h.counts[5] == 1);
        CHECK(h.counts[latency_histogram::bounds_us.size() - 1] == 1);
        CHECK(h.counts[latency_histogram::bounds_us.size()] == 1);
        CHECK(h.count == 5);
        CHECK(h.sum_us == 100 + 101 + 3'000 + 10'000'000 + 10'000'001);
    }

    TEST_CASE("a negative duration counts as zero so the sum never goes down") {
        latency_histogram h;
        h.observe(-5'000);
        CHECK(h.counts[0] == 1);
        CHECK(h.sum_us == 0);
        CHECK(h.count == 1);
    }

    TEST_CASE("histogram bounds increase strictly") {
        for (std::size_t i = 1; i < latency_histogram::bounds_us.size(); ++i)
            CHECK(latency_histogram::bounds_us[i - 1] < latency_histogram::bounds_us[i]);
    }
}
