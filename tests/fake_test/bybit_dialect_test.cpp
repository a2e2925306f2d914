// The fake's Bybit dialect on its own, without sockets: subscribe requests that add up, their
// acks and refusals, the JSON ping's pong, snapshot and delta frames from the random walk, and
// the kline and instruments answers, all read back by the real Bybit adapter (so the fake and
// the adapter cannot drift apart silently).
#include "fake/bybit_dialect.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "fake/dialect.hpp"
#include "sise/feed/bybit.hpp"

namespace sise::fake {
namespace {

using sise::feed::frame_kind;

struct read_back {
    std::vector<sise::ticker_update> out;
    boost::system::error_code ec;
    frame_kind kind = frame_kind::ignored;
};

read_back parse(sise::feed::bybit_adapter& adapter, std::string_view frame) {
    read_back r;
    r.kind = adapter.parse(frame, r.out, r.ec).kind;
    return r;
}

TEST_SUITE("fake bybit dialect") {
    TEST_CASE("the registry knows bybit: the spot path, text frames, a client idle limit") {
        const dialect& d = dialect_for("bybit");
        CHECK(d.name() == "bybit");
        CHECK(d.websocket_path() == "/v5/public/spot");
        CHECK(!d.binary_data());
        // bybit.md §5: 10 minutes without a ping; only what the client sends counts.
        CHECK(d.keepalive().client_idle_limit == std::chrono::minutes{10});
        CHECK(d.keepalive().server_ping_interval.count() == 0);
    }

    TEST_CASE("sised's subscribe requests add up to one subscription, each acked by req_id") {
        const auto client = bybit_dialect{}.connect();
        sise::feed::bybit_adapter adapter;
        std::vector<std::string> markets;
        for (int i = 0; i < 12; ++i) markets.push_back(fmt::format("C{}USDT", i));
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 2);
        const client_action first = client->on_message(frames[0]);
        REQUIRE(first.what == client_action::kind::subscribe);
        CHECK(first.codes.size() == 10);
        CHECK(parse(adapter, first.reply).kind == frame_kind::ack);
        CHECK(first.reply.find(R"("req_id":"1")") != std::string::npos);
        const client_action second = client->on_message(frames[1]);
        REQUIRE(second.what == client_action::kind::subscribe);
        CHECK(second.codes.size() == 12);  // the generic server replaces: the union goes to it
        CHECK(second.codes.front() == "C0USDT");
        CHECK(second.codes.back() == "C11USDT");
        CHECK(second.snapshot);
    }

    TEST_CASE("more than ten args, other topics, other ops and bad JSON are refused") {
        const auto client = bybit_dialect{}.connect();
        sise::feed::bybit_adapter adapter;
        std::string eleven = R"({"op":"subscribe","args":[)";
        for (int i = 0; i < 11; ++i)
            eleven += fmt::format(R"({}"tickers.C{}USDT")", i ? "," : "", i);
        eleven += "]}";
        for (const std::string& request :
             {eleven, std::string(R"({"op":"subscribe","args":["orderbook.1.BTCUSDT"]})"),
              std::string(R"({"op":"auth","args":[]})"), std::string("not json")}) {
            CAPTURE(request);
            const client_action a = client->on_message(request);
            CHECK(a.what == client_action::kind::reject);
            const auto r = parse(adapter, a.reply);
            CHECK(r.kind == frame_kind::exchange_error);
            CHECK(!r.ec);
        }
        CHECK(client->on_message(eleven).reply.find("args size >10") != std::string::npos);
    }

    TEST_CASE("the JSON ping is answered with Bybit's spot pong, a heartbeat to sised") {
        const auto client = bybit_dialect{}.connect();
        sise::feed::bybit_adapter adapter;
        const client_action a = client->on_message(adapter.keepalive().app_ping_text);
        REQUIRE(a.what == client_action::kind::reply);
        CHECK(a.reply.find(R"("ret_msg":"pong")") != std::string::npos);
        CHECK(a.reply.find(R"("op":"ping")") != std::string::npos);
        CHECK(parse(adapter, a.reply).kind == frame_kind::heartbeat);
    }

