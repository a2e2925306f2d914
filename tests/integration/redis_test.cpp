// The Redis bus end to end (docs/deployment.md): fake exchange -> feed sised ([sinks.redis])
// -> a redis-server of the test's own (loopback, no persistence) -> relay sised
// ([source.redis]) -> websocket and HTTP clients, over plain TCP and over TLS. FX figures
// relayed as the feed computed them. Faults: Redis restarted, the feed daemon stopped, a wrong
// password, an untrusted certificate; and the stream's bound.
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
#include "support/expected_premium.hpp"
#include "support/fx_source.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/redis_server.hpp"
#include "support/snapshot_rows.hpp"
#include "support/test_ca.hpp"
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

// The paused fake listing BTC against KRW and USDT: a KRW row and a foreign row, for FX.
fake::server_options btc_fake() {
    fake::server_options options = paused_fake();
    options.markets = {"KRW-BTC", "USDT-BTC"};
    return options;
}

// The feed daemon of a btc_fake.
daemon_config btc_feed(const fake::exchange_server& exchange, const std::string& redis_url) {
    daemon_config config = feed_daemon(exchange, redis_url);
    config.set("feeds.upbit", "markets", R"(["KRW-BTC", "USDT-BTC"])");
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

    TEST_CASE(
        "a relay's rows carry the feed daemon's KRW values, FX source and premium, stale "
        "when the feed daemon's FX source is and when the feed daemon is gone") {
        redis_server redis;
        fake::exchange_server exchange(btc_fake());
        exchange.pause_stream(true);
        exchange.start();
        fx_source source;
        daemon_config config = btc_feed(exchange, redis.url());
        config.text("fx", "source", "http")
            .text("fx", "name", "test")
            .text("fx", "url", source.url())
            .text("fx", "field", "rates.KRW")
            .set("fx", "poll_interval_ms", 1000)
            .set("fx", "max_age_ms", 2500)
            .set("fx", "timeout_ms", 1000)
            .set("fx", "usdt_as_usd", "true");
        std::optional<daemon_process> feed(std::in_place, config.toml());
        daemon_process relay(relay_daemon(redis.url()).toml());
        REQUIRE(eventually([&] { return exchange.subscriptions() > 0; }, 5s));
        REQUIRE(exchange.send_ticker("KRW-BTC", "100000000"));
        REQUIRE(exchange.send_ticker("USDT-BTC", "68000.5"));
        const std::string percent = expected_premium("100000000", "68000.5", "1400");
        REQUIRE_MESSAGE(
            eventually(
                [&] {
                    return snapshot_field(feed->port(), "KRW-BTC", "premium").find(percent) !=
                           std::string::npos;
                },
                5s),
            feed->log());
        // Row for row the same JSON at both daemons, FX members included.
        const auto same_rows = [&] {
            const auto rows = snapshot_row_texts(relay.port());
            return rows.size() == 2 && rows == snapshot_row_texts(feed->port());
        };
        CHECK(eventually(same_rows, 5s));
        const std::string krw = snapshot_field(relay.port(), "USDT-BTC", "krw");
        CHECK(krw.find(R"("basis":"usd_krw:test")") != std::string::npos);
        CHECK(krw.find(R"("source":"http")") != std::string::npos);
        CHECK(krw.find(R"("value":"95200700")") != std::string::npos);
        CHECK(snapshot_field(relay.port(), "KRW-BTC", "premium")
                  .find(R"("percent":")" + percent + '"') != std::string::npos);
        // The hash holds the array as its JSON text, for any consumer.
        CHECK(redis.cli({"HGET", "sise:last:upbit:USDT-BTC", "krw"}).find("95200700") !=
              std::string::npos);

        // The feed daemon gone: the relay's rows turn stale, and a premium is never shown from
        // a row that is not live (fx::premium_pct's rule); KRW values stay, as a direct feed's.
        CHECK(feed->terminate() == 0);
        feed.reset();
        CHECK(eventually(
            [&] {
                return snapshot_field(relay.port(), "KRW-BTC", "premium")
                           .find(R"("percent":null,"reason":"krw_row_stale")") != std::string::npos;
            },
            5s));
        CHECK(snapshot_field(relay.port(), "KRW-BTC", "status") == "stale");
        CHECK(snapshot_field(relay.port(), "USDT-BTC", "krw") == krw);

        // Back: the figures return. Then the FX source fails: past max_age_ms the feed daemon's
        // figures turn null, and the relay's with the same reason.
        feed.emplace(config.toml());
        REQUIRE(eventually(same_rows, 10s));
        source.fail();
        REQUIRE(eventually(
            [&] {
                return snapshot_field(feed->port(), "KRW-BTC", "premium").find("fx_stale") !=
                       std::string::npos;
            },
            8s));
        CHECK(eventually(
            [&] {
                return snapshot_field(relay.port(), "USDT-BTC", "krw").find("fx_stale") !=
                           std::string::npos &&
                       snapshot_field(relay.port(), "KRW-BTC", "premium").find("fx_stale") !=
                           std::string::npos;
            },
            5s));
        CHECK(eventually(same_rows, 5s));
    }

    TEST_CASE("over TLS with the test CA as ca_file, a relay's clients see the feed's rows") {
        test_ca ca;
        const server_cert cert = ca.issue("redis", {"IP:127.0.0.1", "DNS:localhost"});
        redis_server redis("", {}, redis_tls{cert.cert_file, cert.key_file, ca.cert_file()});
        REQUIRE(redis.url().starts_with("rediss://"));
        fake::exchange_server exchange(paused_fake());
        exchange.pause_stream(true);
        exchange.start();
        daemon_process feed(feed_daemon(exchange, redis.url())
                                .text("sinks.redis", "ca_file", ca.cert_file())
                                .toml());
        daemon_process relay(
            relay_daemon(redis.url()).text("source.redis", "ca_file", ca.cert_file()).toml());
        REQUIRE_MESSAGE(eventually([&] { return every_row(relay.port(), "live"); }, 10s),
                        relay.log());
        REQUIRE(exchange.send_ticker("KRW-BTC", "91234000"));
        CHECK(eventually(
            [&] { return snapshot_rows(relay.port()).at("KRW-BTC").first == "91234000"; }, 5s));
        CHECK(eventually(
            [&] { return snapshot_row_texts(relay.port()) == snapshot_row_texts(feed.port()); },
            5s));
        CHECK(redis_state(feed.port()) == "live");
        CHECK(redis_state(relay.port()) == "live");
        CHECK(redis.cli({"HGET", "sise:last:upbit:KRW-BTC", "price"}) == "91234000");
    }

    TEST_CASE(
        "an untrusted Redis certificate or one for another host is refused: one log line "
        "and tls_failed in /healthz, and a port without TLS is never spoken to in plaintext") {
        test_ca ca;
        test_ca other("another CA");
        const server_cert elsewhere = ca.issue("elsewhere", {"DNS:redis.elsewhere.test"});
        const server_cert here = ca.issue("here", {"IP:127.0.0.1"});
        redis_server wrong_host("", {},
                                redis_tls{elsewhere.cert_file, elsewhere.key_file, ca.cert_file()});
        redis_server unknown_ca("", {}, redis_tls{here.cert_file, here.key_file, ca.cert_file()});
        const auto relay_at = [](const std::string& url, const std::string& ca_file) {
            daemon_config config = relay_daemon(url);
            config.set("source.redis", "connect_timeout_ms", 1000);
            if (!ca_file.empty()) config.text("source.redis", "ca_file", ca_file);
            return config.toml();
        };
        struct refusal {
            std::string url, ca_file, why;
        };
        const std::vector<refusal> cases{
            {wrong_host.url(), ca.cert_file(),
             "certificate verify failed: the certificate does not name 127.0.0.1"},
            {unknown_ca.url(), other.cert_file(), "certificate verify failed: "},
            // The system CAs only: ours is not among them.
            {unknown_ca.url(), "", "certificate verify failed: "},
        };
        for (const refusal& c : cases) {
            CAPTURE(c.url);
            CAPTURE(c.ca_file);
            daemon_process relay(relay_at(c.url, c.ca_file));
            REQUIRE_MESSAGE(
                eventually([&] { return redis_state(relay.port()) == "tls_failed"; }, 5s),
                relay.log());
            REQUIRE(eventually(
                [&] { return healthz(relay.port()).number("/redis/0/connect_attempts") >= 3; },
                10s));
            const healthz health(relay.port());
            CHECK(health.text("/redis/0/state") == "tls_failed");
            CHECK(health.number("/redis/0/connections") == 0);
            CHECK(health.response().status == 503);
            const std::string last_error = health.text("/redis/0/last_error");
            CHECK_MESSAGE(last_error.starts_with("TLS handshake failed: " + c.why), last_error);
            CHECK(count(relay.log(), "TLS handshake failed") == 1);
            CHECK(relay.running());
        }

        // rediss:// to a Redis without TLS: the handshake never completes, and not one command
        // goes to it in plaintext.
        redis_server plain;
        daemon_process relay(
            relay_at(fmt::format("rediss://127.0.0.1:{}/0", plain.port()), ca.cert_file()));
        REQUIRE(eventually(
            [&] { return healthz(relay.port()).number("/redis/0/connect_attempts") >= 2; }, 10s));
        const healthz health(relay.port());
        CHECK(health.text("/redis/0/state") != "live");
        CHECK(health.number("/redis/0/connections") == 0);
        CHECK(health.response().status == 503);
        // The one PING is the test's own (redis_server::start).
        const std::string commands = plain.cli({"INFO", "commandstats"});
        CHECK(commands.find("cmdstat_ping:calls=1,") != std::string::npos);
        CHECK(commands.find("cmdstat_psubscribe") == std::string::npos);
        CHECK(commands.find("cmdstat_scan") == std::string::npos);
    }

    TEST_CASE("a field a row no longer has leaves its hash: the premium once [fx] is removed") {
        redis_server redis;
        fake::exchange_server exchange(btc_fake());
        exchange.pause_stream(true);
        exchange.start();
        const daemon_config without_fx = btc_feed(exchange, redis.url());
        daemon_config with_fx = without_fx;
        with_fx.text("fx", "source", "fixed")
            .text("fx", "usd_krw", "1400")
            .set("fx", "usdt_as_usd", "true");
        const auto has = [&](std::string_view market, std::string_view field) {
            return redis.cli({"HEXISTS", fmt::format("sise:last:upbit:{}", market),
                              std::string(field)}) == "1";
        };
        {
            daemon_process feed(with_fx.toml());
            REQUIRE(eventually([&] { return exchange.subscriptions() > 0; }, 5s));
            REQUIRE(exchange.send_ticker("KRW-BTC", "100000000"));
            REQUIRE(exchange.send_ticker("USDT-BTC", "68000.5"));
            REQUIRE(eventually([&] { return has("KRW-BTC", "premium") && has("USDT-BTC", "krw"); },
                               5s));
            CHECK(feed.terminate() == 0);
        }
        daemon_process feed(without_fx.toml());
        CHECK(eventually(
            [&] {
                return redis_state(feed.port()) == "live" && !has("KRW-BTC", "premium") &&
                       !has("USDT-BTC", "krw");
            },
            10s));
        CHECK(has("KRW-BTC", "price"));
        CHECK(has("USDT-BTC", "exchange_time"));
        CHECK(healthz(feed.port()).number("/redis/0/command_errors") == 0);
    }
}
