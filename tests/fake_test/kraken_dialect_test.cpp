// The fake's Kraken dialect on its own, without sockets, checked against kraken.md and against
// sised's real Kraken adapter: the adapter's own subscribe frame, ping, market list path and
// candle path go in, the fake's answers come out and must parse with the adapter (so the fake
// and the adapter cannot drift apart silently). Over loopback with sised:
// integration/kraken_test.cpp.
#include "fake/kraken_dialect.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fake/dialect.hpp"
#include "sise/feed/kraken.hpp"

namespace sise::fake {
namespace {

// What sised's adapter makes of one text the fake sends.
struct read_back {
    feed::frame_kind kind = feed::frame_kind::ignored;
    std::string detail;
    boost::system::error_code ec;
    std::vector<ticker_update> out;
};

read_back with_adapter(std::string_view frame) {
    feed::kraken_adapter adapter;
    read_back r;
    const auto result = adapter.parse(frame, r.out, r.ec);
    r.kind = result.kind;
    r.detail = std::string(result.detail);
    return r;
}

TEST_SUITE("fake kraken dialect") {
    TEST_CASE("the registry knows kraken: /v2, text frames, the one-minute idle limit") {
        const dialect& d = dialect_for("kraken");
        CHECK(d.name() == "kraken");
        CHECK(d.websocket_path() == "/v2");
        CHECK_FALSE(d.binary_data());
        CHECK(d.keepalive().client_idle_limit == std::chrono::seconds{60});
        CHECK(d.keepalive().server_ping_interval.count() == 0);
    }

    TEST_CASE("sised's subscribe becomes a subscription with an ack or an error per symbol") {
        feed::kraken_adapter adapter;
        const std::vector<std::string> markets{"BTC/USD", "NOPE/USD"};
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 1);
        const auto client = kraken_dialect{}.connect();
        const client_action a = client->on_message(frames[0]);
        REQUIRE(a.what == client_action::kind::subscribe);
        CHECK(a.codes == markets);
        CHECK(a.reply.empty());
        REQUIRE(a.code_replies.size() == 2);
        for (const auto& [listed, unlisted] : a.code_replies) {
            CHECK(with_adapter(listed).kind == feed::frame_kind::ack);
            const auto error = with_adapter(unlisted);
            CHECK(!error.ec);
            CHECK(error.kind == feed::frame_kind::exchange_error);
        }
        CHECK(with_adapter(a.code_replies[1].second).detail ==
              "NOPE/USD: Currency pair not supported NOPE/USD");
    }

    TEST_CASE("sised's ping is answered with a pong sised reads as a keepalive reply") {
        const auto client = kraken_dialect{}.connect();
        const client_action a =
            client->on_message(feed::kraken_adapter{}.keepalive().app_ping_text);
        REQUIRE(a.what == client_action::kind::reply);
        CHECK(a.reply.starts_with(R"({"method":"pong")"));
        CHECK(with_adapter(a.reply).kind == feed::frame_kind::heartbeat);
        const client_action numbered = client->on_message(R"({"method":"ping","req_id":101})");
        CHECK(numbered.reply.starts_with(R"({"method":"pong","req_id":101,)"));
    }

