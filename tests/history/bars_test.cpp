// OHLC bars, checked against a brute-force grouping of random records.
#include "sise/history/bars.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "history/test_files.hpp"

using namespace sise;
using namespace sise::history;
using namespace sise::history::testing;

namespace {

std::vector<bar> build(std::int64_t interval_ms, const std::vector<record>& records) {
    bar_builder builder(interval_ms);
    std::vector<bar> bars;
    for (const record& r : records)
        if (auto b = builder.add(r)) bars.push_back(*b);
    if (auto b = builder.finish()) bars.push_back(*b);
    return bars;
}

// The definition, spelled out: group by floor(time / interval); open and close are the first
// and last record; high and low the first record with the largest and smallest value.
std::vector<bar> brute_force(std::int64_t interval_ms, const std::vector<record>& records) {
    std::map<std::int64_t, std::vector<record>> groups;
    for (const record& r : records) {
        std::int64_t start = r.time_ms / interval_ms * interval_ms;
        if (start > r.time_ms) start -= interval_ms;
        groups[start].push_back(r);
    }
    std::vector<bar> bars;
    for (const auto& [start, group] : groups) {
        bar b;
        b.start_ms = start;
        b.open = group.front().price;
        b.close = group.back().price;
        b.close_time_ms = group.back().time_ms;
        b.records = group.size();
        b.high = std::max_element(group.begin(), group.end(), [](const record& x, const record& y) {
                     return x.price.to_double() < y.price.to_double();
                 })->price;
        b.low = std::min_element(group.begin(), group.end(), [](const record& x, const record& y) {
                    return x.price.to_double() < y.price.to_double();
                })->price;
        bars.push_back(b);
    }
    return bars;
}

// Random walk of prices in mixed spellings ("105", "105.0", "105.25"), nondecreasing times
// with repeats and gaps of several intervals.
std::vector<record> random_records(std::mt19937_64& rng, std::size_t count) {
    std::vector<record> records;
    std::int64_t time = t0 + static_cast<std::int64_t>(rng() % day_ms);
    long cents = 10'000'000;
    for (std::size_t i = 0; i < count; ++i) {
        switch (rng() % 4) {
            case 0: break;  // same millisecond
            case 1: time += static_cast<std::int64_t>(rng() % 1000); break;
            case 2: time += static_cast<std::int64_t>(rng() % (20 * minute)); break;
            default: time += static_cast<std::int64_t>(rng() % (6 * 60 * minute)); break;
        }
        cents += static_cast<long>(rng() % 2001) - 1000;
        std::string price = std::to_string(cents / 100);
        if (cents % 100 != 0)
            price += "." + std::to_string(cents % 100 / 10) + std::to_string(cents % 10);
        else if (rng() % 2 == 0)
            price += ".0";  // the same value as another record's "105": ties by value
        records.push_back(make_record(time, price));
    }
    return records;
}

}  // namespace

TEST_SUITE("history") {
    TEST_CASE("intervals are named as in the command line") {
        CHECK(parse_interval("1m") == 60'000);
        CHECK(parse_interval("5m") == 300'000);
        CHECK(parse_interval("15m") == 900'000);
        CHECK(parse_interval("1h") == 3'600'000);
        CHECK(parse_interval("4h") == 14'400'000);
        CHECK(parse_interval("1d") == 86'400'000);
        for (std::string_view bad : {"", "1", "m", "2m", "1M", "60s", "1h ", "1d1", "1w"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_interval(bad));
        }
    }

    TEST_CASE("bars of random records match a brute-force grouping") {
        std::mt19937_64 rng(20261128);
        for (int round = 0; round < 50; ++round) {
            const auto records = random_records(rng, 1 + rng() % 400);
            for (std::int64_t interval : {minute, 5 * minute, 15 * minute, 60 * minute,
                                          240 * minute, day_ms}) {
                CAPTURE(round);
                CAPTURE(interval);
                CHECK(build(interval, records) == brute_force(interval, records));
            }
        }
    }

    TEST_CASE("a bar keeps the exchange's text and compares values as numbers") {
        const std::vector<record> records{
            make_record(t0 + 1000, "9.5"), make_record(t0 + 2000, "10.25"),
            make_record(t0 + 3000, "10.250"), make_record(t0 + 4000, "9.50"),
            make_record(t0 + 5000, "9.75")};
        const auto bars = build(minute, records);
        REQUIRE(bars.size() == 1);
        CHECK(bars[0].start_ms == t0);
        CHECK(bars[0].open.text() == "9.5");
        CHECK(bars[0].high.text() == "10.25");  // "10.25" > "9.5" only as numbers
        CHECK(bars[0].low.text() == "9.5");     // the first of two equal values
        CHECK(bars[0].close.text() == "9.75");
        CHECK(bars[0].close_time_ms == t0 + 5000);
        CHECK(bars[0].records == 5);
    }

    TEST_CASE("a bar is handed out when a later interval starts, the last one at finish") {
        bar_builder builder(minute);
        CHECK_FALSE(builder.finish());
        CHECK_FALSE(builder.add(make_record(t0 + 59'999, "1")));
        const auto first = builder.add(make_record(t0 + 3 * minute, "2"));  // empty minutes skipped
        REQUIRE(first);
        CHECK(first->start_ms == t0);
        CHECK(first->records == 1);
        const auto last = builder.finish();
        REQUIRE(last);
        CHECK(last->start_ms == t0 + 3 * minute);
        CHECK_FALSE(builder.finish());
    }

    TEST_CASE("records going back in time are ignored and counted") {
        bar_builder builder(minute);
        CHECK_FALSE(builder.add(make_record(t0 + 2 * minute + 10, "5")));
        CHECK_FALSE(builder.add(make_record(t0 + 2 * minute + 5, "50")));  // same bar, earlier
        CHECK_FALSE(builder.add(make_record(t0 + minute, "1")));          // an earlier bar
        CHECK_FALSE(builder.add(make_record(t0 + 2 * minute + 10, "6")));  // same time: fine
        CHECK(builder.out_of_order() == 2);
        const auto b = builder.finish();
        REQUIRE(b);
        CHECK(b->high.text() == "6");
        CHECK(b->records == 2);
    }

    TEST_CASE("bars before 1970 start at the interval that contains them") {
        const auto bars = build(60 * minute, {make_record(-1, "1"), make_record(0, "2")});
        REQUIRE(bars.size() == 2);
        CHECK(bars[0].start_ms == -60 * minute);
        CHECK(bars[1].start_ms == 0);
    }

    TEST_CASE("bars as CSV") {
        const auto bars =
            build(minute, {make_record(t0 + 1500, "100.5"), make_record(t0 + 2500, "99")});
        REQUIRE(bars.size() == 1);
        std::string csv;
        append_bar_csv(csv, bars[0]);
        CHECK(bar_csv_header == "start_ms,start,open,high,low,close,close_time_ms,records");
        CHECK(csv == "1764288000000,2025-11-28T00:00:00.000Z,100.5,100.5,99,99,1764288002500,2\n");
    }
}
