// The checks every venue's integration test makes (tests/integration/): sised goes live on the
// venue's websocket path and shows the exact digits of tickers sent on cue; a configured market
// the venue does not list is reported per market, not left `connecting`; without its
// application ping the fake drops sised for its silence and sised comes back.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/health.hpp"
#include "support/snapshot_rows.hpp"
#include "support/wait.hpp"

namespace sise::test {

// sised, on one feed at the paused `exchange`, goes live on `target` subscribed to `markets`, and
// shows each of `tickers` (market, price) with the digits sent once the fake sent them.
inline void check_exact_digits_on_cue(
    const daemon_process& sised, fake::exchange_server& exchange, std::string_view target,
    const std::vector<std::string>& markets,
    const std::vector<std::pair<std::string, std::string>>& tickers) {
    using namespace std::chrono_literals;
    const auto port = sised.port();
    REQUIRE(eventually([&] { return feed_live(port); }, 5s));
    CHECK(exchange.last_websocket_target() == target);
    // Live may come from a first message (Coinbase's heartbeats channel) before the fake has
    // read the subscribe for the markets: seen once on a loaded machine.
    CHECK(eventually([&] { return exchange.last_subscribed_codes() == markets; }, 5s));
    for (const auto& [market, price] : tickers) REQUIRE(exchange.send_ticker(market, price));
    CHECK(eventually(
        [&] {
            auto rows = snapshot_rows(port);
            for (const auto& [market, price] : tickers)
                if (rows[market].first != price) return false;
            return true;
        },
        5s));
    for (const auto& [market, price] : tickers) CHECK(snapshot_rows(port)[market].second == "live");
}

// sised, its application ping turned off, on a fake that streams: the stream alone does not
// keep it connected (the fake drops it for its silence), and it reconnects by itself.
inline void check_dropped_for_silence(const daemon_process& sised,
                                      const fake::exchange_server& exchange) {
    using namespace std::chrono_literals;
    REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
    CHECK(eventually([&] { return exchange.idle_timeouts() >= 1; }, 5s));
    CHECK(eventually([&] { return exchange.connections_accepted() >= 2; }, 5s));
    CHECK(eventually([&] { return feed_live(sised.port()); }, 5s));
}

// sised, on one feed at `exchange` with markets `listed` and `unlisted`, reports `unlisted` (and
// nothing else) in /healthz, on its row as `unlisted` with no price, and in one log line, while
// `listed` is live; the fake never sent a frame for it.
inline void check_reported_unlisted(const daemon_process& sised,
                                    const fake::exchange_server& exchange,
                                    const std::string& listed, const std::string& unlisted) {
    using namespace std::chrono_literals;
    const auto port = sised.port();
    REQUIRE(eventually([&] { return healthz(port).has("/feeds/0/unlisted_markets/0"); }, 5s));
    healthz h(port);
    CHECK(h.text("/feeds/0/unlisted_markets/0") == unlisted);
    CHECK(!h.has("/feeds/0/unlisted_markets/1"));
    CHECK(eventually([&] { return snapshot_rows(port)[listed].second == "live"; }, 5s));
    CHECK(exchange.updates_sent(unlisted) == 0);
    // On the row from the next publication on; it never had a price.
    CHECK(eventually([&] { return snapshot_rows(port)[unlisted].second == "unlisted"; }, 2s));
    CHECK(snapshot_rows(port)[unlisted].first.empty());
    CHECK(sised.wait_for_log("market " + unlisted + " is not listed", 1s));
}

}  // namespace sise::test
