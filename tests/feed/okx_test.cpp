// The OKX adapter, driven by the fixture frames in tests/fixtures/okx/ (the docs' examples and
// observed captures, see docs/exchanges/okx.md) and by our own variations of them.
#include "sise/feed/okx.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sise/core/error.hpp"
#include "support/adapter_frames.hpp"
#include "support/fixture.hpp"

namespace {

using sise::feed::frame_kind;
using sise::feed::okx_adapter;

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("okx", name);
}

constexpr auto check_rejected = sise::test::check_rejected<okx_adapter>;

frame_kind kind_of(std::string_view frame, std::string* detail = nullptr) {
    return sise::test::kind_of<okx_adapter>(frame, detail);
}

// Parses one frame that must yield exactly one ticker.
sise::ticker_update one_ticker(std::string_view frame) {
    okx_adapter adapter;
    std::vector<sise::ticker_update> out;
    boost::system::error_code ec;
    auto result = adapter.parse(frame, out, ec);
    REQUIRE_MESSAGE(!ec, frame, ": ", ec.message());
    CHECK(result.kind == frame_kind::tickers);
    REQUIRE(out.size() == 1);
    return out[0];
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a tickers push yields one update with the exact strings OKX sent") {
        const auto t = one_ticker(fixture("ticker_realistic.json"));
        CHECK(t.market.view() == "BTC-USDT");
        CHECK(t.price.text() == "51240");
        CHECK(t.day_high.text() == "52080");
        CHECK(t.day_low.text() == "50936");
        // okx.md §3: SPOT vol24h is in the base currency, volCcy24h in the quote currency.
        CHECK(t.volume_24h.text() == "10474.12353007");
        CHECK(t.quote_volume_24h.text() == "539533972.680195094");
        CHECK(t.exchange_time_ms == 1708669925904);  // "ts" is a string
    }

    TEST_CASE("the change is computed against open24h, not the UTC-day open, in percent") {
        // open24h 51695.6, sodUtc0 51290.1: -455.6 and -0.8813 %, never the +0.1 % of sodUtc0.
        const auto t = one_ticker(fixture("ticker_realistic.json"));
        CHECK(t.change.text() == "-455.6");
        CHECK(t.change_pct.text() == "-0.8813");
        const auto docs = one_ticker(fixture("ticker.json"));  // last 9999.99, open24h 9000
        CHECK(docs.change.text() == "999.99");
        CHECK(docs.change_pct.text() == "11.1110");
        CHECK(okx_adapter{}.basis() == sise::change_basis::rolling_24h);
    }

    TEST_CASE("an empty or zero open24h leaves the change unknown, not zero") {
        auto t = one_ticker(
            R"({"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","last":"5","open24h":"","high24h":"","ts":"1"}]})");
        CHECK(t.price.text() == "5");
        CHECK(t.change.empty());
        CHECK(t.change_pct.empty());
        CHECK(t.day_high.empty());
        t = one_ticker(
            R"({"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","last":"5","open24h":"0"}]})");
        CHECK(t.change.empty());
    }

    TEST_CASE("the change is exact at the finer precision, whatever binary floating point says") {
        auto t = one_ticker(
            R"({"arg":{"channel":"tickers"},"data":[{"instId":"PEPE-USDT","last":"0.00001234","open24h":"0.000012"}]})");
        CHECK(t.change.text() == "0.00000034");
        CHECK(t.change_pct.text() == "2.8333");
        t = one_ticker(
            R"({"arg":{"channel":"tickers"},"data":[{"instId":"A-USDT","last":"0.1","open24h":"0.3"}]})");
        CHECK(t.change.text() == "-0.2");
        CHECK(t.change_pct.text() == "-66.6667");  // half away from zero
        t = one_ticker(
            R"({"arg":{"channel":"tickers"},"data":[{"instId":"A-USDT","last":"2.00005","open24h":"2"}]})");
        CHECK(t.change.text() == "0.00005");
        CHECK(t.change_pct.text() == "0.0025");
        // Beyond 18 digits at the common precision: unknown rather than rounded.
        t = one_ticker(
            R"({"arg":{"channel":"tickers"},"data":[{"instId":"A-USDT","last":"123456789012.123456789","open24h":"1"}]})");
        CHECK(t.price.text() == "123456789012.123456789");
        CHECK(t.change.empty());
        CHECK(t.change_pct.empty());
    }

    TEST_CASE("numbers sent as JSON numbers instead of strings are read as well") {
        const auto t = one_ticker(
            R"({"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[{"instId":"ETH-USDT","last":3000.50,"open24h":3000,"ts":1700000000000}]})");
        CHECK(t.price.text() == "3000.50");
        CHECK(t.change.text() == "0.50");
        CHECK(t.change_pct.text() == "0.0167");
        CHECK(t.exchange_time_ms == 1700000000000);
    }

    TEST_CASE("parse_padded reads a frame in place like parse") {
        const auto p = sise::test::parse_padded_with<okx_adapter>(fixture("ticker_realistic.json"));
        REQUIRE(!p.ec);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].price.text() == "51240");
    }

    TEST_CASE("keys spelled with escapes read as the names they spell") {
        okx_adapter plain, escaped;
        sise::test::check_escaped_keys_read_alike(plain, escaped, fixture("ticker_realistic.json"));
    }

    TEST_CASE("every push is a full snapshot: a second push replaces, several data elements add") {
        okx_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(fixture("ticker.json"), out, ec);
        REQUIRE(!ec);
        adapter.parse(
            R"({"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","last":"1"},{"instId":"BTC-USDT","last":"2"}]})",
            out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 3);
        CHECK(out[1].price.text() == "1");
        CHECK(out[2].price.text() == "2");
    }

    TEST_CASE("a derivative's volumes are read with their own units") {
        // okx.md §3: for SWAP volCcy24h is the base currency, vol24h contracts. The REST ticker
        // body has the same fields inside {"code","msg","data"}.
        const auto t = one_ticker(fixture("rest_ticker.json"));
        CHECK(t.market.view() == "BTC-USD-SWAP");
        CHECK(t.volume_24h.text() == "2222");
        CHECK(t.quote_volume_24h.empty());
    }

    TEST_CASE("subscribe and unsubscribe acks are acks, not tickers") {
        CHECK(kind_of(fixture("subscribe_ack.json")) == frame_kind::ack);
        CHECK(kind_of(fixture("unsubscribe_ack.json")) == frame_kind::ack);
    }

    TEST_CASE("the bare text pong is a heartbeat, not a malformed frame") {
        CHECK(kind_of(fixture("pong.txt")) == frame_kind::heartbeat);
        CHECK(kind_of("pong\n") == frame_kind::heartbeat);
        // okx.md §5 [observed]: a text ping from the server is a sign of life as well.
        CHECK(kind_of(fixture("ping_request.txt")) == frame_kind::heartbeat);
        check_rejected("pongs", sise::errc::malformed_frame);
        check_rejected("PONG", sise::errc::malformed_frame);
    }

    TEST_CASE("error events are exchange errors with their string code and message") {
        std::string detail;
        CHECK(kind_of(fixture("error.json"), &detail) == frame_kind::exchange_error);
        CHECK(detail.starts_with("code 60012: Invalid request: {\"op\": \"subscribe\""));
        CHECK(kind_of(fixture("error_unknown_instid.json"), &detail) == frame_kind::exchange_error);
        CHECK(detail ==
              "code 60018: Wrong URL or channel:tickers,instId:NMR-USDT doesn't exist. Please use "
              "the correct URL, channel and parameters referring to API document.");
        CHECK(kind_of(R"({"event":"error","code":60014,"msg":"Requests too frequent."})",
                      &detail) == frame_kind::exchange_error);
        CHECK(detail == "code 60014: Requests too frequent.");
    }

    TEST_CASE("the service-upgrade notice asks for a reconnect") {
        std::string detail;
        CHECK(kind_of(fixture("notice.json"), &detail) == frame_kind::reconnect);
        CHECK(detail ==
              "notice 64008: The connection will soon be closed for a service upgrade. Please "
              "reconnect.");
    }

    TEST_CASE("other events and other channels' pushes are ignored") {
        CHECK(kind_of(R"({"event":"channel-conn-count","channel":"tickers","connCount":"2"})") ==
              frame_kind::ignored);
        CHECK(kind_of(R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"px":"1"}]})") ==
              frame_kind::ignored);
    }

    TEST_CASE(
        "a ticker for an instrument nobody subscribed is still parsed; the table rejects it") {
        const auto t = one_ticker(
            R"({"arg":{"channel":"tickers","instId":"NMR-USDT"},"data":[{"instId":"NMR-USDT","last":"9.1"}]})");
        CHECK(t.market.view() == "NMR-USDT");
    }

    TEST_CASE("malformed and truncated frames are errors and leave the output untouched") {
        using sise::errc;
        const std::string ticker = fixture("ticker.json");
        check_rejected("", errc::malformed_frame);
        check_rejected("{", errc::malformed_frame);
        check_rejected("42", errc::malformed_frame);
        check_rejected("[]", errc::malformed_frame);
        check_rejected(ticker.substr(0, ticker.size() / 2), errc::malformed_frame);
        check_rejected(ticker + "{}", errc::malformed_frame);
        check_rejected(R"({"arg":{"channel":"tickers"},"data":[{"instId":"BTC-USDT"}]})",
                       errc::missing_field);
        check_rejected(R"({"arg":{"channel":"tickers"},"data":[{"last":"1"}]})",
                       errc::missing_field);
        check_rejected(R"({"arg":{"channel":"tickers"},"data":[{"instId":"A","last":"x"}]})",
                       errc::bad_number);
        check_rejected(
            R"({"arg":{"channel":"tickers"},"data":[{"instId":"A","last":"1","ts":"x"}]})",
            errc::bad_number);
        check_rejected(
            R"({"arg":{"channel":"tickers"},"data":[{"instId":"A","last":"1"},{"instId":"B"}]})",
            errc::missing_field);
        check_rejected(R"({"arg":{"channel":"tickers"},"data":{"instId":"A"}})",
                       errc::malformed_frame);
        check_rejected(R"({"arg":"tickers","data":[]})", errc::malformed_frame);
        check_rejected(R"({"event":1})", errc::malformed_frame);
        check_rejected(
            R"({"arg":{"channel":"tickers"},"data":[{"instId":"AN-INSTRUMENT-ID-LONGER-THAN-31-X","last":"1"}]})",
            errc::malformed_frame);
        check_rejected(std::string(70 * 1024, ' '), errc::frame_too_large);
    }

    TEST_CASE("subscribe requests batch the tickers args, at most 100 a request, with fresh ids") {
        okx_adapter adapter;
        const std::vector<std::string> two{"BTC-USDT", "ETH-USDT"};
        auto frames = adapter.subscribe_frames(two);
        REQUIRE(frames.size() == 1);
        CHECK(frames[0] ==
              R"({"id":"1","op":"subscribe","args":[{"channel":"tickers","instId":"BTC-USDT"},)"
              R"({"channel":"tickers","instId":"ETH-USDT"}]})");
        std::vector<std::string> many;
        for (int i = 0; i < 250; ++i) many.push_back("C" + std::to_string(i) + "-USDT");
        frames = adapter.subscribe_frames(many);
        REQUIRE(frames.size() == 3);
        CHECK(frames[0].starts_with(R"({"id":"2",)"));
        CHECK(frames[2].starts_with(R"({"id":"4",)"));
        std::size_t args = 0;
        for (const auto& frame : frames) {
            std::size_t in_frame = 0;
            for (auto at = frame.find("instId"); at != std::string::npos;
                 at = frame.find("instId", at + 1))
                ++in_frame;
            CHECK(in_frame <= okx_adapter::max_args_per_subscribe);
            CHECK(frame.size() < 64 * 1024);  // okx.md §2
            args += in_frame;
        }
        CHECK(args == 250);
        CHECK(frames[2].find(R"("instId":"C249-USDT")") != std::string::npos);
        CHECK(adapter.subscribe_frames({}).empty());
    }

    TEST_CASE("the keepalive is the text ping well within OKX's 30 seconds") {
        const auto policy = okx_adapter{}.keepalive();
        CHECK(policy.app_ping_text == "ping");
        CHECK(policy.app_ping_interval < std::chrono::seconds{30});
        CHECK(policy.app_ping_interval > std::chrono::milliseconds{0});
        // The feed's idle timeout (twice ping_interval) is OKX's own 30 s.
        CHECK(2 * policy.ping_interval == std::chrono::seconds{30});
    }

    TEST_CASE("market codes are spelled BASE-QUOTE in upper case and split at the dash") {
        okx_adapter adapter;
        CHECK(adapter.normalize_market("btc-usdt") == "BTC-USDT");
        CHECK(!adapter.normalize_market("BTCUSDT-"));
        CHECK(!adapter.normalize_market("BTC/USDT"));
        CHECK(!adapter.normalize_market(""));
        auto item = adapter.describe("ETH-BTC");
        CHECK(item.base == "ETH");
        CHECK(item.quote == "BTC");
        item = adapter.describe("BTC-USDT-SWAP");
        CHECK(item.base == "BTC");
        CHECK(item.quote == "USDT");
    }

    TEST_CASE("the default markets are the USDT pairs of Binance's default coins") {
        okx_adapter adapter;
        const auto markets = adapter.default_markets();
        REQUIRE(markets.size() == 6);
        CHECK(markets[0] == "BTC-USDT");
        CHECK(markets[5] == "TRX-USDT");
        for (const auto& m : markets) CHECK(adapter.normalize_market(m) == m);
        const auto fallback = adapter.fallback_instruments();
        REQUIRE(fallback.size() == 6);
        CHECK(fallback[1].base == "ETH");
        CHECK(fallback[1].quote == "USDT");
    }

    TEST_CASE("the instrument list yields live spot instruments with base and quote") {
        okx_adapter adapter;
        CHECK(adapter.market_list_path() == "/api/v5/public/instruments?instType=SPOT");
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        adapter.parse_market_list(fixture("instruments_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        sise::test::check_instrument(out[0], "BTC-USDT", "BTC", "USDT");
        adapter.parse_market_list(
            R"({"code":"0","msg":"","data":[{"instId":"A-USDT","state":"suspend"},{"instId":"B-USDT","state":"live"}]})",
            out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 2);
        CHECK(out[1].market == "B-USDT");
    }

    TEST_CASE("a failed or malformed instrument list is an error and adds nothing") {
        okx_adapter adapter;
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        adapter.parse_market_list(R"({"code":"50011","msg":"Too Many Requests","data":[]})", out,
                                  ec);
        CHECK(ec == sise::errc::exchange_error);
        adapter.parse_market_list(R"({"code":"0","msg":""})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_market_list(R"({"code":"0","data":[{"state":"live"}]})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_market_list(R"({"code":"0","data":[{"instId":"A-B"},{"instId":7}]})", out,
                                  ec);
        CHECK(ec == sise::errc::malformed_frame);
        adapter.parse_market_list("<html>", out, ec);
        CHECK(ec == sise::errc::malformed_frame);
        CHECK(out.empty());
    }

    TEST_CASE("candles yield minute candles with the close text OKX sent") {
        okx_adapter adapter;
        std::vector<sise::feed::minute_candle> out;
        boost::system::error_code ec;
        adapter.parse_candles(fixture("klines_sample.json"), out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 2);
        sise::test::check_candle(out[0], 1597026383085, 3.721, 3.743, 3.677, "3.708");
        CHECK(out[1].close.text() == "3.72");
        CHECK(out[0].last_trade_ms == 0);
    }

    TEST_CASE("a still-forming candle is left out; bad candles are errors and add nothing") {
        okx_adapter adapter;
        std::vector<sise::feed::minute_candle> out;
        boost::system::error_code ec;
        adapter.parse_candles(
            R"({"code":"0","msg":"","data":[["120000","1","1","1","1.5","0","0","0","0"],["60000","1","2","0.5","1.25","0","0","0","1"]]})",
            out, ec);
        REQUIRE(!ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].start_ms == 60000);
        CHECK(out[0].close.text() == "1.25");
        adapter.parse_candles(R"({"code":"0","data":[["60000","1","2"]]})", out, ec);
        CHECK(ec == sise::errc::missing_field);
        adapter.parse_candles(R"({"code":"0","data":[["60000","1","2","x","4"]]})", out, ec);
        CHECK(ec == sise::errc::bad_number);
        adapter.parse_candles(R"({"code":"0","data":[["soon","1","2","1","4"]]})", out, ec);
        CHECK(ec == sise::errc::bad_number);
        adapter.parse_candles(R"({"code":"51001","msg":"Instrument ID does not exist","data":[]})",
                              out, ec);
        CHECK(ec == sise::errc::exchange_error);
        CHECK(out.size() == 1);
    }

    TEST_CASE("the candles path asks for up to 300 minutes before the given time") {
        okx_adapter adapter;
        CHECK(adapter.max_candles_per_request() == 300);
        CHECK(adapter.candles_path("BTC-USDT", 1700000060000, 300) ==
              "/api/v5/market/candles?instId=BTC-USDT&bar=1m&after=1700000060000&limit=300");
        CHECK(adapter.candles_path("BTC-USDT", 1700000060000, 1000).ends_with("&limit=300"));
    }

    TEST_CASE("REST requests are paced under OKX's candle limit of 20 per 2 seconds") {
        const auto pacing = okx_adapter{}.rest_policy();
        CHECK(pacing.request_spacing >= std::chrono::milliseconds{100});
        CHECK(pacing.budget_header.empty());
    }
}
