// The Redis bus end to end (docs/deployment.md): fake exchange -> feed sised ([sinks.redis])
// -> a redis-server of the test's own (loopback, no persistence) -> relay sised
// ([source.redis]) -> websocket and HTTP clients. Faults: Redis restarted, the feed daemon
// stopped, a wrong password; and the stream's bound.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/redis_server.hpp"
#include "support/snapshot_rows.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> markets{"KRW-BTC", "KRW-ETH", "KRW-XRP"};

// A paused fake that answers each subscription with a snapshot: prices move only on cue.
fake::server_options paused_fake() {
    fake::server_options options = fake_at(0);
    options.markets = markets;
    options.snapshot_on_subscribe = true;
    return options;
}

// The feed daemon: the fake's Upbit feed, every update published at once, written to Redis.
daemon_config feed_daemon(const fake::exchange_server& exchange, const std::string& redis_url) {
    daemon_config config = behind(exchange);
    config.set("server", "publish_interval_ms", 0)
        .set("feeds.upbit", "markets", fmt::format("[{}]", toml_strings(markets)))
        .set("feeds.upbit", "backfill", "false")
        .text("sinks.redis", "url", redis_url)
        .set("sinks.redis", "reconnect_initial_ms", 50)
        .set("sinks.redis", "reconnect_max_ms", 300)
        .set("sinks.redis", "heartbeat_interval_ms", 200);
    return config;
}

// An edge daemon relaying from Redis.
daemon_config relay_daemon(const std::string& redis_url) {
    daemon_config config;
    config.set("server", "port", 0)
        .set("server", "publish_interval_ms", 0)
        .text("source.redis", "url", redis_url)
        .set("source.redis", "reconnect_initial_ms", 50)
        .set("source.redis", "reconnect_max_ms", 300)
        .set("source.redis", "timeout_ms", 1000)
        .set("source.redis", "stale_after_ms", 1000);
    return config;
}

bool every_row(std::uint16_t port, std::string_view status) {
    const auto rows = snapshot_rows(port);
    return rows.size() == markets.size() &&
           std::all_of(rows.begin(), rows.end(),
                       [&](const auto& row) { return row.second.second == status; });
}

struct stream_row {
    std::string market, price, status;
};

std::vector<stream_row> rows_of(const std::string& message) {
    std::vector<stream_row> out;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array tickers;
    if (parser.parse(message).get(root) || root["tickers"].get(tickers)) return out;
    for (simdjson::dom::element item : tickers) {
        std::string_view market, price, status;
        if (item["market"].get(market) || item["status"].get(status)) continue;
        if (item["price"].get(price)) price = "";
        out.push_back({std::string(market), std::string(price), std::string(status)});
    }
    return out;
}

// Reads until a row of `market` satisfies `done`; every price of `market` seen on the way is
// appended to `prices` (when given). False on timeout or a broken connection.
template <typename Done>
bool read_until(stream_client& client, const std::string& market, Done done,
                std::vector<std::string>* prices = nullptr,
                std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto text = client.read(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()));
        if (!text) return false;
        for (const stream_row& row : rows_of(*text)) {
            if (row.market != market) continue;
            if (prices && (prices->empty() || prices->back() != row.price))
                prices->push_back(row.price);
            if (done(row)) return true;
        }
    }
    return false;
}

// Redis, the paused fake, a feed daemon writing to Redis and a relay reading it: every row live
// at both daemons.
struct bus {
    redis_server redis;
    fake::exchange_server exchange{paused_fake()};
    std::optional<daemon_process> feed;
    std::optional<daemon_process> relay;

    bus() {
        exchange.pause_stream(true);
        exchange.start();
        start_feed();
        relay.emplace(relay_daemon(redis.url()).toml());
        REQUIRE(eventually([&] { return every_row(relay->port(), "live"); }, 10s));
    }
    void start_feed() {
        feed.emplace(feed_daemon(exchange, redis.url()).toml());
        REQUIRE(eventually([&] { return every_row(feed->port(), "live"); }, 10s));
    }
};

std::string redis_state(std::uint16_t port) {
    return healthz(port).text("/redis/0/state");
}

