// sised fed by the fake Bybit: prices with the digits the venue sent, its fraction shown as
// percent on the rolling 24 h basis, deltas that never blank a field, the JSON ping keepalive
// under the fake's enforcement, disconnects after a delta-only stretch whose next snapshot
// restores every field, and a configured symbol the venue does not list.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <simdjson.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "fake/bybit_dialect.hpp"
#include "fake/exchange_server.hpp"
#include "fake/price_walk.hpp"
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

const std::vector<std::string> listed{"BTCUSDT", "ETHUSDT", "SOLUSDT"};

// The fake with Bybit's rules shortened: a client that sends nothing (no JSON ping) for
// 600 ms is dropped; `lifetime`, when set, closes every connection that long after it opened,
// without notice (bybit.md §5: "may get disconnected at any time").
fake::server_options bybit_fake(double frames_per_second,
                                std::chrono::milliseconds lifetime = 0ms) {
    fake::server_options options = venue_fake("bybit", listed, frames_per_second);
    fake::keepalive_rules rules;  // these rules only, none of the venue's others
    rules.client_idle_limit = 600ms;
    rules.connection_lifetime = lifetime;
    options.keepalive = rules;
    return options;
}

// sised at the fake, pinging every `app_ping_ms` (0: never).
std::string config_for(const fake::exchange_server& exchange,
                       const std::vector<std::string>& markets, int app_ping_ms) {
    daemon_config config;
    config.set("server", "port", 0).set("server", "publish_interval_ms", 20);
    config.feed("bybit", exchange)
        .set("feeds.bybit", "markets", fmt::format("[{}]", toml_strings(markets)))
        .set("feeds.bybit", "idle_timeout_ms", 5000)
        .set("feeds.bybit", "connect_timeout_ms", 2000)
        .set("feeds.bybit", "reconnect_initial_ms", 100)
        .set("feeds.bybit", "reconnect_max_ms", 500)
        .set("feeds.bybit", "rest_timeout_ms", 1000)
        .set("feeds.bybit", "app_ping_interval_ms", app_ping_ms)
        .set("feeds.bybit", "backfill", "false");
    return config.toml();
}

// One row of /v1/snapshot: field -> value as text ("" for null or absent).
std::map<std::string, std::string> snapshot_row(std::uint16_t port, std::string_view market) {
    std::map<std::string, std::string> out;
    const auto response = http_get(port, "/v1/snapshot");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array tickers;
    if (response.error || parser.parse(response.body).get(root) || root["tickers"].get(tickers))
        return out;
    for (simdjson::dom::element item : tickers) {
        std::string_view code;
        if (item["market"].get(code) || code != market) continue;
        for (const char* field : {"price", "status", "exchange_change_pct", "exchange_change_basis",
                                  "day_high", "day_low", "volume_24h", "quote_volume_24h"}) {
            std::string_view text;
            out[field] = item[field].get(text) ? "" : std::string(text);
        }
    }
    return out;
}

