// sised fed by the fake Binance: prices with the digits the venue sent, markets split across
// connections, a scheduled disconnect (serverShutdown, then close) that loses no update, the
// venue's ping/pong keepalive, and a configured symbol the venue does not list.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/snapshot_rows.hpp"
#include "support/venue_checks.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> listed{"BTCUSDT", "ETHUSDT", "SOLUSDT"};

// The fake with Binance's rules shortened: pings every 100 ms, a client that leaves one
// unanswered for 600 ms is dropped, 1.5 s between serverShutdown and the close, at most 2
// streams per connection (so sised needs two connections for three markets).
fake::server_options binance_fake(double frames_per_second) {
    fake::server_options options = venue_fake("binance", listed, frames_per_second);
    options.snapshot_on_subscribe = false;
    fake::keepalive_rules rules;  // these rules only, none of the venue's others
    rules.server_ping_interval = 100ms;
    rules.pong_deadline = 600ms;
    rules.shutdown_grace = 1500ms;
    rules.max_streams = 2;
    options.keepalive = rules;
    return options;
}

std::string config_for(const fake::exchange_server& exchange, const std::string& markets) {
    return fmt::format(R"(
[server]
port = 0
publish_interval_ms = 20

[feeds.binance]
markets = [{}]
websocket_url = "{}"
rest_url = "{}"
idle_timeout_ms = 5000
connect_timeout_ms = 2000
reconnect_initial_ms = 200
reconnect_max_ms = 1000
rest_timeout_ms = 1000
backfill = false
streams_per_connection = 2
)",
                       markets, exchange.websocket_url(), exchange.rest_url());
}

std::uint64_t sent_total(const fake::exchange_server& exchange) {
    std::uint64_t total = 0;
    for (const auto& m : listed) total += exchange.updates_sent(m);
    return total;
}

std::uint64_t received_total(std::uint16_t port) {
    return healthz(port).number("/feeds/0/tickers");
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("Binance rows show the exact digits the fake sent, over two connections") {
        fake::exchange_server exchange(binance_fake(0));
        exchange.pause_stream(true);
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings(listed)));
        REQUIRE(
            eventually([&] { return healthz(sised.port()).text("/feeds/0/state") == "live"; }, 5s));
        CHECK(exchange.open_websockets() == 2);  // 3 markets, 2 streams per connection
        CHECK(healthz(sised.port()).number("/feeds/0/connections_open") == 2);

        REQUIRE(exchange.send_ticker("BTCUSDT", "65000.1200"));
        REQUIRE(exchange.send_ticker("SOLUSDT", "0.0100"));
        CHECK(eventually(
            [&] {
                auto r = snapshot_rows(sised.port());
                return r["BTCUSDT"].first == "65000.1200" && r["SOLUSDT"].first == "0.0100";
            },
            5s));
        CHECK(snapshot_rows(sised.port())["BTCUSDT"].second == "live");
    }

    TEST_CASE("a scheduled disconnect loses no update and duplicates none") {
        fake::exchange_server exchange(binance_fake(300));
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings(listed)));
        REQUIRE(
            eventually([&] { return healthz(sised.port()).text("/feeds/0/state") == "live"; }, 5s));
        REQUIRE(eventually([&] { return received_total(sised.port()) > 50; }, 5s));

        // Two rounds: serverShutdown on both connections while 300 updates/s keep flowing.
        for (int round = 1; round <= 2; ++round) {
            CAPTURE(round);
            exchange.announce_shutdown();
            REQUIRE(eventually(
                [&] {
                    return healthz(sised.port()).number("/feeds/0/handovers_completed") ==
                           static_cast<std::uint64_t>(2 * round);
                },
                10s));
            // The old connections are closed (by sised or after the grace time).
            CHECK(eventually([&] { return exchange.open_websockets() == 2; }, 5s));
            exchange.pause_stream(true);
            // Every update the fake sent arrived exactly once: none lost in the handover, and
            // the overlap's copies were passed on once.
            CHECK(eventually([&] { return received_total(sised.port()) == sent_total(exchange); },
                             5s));
            CHECK(received_total(sised.port()) == sent_total(exchange));
            // Each row ends on the last price sent (once the conflated publication caught up).
            CHECK(eventually([&] { return rows_at_last_prices(sised.port(), exchange, listed); },
                             2s));
            exchange.pause_stream(false);
            std::this_thread::sleep_for(200ms);  // traffic between the rounds
        }
        healthz h(sised.port());
        CHECK(h.number("/feeds/0/handovers/exchange_request") == 4);
        CHECK(h.number("/feeds/0/handover_failures") == 0);
        CHECK(h.number("/feeds/0/overlap_duplicates") > 0);  // the overlap did happen
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(exchange.pong_timeouts() == 0);
    }

    TEST_CASE("sised answers the fake Binance's pings, so it is never dropped for a pong") {
        fake::exchange_server exchange(binance_fake(20));
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings(listed)));
        REQUIRE(
            eventually([&] { return healthz(sised.port()).text("/feeds/0/state") == "live"; }, 5s));
        std::this_thread::sleep_for(2s);  // 20 pings per connection, deadline 600 ms
        CHECK(exchange.pong_timeouts() == 0);
        CHECK(exchange.connections_accepted() == 2);
        CHECK(healthz(sised.port()).number("/feeds/0/connections") == 2);
    }

    TEST_CASE("a configured symbol the fake Binance does not list is reported in healthz") {
        fake::exchange_server exchange(binance_fake(50));
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings({"BTCUSDT", "NOSUCHUSDT"})));
        check_reported_unlisted(sised, exchange, "BTCUSDT", "NOSUCHUSDT");
    }

    TEST_CASE("listed markets that send nothing are reported no_data, and live on a ticker") {
        fake::exchange_server exchange(binance_fake(0));
        exchange.pause_stream(true);  // tickers only on cue
        exchange.start();
        auto config = config_for(exchange, toml_strings(listed));
        config += "no_data_after_ms = 700\n";
        daemon_process sised(config);
        REQUIRE(
            eventually([&] { return healthz(sised.port()).text("/feeds/0/state") == "live"; }, 5s));
        // Connected and acknowledged, but silent: not `connecting` for ever.
        REQUIRE(eventually(
            [&] { return snapshot_rows(sised.port())["ETHUSDT"].second == "no_data"; }, 5s));
        healthz h(sised.port());
        CHECK(h.text("/feeds/0/no_data_markets/0") == "BTCUSDT");
        CHECK(h.has("/feeds/0/no_data_markets/2"));
        CHECK(!h.has("/feeds/0/unlisted_markets/0"));

        REQUIRE(exchange.send_ticker("ETHUSDT", "3000.01"));
        CHECK(eventually([&] { return snapshot_rows(sised.port())["ETHUSDT"].second == "live"; },
                         5s));
        CHECK(snapshot_rows(sised.port())["BTCUSDT"].second == "no_data");
        CHECK(!healthz(sised.port()).has("/feeds/0/no_data_markets/2"));
    }
}
