// The Bybit adapter, driven by the fixture frames in tests/fixtures/bybit/ (the docs' examples,
// see docs/exchanges/bybit.md) and by our own variations of them: snapshot then deltas merged
// without blanking a field, the fraction turned into percent, acks, pongs, errors, the cue.
#include "sise/feed/bybit.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "sise/core/error.hpp"
#include "sise/market/table.hpp"
#include "support/adapter_frames.hpp"
#include "support/fixture.hpp"

namespace {

using sise::feed::bybit_adapter;
using sise::feed::frame_kind;

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("bybit", name);
}

// An adapter that subscribed BTCUSDT and ETHUSDT, as the feed client makes it.
bybit_adapter subscribed() {
    bybit_adapter adapter;
    const std::vector<std::string> markets{"BTCUSDT", "ETHUSDT"};
    adapter.subscribe_frames(markets);
    return adapter;
}

struct parsed {
    std::vector<sise::ticker_update> out;
    boost::system::error_code ec;
    sise::feed::frame_result result;
    std::string detail;
};

parsed parse(bybit_adapter& adapter, std::string_view frame) {
    parsed p;
    p.result = adapter.parse(frame, p.out, p.ec);
    p.detail = std::string(p.result.detail);
    return p;
}

// The update the docs' example spot ticker (bybit.md §3) must produce.
void check_docs_example(const sise::ticker_update& t) {
    CHECK(t.market.view() == "BTCUSDT");
    CHECK(t.price.text() == "21109.77");
    CHECK(t.change_pct.text() == "1.96");  // "0.0196" is a fraction
    CHECK(t.change.empty());               // Bybit sends no absolute change
    CHECK(t.day_high.text() == "21426.99");
    CHECK(t.day_low.text() == "20575");
    CHECK(t.volume_24h.text() == "6780.866843");
    CHECK(t.quote_volume_24h.text() == "141946527.22907118");
    CHECK(t.exchange_time_ms == 1673853746003);
}

