// The synthetic minute-candle history of sise-fake-exchange: a close for every minute of the
// last week, deterministic, near each market's start price, and in Upbit's tick grid.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "fake/candle_history.hpp"
#include "fake/price_walk.hpp"

namespace sise::fake {
namespace {

TEST_SUITE("fake candle history") {
    TEST_CASE("every minute of a day has a close within a few percent of the start price") {
        const auto close = synthetic_candle_history(1);
        const std::int64_t start = describe_market("KRW-BTC").start_price;
        const std::int64_t now_minute = 29'000'000;  // 2025
        for (std::int64_t m = now_minute - 1500; m < now_minute; ++m) {
            const std::optional<std::string> text = close("KRW-BTC", m);
            REQUIRE(text);
            const auto price = parse_price(*text);
            REQUIRE(price);
            CHECK(*price == round_to_tick(*price));
            CHECK(*price > start * 95 / 100);
            CHECK(*price < start * 105 / 100);
        }
    }

    TEST_CASE("the history is deterministic per seed and differs between seeds") {
        const auto a = synthetic_candle_history(1);
        const auto b = synthetic_candle_history(1);
        const auto c = synthetic_candle_history(2);
        int differ = 0;
        for (std::int64_t m = 0; m < 100; ++m) {
            CHECK(a("KRW-ETH", 29'000'000 + m) == b("KRW-ETH", 29'000'000 + m));
            if (a("KRW-ETH", 29'000'000 + m) != c("KRW-ETH", 29'000'000 + m)) ++differ;
        }
        CHECK(differ > 50);
    }
}

}  // namespace
}  // namespace sise::fake
