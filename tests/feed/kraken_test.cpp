// The Kraken adapter, driven by the fixture frames in tests/fixtures/kraken/ (the docs'
// examples and one live error capture, see docs/exchanges/kraken.md) and variations of them.
#include "sise/feed/kraken.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sise/core/error.hpp"
#include "sise/feed/registry.hpp"
#include "support/adapter_frames.hpp"
#include "support/fixture.hpp"

namespace {

using sise::feed::frame_kind;
using sise::feed::kraken_adapter;

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("kraken", name);
}

// One frame through a fresh adapter into a vector that already holds one update, so that a
// rejected frame can be seen leaving it as it was.
struct outcome {
    frame_kind kind = frame_kind::ignored;
    std::string detail;
    boost::system::error_code ec;
    std::vector<sise::ticker_update> added;
    bool kept_earlier = false;
};

outcome parse(std::string_view frame) {
    kraken_adapter adapter;
    std::vector<sise::ticker_update> out(1);
    out[0].market.assign("EARLIER");
    outcome o;
    const auto result = adapter.parse(frame, out, o.ec);
    o.kind = result.kind;
    o.detail = std::string(result.detail);
    o.kept_earlier = !out.empty() && out[0].market.view() == "EARLIER";
    o.added.assign(out.begin() + (out.empty() ? 0 : 1), out.end());
    return o;
}