    TEST_CASE("a snapshot then deltas from the walk read back as whole tickers") {
        const bybit_dialect dialect;
        sise::feed::bybit_adapter adapter;
        const std::vector<std::string> markets{"BTCUSDT"};
        adapter.subscribe_frames(markets);
        price_walk walk(describe_market("BTCUSDT"), 1, 1'700'000'000'000);

        std::string snapshot;
        dialect.render_ticker(snapshot, walk, stream_type::snapshot, 1'700'000'000'100, "", 7);
        CHECK(snapshot.find(R"("type":"snapshot")") != std::string::npos);
        auto r = parse(adapter, snapshot);
        REQUIRE(!r.ec);
        REQUIRE(r.out.size() == 1);
        CHECK(r.out[0].price.text() == walk.price_text());
        CHECK(r.out[0].volume_24h.text() == bybit_snapshot_volume);
        CHECK(r.out[0].quote_volume_24h.text() == bybit_snapshot_turnover);
        // The walk's change since its start, sent as a fraction with 4 decimals, in percent.
        const double start = static_cast<double>(walk.market().start_price);
        const double percent = 100.0 * (static_cast<double>(walk.price()) - start) / start;
        CHECK(r.out[0].change_pct.to_double() == doctest::Approx(percent).epsilon(0.01));
        CHECK(r.out[0].change_pct.text().size() - r.out[0].change_pct.text().find('.') == 3);

        walk.step(1'700'000'000'150);
        std::string delta;
        dialect.render_ticker(delta, walk, stream_type::realtime, 1'700'000'000'200, "65000.12", 8);
        CHECK(delta.find(R"("type":"delta")") != std::string::npos);
        CHECK(delta.find("volume24h") == std::string::npos);  // only what changed
        r = parse(adapter, delta);
        REQUIRE(!r.ec);
        REQUIRE(r.out.size() == 1);
        CHECK(r.out[0].price.text() == "65000.12");
        CHECK(r.out[0].exchange_time_ms == 1'700'000'000'200);
        CHECK(r.out[0].volume_24h.text() == bybit_snapshot_volume);  // kept from the snapshot
    }

    TEST_CASE("klines and instruments-info read back through the Bybit adapter") {
        const bybit_dialect dialect;
        sise::feed::bybit_adapter adapter;
        http_response res;
        candle_query q;
        const std::string path = adapter.candles_path("BTCUSDT", 180000, 1000);
        const auto question = path.find('?');
        REQUIRE(dialect.parse_candles(res, path.substr(0, question), path.substr(question + 1), q));
        CHECK(dialect.route(path.substr(0, question)) == rest_route::candles);
        CHECK(q.market == "BTCUSDT");
        CHECK(q.to_ms == 180000);
        CHECK(q.count == 1000);
        dialect.candles(res, q, 3, [](const std::string&, std::int64_t minute) {
            return minute != 0 ? std::optional<std::string>(fmt::format("10.{}", minute))
                               : std::nullopt;
        });
        std::vector<sise::feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(res.body(), candles, ec);
        REQUIRE(!ec);
        REQUIRE(candles.size() == 2);
        CHECK(candles[0].start_ms == 120000);  // newest first
        CHECK(candles[0].close.text() == "10.2");
        CHECK(candles[1].start_ms == 60000);

        http_response list;
        CHECK(dialect.route(adapter.market_list_path().substr(
                  0, adapter.market_list_path().find('?'))) == rest_route::market_list);
        dialect.market_list(list, {price_walk(describe_market("ETHBTC"), 1, 0)}, "");
        std::vector<sise::feed::instrument> instruments;
        adapter.parse_market_list(list.body(), instruments, ec);
        REQUIRE(!ec);
        REQUIRE(instruments.size() == 1);
        CHECK(instruments[0].base == "ETH");
        CHECK(instruments[0].quote == "BTC");
    }

    TEST_CASE("kline requests without category spot are refused, unknown symbols get a retCode") {
        const bybit_dialect dialect;
        sise::feed::bybit_adapter adapter;
        http_response res;
        candle_query q;
        CHECK(!dialect.parse_candles(res, "/v5/market/kline", "symbol=BTCUSDT&interval=1", q));
        std::vector<sise::feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(res.body(), candles, ec);
        CHECK(ec == sise::errc::exchange_error);
        http_response unknown;
        dialect.unknown_market(unknown);
        adapter.parse_candles(unknown.body(), candles, ec);
        CHECK(ec == sise::errc::exchange_error);
        http_response limited;
        dialect.rate_limited(limited, rest_route::candles);
        CHECK(limited.result() == boost::beast::http::status::forbidden);
    }
}

}  // namespace
}  // namespace sise::fake