std::size_t count(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("a relay's clients see the feed daemon's snapshot rows and the same prices") {
        bus setup;
        daemon_process& feed = *setup.feed;
        daemon_process& relay = *setup.relay;
        REQUIRE(eventually(
            [&] { return snapshot_rows(relay.port()) == snapshot_rows(feed.port()); }, 10s));
        // Row for row the same JSON: names, exchange times, receive times, bases, 24 h figures.
        CHECK(eventually(
            [&] { return snapshot_row_texts(relay.port()) == snapshot_row_texts(feed.port()); },
            3s));

        stream_client at_feed(feed.port());
        stream_client at_relay(relay.port());
        REQUIRE(at_feed.read());
        REQUIRE(at_relay.read());
        std::vector<std::string> sent;
        for (int i = 1; i <= 12; ++i) {
            sent.push_back(fmt::format("9{:07}", i * 1'234));
            REQUIRE(setup.exchange.send_ticker("KRW-BTC", sent.back()));
            std::this_thread::sleep_for(40ms);
        }
        std::vector<std::string> feed_prices, relay_prices;
        const auto last = [&](const stream_row& row) { return row.price == sent.back(); };
        CHECK(read_until(at_feed, "KRW-BTC", last, &feed_prices));
        CHECK(read_until(at_relay, "KRW-BTC", last, &relay_prices));
        CHECK(feed_prices == sent);
        CHECK(relay_prices == feed_prices);
        CHECK(healthz(relay.port()).text("/status") == "ok");
        CHECK(healthz(feed.port()).text("/redis/0/state") == "live");
        CHECK(setup.redis.cli({"HGET", "sise:last:upbit:KRW-BTC", "price"}) == sent.back());
    }

    TEST_CASE("Redis restarted mid-run: both daemons recover and relay clients resume") {
        bus setup;
        redis_server& redis = setup.redis;
        fake::exchange_server& exchange = setup.exchange;
        daemon_process& feed = *setup.feed;
        daemon_process& relay = *setup.relay;
        stream_client client(relay.port());
        REQUIRE(client.read());

        redis.kill();
        // Redis away: the relay's rows are stale, as a direct feed's are while its exchange is.
        CHECK(read_until(client, "KRW-ETH",
                         [](const stream_row& row) { return row.status == "stale"; }));
        CHECK(redis_state(feed.port()) != "live");
        CHECK(redis_state(relay.port()) != "live");
        REQUIRE(exchange.send_ticker("KRW-ETH", "4321000"));  // while Redis is away

        redis.start();
        REQUIRE(eventually([&] { return redis_state(feed.port()) == "live"; }, 10s));
        REQUIRE(eventually([&] { return redis_state(relay.port()) == "live"; }, 10s));
        // The same client, never reconnected: the price set while Redis was away (the sink
        // writes the whole table first), then live rows again.
        CHECK(read_until(client, "KRW-ETH", [](const stream_row& row) {
            return row.price == "4321000" && row.status == "live";
        }));
        REQUIRE(exchange.send_ticker("KRW-ETH", "4322000"));
        CHECK(read_until(client, "KRW-ETH", [](const stream_row& row) {
            return row.price == "4322000" && row.status == "live";
        }));
        CHECK(client.read_error() == boost::system::error_code{});
        const healthz feed_health(feed.port());
        CHECK(feed_health.number("/redis/0/reconnects") >= 1);
        CHECK(feed_health.number("/redis/0/full_writes") >= 2);
        CHECK(healthz(relay.port()).number("/redis/0/reconnects") >= 1);
        CHECK(feed.running());
        CHECK(relay.running());
    }

    TEST_CASE("the feed daemon stopped: relay rows turn stale, and live when it returns") {
        bus setup;
        daemon_process& relay = *setup.relay;
        CHECK(setup.feed->terminate() == 0);
        setup.feed.reset();
        CHECK(eventually([&] { return every_row(relay.port(), "stale"); }, 5s));
        CHECK(healthz(relay.port()).text("/status") == "degraded");
        // The values stay the last known ones.
        CHECK(snapshot_rows(relay.port()).at("KRW-BTC").first ==
              setup.exchange.last_price("KRW-BTC"));

        setup.start_feed();
        CHECK(eventually([&] { return every_row(relay.port(), "live"); }, 10s));
        CHECK(healthz(relay.port()).text("/status") == "ok");
    }

    TEST_CASE("the stream stays within its length bound however much is published") {
        // Trimming with ~ removes whole stream nodes: small nodes make the bound tight.
        redis_server redis("", {"--stream-node-max-entries", "10"});
        fake::server_options options = fake_at(300);
        options.markets = markets;
        fake::exchange_server exchange(options);
        exchange.start();
        daemon_config config = feed_daemon(exchange, redis.url());
        config.set("sinks.redis", "stream_maxlen", 20);
        daemon_process feed(config.toml());
        std::size_t longest = 0;
        const bool enough = eventually(
            [&] {
                longest = std::max<std::size_t>(
                    longest, std::stoul("0" + redis.cli({"XLEN", "sise:ticks"})));
                return healthz(feed.port()).number("/redis/0/publications_written") >= 200;
            },
            20s, 50ms);
        CHECK(enough);
        CHECK(longest > 0);
        CHECK(longest <= 20 + 10);
        CHECK(std::stoul("0" + redis.cli({"XLEN", "sise:ticks"})) <= 30);
    }

    TEST_CASE("a wrong password is one log line and a /healthz state, not a crash loop") {
        redis_server redis("right-password");
        fake::exchange_server exchange(paused_fake());
        exchange.pause_stream(true);
        exchange.start();
        const std::string url = fmt::format("redis://:wrong@127.0.0.1:{}/0", redis.port());
        daemon_process feed(feed_daemon(exchange, url).toml());
        REQUIRE(eventually([&] { return redis_state(feed.port()) == "auth_failed"; }, 5s));
        REQUIRE(eventually(
            [&] { return healthz(feed.port()).number("/redis/0/connect_attempts") >= 5; }, 10s));
        CHECK(redis_state(feed.port()) == "auth_failed");
        CHECK(feed.running());
        CHECK(count(feed.log(), "authentication failed") == 1);
        CHECK(healthz(feed.port()).text("/redis/0/last_error").find("WRONGPASS") !=
              std::string::npos);
        CHECK(healthz(feed.port()).response().status == 503);
        // The feed daemon still serves its own clients.
        CHECK(eventually([&] { return every_row(feed.port(), "live"); }, 10s));
    }
}
