// Adding an exchange is an addition: a toy adapter (tests/support/toy_adapter.hpp, built from
// the feed/ toolkit in under 100 lines) is registered at run time, made through the registry
// and the config like a built-in one, and parses the frame shapes the next exchanges send.
#include "support/toy_adapter.hpp"

#include <doctest/doctest.h>

#include "sise/feed/registry.hpp"
#include "sise/io/config.hpp"

namespace {

using sise::exchange_id;
using sise::feed::frame_kind;

std::unique_ptr<sise::feed::adapter> make_toy(const sise::feed::adapter_options& options) {
    return std::make_unique<sise::test::toy_adapter>(options);
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a registered toy adapter is made by the registry and parses every frame shape") {
        // The registration stands in for Kraken's built-in adapter while it lives.
        sise::feed::adapter_registration registration(exchange_id::kraken, &make_toy);
        auto adapter = sise::feed::make_adapter(exchange_id::kraken, {4096});
        REQUIRE(adapter);
        CHECK(adapter->id() == exchange_id::kraken);

        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        // Numbers as strings (Binance, OKX, Bybit): price and time.
        auto result = adapter->parse(
            R"({"e":"tick","s":"BTC-USD","p":"42000.50","t":"1700000000123"})", out, ec);
        REQUIRE_FALSE(ec);
        CHECK(result.kind == frame_kind::tickers);
        REQUIRE(out.size() == 1);
        CHECK(out[0].market.view() == "BTC-USD");
        CHECK(out[0].price.text() == "42000.50");
        CHECK(out[0].exchange_time_ms == 1700000000123);

        // Non-JSON frame: the bare `pong` answering the app ping.
        CHECK(adapter->keepalive().app_ping_text == "ping");
        CHECK(adapter->parse("pong", out, ec).kind == frame_kind::heartbeat);
        CHECK_FALSE(ec);

        // A frame asking the feed client to reconnect now, with its reason.
        result = adapter->parse(R"({"e":"restart"})", out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::reconnect);
        CHECK(result.detail == "restart");

        // A bad price leaves the output as it was; the size bound came from the options.
        CHECK(adapter->parse(R"({"e":"tick","s":"BTC-USD","p":"4x"})", out, ec).kind ==
              frame_kind::ignored);
        CHECK(ec == sise::errc::bad_number);
        adapter->parse(std::string(5000, ' ') + "{}", out, ec);
        CHECK(ec == sise::errc::frame_too_large);
        CHECK(out.size() == 1);

        std::vector<sise::feed::instrument> list;
        adapter->parse_market_list(R"([{"s":"ETH-USD"},{"s":"BTC-USD"}])", list, ec);
        CHECK_FALSE(ec);
        REQUIRE(list.size() == 2);
        CHECK(list[0].base == "ETH");
        CHECK(list[0].quote == "USD");
    }

    TEST_CASE("the config accepts a registered exchange and normalizes its markets") {
        sise::feed::adapter_registration registration(exchange_id::kraken, &make_toy);
        auto config = sise::io::parse_config("[feeds.kraken]\nmarkets = [\"eth-usd\"]\n", "t.toml");
        REQUIRE(config.feeds.size() == 1);
        CHECK(config.feeds[0].exchange == exchange_id::kraken);
        CHECK(config.feeds[0].markets == std::vector<std::string>{"ETH-USD"});
        CHECK(config.feeds[0].websocket_endpoint.port == "1");
    }

    TEST_CASE("a registration ends with its scope") {
        auto is_toy = [] {
            auto made = sise::feed::make_adapter(exchange_id::kraken, {});
            return dynamic_cast<sise::test::toy_adapter*>(made.get()) != nullptr;
        };
        const bool had_adapter = sise::feed::has_adapter(exchange_id::kraken);
        {
            sise::feed::adapter_registration registration(exchange_id::kraken, &make_toy);
            CHECK(sise::feed::has_adapter(exchange_id::kraken));
            CHECK(is_toy());
        }
        CHECK_FALSE(is_toy());  // the built-in one (or none) is back
        CHECK(sise::feed::has_adapter(exchange_id::kraken) == had_adapter);
        CHECK(sise::feed::has_adapter(exchange_id::upbit));
    }
}
