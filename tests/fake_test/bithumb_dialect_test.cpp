// The fake's Bithumb dialect on its own, without sockets, checked against bithumb.md and against
// sised's real Bithumb adapter: the adapter's own subscribe frame, market list path and candle
// path go in, the fake's answers come out and must parse with the adapter (the strongest check
// that the two agree). The fake over loopback with sised is integration/bithumb_test.cpp.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/status.hpp>
#include <simdjson.h>

#include "fake/bithumb_dialect.hpp"
#include "fake/candles.hpp"
#include "fake/dialect.hpp"
#include "sise/feed/bithumb.hpp"
#include "support/adapter_frames.hpp"
#include "support/fixture.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;

constexpr std::int64_t t0 = 1'725'927'377'174;  // 2024-09-10 00:16:17.174 UTC = 09:16:17 KST

std::string fixture(std::string_view name) { return sise::test::read_fixture("bithumb", name); }

using parsed = sise::test::parse_outcome;
using sise::test::split_target;
constexpr auto parse_with_sised = sise::test::parse_with<feed::bithumb_adapter>;

std::string rendered(const bithumb_dialect& d, stream_type type, std::string_view price = {}) {
    const price_walk walk(describe_market("KRW-ETH"), 7, t0);
    std::string out;
    d.render_ticker(out, walk, type, t0 + 5, price, 1);
    return out;
}

std::string string_field(std::string_view json, std::string_view key) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view value;
    if (parser.parse(json.data(), json.size()).get(root) || root[key].get(value)) return "?";
    return std::string(value);
}

std::int64_t int_field(std::string_view json, std::string_view key) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::int64_t value = -1;
    if (parser.parse(json.data(), json.size()).get(root) || root[key].get(value)) return -1;
    return value;
}

