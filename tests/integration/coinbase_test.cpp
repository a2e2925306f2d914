// sised fed by the fake Coinbase: prices with the digits the venue sent and its rolling 24 h
// basis, the heartbeats subscription that keeps the fake from closing the connection, a
// skipped sequence number that makes sised replace its connection without losing an update,
// and a configured product the venue does not list.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "fake/candle_history.hpp"
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

const std::vector<std::string> listed{"BTC-USD", "ETH-USD", "SOL-USD"};

// The fake with Coinbase's rules, heartbeats every 100 ms and the heartbeats deadline
// shortened from a minute to 600 ms.
fake::server_options coinbase_fake(double frames_per_second) {
    fake::server_options options = venue_fake("coinbase", listed, frames_per_second);
    REQUIRE(options.keepalive->heartbeats_deadline == 1min);
    options.keepalive->heartbeat_interval = 100ms;
    options.keepalive->heartbeats_deadline = 600ms;
    return options;
}

std::string config_for(const fake::exchange_server& exchange,
                       const std::vector<std::string>& markets, bool backfill = true) {
    daemon_config config;
    config.set("server", "port", 0).set("server", "publish_interval_ms", 20);
    config.feed("coinbase", exchange)
        .set("feeds.coinbase", "markets", "[" + toml_strings(markets) + "]")
        .set("feeds.coinbase", "idle_timeout_ms", 5000)
        .set("feeds.coinbase", "connect_timeout_ms", 2000)
        .set("feeds.coinbase", "reconnect_initial_ms", 200)
        .set("feeds.coinbase", "reconnect_max_ms", 1000)
        .set("feeds.coinbase", "rest_timeout_ms", 1000)
        .set("feeds.coinbase", "backfill", backfill ? "true" : "false");
    return config.toml();
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("Coinbase rows show the exact digits the fake sent and the rolling 24 h basis") {
        auto options = coinbase_fake(0);
        options.candle_close = fake::synthetic_candle_history(1);  // a close every minute
        fake::exchange_server exchange(options);
        exchange.pause_stream(true);
        exchange.start();
        daemon_process sised(config_for(exchange, listed));
        check_exact_digits_on_cue(sised, exchange, "/", listed,
                                  {{"BTC-USD", "65000.12"}, {"SOL-USD", "0.0100"}});
        const std::string body = http_get(sised.port(), "/v1/snapshot").body;
        CHECK(body.find(R"("exchange_change_basis":"rolling_24h")") != std::string::npos);
        CHECK(body.find(R"("exchange_change_basis":"none")") == std::string::npos);
        // Backfill asked for ONE_MINUTE candles in Coinbase's shape (350 a page, so five pages
        // a market for 24 h), and filled every window from them.
        CHECK(eventually([&] { return exchange.candle_requests() >= 5 * listed.size(); }, 10s));
        CHECK(eventually(
            [&] {
                healthz h(sised.port());
                return h.number("/feeds/0/backfill/markets_complete") == listed.size();
            },
            10s));
        CHECK(healthz(sised.port()).number("/feeds/0/backfill/failures") == 0);
    }

    TEST_CASE("sised subscribes to heartbeats, so the fake never closes its connection") {
        fake::exchange_server exchange(coinbase_fake(0));
        exchange.pause_stream(true);  // nothing but heartbeats
        exchange.start();
        daemon_process sised(config_for(exchange, listed, false));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        std::this_thread::sleep_for(2500ms);  // four heartbeats deadlines
        CHECK(exchange.idle_timeouts() == 0);
        CHECK(exchange.connections_accepted() == 1);
        CHECK(exchange.open_websockets() == 1);
        healthz h(sised.port());
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(h.number("/feeds/0/connections") == 1);
        CHECK(h.number("/feeds/0/heartbeats") >= 15);  // every 100 ms
        CHECK(h.number("/feeds/0/sequence_gaps") == 0);
        CHECK(h.number("/feeds/0/bad_frames") == 0);
    }

    TEST_CASE("a skipped sequence number replaces the connection and loses no update") {
        auto options = coinbase_fake(300);
        // Snapshots go to one connection only and are not counted in updates_sent(): without
        // them the fake's count is the whole reference.
        options.snapshot_on_subscribe = false;
        fake::exchange_server exchange(options);
        exchange.start();
        daemon_process sised(config_for(exchange, listed, false));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        REQUIRE(
            eventually([&] { return healthz(sised.port()).number("/feeds/0/tickers") > 50; }, 5s));

        for (int round = 1; round <= 2; ++round) {
            CAPTURE(round);
            exchange.skip_sequence();
            REQUIRE(eventually(
                [&] {
                    return healthz(sised.port()).number("/feeds/0/handovers_completed") ==
                           static_cast<std::uint64_t>(round);
                },
                10s));
            CHECK(eventually([&] { return exchange.open_websockets() == 1; }, 5s));
            exchange.pause_stream(true);
            // Every update the fake sent arrived exactly once.
            CHECK(eventually(
                [&] {
                    return healthz(sised.port()).number("/feeds/0/tickers") ==
                           updates_sent(exchange, listed);
                },
                5s));
            CHECK(eventually([&] { return rows_at_last_prices(sised.port(), exchange, listed); },
                             2s));
            exchange.pause_stream(false);
            std::this_thread::sleep_for(200ms);  // traffic between the rounds
        }
        healthz h(sised.port());
        CHECK(h.number("/feeds/0/sequence_gaps") == 2);
        CHECK(h.number("/feeds/0/handovers/sequence_gap") == 2);
        CHECK(h.number("/feeds/0/handovers/exchange_request") == 0);
        CHECK(h.number("/feeds/0/handover_failures") == 0);
        CHECK(h.text("/feeds/0/last_error").find("sequence gap") != std::string::npos);
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(exchange.connections_accepted() == 3);
    }

    TEST_CASE("a configured product the fake Coinbase does not list is reported unlisted") {
        fake::exchange_server exchange(coinbase_fake(50));
        exchange.start();
        daemon_process sised(config_for(exchange, {"BTC-USD", "NOPE-USD"}, false));
        check_reported_unlisted(sised, exchange, "BTC-USD", "NOPE-USD");
        // Subscribed (the ack proves nothing), yet never a frame for it.
        CHECK(exchange.last_subscribed_codes() == std::vector<std::string>{"BTC-USD", "NOPE-USD"});
    }
}
