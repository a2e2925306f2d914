#include "sise/stats/process.hpp"

#include <doctest/doctest.h>

using namespace sise;

namespace {

// A real /proc/<pid>/stat line (proc(5)), with a command name holding a space and a ')'.
constexpr const char* stat_line =
    "4242 (sised (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 2 0 98765 "
    "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

}  // namespace

TEST_SUITE("stats") {
    TEST_CASE("proc stat gives CPU seconds from ticks and RSS from pages") {
        stats::process_stats p;
        REQUIRE(stats::parse_proc_stat(stat_line, 100, 4096, p));
        CHECK(p.cpu_seconds == doctest::Approx(3.0));  // (250 + 50) ticks / 100 Hz
        CHECK(p.virtual_bytes == 123'456'789);
        CHECK(p.resident_bytes == 2048ull * 4096);
    }

    TEST_CASE("a truncated or garbled proc stat leaves the stats untouched") {
        stats::process_stats p;
        p.resident_bytes = 7;
        CHECK_FALSE(stats::parse_proc_stat("4242 (sised) S 1 2 3", 100, 4096, p));
        CHECK_FALSE(stats::parse_proc_stat("no parenthesis at all", 100, 4096, p));
        CHECK_FALSE(stats::parse_proc_stat("1 (a) S 1 1 1 0 -1 0 0 0 0 0 x 50 0 0 20 0 2 0 1 1 1 1",
                                           100, 4096, p));
        CHECK_FALSE(stats::parse_proc_stat(stat_line, 0, 4096, p));
        CHECK(p.resident_bytes == 7);
    }
}
