// The Coinbase Advanced Trade adapter, driven by the fixture frames in tests/fixtures/coinbase/
// (the docs' examples and observed captures, see docs/exchanges/coinbase.md; the product list
// is ours, in the documented shape) and by our own variations of them.
#include "sise/feed/coinbase.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sise/core/error.hpp"
#include "support/adapter_frames.hpp"
#include "support/fixture.hpp"

namespace {

using sise::feed::coinbase_adapter;
using sise::feed::frame_kind;

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("coinbase", name);
}

// Rejection and no-ticker checks from tests/support, with this file's adapter.
void check_rejected(std::string_view frame, sise::errc expected) {
    sise::test::check_rejected<coinbase_adapter>(frame, expected);
}

// The result of a frame that carries no tickers and is not an error.
sise::feed::frame_result no_tickers(coinbase_adapter& adapter, std::string_view frame,
                                    std::string* detail = nullptr) {
    std::vector<sise::ticker_update> out;
    boost::system::error_code ec;
    auto result = adapter.parse(frame, out, ec);
    CHECK_MESSAGE(!ec, frame, ": ", ec.message());
    CHECK(out.empty());
    if (detail) *detail = std::string(result.detail);
    return result;
}

frame_kind kind_of(std::string_view frame, std::string* detail = nullptr) {
    return sise::test::kind_of<coinbase_adapter>(frame, detail);
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a ticker snapshot yields the docs' update with the strings Coinbase sent") {
        coinbase_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        auto result = adapter.parse(fixture("ticker_snapshot.json"), out, ec);
        REQUIRE(!ec);
        CHECK(result.kind == frame_kind::tickers);
        CHECK(result.sequence == 0);
        REQUIRE(out.size() == 1);
        const auto& t = out[0];
        CHECK(t.market.view() == "BTC-USD");
        CHECK(t.price.text() == "21932.98");
        CHECK(t.change_pct.text() == "-4.15775596190603");  // percent already
        CHECK(t.change.empty());                            // Coinbase sends no absolute change
        CHECK(t.day_high.text() == "23011.18");
        CHECK(t.day_low.text() == "21835.29");
        CHECK(t.volume_24h.text() == "16038.28770938");
        CHECK(t.quote_volume_24h.empty());
        // The envelope's timestamp 2023-02-09T20:30:37.167359596Z, to the millisecond.
        CHECK(t.exchange_time_ms == 1675974637167);
    }

    TEST_CASE("an update after the snapshot is read the same way and carries its number") {
        coinbase_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        auto result = adapter.parse(fixture("ticker_update.json"), out, ec);
        REQUIRE(!ec);
        CHECK(result.kind == frame_kind::tickers);
        CHECK(result.sequence == 2);
        REQUIRE(out.size() == 1);
        CHECK(out[0].price.text() == "21933.98");
        CHECK(out[0].change_pct.text() == "-4.153386184336439");
        CHECK(out[0].exchange_time_ms == 1675974638402);
    }

    TEST_CASE("parse_padded reads a frame in place like parse") {
        const auto p =
            sise::test::parse_padded_with<coinbase_adapter>(fixture("ticker_update.json"));
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].price.text() == "21933.98");
    }

    TEST_CASE("keys spelled with escapes read as the names they spell") {
        coinbase_adapter plain, escaped;
        sise::test::check_escaped_keys_read_alike(plain, escaped, fixture("ticker_update.json"));
    }

    TEST_CASE("ticker_batch without top of book yields the same fields") {
        coinbase_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        CHECK(adapter.parse(fixture("ticker_batch.json"), out, ec).kind == frame_kind::tickers);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].market.view() == "DOGE-USD");
        CHECK(out[0].price.text() == "0.08212");
        CHECK(out[0].change_pct.text() == "0.50177456859626");
    }

    TEST_CASE("several tickers in several events of one frame all come out, in order") {
        coinbase_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(
            R"({"channel":"ticker","timestamp":"2024-01-01T00:00:00Z","sequence_num":7,"events":[)"
            R"({"type":"update","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"1"},)"
            R"({"type":"ticker","product_id":"ETH-USD","price":"2"}]},)"
            R"({"type":"update","tickers":[{"type":"ticker","product_id":"SOL-USD","price":"3"}]}]})",
            out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 3);
        CHECK(out[0].market.view() == "BTC-USD");
        CHECK(out[2].market.view() == "SOL-USD");
        CHECK(out[2].exchange_time_ms == 1704067200000);
    }

    TEST_CASE("numbers sent as JSON numbers instead of strings are read as well") {
        coinbase_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(
            R"({"channel":"ticker","sequence_num":"3","events":[{"tickers":[)"
            R"({"product_id":"BTC-USD","price":65000.10,"price_percent_chg_24_h":-1.5}]}]})",
            out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].price.text() == "65000.10");
        CHECK(out[0].change_pct.text() == "-1.5");
    }

    TEST_CASE("heartbeats are heartbeats with their counter as a string or a number") {
        coinbase_adapter adapter;
        auto quoted = no_tickers(adapter, fixture("heartbeat.json"));
        CHECK(quoted.kind == frame_kind::heartbeat);
        CHECK(quoted.sequence == 0);
        auto numeric = no_tickers(adapter, fixture("heartbeat_observed_numeric.json"));
        CHECK(numeric.kind == frame_kind::heartbeat);
        CHECK(numeric.sequence == 3);
        check_rejected(R"({"channel":"heartbeats","events":[{"heartbeat_counter":[1]}]})",
                       sise::errc::malformed_frame);
    }

    TEST_CASE("the subscriptions listing is an ack that carries its number") {
        coinbase_adapter adapter;
        auto ack = no_tickers(adapter, fixture("subscribe_ack.json"));
        CHECK(ack.kind == frame_kind::ack);
        CHECK(ack.sequence == 1);
    }

    TEST_CASE("error frames are exchange errors with their message") {
        std::string detail;
        CHECK(kind_of(fixture("error.json"), &detail) == frame_kind::exchange_error);
        CHECK(detail == "failure to subscribe");
        CHECK(kind_of(fixture("exchange_feed_error.json"), &detail) == frame_kind::exchange_error);
        CHECK(detail == "Failed to subscribe: No channels provided");
    }

    TEST_CASE("other channels and unknown messages are ignored, tickers or not") {
        CHECK(kind_of(R"({"channel":"l2_data","sequence_num":4,"events":[{"updates":[]}]})") ==
              frame_kind::ignored);
        CHECK(kind_of(R"({"channel":"status","events":[{"tickers":[{"product_id":"X-Y",)"
                      R"("price":"1"}]}]})") == frame_kind::ignored);
        CHECK(kind_of(R"({"type":"something_new"})") == frame_kind::ignored);
        CHECK(kind_of("{}") == frame_kind::ignored);
    }

    TEST_CASE("a ticker for a product nobody subscribed is still parsed; the table rejects it") {
        coinbase_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(R"({"channel":"ticker","events":[{"tickers":[{"product_id":"NOPE-USD",)"
                      R"("price":"1.0"}]}]})",
                      out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].market.view() == "NOPE-USD");
        CHECK(out[0].exchange_time_ms == 0);  // no envelope timestamp
    }

    TEST_CASE("frames without a sequence number report none") {
        CHECK(kind_of(fixture("error.json")) == frame_kind::exchange_error);
        coinbase_adapter adapter;
        CHECK(no_tickers(adapter, fixture("error.json")).sequence == -1);
    }

    TEST_CASE("malformed and truncated frames are errors and leave the output untouched") {
        using sise::errc;
        const std::string snapshot = fixture("ticker_snapshot.json");
        check_rejected("", errc::malformed_frame);
        check_rejected("{", errc::malformed_frame);
        check_rejected("42", errc::malformed_frame);
        check_rejected("[]", errc::malformed_frame);
        check_rejected(snapshot.substr(0, snapshot.size() / 2), errc::malformed_frame);
        check_rejected(snapshot + "{}", errc::malformed_frame);
        check_rejected(R"({"channel":"ticker","events":[{"tickers":[{"price":"1"}]}]})",
                       errc::missing_field);
        check_rejected(R"({"channel":"ticker","events":[{"tickers":[{"product_id":"A-B"}]}]})",
                       errc::missing_field);
        check_rejected(R"({"channel":"ticker","events":[{"tickers":[{"product_id":"A-B",)"
                       R"("price":"abc"}]}]})",
                       errc::bad_number);
        check_rejected(R"({"channel":"ticker","events":[{"tickers":[{"product_id":"A-B",)"
                       R"("price":"1"},{"product_id":"C-D"}]}]})",
                       errc::missing_field);
        check_rejected(R"({"channel":"ticker","events":{}})", errc::malformed_frame);
        check_rejected(R"({"channel":"ticker","events":[1]})", errc::malformed_frame);
        check_rejected(R"({"channel":"ticker","sequence_num":-1,"events":[]})",
                       errc::malformed_frame);
        check_rejected(R"({"channel":"ticker","sequence_num":"x","events":[]})",
                       errc::malformed_frame);
        check_rejected(R"({"channel":7})", errc::malformed_frame);
        check_rejected(R"({"type":"error","message":5})", errc::malformed_frame);
        check_rejected(std::string(70 * 1024, ' '), errc::frame_too_large);
    }

    TEST_CASE("RFC 3339 times read to the millisecond, any fraction length") {
        using sise::feed::parse_rfc3339_ms;
        CHECK(parse_rfc3339_ms("2023-02-09T20:30:37.167359596Z") == 1675974637167);
        CHECK(parse_rfc3339_ms("2023-02-09T20:30:37Z") == 1675974637000);
        CHECK(parse_rfc3339_ms("2023-02-09T20:30:37.5Z") == 1675974637500);
        CHECK(!parse_rfc3339_ms("2023-02-09T20:30:37"));
        CHECK(!parse_rfc3339_ms("2023-02-09T20:30:37.Z"));
        CHECK(!parse_rfc3339_ms("2023-02-09T20:30:37.1x2Z"));
        CHECK(!parse_rfc3339_ms("2023-06-23 20:31:56.121961769 +0000 UTC"));  // current_time
    }

    TEST_CASE("subscribing sends the ticker channel with the products, then heartbeats") {
        coinbase_adapter adapter;
        const std::vector<std::string> markets{"ETH-USD", "BTC-USD"};
        auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 2);
        // The docs' examples, minus whitespace (fixtures subscribe_request.json and
        // subscribe_heartbeats_request.json).
        CHECK(frames[0] == R"({"type":"subscribe","product_ids":["ETH-USD","BTC-USD"],)"
                           R"("channel":"ticker"})");
        CHECK(frames[1] == R"({"type":"subscribe","channel":"heartbeats"})");
        CHECK(adapter.subscribe_frames({}).empty());
    }

    TEST_CASE("a long product list is split across ticker messages, heartbeats once") {
        coinbase_adapter adapter;
        std::vector<std::string> markets;
        for (int i = 0; i < 250; ++i) markets.push_back("C" + std::to_string(i) + "-USD");
        auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 4);
        CHECK(frames[0].find(R"("C0-USD")") != std::string::npos);
        CHECK(frames[0].find(R"("C100-USD")") == std::string::npos);
        CHECK(frames[1].find(R"("C100-USD")") != std::string::npos);
        CHECK(frames[2].find(R"("C249-USD")") != std::string::npos);
        CHECK(frames[3] == R"({"type":"subscribe","channel":"heartbeats"})");
    }

    TEST_CASE("product ids are upper-case BASE-QUOTE, base first") {
        coinbase_adapter adapter;
        CHECK(adapter.normalize_market("btc-usd") == "BTC-USD");
        CHECK(!adapter.normalize_market("BTCUSD"));
        CHECK(!adapter.normalize_market("BTC-USD-X"));
        CHECK(!adapter.normalize_market("-USD"));
        CHECK(!adapter.normalize_market(""));
        auto item = adapter.describe("ETH-USDC");
        CHECK(item.base == "ETH");
        CHECK(item.quote == "USDC");
        CHECK(adapter.basis() == sise::change_basis::rolling_24h);
    }

    TEST_CASE("the default markets are dollar pairs, each one a valid product id") {
        coinbase_adapter adapter;
        const auto markets = adapter.default_markets();
        REQUIRE(!markets.empty());
        CHECK(markets.front() == "BTC-USD");
        for (const auto& m : markets) {
            CHECK(adapter.normalize_market(m) == m);
            CHECK(adapter.describe(m).quote == "USD");
        }
        CHECK(adapter.fallback_instruments().size() == markets.size());
    }

    TEST_CASE("the product list yields enabled products with base and quote") {
        coinbase_adapter adapter;
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        adapter.parse_market_list(fixture("products_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 2);  // OLD-USD has trading disabled
        sise::test::check_instrument(out[0], "BTC-USD", "BTC", "USD");
        CHECK(out[1].market == "ETH-USD");
        adapter.parse_market_list(R"({"products":[{"base_currency_id":"BTC"}]})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_market_list(R"({"error":"x","code":5,"message":"m","details":[]})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_market_list(R"({"products":[{"product_id":"A-B","is_disabled":"no"}]})", out,
                                  ec);
        CHECK(ec == sise::errc::malformed_frame);
        CHECK(out.size() == 2);
    }

    TEST_CASE("candles yield minute candles, newest first, with the close text sent") {
        coinbase_adapter adapter;
        std::vector<sise::feed::minute_candle> out;
        boost::system::error_code ec;
        adapter.parse_candles(fixture("klines_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 2);
        sise::test::check_candle(out[0], 1712192400000, 66312.4, 66331.99, 66055.14, "66181.6");
        CHECK(out[1].start_ms == 1712188800000);
        adapter.parse_candles(R"({"candles":[{"start":"1","open":"1","high":"2","low":"1"}]})", out,
                              ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_candles(
            R"({"candles":[{"start":"1","open":"1","high":"2","low":"x","close":"1"}]})", out, ec);
        CHECK(ec == sise::errc::bad_number);
        adapter.parse_candles(R"([])", out, ec);
        CHECK(ec == sise::errc::malformed_frame);
        CHECK(out.size() == 2);
    }

    TEST_CASE("the candles path asks for one-minute buckets before the given time") {
        coinbase_adapter adapter;
        CHECK(adapter.max_candles_per_request() == 350);
        CHECK(adapter.candles_path("BTC-USD", 1700000060000, 350) ==
              "/api/v3/brokerage/market/products/BTC-USD/candles?start=1699979060"
              "&end=1700000059&granularity=ONE_MINUTE&limit=350");
    }

    TEST_CASE("the contract keeps the connection alive with heartbeats, not app pings") {
        coinbase_adapter adapter;
        CHECK(adapter.keepalive().app_ping_text.empty());
        CHECK(adapter.connection_policy().max_streams == 0);
        CHECK(adapter.default_endpoints().websocket_url == "wss://advanced-trade-ws.coinbase.com");
        CHECK(adapter.market_list_path().starts_with("/api/v3/brokerage/market/products"));
    }
}
