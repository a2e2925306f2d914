// The fake's Binance dialect on its own, without sockets: SUBSCRIBE and its ack, refused
// requests, and its ticker frames, klines and exchangeInfo read back by the real Binance
// adapter (so the fake and the adapter cannot drift apart silently).
#include "fake/binance_dialect.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fake/dialect.hpp"
#include "sise/feed/binance.hpp"

namespace sise::fake {
namespace {

TEST_SUITE("fake binance dialect") {
    TEST_CASE("the registry knows binance by name") {
        CHECK(dialect_for("binance").name() == "binance");
        CHECK(dialect_for("binance").websocket_path() == "/stream");
    }

    TEST_CASE("SUBSCRIBE becomes a subscription of the upper-case symbols, acked by id") {
        const auto client = binance_dialect{}.connect();
        const client_action a = client->on_message(
            R"({"method":"SUBSCRIBE","params":["btcusdt@ticker","ethusdt@ticker"],"id":7})");
        REQUIRE(a.what == client_action::kind::subscribe);
        CHECK(a.codes == std::vector<std::string>{"BTCUSDT", "ETHUSDT"});
        CHECK(a.reply == R"({"result":null,"id":7})");
        CHECK(!a.snapshot);
    }

    TEST_CASE("invalid streams, unknown methods and bad JSON are refused with error frames") {
        const auto client = binance_dialect{}.connect();
        sise::feed::binance_adapter adapter;
        for (const char* request : {R"({"method":"SUBSCRIBE","params":["BTCUSDT@ticker"],"id":1})",
                                    R"({"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1})",
                                    R"({"method":"LIST_PROPERTIES","id":1})", "not json"}) {
            CAPTURE(request);
            const client_action a = client->on_message(request);
            CHECK(a.what == client_action::kind::reject);
            std::vector<sise::ticker_update> out;
            boost::system::error_code ec;
            CHECK(adapter.parse(a.reply, out, ec).kind == sise::feed::frame_kind::exchange_error);
            CHECK(!ec);
        }
    }

    TEST_CASE("ticker frames and the shutdown notice read back through the Binance adapter") {
        const binance_dialect dialect;
        const price_walk walk(describe_market("BTCUSDT"), 1, 1'700'000'000'000);
        std::string frame;
        dialect.render_ticker(frame, walk, stream_type::realtime, 1'700'000'000'123, "65000.12", 1);
        sise::feed::binance_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        CHECK(adapter.parse(frame, out, ec).kind == sise::feed::frame_kind::tickers);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].market.view() == "BTCUSDT");
        CHECK(out[0].price.text() == "65000.12");
        CHECK(out[0].exchange_time_ms == 1'700'000'000'123);
        CHECK(adapter.parse(dialect.shutdown_notice(5), out, ec).kind ==
              sise::feed::frame_kind::reconnect);
        CHECK(adapter.parse(dialect.stream_limit_error(2), out, ec).kind ==
              sise::feed::frame_kind::exchange_error);
    }

    TEST_CASE("klines and exchangeInfo read back through the Binance adapter") {
        const binance_dialect dialect;
        http_response res;
        candle_query q;
        REQUIRE(dialect.parse_candles(res, "/api/v3/klines",
                                      "symbol=BTCUSDT&interval=1m&endTime=179999&limit=1000", q));
        CHECK(q.market == "BTCUSDT");
        CHECK(q.to_ms == 180000);
        CHECK(q.count == 1000);
        dialect.candles(res, q, 3, [](const std::string&, std::int64_t minute) {
            return minute == 1 ? std::optional<std::string>("10.5") : std::nullopt;
        });
        sise::feed::binance_adapter adapter;
        std::vector<sise::feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(res.body(), candles, ec);
        REQUIRE(!ec);
        REQUIRE(candles.size() == 1);
        CHECK(candles[0].start_ms == 60000);
        CHECK(candles[0].close.text() == "10.5");

        http_response list;
        dialect.market_list(list, {price_walk(describe_market("ETHBTC"), 1, 0)}, "");
        std::vector<sise::feed::instrument> instruments;
        adapter.parse_market_list(list.body(), instruments, ec);
        REQUIRE(!ec);
        REQUIRE(instruments.size() == 1);
        CHECK(instruments[0].base == "ETH");
        CHECK(instruments[0].quote == "BTC");
    }
}

}  // namespace
}  // namespace sise::fake