// Every listed row is live, on the fake's last price, with the snapshot-only fields present.
bool rows_whole(std::uint16_t port, const fake::exchange_server& exchange) {
    for (const auto& m : listed) {
        auto row = snapshot_row(port, m);
        if (row["status"] != "live" || row["price"] != exchange.last_price(m) ||
            row["volume_24h"] != fake::bybit_snapshot_volume ||
            row["quote_volume_24h"] != fake::bybit_snapshot_turnover || row["day_high"].empty())
            return false;
    }
    return true;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("Bybit rows show the fake's digits and its fraction as percent, rolling 24 h") {
        fake::exchange_server exchange(bybit_fake(0));
        exchange.pause_stream(true);  // the snapshots, then deltas only on cue
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 150));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        REQUIRE(eventually([&] { return !snapshot_row(sised.port(), "ETHUSDT")["price"].empty(); },
                           5s));

        // A delta carries lastPrice and price24hPcnt only: 1.25 % above the walk's start is
        // sent as the fraction "0.0125".
        const std::int64_t start = fake::describe_market("BTCUSDT").start_price;
        std::string up;
        fake::append_decimal(up, start + start / 80, fake::price_scale, 4);
        REQUIRE(exchange.send_ticker("BTCUSDT", up));
        REQUIRE(exchange.send_ticker("SOLUSDT", "0.0100"));
        REQUIRE(
            eventually([&] { return snapshot_row(sised.port(), "BTCUSDT")["price"] == up; }, 5s));
        auto btc = snapshot_row(sised.port(), "BTCUSDT");
        CHECK(btc["status"] == "live");
        CHECK(btc["exchange_change_pct"] == "1.25");
        CHECK(btc["exchange_change_basis"] == "rolling_24h");
        // Not in the delta: kept from the snapshot, not blanked.
        CHECK(btc["volume_24h"] == fake::bybit_snapshot_volume);
        CHECK(btc["quote_volume_24h"] == fake::bybit_snapshot_turnover);
        CHECK(!btc["day_high"].empty());
        CHECK(!btc["day_low"].empty());
        CHECK(eventually([&] { return snapshot_row(sised.port(), "SOLUSDT")["price"] == "0.0100"; },
                         5s));
        CHECK(healthz(sised.port()).number("/feeds/0/handovers/exchange_request") == 0);
    }

    TEST_CASE("sised's JSON ping keeps it connected past the fake Bybit's idle limit") {
        fake::exchange_server exchange(bybit_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 150));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        std::this_thread::sleep_for(2500ms);  // four idle limits of a busy stream
        CHECK(exchange.idle_timeouts() == 0);
        CHECK(exchange.connections_accepted() == 1);
        CHECK(exchange.open_websockets() == 1);
        healthz h(sised.port());
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(h.number("/feeds/0/connections") == 1);
        CHECK(h.number("/feeds/0/heartbeats") >= 10);  // the pongs of its pings, not errors
        CHECK(h.number("/feeds/0/exchange_errors") == 0);
        CHECK(h.number("/feeds/0/bad_frames") == 0);
    }

    TEST_CASE("without the JSON ping the fake Bybit drops sised for its silence") {
        // The other side of the rule: the busy stream alone keeps nobody connected, so the
        // test above passes because of sised's ping.
        fake::exchange_server exchange(bybit_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 0));
        check_dropped_for_silence(sised, exchange);
    }

    TEST_CASE("a disconnect after a delta-only stretch loses no row: the next snapshot restores") {
        // Every connection gets a snapshot per market and then only deltas, and is closed
        // 2 s after it opened, without notice.
        fake::exchange_server exchange(bybit_fake(60, 2000ms));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 150));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        REQUIRE(eventually([&] { return exchange.connections_accepted() >= 3; }, 10s));

        // Right after a resubscription (so that the 2 s of the connection are ahead), a delta
        // moves BTCUSDT to 1100; the day high stays the snapshot's.
        exchange.pause_stream(true);
        CHECK(eventually([&] { return rows_whole(sised.port(), exchange); }, 5s));
        const auto subscribed = exchange.subscriptions();
        REQUIRE(eventually([&] { return exchange.subscriptions() > subscribed; }, 5s));
        REQUIRE(exchange.send_ticker("BTCUSDT", "1100"));
        REQUIRE(eventually([&] { return snapshot_row(sised.port(), "BTCUSDT")["price"] == "1100"; },
                           1s));
        CHECK(snapshot_row(sised.port(), "BTCUSDT")["day_high"] != "1100");
        CHECK(snapshot_row(sised.port(), "BTCUSDT")["volume_24h"] == fake::bybit_snapshot_volume);

        // The next connection's snapshot has the high at 1100: every field comes from it, and
        // every row is whole again.
        REQUIRE(eventually([&] { return exchange.subscriptions() > subscribed + 1; }, 5s));
        CHECK(eventually(
            [&] { return snapshot_row(sised.port(), "BTCUSDT")["day_high"] == "1100"; }, 5s));
        CHECK(eventually([&] { return rows_whole(sised.port(), exchange); }, 5s));
        healthz h(sised.port());
        CHECK(h.number("/feeds/0/connections") >= 4);
        // No delta came before its snapshot (the adapter would have asked for a reconnect).
        CHECK(h.number("/feeds/0/handovers/exchange_request") == 0);
        CHECK(h.number("/feeds/0/bad_frames") == 0);
        CHECK(exchange.idle_timeouts() == 0);
    }

    TEST_CASE("a configured symbol the fake Bybit does not list is reported per market") {
        fake::exchange_server exchange(bybit_fake(50));
        exchange.start();
        daemon_process sised(config_for(exchange, {"BTCUSDT", "NOPEUSDT"}, 150));
        check_reported_unlisted(sised, exchange, "BTCUSDT", "NOPEUSDT");
    }
}
