// The fake's Coinbase dialect, checked against coinbase.md and against sised's real Coinbase
// adapter: the adapter's own subscribe frames, product list path and candle path go in, the
// fake's answers come out and must parse with the adapter. Then over loopback: the numbering
// per connection, the skipped number on cue, heartbeats, and the heartbeats rule enforced.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "fake/candles.hpp"
#include "fake/coinbase_dialect.hpp"
#include "fake/dialect.hpp"
#include "fake/exchange_server.hpp"
#include "sise/feed/coinbase.hpp"
#include "sise/feed/sequence_check.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;

constexpr std::int64_t t0 = 1'725'927'377'174;  // 2024-09-10T00:16:17.174Z

std::pair<std::string, std::string> split_target(const std::string& target) {
    const auto q = target.find('?');
    if (q == std::string::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

// What the session does before a message goes out: its number over the placeholder.
std::string numbered(std::string message, std::uint64_t n) {
    const coinbase_dialect d;
    const auto at = message.find(d.sequence_key());
    REQUIRE(at != std::string::npos);
    const std::string digits = std::to_string(n);
    message.replace(at + d.sequence_key().size(), digits.size(), digits);
    return message;
}

struct parsed {
    feed::frame_result result;
    std::string detail;
    boost::system::error_code ec;
    std::vector<ticker_update> out;
};

parsed parse_with_sised(std::string_view frame) {
    feed::coinbase_adapter adapter;
    parsed p;
    p.result = adapter.parse(frame, p.out, p.ec);
    p.detail = std::string(p.result.detail);
    return p;
}

// A blocking websocket client of the fake (the fake runs on its own thread).
struct sync_client {
    boost::asio::io_context ioc;
    websocket::stream<boost::asio::ip::tcp::socket> ws{ioc};
    boost::beast::flat_buffer buffer;

    explicit sync_client(const exchange_server& fake) {
        boost::asio::ip::tcp::resolver resolver(ioc);
        boost::asio::connect(ws.next_layer(),
                             resolver.resolve("127.0.0.1", std::to_string(fake.port())));
        ws.handshake("127.0.0.1", "/");
    }
    void send(std::string_view text) { ws.write(boost::asio::buffer(text)); }
    // The next message, or empty once the fake closed the connection.
    std::string read() {
        buffer.clear();
        boost::system::error_code ec;
        ws.read(buffer, ec);
        if (ec) return {};
        return boost::beast::buffers_to_string(buffer.data());
    }
};

server_options coinbase_options(std::chrono::milliseconds heartbeats_deadline) {
    server_options o;
    o.exchange = "coinbase";
    o.markets = {"BTC-USD", "ETH-USD"};
    o.frames_per_second = 40;
    keepalive_rules rules = coinbase_dialect{}.keepalive();
    rules.heartbeat_interval = 100ms;
    rules.heartbeats_deadline = heartbeats_deadline;
    o.keepalive = rules;
    return o;
}

TEST_SUITE("fake coinbase dialect") {
    TEST_CASE("the registry knows coinbase: no path, text frames, heartbeats required") {
        const dialect& d = dialect_for("coinbase");
        CHECK(d.name() == "coinbase");
        CHECK(d.websocket_path() == "/");
        CHECK(!d.binary_data());
        const keepalive_rules rules = d.keepalive();
        CHECK(rules.subscribe_deadline == 5s);
        CHECK(rules.heartbeat_interval == 1s);
        CHECK(rules.heartbeats_deadline > 0ms);
        CHECK(rules.client_idle_limit == 0ms);
    }

    TEST_CASE("sised's subscribe frames become a ticker subscription and heartbeats, acked") {
        feed::coinbase_adapter adapter;
        const std::vector<std::string> markets{"BTC-USD", "ETH-USD"};
        const auto frames = adapter.subscribe_frames(markets);
        REQUIRE(frames.size() == 2);
        const auto client = coinbase_dialect{}.connect();
        const client_action ticker = client->on_message(frames[0]);
        REQUIRE(ticker.what == client_action::kind::subscribe);
        CHECK(ticker.codes == markets);
        CHECK(ticker.snapshot);
        CHECK(!ticker.heartbeats);
        const client_action beats = client->on_message(frames[1]);
        CHECK(beats.what == client_action::kind::reply);
        CHECK(beats.heartbeats);
        // The ack lists the total so far and reads as an ack in sised.
        auto p = parse_with_sised(numbered(beats.reply, 1));
        CHECK(!p.ec);
        CHECK(p.result.kind == feed::frame_kind::ack);
        CHECK(p.result.sequence == 1);
        CHECK(beats.reply.find(R"("ticker":["BTC-USD","ETH-USD"])") != std::string::npos);
    }

    TEST_CASE("ticker messages add up: a later one keeps the earlier products") {
        const auto client = coinbase_dialect{}.connect();
        client->on_message(R"({"type":"subscribe","product_ids":["BTC-USD"],"channel":"ticker"})");
        const client_action a = client->on_message(
            R"({"type":"subscribe","product_ids":["ETH-USD","BTC-USD"],"channel":"ticker"})");
        CHECK(a.codes == std::vector<std::string>{"BTC-USD", "ETH-USD"});
    }

    TEST_CASE("bad requests get Coinbase's error frame, which sised reads as an error") {
        const auto client = coinbase_dialect{}.connect();
        for (const char* request :
             {"not json", R"({"type":"subscribe","channel":"heartbeat"})",
              R"({"type":"subscribe","channel":"ticker"})",
              R"({"type":"subscribe","channel":"ticker","product_ids":[]})",
              R"({"type":"unsubscribe","channel":"ticker","product_ids":["BTC-USD"]})"}) {
            CAPTURE(request);
            const client_action a = client->on_message(request);
            CHECK(a.what == client_action::kind::reject);
            auto p = parse_with_sised(a.reply);
            CHECK(!p.ec);
            CHECK(p.result.kind == feed::frame_kind::exchange_error);
            CHECK(p.detail == "failure to subscribe");
        }
    }

    TEST_CASE("rendered tickers and heartbeats parse with sised's adapter") {
        const coinbase_dialect d;
        const price_walk walk(describe_market("BTC-USD"), 7, t0);
        std::string snapshot;
        d.render_ticker(snapshot, walk, stream_type::snapshot, t0, "65000.12", 1);
        CHECK(snapshot.find(R"("type":"snapshot")") != std::string::npos);
        // Unnumbered, the placeholder is no JSON number: the session must stamp every message.
        CHECK(parse_with_sised(snapshot).ec);
        auto p = parse_with_sised(numbered(snapshot, 12));
        REQUIRE(!p.ec);
        CHECK(p.result.kind == feed::frame_kind::tickers);
        CHECK(p.result.sequence == 12);
        REQUIRE(p.out.size() == 1);
        CHECK(p.out[0].market.view() == "BTC-USD");
        CHECK(p.out[0].price.text() == "65000.12");
        CHECK(p.out[0].exchange_time_ms == t0);
        CHECK(!p.out[0].change_pct.empty());

        auto beat = parse_with_sised(numbered(d.heartbeat(t0, 3049), 13));
        CHECK(!beat.ec);
        CHECK(beat.result.kind == feed::frame_kind::heartbeat);
        CHECK(beat.result.sequence == 13);
    }

    TEST_CASE("the product list at sised's path parses with the adapter") {
        feed::coinbase_adapter adapter;
        const auto [path, query] = split_target(adapter.market_list_path());
        const coinbase_dialect d;
        REQUIRE(d.route(path) == rest_route::market_list);
        std::vector<price_walk> walks;
        for (const char* code : {"BTC-USD", "ETH-USDC"})
            walks.emplace_back(describe_market(code), 1, t0);
        http_response res;
        d.market_list(res, walks, query);
        std::vector<feed::instrument> list;
        boost::system::error_code ec;
        adapter.parse_market_list(res.body(), list, ec);
        CHECK_FALSE(ec);
        REQUIRE(list.size() == 2);
        CHECK(list[0].market == "BTC-USD");
        CHECK(list[0].base == "BTC");
        CHECK(list[1].quote == "USDC");
    }

    TEST_CASE("sised's candle request is understood and the answer parses with the adapter") {
        feed::coinbase_adapter adapter;
        constexpr std::int64_t to = 1'725'927'360'000;  // a minute boundary
        const auto [path, query] = split_target(adapter.candles_path("BTC-USD", to, 3));
        const coinbase_dialect d;
        REQUIRE(d.route(path) == rest_route::candles);
        candle_query q;
        http_response res;
        REQUIRE(d.parse_candles(res, path, query, q));
        CHECK(q.market == "BTC-USD");
        CHECK(q.count == 3);
        REQUIRE(q.to_ms.has_value());
        CHECK(*q.to_ms == to);

        const candle_close_fn close = [](const std::string&, std::int64_t) {
            return std::optional<std::string>("66181.6");
        };
        d.candles(res, q, to / minute_ms, close);
        std::vector<feed::minute_candle> candles;
        boost::system::error_code ec;
        adapter.parse_candles(res.body(), candles, ec);
        CHECK_FALSE(ec);
        REQUIRE(candles.size() == 3);
        CHECK(candles[0].start_ms == to - minute_ms);  // newest first, before `to`
        CHECK(candles[2].start_ms == to - 3 * minute_ms);
        CHECK(candles[0].close.text() == "66181.6");
    }

    TEST_CASE("candle requests without start, end or ONE_MINUTE are refused") {
        const coinbase_dialect d;
        const std::string path = "/api/v3/brokerage/market/products/BTC-USD/candles";
        for (const char* query :
             {"start=1&granularity=ONE_MINUTE", "start=1&end=100",
              "start=1&end=100&granularity=ONE_HOUR", "start=100&end=1&granularity=ONE_MINUTE"}) {
            CAPTURE(query);
            candle_query q;
            http_response res;
            CHECK(!d.parse_candles(res, path, query, q));
            CHECK(res.result() == http::status::bad_request);
        }
        CHECK(d.route("/api/v3/brokerage/market/products/BTC-USD/ticker") == rest_route::unknown);
    }

    TEST_CASE("every message of a connection is numbered, and the skip cue leaves one out") {
        exchange_server fake(coinbase_options(10s));
        fake.start();
        sync_client client(fake);
        feed::coinbase_adapter adapter;
        for (const auto& frame : adapter.subscribe_frames(std::vector<std::string>{"BTC-USD"}))
            client.send(frame);
        feed::sequence_check check;
        int tickers = 0, heartbeats = 0, acks = 0, gaps = 0;
        std::int64_t first = -1;
        bool skipped = false;
        for (int i = 0; i < 60; ++i) {
            const std::string message = client.read();
            REQUIRE(!message.empty());
            auto p = parse_with_sised(message);
            REQUIRE_MESSAGE(!p.ec, message);
            if (first < 0) first = p.result.sequence;
            gaps += check.gap(p.result.sequence) ? 1 : 0;
            tickers += p.result.kind == feed::frame_kind::tickers;
            heartbeats += p.result.kind == feed::frame_kind::heartbeat;
            acks += p.result.kind == feed::frame_kind::ack;
            if (i == 30) {
                fake.skip_sequence();
                skipped = true;
            }
        }
        CHECK(skipped);
        CHECK(first == 0);      // the connection's count starts at 0
        CHECK(gaps == 1);       // the one skipped number, nothing else
        CHECK(acks == 2);       // ticker, then heartbeats
        CHECK(tickers > 10);    // snapshot, then updates at 40/s
        CHECK(heartbeats > 1);  // every 100 ms here
        CHECK(fake.idle_timeouts() == 0);
    }

    TEST_CASE("a client that does not subscribe to heartbeats in time is dropped") {
        exchange_server fake(coinbase_options(400ms));
        fake.start();
        sync_client with_beats(fake);
        sync_client without(fake);
        feed::coinbase_adapter adapter;
        const auto frames = adapter.subscribe_frames(std::vector<std::string>{"BTC-USD"});
        for (const auto& frame : frames) with_beats.send(frame);
        without.send(frames[0]);  // the ticker channel only
        const auto start = std::chrono::steady_clock::now();
        int read_without = 0;
        while (!without.read().empty()) ++read_without;  // until the fake drops it
        const auto dropped_after = std::chrono::steady_clock::now() - start;
        CHECK(read_without > 0);  // it was served until then
        CHECK(dropped_after >= 300ms);
        CHECK(fake.idle_timeouts() == 1);
        // The other one is still served well past the deadline.
        while (std::chrono::steady_clock::now() - start < 1200ms)
            REQUIRE(!with_beats.read().empty());
        CHECK(fake.open_websockets() == 1);
        CHECK(fake.idle_timeouts() == 1);
    }
}

}  // namespace
}  // namespace sise::fake
