// Times as typed on the command line and in /v1/history queries.
#include "sise/history/time_arg.hpp"

#include <doctest/doctest.h>

#include "sise/core/utc_time.hpp"

using sise::format_utc_iso8601_ms;
using sise::history::parse_time_arg;

namespace {

constexpr std::int64_t now = 1'764'307'200'123;  // 2025-11-28T05:20:00.123Z
constexpr std::int64_t day0 = 1'764'288'000'000;  // 2025-11-28T00:00:00Z

}  // namespace

TEST_SUITE("history") {
    TEST_CASE("a date is that day's midnight, UTC") {
        CHECK(parse_time_arg("2025-11-28", now) == day0);
        CHECK(parse_time_arg("1970-01-01", now) == 0);
        CHECK(parse_time_arg("2024-02-29", now) == 1'709'164'800'000);
        CHECK(parse_time_arg("9999-12-31", now) == 253'402'214'400'000);
    }

    TEST_CASE("a date and time, with T or a space, optional milliseconds and Z") {
        CHECK(parse_time_arg("2025-11-28T05:20:00Z", now) == day0 + 19'200'000);
        CHECK(parse_time_arg("2025-11-28T05:20:00", now) == day0 + 19'200'000);
        CHECK(parse_time_arg("2025-11-28 05:20:00", now) == day0 + 19'200'000);
        CHECK(parse_time_arg("2025-11-28T05:20:00.123Z", now) == day0 + 19'200'123);
        CHECK(parse_time_arg("2025-11-28 05:20:00.007", now) == day0 + 19'200'007);
        CHECK(parse_time_arg("9999-12-31T23:59:59.999Z", now) == 253'402'300'799'999);
    }

    TEST_CASE("epoch milliseconds need at least ten digits") {
        CHECK(parse_time_arg("1764307200123", now) == 1'764'307'200'123);
        CHECK(parse_time_arg("1000000000", now) == 1'000'000'000);
        CHECK(parse_time_arg("0000000000", now) == 0);
        CHECK_FALSE(parse_time_arg("123456789", now));  // seconds or a typo, not ms
        CHECK_FALSE(parse_time_arg("253402300800000", now));  // year 10000
        CHECK_FALSE(parse_time_arg("99999999999999999999999", now));
    }

    TEST_CASE("now, and durations before now") {
        CHECK(parse_time_arg("now", now) == now);
        CHECK(parse_time_arg("-90s", now) == now - 90'000);
        CHECK(parse_time_arg("-15m", now) == now - 900'000);
        CHECK(parse_time_arg("-2h", now) == now - 7'200'000);
        CHECK(parse_time_arg("-7d", now) == now - 7 * 86'400'000);
        CHECK(parse_time_arg("-0s", now) == now);
        CHECK_FALSE(parse_time_arg("-100000d", now));  // before 1970
        CHECK_FALSE(parse_time_arg("-99999999999999999999d", now));
        CHECK_FALSE(parse_time_arg("-2h", -5));
    }

    TEST_CASE("anything else is refused") {
        for (std::string_view bad : {"",
                                     "NOW",
                                     "today",
                                     "-",
                                     "-h",
                                     "-2",
                                     "2h",
                                     "+2h",
                                     "-2w",
                                     "--2h",
                                     "-2.5h",
                                     "- 2h",
                                     "2025-11-28T",
                                     "2025-11-28T05:20",
                                     "2025-11-28T05:20:00.12",
                                     "2025-11-28T05:20:00.1234",
                                     "2025-11-28T05:20:00+09:00",
                                     "2025-11-28T05:20:00ZZ",
                                     "2025-11-28T05:20:00.123z",
                                     "2025-02-30",
                                     "2025-13-01",
                                     "2025-11-28T24:00:00",
                                     "1969-12-31",
                                     "1969-12-31T23:59:59Z",
                                     "2025/11/28",
                                     " 2025-11-28",
                                     "2025-11-28 ",
                                     "17643072001x3",
                                     "-1764307200123"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_time_arg(bad, now));
        }
    }

    TEST_CASE("times format as the CSV's time column, and parse back") {
        CHECK(format_utc_iso8601_ms(now) == "2025-11-28T05:20:00.123Z");
        CHECK(format_utc_iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
        CHECK(format_utc_iso8601_ms(day0 + 999) == "2025-11-28T00:00:00.999Z");
        for (std::int64_t t : {std::int64_t{0}, now, day0 + 1, std::int64_t{253'402'300'799'999}})
            CHECK(parse_time_arg(format_utc_iso8601_ms(t), now) == t);
    }
}
