// The Bithumb adapter, driven by the sample frames of the Bithumb API reference copied to
// tests/fixtures/bithumb/ (the docs' example, a real 2026 frame, the REST samples) and by a few
// variations of them written inline.
#include "sise/feed/bithumb.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sise/core/error.hpp"
#include "sise/feed/registry.hpp"
#include "sise/market/table.hpp"
#include "support/fixture.hpp"

namespace {

using sise::feed::bithumb_adapter;
using sise::feed::frame_kind;

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("bithumb", name);
}

// What the docs' example frame (bithumb.md §3, ticker_default.json) says, normalized.
void check_docs_example(const sise::ticker_update& t) {
    CHECK(t.market.view() == "KRW-BTC");
    CHECK(t.price.text() == "493100");
    CHECK(t.change.text() == "8600");
    CHECK(t.change_pct.text() == "1.775026");  // 0.01775026 as a fraction (§4)
    CHECK(t.day_high.text() == "493100");
    CHECK(t.day_low.text() == "472500");
    CHECK(t.volume_24h.text() == "13380.57687512");
    CHECK(t.quote_volume_24h.text() == "8227950466.316009");
    CHECK(t.exchange_time_ms == 1725927377174);  // trade_timestamp, not the KST trade_time
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "no ", from, " in the fixture");
    text.replace(at, from.size(), to);
    return text;
}

struct parsed {
    sise::feed::frame_kind kind = frame_kind::ignored;
    std::string detail;
    boost::system::error_code ec;
    std::vector<sise::ticker_update> out;
};

