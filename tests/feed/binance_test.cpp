// The Binance adapter, driven by the fixture frames in tests/fixtures/binance/ (the docs'
// examples, see docs/exchanges/binance.md) and by our own variations of them.
#include "sise/feed/binance.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sise/core/error.hpp"
#include "support/adapter_frames.hpp"
#include "support/fixture.hpp"

namespace {

using sise::feed::binance_adapter;
using sise::feed::frame_kind;

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("binance", name);
}

// The update the docs' example 24hrTicker (binance.md §2.1) must produce.
void check_docs_example(const sise::ticker_update& t) {
    CHECK(t.market.view() == "BNBBTC");
    CHECK(t.price.text() == "0.0025");
    CHECK(t.change.text() == "0.0015");
    CHECK(t.change_pct.text() == "250.00");
    CHECK(t.day_high.text() == "0.0025");
    CHECK(t.day_low.text() == "0.0010");
    CHECK(t.volume_24h.text() == "10000");
    CHECK(t.quote_volume_24h.text() == "18");
    CHECK(t.exchange_time_ms == 1672515782136);
}

constexpr auto check_rejected = sise::test::check_rejected<binance_adapter>;

frame_kind kind_of(std::string_view frame, std::string* detail = nullptr) {
    return sise::test::kind_of<binance_adapter>(frame, detail);
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a raw 24hrTicker frame yields one update with the exact strings Binance sent") {
        binance_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        auto result = adapter.parse(fixture("ticker.json"), out, ec);
        REQUIRE(!ec);
        CHECK(result.kind == frame_kind::tickers);
        REQUIRE(out.size() == 1);
        check_docs_example(out[0]);
    }

    TEST_CASE("a combined-stream frame is unwrapped to the same update") {
        binance_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        auto result = adapter.parse(fixture("ticker_combined.json"), out, ec);
        REQUIRE(!ec);
        CHECK(result.kind == frame_kind::tickers);
        REQUIRE(out.size() == 1);
        check_docs_example(out[0]);
    }

    TEST_CASE("parse_padded reads a frame in place like parse") {
        const auto p =
            sise::test::parse_padded_with<binance_adapter>(fixture("ticker_combined.json"));
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        check_docs_example(p.out[0]);
    }

    TEST_CASE("numbers sent as JSON numbers instead of strings are read as well") {
        binance_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(R"({"e":"24hrTicker","E":1,"s":"BTCUSDT","c":65000.10,"P":-1.5})", out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].price.text() == "65000.10");
        CHECK(out[0].change_pct.text() == "-1.5");
    }

    TEST_CASE("a miniTicker and the miniTicker array yield updates without change fields") {
        binance_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        CHECK(adapter.parse(fixture("mini_ticker.json"), out, ec).kind == frame_kind::tickers);
        REQUIRE(!ec);
        CHECK(adapter.parse(fixture("mini_ticker_arr.json"), out, ec).kind == frame_kind::tickers);
        REQUIRE(!ec);
        REQUIRE(out.size() == 3);
        CHECK(out[0].market.view() == "BNBBTC");
        CHECK(out[0].change.empty());
        CHECK(out[2].market.view() == "BTCUSDT");
        CHECK(out[2].price.text() == "16541.86000000");
    }

    TEST_CASE("a rolling-window ticker is another basis and is ignored") {
        CHECK(kind_of(fixture("rolling_window_ticker.json")) == frame_kind::ignored);
    }

    TEST_CASE("subscribe acks and subscription lists are acks, not tickers") {
        CHECK(kind_of(fixture("subscribe_ack.json")) == frame_kind::ack);
        CHECK(kind_of(fixture("list_subscriptions_response.json")) == frame_kind::ack);
    }

    TEST_CASE("serverShutdown, raw or combined, asks for a reconnect") {
        std::string detail;
        CHECK(kind_of(fixture("server_shutdown.json"), &detail) == frame_kind::reconnect);
        CHECK(detail == "serverShutdown");
        CHECK(kind_of(fixture("server_shutdown_combined.json")) == frame_kind::reconnect);
    }

    TEST_CASE("flat and nested error frames are exchange errors with code and message") {
        std::string detail;
        CHECK(kind_of(fixture("error.json"), &detail) == frame_kind::exchange_error);
        CHECK(detail == "code 2: Invalid request: request ID must be an unsigned integer");
        CHECK(kind_of(fixture("error_nested_observed.json"), &detail) ==
              frame_kind::exchange_error);
        CHECK(detail == "code 2: Invalid request: invalid stream");
    }

    TEST_CASE("a ticker for a symbol nobody subscribed is still parsed; the table rejects it") {
        binance_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(R"({"e":"24hrTicker","E":5,"s":"NOSUCHCOIN","c":"1.0"})", out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].market.view() == "NOSUCHCOIN");
    }

    TEST_CASE("malformed frames are errors and leave the output untouched") {
        using sise::errc;
        check_rejected("", errc::malformed_frame);
        check_rejected("{", errc::malformed_frame);
        check_rejected("42", errc::malformed_frame);
        check_rejected(R"({"e":"24hrTicker","s":"BTCUSDT"})", errc::missing_field);
        check_rejected(R"({"e":"24hrTicker","c":"1"})", errc::missing_field);
        check_rejected(R"({"e":"24hrTicker","s":"BTCUSDT","c":"abc"})", errc::bad_number);
        check_rejected(R"({"e":"24hrTicker","s":"BTCUSDT","c":"1","E":"x"})", errc::bad_number);
        check_rejected(R"({"e":"24hrTicker","s":"BTCUSDT","c":"1"}{})", errc::malformed_frame);
        check_rejected(R"({"stream":"x","data":[1]})", errc::malformed_frame);
        check_rejected(R"([{"e":"24hrTicker","s":"A","c":"1"},{"e":"24hrTicker","s":"B"}])",
                       errc::missing_field);
        check_rejected(R"({"error":"text"})", errc::malformed_frame);
        check_rejected(std::string(70 * 1024, ' '), errc::frame_too_large);
    }

    TEST_CASE("the subscribe frame names lower-case ticker streams with a fresh id") {
        binance_adapter adapter;
        const std::vector<std::string> markets{"BTCUSDT", "ETHUSDT"};
        auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 1);
        CHECK(frames[0] ==
              R"({"method":"SUBSCRIBE","params":["btcusdt@ticker","ethusdt@ticker"],"id":1})");
        CHECK(adapter.subscribe_frames(markets)[0].ends_with(R"("id":2})"));
        CHECK(adapter.subscribe_frames({}).empty());
    }

    TEST_CASE("market codes are spelled as Binance spells symbols and split by quote asset") {
        binance_adapter adapter;
        CHECK(adapter.normalize_market("btcusdt") == "BTCUSDT");
        CHECK(!adapter.normalize_market("BTC-USDT"));
        CHECK(!adapter.normalize_market(""));
        auto item = adapter.describe("ETHBTC");
        CHECK(item.base == "ETH");
        CHECK(item.quote == "BTC");
        CHECK(adapter.describe("SOLFDUSD").quote == "FDUSD");
        CHECK(adapter.basis() == sise::change_basis::rolling_24h);
    }

    TEST_CASE("exchangeInfo yields every symbol with its base and quote asset") {
        binance_adapter adapter;
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        adapter.parse_market_list(fixture("exchange_info_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 3);
        sise::test::check_instrument(out[0], "ETHBTC", "ETH", "BTC");
        CHECK(out[1].market == "BTCUSDT");
        adapter.parse_market_list(R"({"symbols":[{"status":"TRADING"}]})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_market_list(R"({"code":-1121,"msg":"Invalid symbol."})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        CHECK(out.size() == 3);
    }

    TEST_CASE("klines yield minute candles with the close text Binance sent") {
        binance_adapter adapter;
        std::vector<sise::feed::minute_candle> out;
        boost::system::error_code ec;
        adapter.parse_candles(fixture("klines_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        sise::test::check_candle(out[0], 1499040000000, 0.0163479, 0.8, 0.015758, "0.01577100");
        CHECK(out[0].last_trade_ms == 0);
        adapter.parse_candles(R"([[1499040000000,"1","2"]])", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_candles(R"([[1499040000000,"1","2","x","4"]])", out, ec);
        CHECK(ec == sise::errc::bad_number);
        CHECK(out.size() == 1);
    }

    TEST_CASE("the klines path asks for the minutes before the given time") {
        binance_adapter adapter;
        CHECK(adapter.candles_path("BTCUSDT", 1700000060000, 1000) ==
              "/api/v3/klines?symbol=BTCUSDT&interval=1m&endTime=1700000059999&limit=1000");
    }

    TEST_CASE("the used-weight header stops requests before the minute's budget runs out") {
        binance_adapter adapter;
        CHECK(adapter.rest_policy().budget_header == "X-MBX-USED-WEIGHT-1M");
        CHECK(!adapter.budget_spent("120"));
        CHECK(adapter.budget_spent("5000"));
        CHECK(!adapter.budget_spent("garbage"));
    }

    TEST_CASE("the contract declares Binance's stream limit and 24 h connection lifetime") {
        binance_adapter adapter;
        const auto limits = adapter.connection_policy();
        CHECK(limits.max_streams == 1024);
        CHECK(limits.max_lifetime == std::chrono::hours{24});
        CHECK(limits.handover_lead > std::chrono::milliseconds{0});
        CHECK(limits.handover_lead < limits.max_lifetime);
    }
}
