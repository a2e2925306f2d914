// The fake's OKX dialect, checked against okx.md and against sised's real OKX adapter: the
// adapter's own subscribe frames, market list path and candle path go in, the fake's answers
// come out and must parse with the adapter (so the two cannot drift apart silently). Then the
// fake over loopback: the text ping answered, a client that stops pinging dropped.
#include "fake/okx_dialect.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fake/dialect.hpp"
#include "fake/exchange_server.hpp"
#include "sise/feed/okx.hpp"
#include "support/adapter_frames.hpp"
#include "support/fixture.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

using parsed = sise::test::parse_outcome;
using sise::test::split_target;
constexpr auto parse_with_sised = sise::test::parse_with<feed::okx_adapter>;

TEST_SUITE("fake okx dialect") {
    TEST_CASE("the registry knows okx: /ws/v5/public, text frames, a 30 s idle limit") {
        const dialect& d = dialect_for("okx");
        CHECK(d.name() == "okx");
        CHECK(d.websocket_path() == "/ws/v5/public");
        CHECK_FALSE(d.binary_data());
        const keepalive_rules rules = d.keepalive();
        CHECK(rules.client_idle_limit == std::chrono::seconds{30});
        CHECK(rules.shutdown_grace == std::chrono::seconds{60});  // okx.md §5
        CHECK(rules.server_ping_interval.count() == 0);
    }

    TEST_CASE("sised's batched subscribe frames add up to one subscription, each acked") {
        feed::okx_adapter adapter;
        std::vector<std::string> markets;
        for (int i = 0; i < 150; ++i) markets.push_back("C" + std::to_string(i) + "-USDT");
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 2);
        const auto client = okx_dialect{}.connect();
        const client_action first = client->on_message(frames[0]);
        REQUIRE(first.what == client_action::kind::subscribe);
        CHECK(first.codes.size() == 100);
        CHECK_FALSE(first.snapshot);
        const client_action second = client->on_message(frames[1]);
        REQUIRE(second.what == client_action::kind::subscribe);
        CHECK(second.codes == markets);  // the server applies the whole set
        const parsed ack = parse_with_sised(second.reply);
        CHECK_FALSE(ack.ec);
        CHECK(ack.result.kind == feed::frame_kind::ack);
        CHECK(second.reply ==
              R"({"id":"2","event":"subscribe","arg":{"channel":"tickers","instId":"C100-USDT"},)"
              R"("connId":"f4e0c0de"})");
    }

    TEST_CASE("the docs' requests subscribe and unsubscribe") {
        const auto client = okx_dialect{}.connect();
        const client_action sub =
            client->on_message(sise::test::read_fixture("okx", "subscribe_request.json"));
        REQUIRE(sub.what == client_action::kind::subscribe);
        CHECK(sub.codes == std::vector<std::string>{"BTC-USDT"});
        const client_action unsub =
            client->on_message(sise::test::read_fixture("okx", "unsubscribe_request.json"));
        REQUIRE(unsub.what == client_action::kind::subscribe);
        CHECK(unsub.codes.empty());
        CHECK(parse_with_sised(unsub.reply).result.kind == feed::frame_kind::ack);
    }

    TEST_CASE("the text ping is answered with the bare text pong, a heartbeat to sised") {
        const auto client = okx_dialect{}.connect();
        const client_action a = client->on_message("ping");
        CHECK(a.what == client_action::kind::reply);
        CHECK(a.reply == sise::test::read_fixture("okx", "pong.txt"));
        CHECK_FALSE(a.reply_binary);
        const parsed p = parse_with_sised(a.reply);
        CHECK_FALSE(p.ec);
        CHECK(p.result.kind == feed::frame_kind::heartbeat);
    }

    TEST_CASE("bad requests get OKX's error events, which sised reads as errors") {
        const auto client = okx_dialect{}.connect();
        const struct {
            const char* request;
            const char* code;
        } cases[] = {
            {"not json", "code 60012: "},
            {R"({"op":"subscribe","argss":[{"channel":"tickers","instId":"A-B"}]})",
             "code 60012: "},
            {R"({"op":"subscribe","args":[{"channel":"trades","instId":"NMR-USDT"}]})",
             "code 60018: Wrong URL or channel:trades,instId:NMR-USDT doesn't exist."},
            {R"({"id":"9","op":"login","args":[{"channel":"tickers","instId":"A-B"}]})",
             "code 60019: "},
        };
        for (const auto& c : cases) {
            CAPTURE(c.request);
            const client_action a = client->on_message(c.request);
            CHECK(a.what == client_action::kind::reject);
            const parsed p = parse_with_sised(a.reply);
            CHECK_FALSE(p.ec);
            CHECK(p.result.kind == feed::frame_kind::exchange_error);
            CHECK(p.detail.starts_with(c.code));
        }
    }

    TEST_CASE("a rendered ticker and the upgrade notice parse with sised's OKX adapter") {
        const okx_dialect d;
        const price_walk walk(describe_market("BTC-USDT"), 1, 1'700'000'000'000);
        std::string frame;
        d.render_ticker(frame, walk, stream_type::realtime, 1'700'000'000'123, "65000.12", 1);
        const parsed p = parse_with_sised(frame);
        REQUIRE_FALSE(p.ec);
        CHECK(p.result.kind == feed::frame_kind::tickers);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].market.view() == "BTC-USDT");
        CHECK(p.out[0].price.text() == "65000.12");
        CHECK(p.out[0].exchange_time_ms == 1'700'000'000'123);
        CHECK_FALSE(p.out[0].change.empty());  // from open24h, the walk's start price
        const parsed notice = parse_with_sised(d.shutdown_notice(5));
        CHECK(notice.result.kind == feed::frame_kind::reconnect);
        CHECK(notice.detail.starts_with("notice 64008: "));
    }

    TEST_CASE("the instrument list at sised's path parses with the adapter") {
        feed::okx_adapter adapter;
        const auto [path, query] = split_target(adapter.market_list_path());
        const okx_dialect d;
        REQUIRE(d.route(path) == rest_route::market_list);
        http_response res;
        d.market_list(res,
                      {price_walk(describe_market("BTC-USDT"), 1, 0),
                       price_walk(describe_market("ETH-BTC"), 1, 0)},
                      query);
        std::vector<feed::instrument> list;
        boost::system::error_code ec;
        adapter.parse_market_list(res.body(), list, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(list.size() == 2);
        CHECK(list[0].market == "BTC-USDT");
        CHECK(list[1].base == "ETH");
        CHECK(list[1].quote == "BTC");
    }

    TEST_CASE("sised's candle request is understood and the answer parses, newest first") {
        feed::okx_adapter adapter;
        constexpr std::int64_t to = 1'725'927'360'000;
        const auto [path, query] = split_target(adapter.candles_path("BTC-USDT", to, 300));
        const okx_dialect d;
        REQUIRE(d.route(path) == rest_route::candles);
        candle_query q;
        http_response res;
        REQUIRE(d.parse_candles(res, path, query, q));
        CHECK(q.market == "BTC-USDT");
        CHECK(q.count == 300);
        REQUIRE(q.to_ms.has_value());
        CHECK(*q.to_ms == to);
        const candle_close_fn close = [](const std::string&, std::int64_t minute) {
            return minute % 2 == 0 ? std::optional<std::string>("65000.5") : std::nullopt;
        };
        d.candles(res, q, to / minute_ms, close);
        std::vector<feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(res.body(), candles, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(candles.size() == 300);
        CHECK(candles[0].start_ms == to - 2 * minute_ms);  // the minute before `to` had no trade
        CHECK(candles[1].start_ms == to - 4 * minute_ms);
        CHECK(candles[0].close.text() == "65000.5");
    }

    TEST_CASE("REST errors keep OKX's envelope, which sised reads as errors") {
        const okx_dialect d;
        feed::okx_adapter adapter;
        std::vector<feed::minute_candle> candles;
        boost::system::error_code ec;

        http_response limited;
        d.rate_limited(limited, rest_route::candles);
        CHECK(limited.result() == http::status::too_many_requests);
        adapter.parse_candles(limited.body(), candles, ec);
        CHECK(ec == sise::errc::exchange_error);

        candle_query q;
        http_response bar;
        CHECK_FALSE(d.parse_candles(bar, "/api/v5/market/candles", "instId=BTC-USDT&bar=1H", q));
        CHECK(bar.result() == http::status::bad_request);
        http_response no_id;
        CHECK_FALSE(d.parse_candles(no_id, "/api/v5/market/candles", "bar=1m&limit=5", q));
        http_response limit;
        CHECK_FALSE(d.parse_candles(limit, "/api/v5/market/candles", "instId=A-B&limit=x", q));
        http_response unknown;
        d.unknown_market(unknown);
        adapter.parse_candles(unknown.body(), candles, ec);
        CHECK(ec == sise::errc::exchange_error);
        http_response garbage;
        d.garbage(garbage, rest_route::candles);
        adapter.parse_candles(garbage.body(), candles, ec);
        CHECK(ec);
        CHECK(candles.empty());
    }

    TEST_CASE("over loopback: ping gets pong, and a client that stops pinging is dropped") {
        server_options options;
        options.exchange = "okx";
        options.markets = {"BTC-USDT"};
        options.frames_per_second = 50;
        keepalive_rules rules = dialect_for("okx").keepalive();
        rules.client_idle_limit = 900ms;
        options.keepalive = rules;
        exchange_server fake(options);
        fake.start();
        CHECK(fake.websocket_url().ends_with("/ws/v5/public"));

        sise::test::stream_client pinging(fake.port(), "", "/ws/v5/public");
        sise::test::stream_client silent(fake.port(), "", "/ws/v5/public");
        REQUIRE(pinging.connected());
        REQUIRE(silent.connected());
        const std::string subscribe =
            R"({"id":"1","op":"subscribe","args":[{"channel":"tickers","instId":"BTC-USDT"}]})";
        REQUIRE(pinging.send(subscribe));
        REQUIRE(silent.send(subscribe));
        // 2.7 s, three idle limits: one client pings every 200 ms, the other never again,
        // though both receive a busy stream.
        bool pong_seen = false;
        const auto until = std::chrono::steady_clock::now() + 2700ms;
        while (std::chrono::steady_clock::now() < until) {
            REQUIRE(pinging.send("ping"));
            const auto read_until = std::chrono::steady_clock::now() + 200ms;
            while (std::chrono::steady_clock::now() < read_until) {
                auto message = pinging.read(50ms);
                if (message && *message == "pong") pong_seen = true;
            }
        }
        CHECK(pong_seen);
        CHECK(silent.closed_by_server(3s));
        CHECK(fake.idle_timeouts() == 1);
        CHECK(fake.open_websockets() == 1);
        CHECK(fake.subscriptions() == 2);
    }
}

}  // namespace
}  // namespace sise::fake
