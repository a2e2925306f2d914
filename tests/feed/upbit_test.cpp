// The Upbit adapter, driven by the fixture frames in tests/fixtures/upbit/ (the docs'
// examples, see docs/exchanges/upbit.md) and by our own sise_*.json variations.
#include "sise/feed/upbit.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sise/core/error.hpp"
#include "support/fixture.hpp"

namespace {

using sise::feed::frame_kind;
using sise::feed::upbit_adapter;

std::string fixture(std::string_view name) {
    return sise::test::read_fixture("upbit", name);
}

// The update every rendering of the docs' example frame (upbit.md §3) must produce.
void check_docs_example(const sise::ticker_update& t) {
    CHECK(t.market.view() == "KRW-BTC");
    CHECK(t.price.text() == "32287000");
    CHECK(t.change.text() == "404000.00000000");
    CHECK(t.change_pct.text() == "1.26713295");
    CHECK(t.day_high.text() == "32310000");
    CHECK(t.day_low.text() == "31855000");
    CHECK(t.volume_24h.text() == "7158.80283560");
    CHECK(t.quote_volume_24h.text() == "228827082483.70729000");
    CHECK(t.exchange_time_ms == 1676965262139);
}

bool same_update(const sise::ticker_update& a, const sise::ticker_update& b) {
    return a.market == b.market && a.price == b.price && a.change == b.change &&
           a.change_pct == b.change_pct && a.day_high == b.day_high && a.day_low == b.day_low &&
           a.volume_24h == b.volume_24h && a.quote_volume_24h == b.quote_volume_24h &&
           a.exchange_time_ms == b.exchange_time_ms;
}

// An update already in `out`, to show that parse appends and that errors leave it alone.
sise::ticker_update sentinel() {
    sise::ticker_update t;
    t.market.assign("KRW-SENTINEL");
    t.price = *sise::decimal::from_json_number("1");
    t.exchange_time_ms = 42;
    return t;
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a DEFAULT ticker frame yields one update with the exact texts Upbit sent") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        const auto result = adapter.parse(fixture("ticker_default.json"), out, ec);
        REQUIRE_FALSE(ec);
        CHECK(result.kind == frame_kind::tickers);
        CHECK(result.detail.empty());
        REQUIRE(out.size() == 1);
        check_docs_example(out[0]);
    }

    TEST_CASE("SIMPLE and SIMPLE_LIST frames yield the same update as the DEFAULT frame") {
        upbit_adapter adapter;
        boost::system::error_code ec;
        std::vector<sise::ticker_update> expected;
        adapter.parse(fixture("ticker_default.json"), expected, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(expected.size() == 1);

        for (const char* name : {"ticker_simple.json", "ticker_simple_list.json"}) {
            CAPTURE(name);
            std::vector<sise::ticker_update> out;
            const auto result = adapter.parse(fixture(name), out, ec);
            REQUIRE_FALSE(ec);
            CHECK(result.kind == frame_kind::tickers);
            REQUIRE(out.size() == 1);
            check_docs_example(out[0]);
            CHECK(same_update(out[0], expected[0]));
        }
    }

    TEST_CASE("a JSON_LIST frame appends every ticker after what out already holds") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out{sentinel()};
        boost::system::error_code ec;
        const auto result = adapter.parse(fixture("sise_ticker_json_list_two.json"), out, ec);
        REQUIRE_FALSE(ec);
        CHECK(result.kind == frame_kind::tickers);
        REQUIRE(out.size() == 3);
        CHECK(same_update(out[0], sentinel()));
        CHECK(out[1].market.view() == "KRW-BTC");
        CHECK(out[1].change_pct.text() == "1.26713295");
        CHECK(out[2].market.view() == "KRW-ETH");
        CHECK(out[2].price.text() == "2291000.0");
        CHECK(out[2].change_pct.text() == "-0.12");
        CHECK(out[2].exchange_time_ms == 1676965262140);
    }

