// sised fed by the fake OKX: rows with the digits the venue sent and the change computed from
// open24h (rolling 24 h basis), the 30 s idle rule (shortened) kept at bay by sised's text ping,
// the service-upgrade notice answered by a new connection without losing an update, and a
// configured instrument the venue does not list.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/snapshot_rows.hpp"
#include "support/venue_checks.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> listed{"BTC-USDT", "ETH-USDT", "SOL-USDT"};

// The fake with OKX's rules shortened: a client silent for 1 s is dropped (OKX: 30 s), and
// the close follows the upgrade notice after 1.5 s (OKX: 60 s).
fake::server_options okx_fake(double frames_per_second) {
    fake::server_options options = venue_fake("okx", listed, frames_per_second);
    REQUIRE(options.keepalive->client_idle_limit == 30s);
    options.keepalive->client_idle_limit = 1s;
    options.keepalive->shutdown_grace = 1500ms;
    return options;
}

// sised's [feeds.okx] at the fake; `app_ping_ms` is its text ping period (0: none).
std::string config_for(const fake::exchange_server& exchange,
                       const std::vector<std::string>& markets, int app_ping_ms) {
    daemon_config config;
    config.set("server", "port", 0).set("server", "publish_interval_ms", 20);
    config.feed("okx", exchange)
        .set("feeds.okx", "markets", "[" + toml_strings(markets) + "]")
        .set("feeds.okx", "app_ping_interval_ms", app_ping_ms)
        .set("feeds.okx", "idle_timeout_ms", 20000)
        .set("feeds.okx", "connect_timeout_ms", 2000)
        .set("feeds.okx", "reconnect_initial_ms", 200)
        .set("feeds.okx", "reconnect_max_ms", 1000)
        .set("feeds.okx", "rest_timeout_ms", 1000);
    return config.toml();
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("OKX rows show the exact digits the fake sent and the change against open24h") {
        fake::exchange_server exchange(okx_fake(0));
        exchange.pause_stream(true);
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 200));
        // The fake's open24h is the walk's start price: 1000 for a code it does not know.
        check_exact_digits_on_cue(sised, exchange, "/ws/v5/public", listed,
                                  {{"BTC-USDT", "1012.5000"}, {"SOL-USDT", "990.25"}});
        CHECK(snapshot_field(sised.port(), "BTC-USDT", "exchange_change_basis") == "rolling_24h");
        CHECK(snapshot_field(sised.port(), "BTC-USDT", "exchange_change") == "12.5000");
        CHECK(snapshot_field(sised.port(), "BTC-USDT", "exchange_change_pct") == "1.2500");
        CHECK(snapshot_field(sised.port(), "SOL-USDT", "exchange_change") == "-9.75");
        CHECK(snapshot_field(sised.port(), "SOL-USDT", "base") == "SOL");
        CHECK(snapshot_field(sised.port(), "SOL-USDT", "quote") == "USDT");
        // Backfill asked for candles in OKX's shape, within the venue's budget.
        CHECK(eventually([&] { return exchange.candle_requests() >= listed.size(); }, 5s));
        CHECK(exchange.candle_requests_rejected() == 0);
        CHECK(healthz(sised.port()).number("/feeds/0/bad_frames") == 0);
    }

    TEST_CASE("sised's text ping keeps it connected past the fake OKX's idle limit") {
        fake::exchange_server exchange(okx_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 250));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        std::this_thread::sleep_for(3500ms);  // 3.5 idle limits of a busy stream
        CHECK(exchange.idle_timeouts() == 0);
        CHECK(exchange.connections_accepted() == 1);
        healthz h(sised.port());
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(h.number("/feeds/0/connections") == 1);
        // Every "pong" (one per ping, every 250 ms) came back as a heartbeat, not a bad frame.
        CHECK(h.number("/feeds/0/heartbeats") >= 8);
        CHECK(h.number("/feeds/0/bad_frames") == 0);
    }

    TEST_CASE("without the text ping the fake OKX drops sised for its silence") {
        // The other side of the rule: the test above passes because of sised's ping.
        fake::exchange_server exchange(okx_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 0));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        CHECK(eventually([&] { return exchange.idle_timeouts() >= 1; }, 5s));
        CHECK(eventually([&] { return exchange.connections_accepted() >= 2; }, 5s));  // it is back
    }

    TEST_CASE("the service-upgrade notice moves sised to a new connection without losing a row") {
        fake::exchange_server exchange(okx_fake(300));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 250));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        REQUIRE(
            eventually([&] { return healthz(sised.port()).number("/feeds/0/tickers") > 50; }, 5s));

        // The notice (64008), then the close 1.5 s later, while 300 updates/s keep flowing.
        exchange.announce_shutdown();
        REQUIRE(eventually(
            [&] { return healthz(sised.port()).number("/feeds/0/handovers_completed") == 1; },
            10s));
        CHECK(eventually([&] { return exchange.open_websockets() == 1; }, 5s));
        CHECK(exchange.connections_accepted() == 2);
        exchange.pause_stream(true);
        // Every update the fake sent arrived exactly once, and each row ends on its last price.
        CHECK(eventually(
            [&] {
                return healthz(sised.port()).number("/feeds/0/tickers") ==
                       updates_sent(exchange, listed);
            },
            5s));
        CHECK(eventually([&] { return rows_at_last_prices(sised.port(), exchange, listed); }, 2s));
        healthz h(sised.port());
        CHECK(h.number("/feeds/0/handovers/exchange_request") == 1);
        CHECK(h.number("/feeds/0/handover_failures") == 0);
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(h.text("/feeds/0/last_error").find("notice 64008") != std::string::npos);
        CHECK(exchange.idle_timeouts() == 0);
    }

    TEST_CASE("a configured instrument the fake OKX does not list is reported per market") {
        fake::exchange_server exchange(okx_fake(50));
        exchange.start();
        daemon_process sised(config_for(exchange, {"BTC-USDT", "NOPE-USDT"}, 250));
        check_reported_unlisted(sised, exchange, "BTC-USDT", "NOPE-USDT");
    }
}
