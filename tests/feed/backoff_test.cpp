#include "sise/feed/backoff.hpp"

#include <doctest/doctest.h>

#include <vector>

using sise::feed::backoff;
using std::chrono::milliseconds;

TEST_SUITE("feed") {
    TEST_CASE("the first retry comes within the initial delay, never sooner than half of it") {
        for (std::uint64_t random : {0ull, 1ull, 249ull, 250ull, 12345ull, ~0ull}) {
            backoff delays(milliseconds{500}, milliseconds{30'000});
            auto first = delays.next(random);
            CHECK(first >= milliseconds{250});
            CHECK(first <= milliseconds{500});
        }
    }

    TEST_CASE("delays double up to the cap and start over after a reset") {
        backoff delays(milliseconds{500}, milliseconds{4'000});
        // With zero jitter each delay is half its ceiling: ceilings 500, 1000, 2000, 4000, 4000.
        std::vector<long> delays_ms;
        for (int i = 0; i < 5; ++i) delays_ms.push_back(static_cast<long>(delays.next(0).count()));
        CHECK(delays_ms == std::vector<long>{250, 500, 1000, 2000, 2000});
        CHECK(delays.next(~0ull) <= milliseconds{4'000});
        delays.reset();
        CHECK(delays.next(0) == milliseconds{250});
    }
}