void check_rejected(std::string_view frame, sise::errc expected) {
    bybit_adapter adapter = subscribed();
    std::vector<sise::ticker_update> out{sise::test::sentinel_ticker()};
    boost::system::error_code ec;
    adapter.parse(frame, out, ec);
    CHECK_MESSAGE(ec == expected, frame);
    CHECK(out.size() == 1);
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a spot ticker snapshot yields one update with Bybit's strings and percent") {
        bybit_adapter adapter = subscribed();
        auto p = parse(adapter, fixture("ticker.json"));
        REQUIRE(!p.ec);
        CHECK(p.result.kind == frame_kind::tickers);
        REQUIRE(p.out.size() == 1);
        check_docs_example(p.out[0]);
    }

    TEST_CASE("parse_padded reads a frame in place like parse") {
        bybit_adapter adapter = subscribed();
        const auto p = sise::test::parse_padded_by(adapter, fixture("ticker.json"));
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        check_docs_example(p.out[0]);
    }

    TEST_CASE("keys spelled with escapes read as the names they spell") {
        bybit_adapter plain = subscribed(), escaped = subscribed();
        sise::test::check_escaped_keys_read_alike(plain, escaped, fixture("ticker.json"));
    }

    TEST_CASE("a delta changes only the fields it sent and keeps the snapshot's others") {
        bybit_adapter adapter = subscribed();
        REQUIRE(parse(adapter, fixture("ticker.json")).out.size() == 1);
        auto p = parse(adapter, fixture("ticker_delta.json"));
        REQUIRE(!p.ec);
        CHECK(p.result.kind == frame_kind::tickers);
        REQUIRE(p.out.size() == 1);
        const auto& t = p.out[0];
        CHECK(t.price.text() == "21111.02");
        CHECK(t.exchange_time_ms == 1673853746503);
        CHECK(t.change_pct.text() == "1.96");
        // Not in the delta: the snapshot's values, not blanks.
        CHECK(t.day_high.text() == "21426.99");
        CHECK(t.day_low.text() == "20575");
        CHECK(t.volume_24h.text() == "6780.866843");
        CHECK(t.quote_volume_24h.text() == "141946527.22907118");

        // A later delta without lastPrice keeps the previous delta's price.
        p = parse(adapter, R"({"topic":"tickers.BTCUSDT","ts":1673853747000,"type":"delta",)"
                           R"("cs":2588407410,"data":{"symbol":"BTCUSDT","volume24h":"6781"}})");
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].price.text() == "21111.02");
        CHECK(p.out[0].volume_24h.text() == "6781");
        CHECK(p.out[0].day_high.text() == "21426.99");
    }

    TEST_CASE("merged deltas reach the table as whole rows: no field goes blank there either") {
        bybit_adapter adapter = subscribed();
        sise::market::ticker_table table;
        const auto row =
            table.add(sise::exchange_id::bybit, adapter.describe("BTCUSDT"), adapter.basis());
        for (const char* name : {"ticker.json", "ticker_delta.json"}) {
            auto p = parse(adapter, fixture(name));
            REQUIRE(p.out.size() == 1);
            CHECK(table.apply(row, p.out[0], 1));
        }
        const auto& t = table.row(row).ticker;
        CHECK(t.price.text() == "21111.02");
        CHECK(t.volume_24h.text() == "6780.866843");
        CHECK(t.day_low.text() == "20575");
        CHECK(table.row(row).exchange_basis == sise::change_basis::rolling_24h);
    }

    TEST_CASE("a new snapshot replaces the merged state whole") {
        bybit_adapter adapter = subscribed();
        parse(adapter, fixture("ticker.json"));
        parse(adapter, fixture("ticker_delta.json"));
        auto p = parse(adapter, R"({"topic":"tickers.BTCUSDT","ts":1673853750000,)"
                                R"("type":"snapshot","cs":2588407500,"data":{"symbol":"BTCUSDT",)"
                                R"("lastPrice":"21000","price24hPcnt":"-0.0015"}})");
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].price.text() == "21000");
        CHECK(p.out[0].change_pct.text() == "-0.15");
        CHECK(p.out[0].volume_24h.empty());  // the snapshot said nothing of it
    }

    TEST_CASE("frames older than the held state are dropped: a handover's old connection") {
        bybit_adapter adapter = subscribed();
        parse(adapter, fixture("ticker.json"));
        auto newer = parse(adapter, fixture("ticker_delta.json"));
        REQUIRE(newer.out.size() == 1);
        // The docs' snapshot again (ts ...003 < ...503): it must not move the state back.
        auto older = parse(adapter, fixture("ticker.json"));
        CHECK(!older.ec);
        CHECK(older.result.kind == frame_kind::tickers);
        CHECK(older.out.empty());
        // The same frame twice (both connections of a handover) passes; the feed client
        // removes the copy.
        CHECK(parse(adapter, fixture("ticker_delta.json")).out.size() == 1);
    }

    TEST_CASE("a delta before any snapshot of its market asks for a reconnect") {
        bybit_adapter adapter = subscribed();
        auto p = parse(adapter, fixture("ticker_delta.json"));
        CHECK(!p.ec);
        CHECK(p.result.kind == frame_kind::reconnect);
        CHECK(p.detail == "delta for BTCUSDT before its snapshot");
        CHECK(p.out.empty());
    }

    TEST_CASE("a ticker for a symbol nobody subscribed: a snapshot parses, a delta is ignored") {
        bybit_adapter adapter = subscribed();
        auto p = parse(adapter, R"({"topic":"tickers.NOPEUSDT","ts":5,"type":"snapshot",)"
                                R"("data":{"symbol":"NOPEUSDT","lastPrice":"1.0"}})");
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].market.view() == "NOPEUSDT");
        sise::market::ticker_table table;
        table.add(sise::exchange_id::bybit, adapter.describe("BTCUSDT"), adapter.basis());
        CHECK_FALSE(table.apply(sise::exchange_id::bybit, p.out[0], 1));

        p = parse(adapter, R"({"topic":"tickers.NOPEUSDT","ts":6,"type":"delta",)"
                           R"("data":{"symbol":"NOPEUSDT","lastPrice":"1.1"}})");
        CHECK(!p.ec);
        CHECK(p.result.kind == frame_kind::ignored);
        CHECK(p.out.empty());
    }

    TEST_CASE("numbers sent as JSON numbers instead of strings are read as well") {
        bybit_adapter adapter = subscribed();
        auto p = parse(adapter, R"({"topic":"tickers.ETHUSDT","ts":"1700000000000",)"
                                R"("type":"snapshot","cs":1,"data":{"symbol":"ETHUSDT",)"
                                R"("lastPrice":3000.50,"price24hPcnt":-0.0123,"volume24h":1e3}})");
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].price.text() == "3000.50");
        CHECK(p.out[0].change_pct.text() == "-1.23");
        CHECK(p.out[0].volume_24h.text() == "1000");
        CHECK(p.out[0].exchange_time_ms == 1700000000000);
    }

    TEST_CASE("the symbol comes from the topic when data leaves it out") {
        bybit_adapter adapter = subscribed();
        auto p = parse(adapter, R"({"topic":"tickers.ETHUSDT","ts":1,"type":"snapshot",)"
                                R"("data":{"lastPrice":"3000"}})");
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].market.view() == "ETHUSDT");
    }

    TEST_CASE("subscribe acks are acks; spot and linear pongs are heartbeats") {
        bybit_adapter adapter = subscribed();
        for (const char* name : {"subscribe_ack.json", "pong.json", "pong_linear.json"}) {
            CAPTURE(name);
            auto p = parse(adapter, fixture(name));
            CHECK(!p.ec);
            CHECK(p.out.empty());
            CHECK(p.detail.empty());
            CHECK(p.result.kind == (std::string_view(name).starts_with("pong")
                                        ? frame_kind::heartbeat
                                        : frame_kind::ack));
        }
        CHECK(parse(adapter, R"({"args":["1672916271846"],"op":"pong"})").result.kind ==
              frame_kind::heartbeat);
        // Our own requests echoed back, or topics we do not read, are not errors.
        CHECK(parse(adapter, fixture("ping_request.json")).result.kind == frame_kind::ignored);
        CHECK(parse(adapter, R"({"topic":"orderbook.1.BTCUSDT","data":{"s":"BTCUSDT"}})")
                  .result.kind == frame_kind::ignored);
    }

    TEST_CASE("a failed subscribe is an exchange error naming the request and Bybit's message") {
        bybit_adapter adapter = subscribed();
        auto p = parse(adapter, fixture("error.json"));
        CHECK(!p.ec);
        CHECK(p.out.empty());
        CHECK(p.result.kind == frame_kind::exchange_error);
        CHECK(p.detail == "subscribe failed: Invalid symbol :[tickers.NOPEUSDT]");
        p = parse(adapter, R"({"success":false,"ret_msg":"args size >10","op":"subscribe"})");
        CHECK(p.detail == "subscribe failed: args size >10");
        p = parse(adapter, R"({"success":false,"ret_msg":"Invalid JSON","op":""})");
        CHECK(p.detail == "request failed: Invalid JSON");
    }

    TEST_CASE("malformed and truncated frames are errors and leave the output untouched") {
        using sise::errc;
        const std::string ticker = fixture("ticker.json");
        check_rejected("", errc::malformed_frame);
        check_rejected("[]", errc::malformed_frame);
        check_rejected("\"pong\"", errc::malformed_frame);
        check_rejected(ticker.substr(0, ticker.size() / 2), errc::malformed_frame);
        check_rejected(ticker + "{}", errc::malformed_frame);
        check_rejected(R"({"topic":"tickers.BTCUSDT","type":"snapshot"})", errc::missing_field);
        check_rejected(
            R"({"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT"}})",
            errc::missing_field);
        check_rejected(R"({"topic":"tickers.","data":{"lastPrice":"1"}})", errc::missing_field);
        check_rejected(R"({"topic":"tickers.BTCUSDT","data":{"lastPrice":"abc"}})",
                       errc::bad_number);
        check_rejected(R"({"topic":"tickers.BTCUSDT","ts":"x","data":{"lastPrice":"1"}})",
                       errc::bad_number);
        check_rejected(R"({"topic":"tickers.BTCUSDT","data":"text"})", errc::malformed_frame);
        check_rejected(R"({"topic":7,"data":{}})", errc::malformed_frame);
        check_rejected(R"({"success":"yes","op":"subscribe"})", errc::malformed_frame);
        check_rejected(std::string(70 * 1024, ' '), errc::frame_too_large);
    }

    TEST_CASE("subscriptions go out ten topics per request, each with a fresh req_id") {
        bybit_adapter adapter;
        std::vector<std::string> markets;
        for (int i = 0; i < 23; ++i) markets.push_back(fmt::format("C{}USDT", i));
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 3);
        CHECK(frames[0].starts_with(R"({"req_id":"1","op":"subscribe","args":["tickers.C0USDT",)"));
        CHECK(frames[1].starts_with(R"({"req_id":"2",)"));
        CHECK(frames[2] == R"({"req_id":"3","op":"subscribe","args":["tickers.C20USDT",)"
                           R"("tickers.C21USDT","tickers.C22USDT"]})");
        for (const auto& frame : frames) {
            std::size_t topics = 0;
            for (auto at = frame.find("tickers."); at != std::string::npos;
                 at = frame.find("tickers.", at + 1))
                ++topics;
            CHECK(topics <= bybit_adapter::max_args_per_request);
        }
        CHECK(adapter.subscribe_frames({}).empty());
    }

    TEST_CASE("the contract: JSON pings every 20 s, the connection's topic budget, the basis") {
        bybit_adapter adapter;
        const auto keepalive = adapter.keepalive();
        CHECK(keepalive.app_ping_text == R"({"op":"ping"})");
        CHECK(keepalive.app_ping_interval == std::chrono::seconds{20});
        const auto limits = adapter.connection_policy();
        CHECK(limits.max_streams == 500);
        CHECK(limits.max_lifetime.count() == 0);
        // §2: 21 000 characters of args per connection, with the longest codes sise keeps.
        CHECK(limits.max_streams * (std::string_view(R"("tickers.",)").size() + 31) <= 21'000);
        CHECK(adapter.basis() == sise::change_basis::rolling_24h);
        CHECK(adapter.default_endpoints().websocket_url == "wss://stream.bybit.com/v5/public/spot");
    }

    TEST_CASE("market codes are spelled as Bybit spells symbols and split by quote coin") {
        bybit_adapter adapter;
        CHECK(adapter.normalize_market("btcusdt") == "BTCUSDT");
        CHECK(!adapter.normalize_market("BTC-USDT"));
        CHECK(!adapter.normalize_market(""));
        auto item = adapter.describe("ETHBTC");
        CHECK(item.base == "ETH");
        CHECK(item.quote == "BTC");
        CHECK(adapter.describe("SOLUSDC").quote == "USDC");
        CHECK(adapter.default_markets() == std::vector<std::string>{"BTCUSDT", "ETHUSDT", "XRPUSDT",
                                                                    "SOLUSDT", "ADAUSDT",
                                                                    "TRXUSDT"});
        CHECK(adapter.fallback_instruments()[0].base == "BTC");
    }

    TEST_CASE("instruments-info yields Trading symbols with their base and quote coin") {
        bybit_adapter adapter;
        CHECK(adapter.market_list_path() == "/v5/market/instruments-info?category=spot");
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        adapter.parse_market_list(fixture("instruments_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        sise::test::check_instrument(out[0], "BTCUSDT", "BTC", "USDT");
        adapter.parse_market_list(
            R"({"retCode":0,"result":{"list":[{"symbol":"AUSDT","status":"PreLaunch"},)"
            R"({"symbol":"BUSDT","baseCoin":"B","quoteCoin":"USDT","status":"Trading"}]}})",
            out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 2);
        CHECK(out[1].market == "BUSDT");
        adapter.parse_market_list(R"({"retCode":10006,"retMsg":"Too many visits!"})", out, ec);
        CHECK(ec == sise::errc::exchange_error);
        adapter.parse_market_list(R"({"retCode":0,"result":{"list":[{"status":"Trading"}]}})", out,
                                  ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_market_list(R"({"retCode":0,"result":{}})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        CHECK(out.size() == 2);
    }

    TEST_CASE("klines yield minute candles, newest first, with the close text Bybit sent") {
        bybit_adapter adapter;
        std::vector<sise::feed::minute_candle> out;
        boost::system::error_code ec;
        adapter.parse_candles(fixture("klines_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 3);
        sise::test::check_candle(out[0], 1670608800000, 17071, 17073, 17027, "17055.5");
        CHECK(out[2].start_ms == 1670601600000);
        adapter.parse_candles(R"({"retCode":0,"result":{"list":[["1","2","3"]]}})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_candles(R"({"retCode":0,"result":{"list":[["1","2","3","x","5"]]}})", out,
                              ec);
        CHECK(ec == sise::errc::bad_number);
        adapter.parse_candles(R"({"retCode":10001,"retMsg":"params error"})", out, ec);
        CHECK(ec == sise::errc::exchange_error);
        CHECK(out.size() == 3);
    }

    TEST_CASE("the kline path asks for spot minutes before the given time") {
        bybit_adapter adapter;
        CHECK(adapter.candles_path("BTCUSDT", 1700000060000, 1000) ==
              "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1"
              "&start=1699940060000&end=1700000059999&limit=1000");
        CHECK(adapter.max_candles_per_request() == 1000);
    }
}
