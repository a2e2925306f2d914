// sised fed by the fake Bithumb: prices with the digits the venue sent (text frames, KST times),
// the venue's idle limit (a client that sends nothing is dropped, bithumb.md §6) kept at bay by
// sised's text PING even while the stream is busy, and a configured code the venue does not list.
#include <doctest/doctest.h>
#include <fmt/format.h>

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

const std::vector<std::string> listed{"KRW-BTC", "KRW-ETH", "KRW-XRP"};

// The fake with Bithumb's idle limit shortened from 120 s to 1 s.
fake::server_options bithumb_fake(double frames_per_second) {
    fake::server_options options = venue_fake("bithumb", listed, frames_per_second);
    REQUIRE(options.keepalive->client_idle_limit == 120s);
    options.keepalive->client_idle_limit = 1s;
    return options;
}

// `app_ping_ms`: sised's text PING period (0: none). Beast's own pings only go out on a quiet
// stream (idle_timeout_ms / 2 without data), which the fake's steady frames never leave.
std::string config_for(const fake::exchange_server& exchange, const std::string& markets,
                       int app_ping_ms) {
    return fmt::format(R"(
[server]
port = 0
publish_interval_ms = 20

[feeds.bithumb]
markets = [{}]
websocket_url = "{}"
rest_url = "{}"
idle_timeout_ms = 20000
app_ping_interval_ms = {}
connect_timeout_ms = 2000
reconnect_initial_ms = 200
reconnect_max_ms = 1000
rest_timeout_ms = 1000
)",
                       markets, exchange.websocket_url(), exchange.rest_url(), app_ping_ms);
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("Bithumb rows show the exact digits the fake Bithumb sent in text frames") {
        fake::exchange_server exchange(bithumb_fake(0));
        exchange.pause_stream(true);
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings(listed), 300));
        check_exact_digits_on_cue(sised, exchange, "/websocket/v1", listed,
                                  {{"KRW-BTC", "150139000"}, {"KRW-XRP", "612.5"}});
        // Backfill asked for candles in Bithumb's shape, within the venue's budget.
        CHECK(eventually([&] { return exchange.candle_requests() >= listed.size(); }, 5s));
        CHECK(exchange.candle_requests_rejected() == 0);
    }

    TEST_CASE("sised's text PING keeps it connected past the fake Bithumb's idle limit") {
        fake::exchange_server exchange(bithumb_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings(listed), 300));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        std::this_thread::sleep_for(3500ms);  // 3.5 idle limits of a busy stream
        CHECK(exchange.idle_timeouts() == 0);
        CHECK(exchange.connections_accepted() == 1);
        CHECK(exchange.open_websockets() == 1);
        healthz h(sised.port());
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(h.number("/feeds/0/connections") == 1);
        CHECK(h.number("/feeds/0/tickers") > 50);
    }

    TEST_CASE("without the text PING the fake Bithumb drops sised for its silence") {
        // The other side of the rule: the busy stream alone keeps nobody connected, so the
        // test above passes because of sised's PING, not because the fake never drops anyone.
        fake::exchange_server exchange(bithumb_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings(listed), 0));
        check_dropped_for_silence(sised, exchange);
    }

    TEST_CASE("a configured code the fake Bithumb does not list is reported and gets no row") {
        fake::exchange_server exchange(bithumb_fake(50));
        exchange.start();
        daemon_process sised(config_for(exchange, toml_strings({"KRW-BTC", "KRW-NOPE"}), 300));
        check_reported_unlisted(sised, exchange, "KRW-BTC", "KRW-NOPE");
        // Subscribed (sised asks for what it was told to), yet never a frame for it.
        CHECK(exchange.last_subscribed_codes() == std::vector<std::string>{"KRW-BTC", "KRW-NOPE"});
    }
}