TEST_SUITE("fake bithumb dialect") {
    TEST_CASE("the registry knows bithumb: Upbit's path, text frames, a 120 s idle limit") {
        const dialect& d = dialect_for("bithumb");
        CHECK(d.name() == "bithumb");
        CHECK(d.websocket_path() == "/websocket/v1");
        CHECK_FALSE(d.binary_data());
        const keepalive_rules rules = d.keepalive();
        CHECK(rules.client_idle_limit == std::chrono::seconds{120});
        CHECK(rules.server_ping_interval.count() == 0);
        CHECK(rules.max_streams == 0);
        CHECK(d.candle_rate_limit() == 150);  // bithumb.md §8, Upbit's fake: 10
        CHECK(dialect_for("upbit").candle_rate_limit() == 10);
        // Upbit's fake keeps enforcing nothing.
        CHECK(dialect_for("upbit").keepalive().client_idle_limit.count() == 0);
    }

    TEST_CASE("sised's own subscribe frame becomes a subscription to its codes") {
        feed::bithumb_adapter adapter;
        const std::vector<std::string> markets{"KRW-BTC", "KRW-ETH", "KRW-NOPE"};
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 1);
        const auto client = bithumb_dialect{}.connect();
        const client_action a = client->on_message(frames[0]);
        REQUIRE(a.what == client_action::kind::subscribe);
        CHECK(a.codes == markets);
        CHECK(a.reply.empty());  // bithumb.md §2: no ack, data follows
        CHECK(a.snapshot);
        CHECK(a.realtime);
    }

    TEST_CASE("the docs' requests: snake_case flags, and the changelog's camelCase accepted too") {
        const auto client = bithumb_dialect{}.connect();
        const client_action docs = client->on_message(fixture("subscribe_request.json"));
        REQUIRE(docs.what == client_action::kind::subscribe);
        CHECK(docs.codes == std::vector<std::string>{"KRW-BTC", "KRW-ETH"});

        const client_action camel = client->on_message(fixture("subscribe_request_simple.json"));
        REQUIRE(camel.what == client_action::kind::subscribe);
        CHECK(camel.codes == std::vector<std::string>{"KRW-BTC", "BTC-ETH"});
        CHECK_FALSE(camel.snapshot);
        CHECK(camel.realtime);

        const client_action snap = client->on_message(
            R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"],"is_only_snapshot":true}])");
        REQUIRE(snap.what == client_action::kind::subscribe);
        CHECK(snap.snapshot);
        CHECK_FALSE(snap.realtime);
    }

    TEST_CASE("bad requests get Bithumb's error frames, in text, which sised reads as errors") {
        const auto client = bithumb_dialect{}.connect();
        const client_action no_codes = client->on_message(R"([{"ticket":"t"},{"type":"ticker"}])");
        CHECK(no_codes.what == client_action::kind::reject);
        CHECK_FALSE(no_codes.reply_binary);
        CHECK(no_codes.reply == fixture("error.json").substr(0, no_codes.reply.size()));
        const parsed p = parse_with_sised(no_codes.reply);
        CHECK_FALSE(p.ec);
        CHECK(p.result.kind == feed::frame_kind::exchange_error);
        CHECK(p.detail == "NO_CODES");

        const client_action no_ticket =
            client->on_message(R"([{"type":"ticker","codes":["KRW-BTC"]}])");
        CHECK(no_ticket.reply.starts_with(R"({"error":{"name":"NO_TICKET")"));
        const client_action garbage = client->on_message("not json");
        CHECK(garbage.reply.starts_with(R"({"error":{"name":"WRONG_FORMAT")"));
    }

    TEST_CASE("formats other than DEFAULT and SIMPLE are INVALID_PARAM, the LIST ones included") {
        const auto client = bithumb_dialect{}.connect();
        for (const std::string_view format : {"JSON_LIST", "SIMPLE_LIST", "XML"}) {
            CAPTURE(format);
            const client_action a = client->on_message(
                std::string(R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]},)") +
                R"({"format":")" + std::string(format) + R"("}])");
            CHECK(a.what == client_action::kind::reject);
            CHECK(a.reply == R"({"error":{"name":"INVALID_PARAM","message":")" +
                                 std::string(format) + R"(은 지원하지 않는 포맷입니다."}})");
        }
        const client_action simple = client->on_message(
            R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]},{"format":"SIMPLE"}])");
        CHECK(simple.what == client_action::kind::subscribe);
    }

    TEST_CASE("the text PING is answered with a text {\"status\":\"UP\"}, a heartbeat to sised") {
        const auto client = bithumb_dialect{}.connect();
        const client_action a = client->on_message(fixture("ping_text_message.txt").substr(0, 4));
        CHECK(a.what == client_action::kind::reply);
        CHECK(a.reply == R"({"status":"UP"})");
        CHECK_FALSE(a.reply_binary);
        const parsed p = parse_with_sised(a.reply);
        CHECK_FALSE(p.ec);
        CHECK(p.result.kind == feed::frame_kind::heartbeat);
        CHECK(p.out.empty());
    }

    TEST_CASE("a rendered ticker parses with sised's Bithumb adapter, snapshot and realtime") {
        const bithumb_dialect d;
        for (const auto type : {stream_type::snapshot, stream_type::realtime}) {
            const std::string frame = rendered(d, type, "4123000");
            CAPTURE(frame);
            CHECK(string_field(frame, "stream_type") ==
                  (type == stream_type::snapshot ? "SNAPSHOT" : "REALTIME"));
            const parsed p = parse_with_sised(frame);
            CHECK_FALSE(p.ec);
            CHECK(p.result.kind == feed::frame_kind::tickers);
            REQUIRE(p.out.size() == 1);
            CHECK(p.out[0].market.view() == "KRW-ETH");
            CHECK(p.out[0].price.text() == "4123000");
            // The trade's time (epoch ms), not the KST trade_date/trade_time text.
            CHECK(p.out[0].exchange_time_ms == int_field(frame, "trade_timestamp"));
            CHECK(p.out[0].exchange_time_ms <= t0 + 5);
        }
    }

    TEST_CASE("trade_date and trade_time are the KST wall clock of trade_timestamp") {
        const std::string frame = rendered(bithumb_dialect{}, stream_type::realtime);
        const std::int64_t ts = int_field(frame, "trade_timestamp");
        REQUIRE(ts > 0);
        // bithumb.md §3: the docs' 00:16:17 UTC is trade_date 20240910, trade_time 091617.
        const std::string kst = format_candle_time(ts + 9 * 3'600'000);  // yyyy-MM-ddTHH:mm:ss
        const std::string date = kst.substr(0, 4) + kst.substr(5, 2) + kst.substr(8, 2);
        const std::string time = kst.substr(11, 2) + kst.substr(14, 2) + kst.substr(17, 2);
        CHECK(string_field(frame, "trade_date") == date);
        CHECK(string_field(frame, "trade_time") == time);
        CHECK(time.starts_with("09"));  // t0 is 00:16 UTC
    }

    TEST_CASE("the market list at sised's path has market_warning and parses with the adapter") {
        feed::bithumb_adapter adapter;
        const auto [path, query] = split_target(adapter.market_list_path());
        const bithumb_dialect d;
        REQUIRE(d.route(path) == rest_route::market_list);
        std::vector<price_walk> walks;
        for (const char* code : {"KRW-BTC", "KRW-A"}) walks.emplace_back(describe_market(code), 1, t0);
        http_response res;
        d.market_list(res, walks, query);
        CHECK(res.body().find(R"("market_warning":"NONE")") != std::string::npos);
        std::vector<feed::instrument> list;
        boost::system::error_code ec;
        adapter.parse_market_list(res.body(), list, ec);
        CHECK_FALSE(ec);
        REQUIRE(list.size() == 2);
        CHECK(list[0].market == "KRW-BTC");
        CHECK(list[0].name_ko == "비트코인");
        CHECK(list[1].market == "KRW-A");
        CHECK(list[1].name_ko == "볼타");  // bithumb.md §9: Bithumb's own names
        CHECK(list[1].name_en == "Vaulta");

        http_response plain;
        d.market_list(plain, walks, "");
        CHECK(plain.body().find("market_warning") == std::string::npos);
    }

    TEST_CASE("sised's candle request is read in KST and the answer parses with the adapter") {
        feed::bithumb_adapter adapter;
        constexpr std::int64_t to = 1'725'927'360'000;  // 00:16:00 UTC, sent as "09:16:00" KST
        const auto [path, query] = split_target(adapter.candles_path("KRW-BTC", to, 3));
        const bithumb_dialect d;
        REQUIRE(d.route(path) == rest_route::candles);
        candle_query q;
        http_response res;
        REQUIRE(d.parse_candles(res, path, query, q));
        CHECK(q.market == "KRW-BTC");
        CHECK(q.count == 3);
        REQUIRE(q.to_ms.has_value());
        CHECK(*q.to_ms == to);

        const candle_close_fn close = [](const std::string&, std::int64_t) {
            return std::optional<std::string>("150139000");
        };
        d.candles(res, q, to / minute_ms, close);
        std::vector<feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(res.body(), candles, ec);
        CHECK_FALSE(ec);
        REQUIRE(candles.size() == 3);
        CHECK(candles[0].start_ms == to - minute_ms);  // newest first, before `to`
        CHECK(candles[0].close.text() == "150139000");
    }

    TEST_CASE("a `to` with an explicit offset or Z is taken as given, only a bare one is KST") {
        const bithumb_dialect d;
        candle_query q;
        http_response res;
        REQUIRE(d.parse_candles(res, "/v1/candles/minutes/1",
                                "market=KRW-BTC&to=2024-09-10T00:16:00Z", q));
        CHECK(*q.to_ms == 1'725'927'360'000);
        REQUIRE(d.parse_candles(res, "/v1/candles/minutes/1",
                                "market=KRW-BTC&to=2024-09-10T09:16:00%2B09:00", q));
        CHECK(*q.to_ms == 1'725'927'360'000);
        REQUIRE(d.parse_candles(res, "/v1/candles/minutes/1", "market=KRW-BTC&to=2024-09-10T09:16:00",
                                q));
        CHECK(*q.to_ms == 1'725'927'360'000);
    }

    TEST_CASE("REST errors: 429 without Upbit's Remaining-Req, other units and bad queries refused") {
        const bithumb_dialect d;
        http_response limited;
        d.rate_limited(limited, rest_route::candles);
        CHECK(limited.result() == http::status::too_many_requests);
        CHECK(limited.find("Remaining-Req") == limited.end());
        CHECK(limited.body().starts_with(R"({"error":{"name":"too_many_requests")"));

        http_response ok;
        d.budget(ok, rest_route::candles, 7);
        CHECK(ok.find("Remaining-Req") == ok.end());

        candle_query q;
        http_response unit;
        CHECK_FALSE(d.parse_candles(unit, "/v1/candles/minutes/3", "market=KRW-BTC", q));
        CHECK(unit.result() == http::status::not_found);
        http_response bad;
        CHECK_FALSE(d.parse_candles(bad, "/v1/candles/minutes/1", "count=2", q));
        CHECK(bad.result() == http::status::bad_request);
    }
}

}  // namespace
}  // namespace sise::fake
