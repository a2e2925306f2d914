#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "sise/core/error.hpp"
#include "sise/feed/upbit.hpp"
#include "support/fixture.hpp"

using namespace sise;

namespace {

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("upbit", name);
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("the recorded Upbit minute candle parses with its exact close") {
        feed::upbit_adapter adapter;
        std::vector<feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(fixture("candles_minutes_sample.json"), candles, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(candles.size() == 1);
        CHECK(candles[0].start_ms == 1773240000000);  // 2026-03-11T14:40:00Z
        CHECK(candles[0].open == 103600000.0);
        CHECK(candles[0].high == 103600000.0);
        CHECK(candles[0].low == 103425000.0);
        CHECK(candles[0].close.text() == "103460000.0");
        CHECK(candles[0].last_trade_ms == 1773240059132);
    }

    TEST_CASE("broken candle answers are refused and leave the output alone") {
        feed::upbit_adapter adapter;
        std::vector<feed::minute_candle> candles(2);
        boost::system::error_code ec;
        for (std::string_view bad :
             {"", "{}", "[{", R"([{"candle_date_time_utc":"2026-03-11T14:40:00"}])",
              R"([{"trade_price":1}])", R"([{"candle_date_time_utc":"yesterday","trade_price":1}])",
              R"([{"candle_date_time_utc":"2026-03-11T14:40:00","trade_price":"1"}])",
              R"([] [])"}) {
            CAPTURE(bad);
            adapter.parse_candles(bad, candles, ec);
            CHECK(ec);
            CHECK(candles.size() == 2);
        }
        adapter.parse_candles("[]", candles, ec);
        CHECK_FALSE(ec);
        CHECK(candles.size() == 2);
    }

    TEST_CASE("the candle request names the market, an exclusive UTC end and the count") {
        feed::upbit_adapter adapter;
        CHECK(adapter.candles_path("KRW-BTC", 1773240000000, 200) ==
              "/v1/candles/minutes/1?market=KRW-BTC&to=2026-03-11T14:40:00Z&count=200");
        CHECK(adapter.max_candles_per_request() == 200);
    }
}