// The ALGO/USD values of the docs' ticker examples (kraken.md §4).
void check_docs_ticker(const sise::ticker_update& t) {
    CHECK(t.market.view() == "ALGO/USD");
    CHECK(t.price.text() == "0.10035");
    CHECK(t.change.text() == "-0.00017");
    CHECK(t.change_pct.text() == "-0.17");
    CHECK(t.day_high.text() == "0.10285");
    CHECK(t.day_low.text() == "0.09979");
    CHECK(t.volume_24h.text() == "997038.98383185");
    CHECK(t.quote_volume_24h.empty());
    CHECK(t.exchange_time_ms == 1695632671742);
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a ticker snapshot yields one update with the digits Kraken sent as JSON numbers") {
        const auto o = parse(fixture("ticker_snapshot.json"));
        REQUIRE(!o.ec);
        CHECK(o.kind == frame_kind::tickers);
        REQUIRE(o.added.size() == 1);
        check_docs_ticker(o.added[0]);
    }

    TEST_CASE("a ticker update is read like the snapshot: the same schema, only the type differs") {
        const auto o = parse(fixture("ticker_update.json"));
        REQUIRE(!o.ec);
        CHECK(o.kind == frame_kind::tickers);
        REQUIRE(o.added.size() == 1);
        check_docs_ticker(o.added[0]);
    }

    TEST_CASE("prices sent as strings or in exponent form read as the same exact decimals") {
        const auto o = parse(
            R"({"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","last":"67012.3",)"
            R"("change":-1.5e2,"change_pct":"-0.22","high":6.71e4,"low":"66000.0",)"
            R"("volume":5.1e-05}]})");
        REQUIRE(!o.ec);
        REQUIRE(o.added.size() == 1);
        const auto& t = o.added[0];
        CHECK(t.price.text() == "67012.3");
        CHECK(t.change.text() == "-150");
        CHECK(t.change_pct.text() == "-0.22");
        CHECK(t.day_high.text() == "67100");
        CHECK(t.volume_24h.text() == "0.000051");
        CHECK(t.exchange_time_ms == 0);  // no timestamp: tolerated (kraken.md §4)
    }

    TEST_CASE("a ticker frame whose data comes before its channel is still read") {
        const auto o = parse(
            R"({"data":[{"symbol":"ETH/USD","last":3120.55,"timestamp":"2026-01-02T03:04:05Z"}],)"
            R"("type":"update","channel":"ticker"})");
        REQUIRE(!o.ec);
        CHECK(o.kind == frame_kind::tickers);
        REQUIRE(o.added.size() == 1);
        CHECK(o.added[0].market.view() == "ETH/USD");
        CHECK(o.added[0].price.text() == "3120.55");
        CHECK(o.added[0].exchange_time_ms == 1767323045000);
    }

    TEST_CASE("a ticker of a market nobody subscribed to is passed on for the table to ignore") {
        const auto o = parse(
            R"({"channel":"ticker","type":"update","data":[{"symbol":"NOPE/USD","last":1}]})");
        REQUIRE(!o.ec);
        REQUIRE(o.added.size() == 1);
        CHECK(o.added[0].market.view() == "NOPE/USD");
    }

    TEST_CASE("heartbeats and pongs are keepalive frames: no tickers and no error") {
        for (const char* name : {"heartbeat.json", "pong.json"}) {
            const auto o = parse(fixture(name));
            CHECK_MESSAGE(!o.ec, name);
            CHECK_MESSAGE(o.kind == frame_kind::heartbeat, name);
            CHECK(o.added.empty());
        }
        // [Kraken SDK] a pong may say success explicitly.
        CHECK(parse(R"({"method":"pong","req_id":3,"success":true})").kind ==
              frame_kind::heartbeat);
    }

    TEST_CASE("subscribe and unsubscribe acks are acks, one per symbol") {
        for (const char* name : {"subscribe_ack.json", "unsubscribe_ack.json"}) {
            const auto o = parse(fixture(name));
            CHECK_MESSAGE(!o.ec, name);
            CHECK_MESSAGE(o.kind == frame_kind::ack, name);
            CHECK(o.added.empty());
        }
    }

    TEST_CASE("status and instrument frames are well-formed frames sise does not consume") {
        // status.json's connection_id exceeds int64 (kraken.md §2); it is skipped unread.
        for (const char* name : {"status.json", "instrument_snapshot_excerpt.json"}) {
            const auto o = parse(fixture(name));
            CHECK_MESSAGE(!o.ec, name);
            CHECK_MESSAGE(o.kind == frame_kind::ignored, name);
            CHECK(o.added.empty());
        }
    }

    TEST_CASE("a refused subscription is an exchange error naming the pair, not a bad frame") {
        const auto o = parse(fixture("error.json"));
        CHECK(!o.ec);
        CHECK(o.kind == frame_kind::exchange_error);
        CHECK(o.detail == "xxx/USD: Currency pair not supported xxx/USD");
        CHECK(o.added.empty());
    }

    TEST_CASE("error shapes without a pair are exchange errors too") {
        const auto rate = parse(R"({"Error":"Exceeded msg rate"})");
        CHECK(!rate.ec);
        CHECK(rate.kind == frame_kind::exchange_error);
        CHECK(rate.detail == "Exceeded msg rate");
        const auto failed = parse(R"({"method":"subscribe","success":false,"req_id":1})");
        CHECK(failed.kind == frame_kind::exchange_error);
        CHECK(failed.detail == "subscribe: request failed");
        const auto pong = parse(R"({"method":"pong","success":false,"error":"busy"})");
        CHECK(pong.kind == frame_kind::exchange_error);
        CHECK(pong.detail == "pong: busy");
    }

    TEST_CASE("malformed and truncated frames are errors that leave the output as it was") {
        const std::string snapshot = fixture("ticker_snapshot.json");
        const std::string truncated = snapshot.substr(0, snapshot.size() / 2);
        struct bad {
            std::string frame;
            sise::errc expected;
        };
        const std::vector<bad> frames{
            {truncated, sise::errc::malformed_frame},
            {"not json", sise::errc::malformed_frame},
            {"[1,2]", sise::errc::malformed_frame},
            {R"({"channel":"heartbeat"}{"channel":"heartbeat"})", sise::errc::malformed_frame},
            {R"({"channel":"ticker","type":"update"})", sise::errc::missing_field},
            {R"({"channel":"ticker","data":{"symbol":"BTC/USD"}})", sise::errc::malformed_frame},
            {R"({"channel":"ticker","data":[{"symbol":"BTC/USD","bid":1}]})",
             sise::errc::missing_field},
            {R"({"channel":"ticker","data":[{"last":1}]})", sise::errc::missing_field},
            {R"({"channel":"ticker","data":[{"symbol":"BTC/USD","last":"abc"}]})",
             sise::errc::bad_number},
            {R"({"channel":"ticker","data":[{"symbol":"BTC/USD","last":1,"timestamp":"soon"}]})",
             sise::errc::bad_number},
            {R"({"channel":"ticker","data":[{"symbol":7,"last":1}]})", sise::errc::malformed_frame},
            {R"({"channel":"ticker","data":[{"symbol":"BTC/USD","last":1},{"symbol":"ETH/USD"}]})",
             sise::errc::missing_field},
        };
        for (const auto& b : frames) {
            const auto o = parse(b.frame);
            CHECK_MESSAGE(o.ec == b.expected, b.frame, " -> ", o.ec.message());
            CHECK_MESSAGE(o.kept_earlier, b.frame);
            CHECK_MESSAGE(o.added.empty(), b.frame);
        }
    }

    TEST_CASE("a frame larger than the configured bound is refused before parsing") {
        kraken_adapter adapter(64);
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(fixture("ticker_snapshot.json"), out, ec);
        CHECK(ec == sise::errc::frame_too_large);
        CHECK(out.empty());
    }

    TEST_CASE("the subscribe request names every symbol of the connection in one ticker frame") {
        kraken_adapter adapter;
        const std::vector<std::string> markets{"BTC/USD", "ETH/USD"};
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 1);
        CHECK(
            frames[0] ==
            R"({"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD"],)"
            R"("event_trigger":"trades","snapshot":true},"req_id":1})");
        CHECK(adapter.subscribe_frames(markets)[0].ends_with(R"("req_id":2})"));
        CHECK(adapter.subscribe_frames({}).empty());
    }

    TEST_CASE("the keepalive is a JSON ping op well inside the one-minute idle limit") {
        const kraken_adapter adapter;
        const auto policy = adapter.keepalive();
        CHECK(policy.app_ping_text == R"({"method":"ping"})");
        CHECK(policy.app_ping_interval < std::chrono::seconds{60});
        CHECK(policy.app_ping_interval.count() > 0);
        CHECK(adapter.basis() == sise::change_basis::rolling_24h);
        CHECK(adapter.default_endpoints().websocket_url == "wss://ws.kraken.com/v2");
    }

    TEST_CASE("market codes are spelled BASE/QUOTE with BTC for XBT and DOGE for XDG") {
        const kraken_adapter adapter;
        CHECK(adapter.normalize_market("btc/usd") == "BTC/USD");
        CHECK(adapter.normalize_market("XBT/USD") == "BTC/USD");
        CHECK(adapter.normalize_market("xdg/usd") == "DOGE/USD");
        CHECK(adapter.normalize_market("eth/xbt") == "ETH/BTC");
        CHECK_FALSE(adapter.normalize_market("BTCUSD"));
        CHECK_FALSE(adapter.normalize_market("BTC/USD/EUR"));
        CHECK_FALSE(adapter.normalize_market("BTC-USD"));
        CHECK_FALSE(adapter.normalize_market("/USD"));
        const auto btc = adapter.describe("BTC/USD");
        CHECK(btc.base == "BTC");
        CHECK(btc.quote == "USD");
        CHECK(kraken_adapter::rest_pair("BTC/USD") == "XBTUSD");
        CHECK(kraken_adapter::rest_pair("DOGE/USD") == "XDGUSD");
        CHECK(kraken_adapter::rest_pair("ETH/USD") == "ETHUSD");
    }

    TEST_CASE("the default markets are the dollar pairs of Binance's default coins") {
        const kraken_adapter adapter;
        CHECK(adapter.default_markets() == std::vector<std::string>{"BTC/USD", "ETH/USD", "XRP/USD",
                                                                    "SOL/USD", "ADA/USD",
                                                                    "TRX/USD"});
        for (const auto& item : adapter.fallback_instruments()) CHECK(item.quote == "USD");
    }

    TEST_CASE("the registry makes the Kraken adapter") {
        auto made = sise::feed::make_adapter(sise::exchange_id::kraken, {});
        REQUIRE(made);
        CHECK(made->id() == sise::exchange_id::kraken);
    }

    TEST_CASE("the AssetPairs list yields v2 spellings with base and quote") {
        kraken_adapter adapter;
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        CHECK(adapter.market_list_path() == "/0/public/AssetPairs");
        adapter.parse_market_list(fixture("asset_pairs_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 4);  // the dark-pool pair has no wsname
        sise::test::check_instrument(out[0], "BTC/USD", "BTC", "USD");
        CHECK(out[1].market == "ETH/USD");
        CHECK(out[2].market == "DOGE/USD");
        CHECK(out[3].market == "ETH/BTC");
    }

    TEST_CASE("a market list with an error, or not a list, leaves the output untouched") {
        kraken_adapter adapter;
        std::vector<sise::feed::instrument> out(1);
        boost::system::error_code ec;
        adapter.parse_market_list(R"({"error":["EGeneral:Too many requests"]})", out, ec);
        CHECK(ec == sise::errc::exchange_error);
        adapter.parse_market_list(R"({"error":[],"result":[]})", out, ec);
        CHECK(ec == sise::errc::malformed_frame);
        adapter.parse_market_list(R"({"error":[]})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_market_list(R"({"error":[],"result":{"X":{"wsname":"XBT/USD"}})", out, ec);
        CHECK(ec == sise::errc::malformed_frame);
        CHECK(out.size() == 1);
    }

    TEST_CASE("OHLC candles keep the close text and start at the row's time in milliseconds") {
        kraken_adapter adapter;
        std::vector<sise::feed::minute_candle> out;
        boost::system::error_code ec;
        adapter.parse_candles(fixture("klines_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 4);
        sise::test::check_candle(out[0], 1688671200000, 30306.1, 30306.2, 30305.7, "30305.7");
        CHECK(out[3].start_ms == 1688671380000);
        CHECK(out[3].close.text() == "30295.0");
    }

    TEST_CASE("the running minute after the last committed candle is left out") {
        kraken_adapter adapter;
        std::vector<sise::feed::minute_candle> out;
        boost::system::error_code ec;
        adapter.parse_candles(
            R"({"error":[],"result":{"XXBTZUSD":[[120,"1","2","0.5","1.5","1","1",3],)"
            R"([180,"1.5","1.5","1.5","1.5","1.5","1",1]],"last":120}})",
            out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].start_ms == 120'000);
    }

    TEST_CASE("a candle path asks for one-minute candles of the REST pair since the span") {
        const kraken_adapter adapter;
        CHECK(adapter.max_candles_per_request() == 720);
        // 720 minutes is all OHLC ever gives: a short page is not the start of history.
        CHECK(adapter.candle_reach() == std::chrono::minutes{720});
        CHECK(adapter.candles_path("BTC/USD", 1'688'672'160'000, 720) ==
              "/0/public/OHLC?pair=XBTUSD&interval=1&since=1688628960");
    }

    TEST_CASE("bad candle bodies are errors that leave the output untouched") {
        kraken_adapter adapter;
        std::vector<sise::feed::minute_candle> out(1);
        boost::system::error_code ec;
        for (const char* body : {
                 R"({"error":["EQuery:Unknown asset pair"]})",
                 R"({"error":[],"result":{"XXBTZUSD":[[120,"1","2","x","1.5"]]}})",
                 R"({"error":[],"result":{"XXBTZUSD":[[120,"1","2"]]}})",
                 R"({"error":[],"result":{"XXBTZUSD":[["t","1","2","1","1"]]}})",
                 R"({"error":[],"result":{"XXBTZUSD":[[120,"1","2","1","1"]]})",
             }) {
            adapter.parse_candles(body, out, ec);
            CHECK_MESSAGE(ec, body);
        }
        CHECK(out.size() == 1);
    }
}