parsed parse(bithumb_adapter& adapter, std::string_view frame) {
    parsed p;
    const auto result = adapter.parse(frame, p.out, p.ec);
    p.kind = result.kind;
    p.detail = std::string(result.detail);
    return p;
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a Bithumb DEFAULT ticker frame yields one update with the exact texts sent") {
        bithumb_adapter adapter;
        const auto p = parse(adapter, fixture("ticker_default.json"));
        REQUIRE_FALSE(p.ec);
        CHECK(p.kind == frame_kind::tickers);
        REQUIRE(p.out.size() == 1);
        check_docs_example(p.out[0]);
    }

    TEST_CASE("a Bithumb SIMPLE ticker frame yields the same update as the DEFAULT one") {
        bithumb_adapter adapter;
        const auto p = parse(adapter, fixture("ticker_simple.json"));
        REQUIRE_FALSE(p.ec);
        REQUIRE(p.out.size() == 1);
        check_docs_example(p.out[0]);
    }

    TEST_CASE("the real 2026 Bithumb frame parses, its empty delisting_date included") {
        bithumb_adapter adapter;
        const auto p = parse(adapter, fixture("ticker_default_live_sample.json"));
        REQUIRE_FALSE(p.ec);
        REQUIRE(p.out.size() == 1);
        const auto& t = p.out[0];
        CHECK(t.market.view() == "KRW-BTC");
        CHECK(t.price.text() == "95299000");
        CHECK(t.change.text() == "1098000");
        CHECK(t.change_pct.text() == "1.165593");
        CHECK(t.volume_24h.text() == "310.44065227");
        CHECK(t.exchange_time_ms == 1783655148303);
    }

    TEST_CASE("Bithumb snapshot and realtime frames yield the same kind of update") {
        bithumb_adapter adapter;
        const std::string snapshot = fixture("ticker_default.json");
        const std::string realtime =
            replaced(snapshot, R"("stream_type":"SNAPSHOT")", R"("stream_type":"REALTIME")");
        const auto a = parse(adapter, snapshot);
        const auto b = parse(adapter, realtime);
        REQUIRE_FALSE(a.ec);
        REQUIRE_FALSE(b.ec);
        REQUIRE(a.out.size() == 1);
        REQUIRE(b.out.size() == 1);
        CHECK(a.out[0].price == b.out[0].price);
        CHECK(a.out[0].exchange_time_ms == b.out[0].exchange_time_ms);
    }

    TEST_CASE("Bithumb's {\"status\":\"UP\"} is a heartbeat with no tickers and no error") {
        bithumb_adapter adapter;
        const auto p = parse(adapter, fixture("status_up.json"));
        CHECK_FALSE(p.ec);
        CHECK(p.kind == frame_kind::heartbeat);
        CHECK(p.out.empty());
    }

    TEST_CASE("a Bithumb trade frame is ignored, not an error") {
        bithumb_adapter adapter;
        const auto p = parse(adapter, fixture("trade_default.json"));
        CHECK_FALSE(p.ec);
        CHECK(p.kind == frame_kind::ignored);
        CHECK(p.out.empty());
    }

    TEST_CASE("a Bithumb error frame is reported with its name and carries no tickers") {
        bithumb_adapter adapter;
        const auto p = parse(adapter, fixture("error.json"));
        CHECK_FALSE(p.ec);
        CHECK(p.kind == frame_kind::exchange_error);
        CHECK(p.detail == "NO_CODES");
        CHECK(p.out.empty());
    }

    TEST_CASE("a Bithumb ticker for a market nobody configured parses but the table refuses it") {
        bithumb_adapter adapter;
        const auto p = parse(adapter, replaced(fixture("ticker_default.json"),
                                               R"("code":"KRW-BTC")", R"("code":"KRW-NOPE")"));
        REQUIRE_FALSE(p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].market.view() == "KRW-NOPE");
        sise::market::ticker_table table;
        table.add(sise::exchange_id::bithumb, adapter.describe("KRW-BTC"), adapter.basis());
        CHECK_FALSE(table.apply(sise::exchange_id::bithumb, p.out[0], 1));
        CHECK_FALSE(table.row(0).has_ticker);
    }

    TEST_CASE("malformed Bithumb frames are errors that leave the output untouched") {
        bithumb_adapter adapter;
        const std::string good = fixture("ticker_default.json");
        const std::string cases[] = {
            good.substr(0, good.size() / 2),                                         // truncated
            fixture("ping_text_message.txt"),                                        // bare PING
            replaced(good, R"("trade_price":493100,)", ""),                          // no price
            replaced(good, R"("trade_price":493100)", R"("trade_price":"493100")"),  // string
            replaced(good, R"("code":"KRW-BTC")", R"("code":42)"),
            good + good,  // two objects in one frame
        };
        for (const auto& frame : cases) {
            CAPTURE(frame);
            std::vector<sise::ticker_update> out(1);
            out[0].market.assign("KRW-SENTINEL");
            boost::system::error_code ec;
            adapter.parse(frame, out, ec);
            CHECK(ec);
            REQUIRE(out.size() == 1);
            CHECK(out[0].market.view() == "KRW-SENTINEL");
        }
    }

    TEST_CASE("the Bithumb subscribe request is Upbit's shape with DEFAULT format and no flags") {
        bithumb_adapter adapter;
        const std::vector<std::string> markets{"KRW-BTC", "KRW-ETH"};
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 1);
        CHECK(frames[0] ==
              R"([{"ticket":"sise-1"},{"type":"ticker","codes":["KRW-BTC","KRW-ETH"]},)"
              R"({"format":"DEFAULT"}])");
        CHECK(adapter.subscribe_frames({}).empty());  // empty codes only earn INVALID_PARAM
    }

    TEST_CASE("the Bithumb market list yields instruments with Bithumb's own names") {
        bithumb_adapter adapter;
        std::vector<sise::feed::instrument> list;
        boost::system::error_code ec;
        adapter.parse_market_list(fixture("market_all_sample.json"), list, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(list.size() >= 12);
        CHECK(list[0].market == "KRW-BTC");
        CHECK(list[0].base == "BTC");
        CHECK(list[0].quote == "KRW");
        CHECK(list[2].name_ko == "엑스알피 [리플]");
        std::vector<sise::feed::instrument> details;
        adapter.parse_market_list(fixture("market_all_details_sample.json"), details, ec);
        REQUIRE_FALSE(ec);
        CHECK(details.size() == 2);
        adapter.parse_market_list("[{\"market\":", details, ec);
        CHECK(ec);
        CHECK(details.size() == 2);
    }

    TEST_CASE("Bithumb candles parse like Upbit's and are asked for with a KST `to`") {
        bithumb_adapter adapter;
        std::vector<sise::feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(fixture("candles_minutes_sample.json"), candles, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(candles.size() == 1);
        CHECK(candles[0].start_ms == 1524046560000);  // 2018-04-18T10:16:00 UTC
        CHECK(candles[0].close.text() == "8616000");
        CHECK(candles[0].last_trade_ms == 1524046594584);
        // 2024-09-10T00:16:00Z is 09:16:00 KST (bithumb.md §10: `to` without offset is KST).
        CHECK(adapter.candles_path("KRW-BTC", 1725927360000, 200) ==
              "/v1/candles/minutes/1?market=KRW-BTC&to=2024-09-10%2009:16:00&count=200");
    }

    TEST_CASE("Bithumb declares the KST-midnight basis, a text PING keepalive and its hosts") {
        bithumb_adapter adapter;
        CHECK(adapter.basis() == sise::change_basis::prev_close_kst0);
        CHECK(sise::to_string(adapter.basis()) == "prev_close_kst0");
        CHECK(adapter.keepalive().app_ping_text == "PING");
        CHECK(adapter.keepalive().app_ping_interval < std::chrono::seconds{120});
        CHECK(adapter.default_endpoints().websocket_url == "wss://ws-api.bithumb.com/websocket/v1");
        CHECK(adapter.default_endpoints().rest_url == "https://api.bithumb.com");
        const auto markets = adapter.default_markets();
        REQUIRE(markets.size() == 12);
        CHECK(markets[0] == "KRW-BTC");
        CHECK(adapter.normalize_market("krw-btc") == "KRW-BTC");
        CHECK_FALSE(adapter.normalize_market("BTC_KRW"));  // the legacy pubwss spelling (§11)
        CHECK_FALSE(adapter.normalize_market("KRW-BTC-X"));
        CHECK(sise::feed::has_adapter(sise::exchange_id::bithumb));
        CHECK(sise::feed::make_adapter(sise::exchange_id::bithumb)->id() ==
              sise::exchange_id::bithumb);
    }
}
