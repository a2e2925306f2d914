// Coverage lines, merging and splitting spans, and the tracker that decides which watched
// stretches are written when.
#include "sise/history/coverage.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

using namespace sise::history;

namespace {

constexpr std::int64_t t0 = 1'764'288'000'000;  // 2025-11-28T00:00:00Z
constexpr std::int64_t day = 86'400'000;

using due_list = std::vector<std::pair<std::size_t, coverage_span>>;

due_list due(coverage_tracker& tracker, std::int64_t now, bool all = false) {
    due_list out;
    tracker.due(now, out, all);
    return out;
}

}  // namespace

TEST_SUITE("history") {
    TEST_CASE("a coverage line is two epoch-ms numbers and reads back the same") {
        std::string text;
        append_coverage_csv(text, {t0, t0 + 60'000});
        CHECK(text == "1764288000000,1764288060000\n");
        text.pop_back();
        CHECK(parse_coverage_line(text) == coverage_span{t0, t0 + 60'000});
        CHECK(parse_coverage_line("1764288000000,1764288060000\r") ==
              coverage_span{t0, t0 + 60'000});
    }

    TEST_CASE("the header, torn, reversed, empty and signed lines are not coverage") {
        CHECK_FALSE(parse_coverage_line(coverage_header));
        CHECK_FALSE(parse_coverage_line("1764288000000,17642"));  // parses, but reversed
        CHECK_FALSE(parse_coverage_line("1764288000000,"));
        CHECK_FALSE(parse_coverage_line("1764288000000"));
        CHECK_FALSE(parse_coverage_line("1764288060000,1764288000000"));
        CHECK_FALSE(parse_coverage_line("1764288000000,1764288000000"));
        CHECK_FALSE(parse_coverage_line("-5,10"));
        CHECK_FALSE(parse_coverage_line("+5,10"));
        CHECK_FALSE(parse_coverage_line("5,10,15"));
        CHECK_FALSE(parse_coverage_line(""));
    }

    TEST_CASE("overlapping and touching spans merge, separate ones stay apart, in time order") {
        std::vector<coverage_span> spans{{500, 600}, {100, 200}, {200, 300},
                                         {250, 280}, {301, 400}, {350, 450}};
        merge_spans(spans);
        CHECK(spans == std::vector<coverage_span>{{100, 300}, {301, 450}, {500, 600}});
        std::vector<coverage_span> none;
        merge_spans(none);
        CHECK(none.empty());
    }

    TEST_CASE("a span is cut at each UTC midnight it crosses") {
        std::vector<coverage_span> pieces;
        split_at_days({t0 - 1'000, t0 + day + 5}, pieces);
        CHECK(pieces == std::vector<coverage_span>{
                            {t0 - 1'000, t0}, {t0, t0 + day}, {t0 + day, t0 + day + 5}});
        pieces.clear();
        split_at_days({t0 + 10, t0 + 20}, pieces);
        CHECK(pieces == std::vector<coverage_span>{{t0 + 10, t0 + 20}});
    }

    TEST_CASE("watched seconds are held until a minute's worth, then written on from there") {
        coverage_tracker tracker(60'000);
        for (std::int64_t s = 1; s < 60; ++s) tracker.watched(0, t0, t0 + s * 1'000);
        CHECK(due(tracker, t0 + 59'000).empty());
        tracker.watched(0, t0, t0 + 60'000);
        CHECK(due(tracker, t0 + 60'000) == due_list{{0, {t0, t0 + 60'000}}});
        CHECK(due(tracker, t0 + 61'000).empty());
        tracker.watched(0, t0, t0 + 130'000);
        CHECK(due(tracker, t0 + 130'000) == due_list{{0, {t0 + 60'000, t0 + 130'000}}});
    }

    TEST_CASE("a reconnect closes the held stretch: the time between is never claimed") {
        coverage_tracker tracker(60'000);
        tracker.watched(3, t0, t0 + 10'000);
        tracker.watched(3, t0 + 15'000, t0 + 20'000);  // reconnected at +15 s
        CHECK(due(tracker, t0 + 20'000) == due_list{{3, {t0, t0 + 10'000}}});
        CHECK(due(tracker, t0 + 20'000, true) == due_list{{3, {t0 + 15'000, t0 + 20'000}}});
    }

    TEST_CASE(
        "a stretch not extended for an interval (feed down) is written; shutdown writes all") {
        coverage_tracker tracker(60'000);
        tracker.watched(0, t0, t0 + 5'000);
        tracker.watched(1, t0, t0 + 5'000);
        CHECK(due(tracker, t0 + 64'999).empty());
        CHECK(due(tracker, t0 + 65'000) == due_list{{0, {t0, t0 + 5'000}}, {1, {t0, t0 + 5'000}}});
        tracker.watched(0, t0, t0 + 7'000);
        CHECK(due(tracker, std::numeric_limits<std::int64_t>::max()) ==
              due_list{{0, {t0 + 5'000, t0 + 7'000}}});
    }

    TEST_CASE("a stretch across midnight is written as one piece per day") {
        coverage_tracker tracker(60'000);
        tracker.watched(0, t0 - 30'000, t0 + 40'000);
        CHECK(due(tracker, t0 + 40'000) ==
              due_list{{0, {t0 - 30'000, t0}}, {0, {t0, t0 + 40'000}}});
    }

    TEST_CASE("forget drops what is held, and watching goes on from where it was") {
        coverage_tracker tracker(60'000);
        tracker.watched(0, t0, t0 + 50'000);
        tracker.watched(0, t0 + 55'000, t0 + 56'000);  // closes [t0, +50 s)
        tracker.forget();
        CHECK(due(tracker, t0 + 56'000, true).empty());
        tracker.watched(0, t0 + 55'000, t0 + 70'000);
        CHECK(due(tracker, t0 + 70'000, true) == due_list{{0, {t0 + 56'000, t0 + 70'000}}});
    }
}