    TEST_CASE("other channels, unknown methods and bad JSON are refused with error frames") {
        const auto client = kraken_dialect{}.connect();
        for (const char* request :
             {R"({"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]}})",
              R"({"method":"subscribe","params":{"channel":"ticker"}})",
              R"({"method":"hello","req_id":3})", "not json"}) {
            CAPTURE(request);
            const client_action a = client->on_message(request);
            CHECK(a.what == client_action::kind::reject);
            const auto r = with_adapter(a.reply);
            CHECK(!r.ec);
            CHECK(r.kind == feed::frame_kind::exchange_error);
        }
    }

    TEST_CASE("snapshot and update frames read back with the walk's exact digits") {
        const kraken_dialect dialect;
        const price_walk walk(describe_market("BTC/USD"), 1, 1'700'000'000'000);
        for (const auto type : {stream_type::snapshot, stream_type::realtime}) {
            std::string frame;
            dialect.render_ticker(frame, walk, type, 1'700'000'000'123, "65000.12", 1);
            CHECK(frame.find(type == stream_type::snapshot
                                 ? R"("type":"snapshot")"
                                 : R"("type":"update")") != std::string::npos);
            const auto r = with_adapter(frame);
            REQUIRE_MESSAGE(!r.ec, frame);
            CHECK(r.kind == feed::frame_kind::tickers);
            REQUIRE(r.out.size() == 1);
            CHECK(r.out[0].market.view() == "BTC/USD");
            CHECK(r.out[0].price.text() == "65000.12");
            CHECK(r.out[0].exchange_time_ms == 1'700'000'000'123);
            CHECK_FALSE(r.out[0].change_pct.empty());
        }
        std::string walked;
        dialect.render_ticker(walked, walk, stream_type::realtime, 1'700'000'000'500, {}, 2);
        const auto r = with_adapter(walked);
        REQUIRE(r.out.size() == 1);
        CHECK(r.out[0].price.text() == walk.price_text());
    }

    TEST_CASE("AssetPairs and OHLC read back through the Kraken adapter, XBT as BTC") {
        const kraken_dialect dialect;
        feed::kraken_adapter adapter;
        CHECK(dialect.route(adapter.market_list_path()) == rest_route::market_list);
        http_response list;
        dialect.market_list(list,
                            {price_walk(describe_market("BTC/USD"), 1, 0),
                             price_walk(describe_market("ETH/USD"), 1, 0)},
                            "");
        CHECK(list.body().find(R"("wsname":"XBT/USD")") != std::string::npos);
        std::vector<feed::instrument> instruments;
        boost::system::error_code ec;
        adapter.parse_market_list(list.body(), instruments, ec);
        REQUIRE(!ec);
        REQUIRE(instruments.size() == 2);
        CHECK(instruments[0].market == "BTC/USD");
        CHECK(instruments[0].base == "BTC");
        CHECK(instruments[1].market == "ETH/USD");

        // The adapter's own candle path: the REST pair name maps back to the fake's market.
        const std::string target = adapter.candles_path("BTC/USD", 300'000, 720);
        const auto question = target.find('?');
        const std::string path = target.substr(0, question);
        CHECK(dialect.route(path) == rest_route::candles);
        http_response res;
        candle_query q;
        REQUIRE(dialect.parse_candles(res, path, target.substr(question + 1), q));
        CHECK(q.market == "BTC/USD");
        CHECK(q.count == 719);  // and the running minute: 720 rows
        dialect.candles(res, q, 5, [](const std::string&, std::int64_t minute) {
            return minute == 1 || minute == 3
                       ? std::optional<std::string>(minute == 1 ? "10.5" : "11")
                       : std::nullopt;
        });
        std::vector<feed::minute_candle> candles;
        adapter.parse_candles(res.body(), candles, ec);
        REQUIRE(!ec);
        REQUIRE(candles.size() == 2);  // the running minute 5 is left out
        CHECK(candles[0].start_ms == 60'000);
        CHECK(candles[0].close.text() == "10.5");
        CHECK(candles[1].start_ms == 180'000);
        CHECK(candles[1].close.text() == "11");
    }

    TEST_CASE("REST refusals are in Kraken's shape and fail the adapter's parse") {
        const kraken_dialect dialect;
        feed::kraken_adapter adapter;
        http_response res;
        candle_query q;
        CHECK_FALSE(dialect.parse_candles(res, "/0/public/OHLC", "pair=WHAT&interval=1", q));
        CHECK(res.result() == boost::beast::http::status::bad_request);
        for (auto fill : {+[](const kraken_dialect&d, http_response&r) { d.unknown_market(r); },
                          +[](const kraken_dialect&d, http_response&r) {
                              d.rate_limited(r, rest_route::candles);
                          },
                          +[](const kraken_dialect&d, http_response&r) {
                              d.garbage(r, rest_route::candles);
                          }}) {
            http_response answer;
            fill(dialect, answer);
            std::vector<feed::minute_candle> candles;
            boost::system::error_code ec;
            adapter.parse_candles(answer.body(), candles, ec);
            CHECK(ec);
            CHECK(candles.empty());
        }
    }
}

}  // namespace
}  // namespace sise::fake