    TEST_CASE(
        "a list frame is tickers if it carries any, otherwise it takes its first item's kind") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        auto result = adapter.parse(
            R"([{"ty":"trade","cd":"KRW-BTC","tp":1},{"ty":"ticker","cd":"KRW-ETH","tp":2}])", out,
            ec);
        REQUIRE_FALSE(ec);
        CHECK(result.kind == frame_kind::tickers);
        REQUIRE(out.size() == 1);
        CHECK(out[0].market.view() == "KRW-ETH");

        result = adapter.parse(R"([{"ty":"trade","cd":"KRW-BTC","tp":1}])", out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::ignored);

        result = adapter.parse(R"([{"error":{"name":"WRONG_FORMAT"}},{"status":"UP"}])", out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::exchange_error);
        CHECK(result.detail == "WRONG_FORMAT");

        result = adapter.parse("[]", out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::tickers);
        CHECK(out.size() == 1);
    }

    TEST_CASE("fields in any order, with unknown and nested fields, give the same update") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        const auto result = adapter.parse(fixture("sise_ticker_reordered_unknown.json"), out, ec);
        REQUIRE_FALSE(ec);
        CHECK(result.kind == frame_kind::tickers);
        REQUIRE(out.size() == 1);
        check_docs_example(out[0]);
    }

    TEST_CASE("prices sent with exponents are expanded without losing digits") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(fixture("sise_ticker_exponent.json"), out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 1);
        const auto& t = out[0];
        CHECK(t.price.text() == "32287000");
        CHECK(t.change.text() == "404000");
        CHECK(t.change_pct.text() == "1.26713295");
        CHECK(t.day_high.text() == "32310000");
        CHECK(t.day_low.text() == "31855000");
        CHECK(t.volume_24h.text() == "7158.80283560");
        CHECK(t.quote_volume_24h.text() == "228827082483.70729000");
        CHECK(t.exchange_time_ms == 1676965262139);
    }

    TEST_CASE("null optional fields stay empty and the message time stands in for the trade time") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(fixture("sise_ticker_nulls_no_trade_timestamp.json"), out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 1);
        const auto& t = out[0];
        CHECK(t.market.view() == "KRW-SAND");
        CHECK(t.price.text() == "0.000015");
        CHECK(t.change.empty());
        CHECK(t.change_pct.empty());
        CHECK(t.day_high.empty());
        CHECK(t.day_low.empty());
        CHECK(t.volume_24h.empty());
        CHECK(t.quote_volume_24h.empty());
        CHECK(t.exchange_time_ms == 1676965262177);
    }

    TEST_CASE("a ticker without any timestamp is accepted with time zero") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(R"({"type":"ticker","code":"KRW-BTC","trade_price":1})", out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].exchange_time_ms == 0);
    }

    TEST_CASE("status UP is a heartbeat with no tickers and no error") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out{sentinel()};
        boost::system::error_code ec;
        const auto result = adapter.parse(fixture("status_up.json"), out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::heartbeat);
        CHECK(out.size() == 1);
    }

    TEST_CASE("an error frame reports the error name and is not a parse error") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        const auto result = adapter.parse(fixture("error.json"), out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::exchange_error);
        CHECK(result.detail == "NO_CODES");
        CHECK(out.empty());

        // The name is copied out of the frame: it survives the caller's buffer going away.
        std::string frame = R"({"error":{"message":"x","name":"INVALID_PARAM"}})";
        const auto second = adapter.parse(frame, out, ec);
        frame.assign(frame.size(), ' ');
        CHECK(second.detail == "INVALID_PARAM");
    }

    TEST_CASE("a LIST_SUBSCRIPTIONS reply is an ack") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        const auto result = adapter.parse(fixture("list_subscriptions_response.json"), out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::ack);
        CHECK(out.empty());
    }

    TEST_CASE("trade and other non-ticker messages are ignored, in both key spellings") {
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        auto result = adapter.parse(fixture("trade_default.json"), out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::ignored);
        CHECK(out.empty());

        result = adapter.parse(R"({"ty":"orderbook","cd":"KRW-BTC","tms":1})", out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::ignored);
        CHECK(out.empty());

        result = adapter.parse(R"({"status":"DOWN"})", out, ec);
        CHECK_FALSE(ec);
        CHECK(result.kind == frame_kind::ignored);
    }

    TEST_CASE("a malformed frame is an error, leaves out unchanged, and the next frame parses") {
        const std::string good = fixture("ticker_default.json");
        const std::string deep = std::string(5000, '[') + std::string(5000, ']');
        struct row {
            std::string name;
            std::string frame;
            sise::errc expected;
        };
        const row rows[] = {
            {"truncated", good.substr(0, good.size() / 2), sise::errc::malformed_frame},
            {"missing closing brace", good.substr(0, good.rfind('}')), sise::errc::malformed_frame},
            {"garbage bytes", std::string("\xff\xfe\x00\x01garbage", 11),
             sise::errc::malformed_frame},
            {"empty", "", sise::errc::malformed_frame},
            {"whitespace only", " \n\t ", sise::errc::malformed_frame},
            {"open bracket", "[", sise::errc::malformed_frame},
            {"open brace", "{", sise::errc::malformed_frame},
            {"text PING", fixture("ping_text_message.txt"), sise::errc::malformed_frame},
            {"bare number", "123", sise::errc::malformed_frame},
            {"bare string", R"("ticker")", sise::errc::malformed_frame},
            {"deeply nested arrays", deep, sise::errc::malformed_frame},
            {"unbalanced nesting in an unknown field",
             R"({"type":"ticker","code":"KRW-BTC","trade_price":1,"x":)" + std::string(3000, '[') +
                 std::string(2999, ']') + "}",
             sise::errc::malformed_frame},
            {"array of non-objects", "[1,2]", sise::errc::malformed_frame},
            {"two objects glued", R"({"status":"UP"}{"status":"UP"})", sise::errc::malformed_frame},
            {"trailing garbage", R"({"status":"UP"} x)", sise::errc::malformed_frame},
            {"type is a number", R"({"type":5,"code":"KRW-BTC","trade_price":1})",
             sise::errc::malformed_frame},
            {"code is a number", R"({"type":"ticker","code":5,"trade_price":1})",
             sise::errc::malformed_frame},
            {"code longer than market_code",
             R"({"type":"ticker","code":")" + std::string(32, 'A') + R"(","trade_price":1})",
             sise::errc::malformed_frame},
            {"invalid UTF-8 in a string",
             "{\"type\":\"ticker\",\"code\":\"KRW-\xc3\x28\",\"tp\":1}",
             sise::errc::malformed_frame},
            {"error object is a string", R"({"error":"NO_CODES"})", sise::errc::malformed_frame},
            {"ticker without code", R"({"type":"ticker"})", sise::errc::missing_field},
            {"ticker without price", R"({"type":"ticker","code":"KRW-BTC"})",
             sise::errc::missing_field},
            {"ticker with null price", R"({"type":"ticker","code":"KRW-BTC","trade_price":null})",
             sise::errc::missing_field},
            {"ticker with null code", R"({"type":"ticker","code":null,"trade_price":1})",
             sise::errc::missing_field},
            {"ticker with empty code", R"({"type":"ticker","code":"","trade_price":1})",
             sise::errc::missing_field},
            {"price as a string", fixture("sise_ticker_price_string.json"), sise::errc::bad_number},
            {"price 1e400", R"({"type":"ticker","code":"KRW-BTC","trade_price":1e400})",
             sise::errc::bad_number},
            {"price with a leading zero", R"({"type":"ticker","code":"KRW-BTC","trade_price":01})",
             sise::errc::bad_number},
            {"price NaN", R"({"type":"ticker","code":"KRW-BTC","trade_price":NaN})",
             sise::errc::bad_number},
            {"price true", R"({"type":"ticker","code":"KRW-BTC","trade_price":true})",
             sise::errc::bad_number},
            {"price an object", R"({"type":"ticker","code":"KRW-BTC","trade_price":{"v":1}})",
             sise::errc::bad_number},
            {"optional field a string", R"({"ty":"ticker","cd":"KRW-BTC","tp":1,"hp":"2"})",
             sise::errc::bad_number},
            {"rate too long to shift",
             R"({"ty":"ticker","cd":"KRW-BTC","tp":1,"scr":)" + std::string(38, '9') + "}",
             sise::errc::bad_number},
            {"timestamp a string",
             R"({"ty":"ticker","cd":"KRW-BTC","tp":1,"ttms":"1676965262139"})",
             sise::errc::bad_number},
            {"timestamp with a fraction", R"({"ty":"ticker","cd":"KRW-BTC","tp":1,"ttms":1.5})",
             sise::errc::bad_number},
            {"timestamp beyond int64",
             R"({"ty":"ticker","cd":"KRW-BTC","tp":1,"tms":9223372036854775808})",
             sise::errc::bad_number},
            {"list with a bad second ticker",
             R"([{"ty":"ticker","cd":"KRW-BTC","tp":1},{"ty":"ticker","cd":"KRW-ETH","tp":"2"}])",
             sise::errc::bad_number},
            {"list cut after a good ticker", R"([{"ty":"ticker","cd":"KRW-BTC","tp":1},)",
             sise::errc::malformed_frame},
        };

        upbit_adapter adapter;
        for (const auto& r : rows) {
            CAPTURE(r.name);
            std::vector<sise::ticker_update> out{sentinel()};
            boost::system::error_code ec;
            const auto result = adapter.parse(r.frame, out, ec);
            CHECK(ec == sise::make_error_code(r.expected));
            CHECK(result.detail.empty());
            REQUIRE(out.size() == 1);
            CHECK(same_update(out[0], sentinel()));

            adapter.parse(good, out, ec);
            CHECK_FALSE(ec);
            REQUIRE(out.size() == 2);
            check_docs_example(out[1]);
        }
    }

    TEST_CASE("deep but valid nesting inside an unknown field is skipped, not recursed into") {
        // On-Demand skips unread values by counting brackets, so depth costs no stack.
        const std::string nested = std::string(30000, '[') + std::string(30000, ']');
        const std::string frame =
            R"({"type":"ticker","x":)" + nested + R"(,"code":"KRW-BTC","trade_price":1})";
        REQUIRE(frame.size() <= upbit_adapter::default_max_frame_bytes);
        upbit_adapter adapter;
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        adapter.parse(frame, out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].price.text() == "1");
    }

    TEST_CASE("frames above the size bound are rejected before parsing") {
        const std::string good = fixture("ticker_default.json");
        REQUIRE(good.size() > 512);
        upbit_adapter small(512);
        std::vector<sise::ticker_update> out{sentinel()};
        boost::system::error_code ec;
        small.parse(good, out, ec);
        CHECK(ec == sise::make_error_code(sise::errc::frame_too_large));
        CHECK(out.size() == 1);

        // Exactly at the bound is fine.
        upbit_adapter exact(good.size());
        exact.parse(good, out, ec);
        CHECK_FALSE(ec);
        CHECK(out.size() == 2);

        upbit_adapter adapter;
        std::string huge = good;
        huge.insert(huge.find('{') + 1, std::string(upbit_adapter::default_max_frame_bytes, ' '));
        adapter.parse(huge, out, ec);
        CHECK(ec == sise::make_error_code(sise::errc::frame_too_large));
        CHECK(out.size() == 2);
    }

    TEST_CASE("the market list gives instruments with names, base and quote") {
        upbit_adapter adapter;
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        adapter.parse_market_list(fixture("market_all_sample.json"), out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 14);
        CHECK(out[0].market == "KRW-BTC");
        CHECK(out[0].base == "BTC");
        CHECK(out[0].quote == "KRW");
        CHECK(out[0].name_ko == "비트코인");
        CHECK(out[0].name_en == "Bitcoin");
        CHECK(out[10].market == "KRW-SAND");
        CHECK(out[10].name_en == "The Sandbox");
        CHECK(out[13].market == "USDT-BTC");
        CHECK(out[13].quote == "USDT");
        CHECK(out[13].base == "BTC");
        CHECK(out[13].name_ko == "비트코인");

        // With is_details=true each entry carries a market_event object, which is skipped.
        adapter.parse_market_list(fixture("market_all_details_sample.json"), out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 16);
        CHECK(out[15].market == "KRW-SAND");
        CHECK(out[15].name_ko == "샌드박스");
    }

    TEST_CASE("a malformed market list is an error and leaves the list untouched") {
        const std::string good = fixture("market_all_sample.json");
        struct row {
            std::string name;
            std::string body;
            sise::errc expected;
        };
        const row rows[] = {
            {"truncated", good.substr(0, good.size() / 2), sise::errc::malformed_frame},
            {"empty", "", sise::errc::malformed_frame},
            {"an object", R"({"market":"KRW-BTC"})", sise::errc::malformed_frame},
            {"an HTML error page", "<html>502 Bad Gateway</html>", sise::errc::malformed_frame},
            {"array of strings", R"(["KRW-BTC"])", sise::errc::malformed_frame},
            {"market is a number", R"([{"market":1}])", sise::errc::malformed_frame},
            {"name is a number", R"([{"market":"KRW-BTC","korean_name":1}])",
             sise::errc::malformed_frame},
            {"trailing garbage", good + "]", sise::errc::malformed_frame},
            {"entry without market", R"([{"market":"KRW-BTC"},{"korean_name":"x"}])",
             sise::errc::missing_field},
        };
        upbit_adapter adapter;
        for (const auto& r : rows) {
            CAPTURE(r.name);
            std::vector<sise::feed::instrument> out(1);
            out[0].market = "KRW-KEEP";
            boost::system::error_code ec;
            adapter.parse_market_list(r.body, out, ec);
            CHECK(ec == sise::make_error_code(r.expected));
            REQUIRE(out.size() == 1);
            CHECK(out[0].market == "KRW-KEEP");
        }

        // Null names are tolerated; the adapter still parses frames after a list.
        std::vector<sise::feed::instrument> out;
        boost::system::error_code ec;
        adapter.parse_market_list(R"([{"market":"KRW-BTC","korean_name":null}])", out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 1);
        CHECK(out[0].name_ko.empty());
        std::vector<sise::ticker_update> tickers;
        adapter.parse(fixture("ticker_default.json"), tickers, ec);
        CHECK_FALSE(ec);
        CHECK(tickers.size() == 1);
    }

    TEST_CASE("the subscribe frame is one JSON array with a ticket, upper-case codes and format") {
        upbit_adapter adapter;
        const std::vector<std::string> markets{"KRW-BTC", "krw-eth", "KRW-\"odd\\"};
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 1);

        simdjson::ondemand::parser parser;
        simdjson::padded_string padded(frames[0]);
        simdjson::ondemand::document doc;
        REQUIRE(parser.iterate(padded).get(doc) == simdjson::SUCCESS);
        simdjson::ondemand::array request;
        REQUIRE(doc.get_array().get(request) == simdjson::SUCCESS);

        std::vector<std::string> keys_seen;
        std::string ticket, type, format;
        std::vector<std::string> codes;
        for (auto element : request) {
            simdjson::ondemand::object object;
            REQUIRE(element.get_object().get(object) == simdjson::SUCCESS);
            for (auto field : object) {
                std::string_view key;
                REQUIRE(field.unescaped_key().get(key) == simdjson::SUCCESS);
                keys_seen.emplace_back(key);
                std::string_view s;
                if (key == "codes") {
                    simdjson::ondemand::array array;
                    REQUIRE(field.value().get_array().get(array) == simdjson::SUCCESS);
                    for (auto code : array) {
                        REQUIRE(code.get_string().get(s) == simdjson::SUCCESS);
                        codes.emplace_back(s);
                    }
                    continue;
                }
                REQUIRE(field.value().get_string().get(s) == simdjson::SUCCESS);
                (key == "ticket" ? ticket : key == "type" ? type : format) = std::string(s);
            }
        }
        CHECK(keys_seen == std::vector<std::string>{"ticket", "type", "codes", "format"});
        CHECK(ticket == "sise-1");
        CHECK(type == "ticker");
        CHECK(format == "DEFAULT");
        CHECK(codes == std::vector<std::string>{"KRW-BTC", "KRW-ETH", "KRW-\"ODD\\"});

        // Each request gets a new ticket.
        const auto again = adapter.subscribe_frames(markets);
        REQUIRE(again.size() == 1);
        CHECK(again[0].find(R"({"ticket":"sise-2"})") == 1);
    }

    TEST_CASE("no subscribe frame is sent for an empty market list") {
        upbit_adapter adapter;
        CHECK(adapter.subscribe_frames({}).empty());
    }

    TEST_CASE("market codes split into quote first, then base") {
        upbit_adapter adapter;
        auto btc = adapter.describe("KRW-BTC");
        CHECK(btc.market == "KRW-BTC");
        CHECK(btc.quote == "KRW");
        CHECK(btc.base == "BTC");
        CHECK(btc.name_ko.empty());
        auto odd = adapter.describe("BTC");
        CHECK(odd.base == "BTC");
        CHECK(odd.quote.empty());
    }

    TEST_CASE("endpoints, keepalive and list path follow the Upbit docs") {
        upbit_adapter adapter;
        CHECK(adapter.id() == sise::exchange_id::upbit);
        CHECK(adapter.basis() == sise::change_basis::prev_close_utc0);
        const auto ep = adapter.default_endpoints();
        CHECK(ep.websocket_url == "wss://api.upbit.com/websocket/v1");
        CHECK(ep.rest_url == "https://api.upbit.com");
        const auto ka = adapter.keepalive();
        CHECK(ka.ping_interval == std::chrono::seconds{30});
        CHECK(ka.app_ping_text.empty());
        CHECK(adapter.market_list_path() == "/v1/market/all?is_details=true");
    }

    TEST_CASE("bundled names cover the twelve default KRW markets") {
        upbit_adapter adapter;
        const auto list = adapter.fallback_instruments();
        REQUIRE(list.size() == 12);
        const std::vector<std::string> expected{"KRW-BTC", "KRW-ETH", "KRW-BCH",  "KRW-XRP",
                                                "KRW-SOL", "KRW-ADA", "KRW-EOS",  "KRW-TRX",
                                                "KRW-XLM", "KRW-BSV", "KRW-LINK", "KRW-SAND"};
        for (std::size_t i = 0; i < list.size(); ++i) {
            CAPTURE(i);
            CHECK(list[i].market == expected[i]);
            CHECK(list[i].quote == "KRW");
            CHECK(list[i].base == expected[i].substr(4));
            CHECK_FALSE(list[i].name_ko.empty());
            CHECK_FALSE(list[i].name_en.empty());
        }
        CHECK(list[0].name_ko == "비트코인");
        CHECK(list[0].name_en == "Bitcoin");
        CHECK(list[8].name_en == "Lumen");
        CHECK(list[9].name_ko == "비트코인에스브이");
        CHECK(list[11].name_en == "The Sandbox");
    }

    TEST_CASE("the bundled names agree with the market list sample") {
        upbit_adapter adapter;
        std::vector<sise::feed::instrument> sample;
        boost::system::error_code ec;
        adapter.parse_market_list(fixture("market_all_sample.json"), sample, ec);
        REQUIRE_FALSE(ec);
        for (const auto& bundled : adapter.fallback_instruments()) {
            CAPTURE(bundled.market);
            bool found = false;
            for (const auto& s : sample) {
                if (s.market != bundled.market) continue;
                found = true;
                CHECK(s.name_ko == bundled.name_ko);
                CHECK(s.name_en == bundled.name_en);
            }
            CHECK(found);
        }
    }

}  // TEST_SUITE("feed")
