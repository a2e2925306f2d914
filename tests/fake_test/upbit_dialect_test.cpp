// The fake's Upbit dialect on its own, without sockets: what a client message becomes, how the
// REST answers and ticker frames look (upbit.md §2, §5-§8, §10), and the dialect registry. The
// server driving a dialect over loopback is exchange_server_test.cpp.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/beast/http/status.hpp>

#include "fake/dialect.hpp"
#include "fake/upbit_dialect.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;

TEST_SUITE("fake upbit dialect") {
    TEST_CASE("the registry knows upbit by name and rejects other names") {
        CHECK(dialect_for("upbit").name() == "upbit");
        CHECK(dialect_for("upbit").websocket_path() == "/websocket/v1");
        CHECK_THROWS_AS(dialect_for("mtgox"), std::invalid_argument);  // no such venue any more
        CHECK_THROWS_AS(dialect_for(""), std::invalid_argument);
    }

    TEST_CASE("the text PING is answered with a binary {\"status\":\"UP\"}") {
        const auto client = upbit_dialect{}.connect();
        const client_action a = client->on_message("PING");
        CHECK(a.what == client_action::kind::reply);
        CHECK(a.reply == R"({"status":"UP"})");
        CHECK(a.reply_binary);
    }

    TEST_CASE("a subscribe request becomes a subscription with its codes and flags") {
        const auto client = upbit_dialect{}.connect();
        const client_action a =
            client->on_message(R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC","KRW-ETH"],)"
                               R"("is_only_realtime":true}])");
        REQUIRE(a.what == client_action::kind::subscribe);
        CHECK(a.codes == std::vector<std::string>{"KRW-BTC", "KRW-ETH"});
        CHECK_FALSE(a.snapshot);
        CHECK(a.realtime);

        const client_action b =
            client->on_message(R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"],)"
                               R"("is_only_snapshot":true}])");
        REQUIRE(b.what == client_action::kind::subscribe);
        CHECK(b.snapshot);
        CHECK_FALSE(b.realtime);
    }

    TEST_CASE("a malformed request is rejected with Upbit's error frame") {
        const auto client = upbit_dialect{}.connect();
        const client_action a = client->on_message(R"([{"type":"ticker","codes":["KRW-BTC"]}])");
        CHECK(a.what == client_action::kind::reject);
        CHECK(a.note == "NO_TICKET");
        CHECK(a.reply.starts_with(R"({"error":{"name":"NO_TICKET")"));
        CHECK(a.reply_binary);
    }

    TEST_CASE("REST routes: the market list, candles under /v1/candles/, nothing else") {
        const upbit_dialect d;
        CHECK(d.route("/v1/market/all") == rest_route::market_list);
        CHECK(d.route("/v1/candles/minutes/1") == rest_route::candles);
        CHECK(d.route("/v1/candles/days") == rest_route::candles);
        CHECK(d.route("/v1/ticker") == rest_route::unknown);
    }

    TEST_CASE("rate-limit answers differ by group: plain text for market, JSON for candles") {
        const upbit_dialect d;
        http_response market;
        d.rate_limited(market, rest_route::market_list);
        CHECK(market.result() == http::status::too_many_requests);
        CHECK(market["Remaining-Req"] == "group=market; min=600; sec=0");
        CHECK(market.body() == "Too many API requests.");

        http_response candles;
        d.rate_limited(candles, rest_route::candles);
        CHECK(candles["Remaining-Req"] == "group=candles; min=600; sec=0");
        CHECK(candles.body() ==
              R"({"error":{"name":"too_many_requests","message":"Too many API requests."}})");

        http_response ok;
        d.budget(ok, rest_route::candles, 7);
        CHECK(ok["Remaining-Req"] == "group=candles; min=600; sec=7");
    }

    TEST_CASE("candle requests: only minutes/1, and bad parameters are a 400") {
        const upbit_dialect d;
        candle_query q;
        http_response days;
        CHECK_FALSE(d.parse_candles(days, "/v1/candles/days", "market=KRW-BTC", q));
        CHECK(days.result() == http::status::not_found);

        http_response bad;
        CHECK_FALSE(d.parse_candles(bad, "/v1/candles/minutes/1", "count=3", q));
        CHECK(bad.result() == http::status::bad_request);
        CHECK(bad.body().starts_with(R"({"error":{"name":"validation_error")"));

        http_response good;
        REQUIRE(d.parse_candles(good, "/v1/candles/minutes/1", "market=KRW-ETH&count=2", q));
        CHECK(q.market == "KRW-ETH");
        CHECK(q.count == 2);
    }

    TEST_CASE("ticker frames are Upbit DEFAULT JSON, sent as binary messages") {
        const upbit_dialect d;
        CHECK(d.binary_data());
        const price_walk walk(describe_market("KRW-BTC"), 1, 1'700'000'000'000);
        std::string out;
        d.render_ticker(out, walk, stream_type::snapshot, 1'700'000'000'000, "123", 1);
        CHECK(out.starts_with(R"({"type":"ticker","code":"KRW-BTC")"));
        CHECK(out.find(R"("trade_price":123,)") != std::string::npos);
        CHECK(out.find(R"("stream_type":"SNAPSHOT")") != std::string::npos);
    }
}

}  // namespace
}  // namespace sise::fake
