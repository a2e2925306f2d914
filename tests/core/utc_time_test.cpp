#include "sise/core/utc_time.hpp"

#include <doctest/doctest.h>

using namespace sise;

TEST_SUITE("core") {
    TEST_CASE("UTC timestamps in the exchanges' REST format parse to epoch milliseconds") {
        CHECK(parse_utc_iso8601("1970-01-01T00:00:00") == 0);
        CHECK(parse_utc_iso8601("2026-03-11T14:40:00") == 1773240000000);
        CHECK(parse_utc_iso8601("2026-03-11 14:40:00") == 1773240000000);
        CHECK(parse_utc_iso8601("2026-03-11T14:40:00Z") == 1773240000000);
        CHECK(parse_utc_iso8601("2024-02-29T23:59:59") == 1709251199000);
        for (auto bad : {"", "2026-03-11", "2026-02-30T00:00:00", "2026-13-01T00:00:00",
                         "2026-03-11T24:00:00", "2026-03-11T14:40:00+09:00", "2026/03/11T14:40:00",
                         "2026-03-11T14:4a:00"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_utc_iso8601(bad));
        }
    }

    TEST_CASE("epoch milliseconds format as UTC with a Z, seconds resolution") {
        CHECK(format_utc_iso8601(0) == "1970-01-01T00:00:00Z");
        CHECK(format_utc_iso8601(1773240059132) == "2026-03-11T14:40:59Z");
        CHECK(parse_utc_iso8601(format_utc_iso8601(1709251199000)) == 1709251199000);
    }

    TEST_CASE("flooring to the minute works on both sides of the epoch") {
        CHECK(floor_to_minute(1773240059132) == 1773240000000);
        CHECK(floor_to_minute(60'000) == 60'000);
        CHECK(floor_to_minute(-1) == -60'000);
    }
}
