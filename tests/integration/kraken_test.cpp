// sised fed by the fake Kraken (WebSocket v2): rows with the digits the venue sent as JSON
// numbers and its rolling 24 h basis, the venue's one-minute idle rule (kraken.md §6) kept at bay
// by sised's {"method":"ping"} while the ticker stream is busy, and a subscription the venue
// refuses for one symbol (§7) that leaves the other rows live and the refused one reported.
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

const std::vector<std::string> listed{"BTC/USD", "ETH/USD"};

// The fake Kraken listing `listed`, its idle limit shortened from 60 s to 1 s.
fake::server_options kraken_fake(double frames_per_second) {
    fake::server_options options = venue_fake("kraken", listed, frames_per_second);
    REQUIRE(options.keepalive->client_idle_limit == 60s);
    options.keepalive->client_idle_limit = 1s;
    return options;
}

// `app_ping_ms`: sised's JSON ping period (0: none). Beast's own pings only go out on a quiet
// stream, which the fake's steady frames never leave.
std::string config_for(const fake::exchange_server& exchange,
                       const std::vector<std::string>& markets, int app_ping_ms) {
    return daemon_config{}
        .set("server", "port", 0)
        .set("server", "publish_interval_ms", 20)
        .set("feeds.kraken", "markets", "[" + toml_strings(markets) + "]")
        .feed("kraken", exchange)
        .set("feeds.kraken", "app_ping_interval_ms", app_ping_ms)
        .set("feeds.kraken", "connect_timeout_ms", 2000)
        .set("feeds.kraken", "reconnect_initial_ms", 200)
        .set("feeds.kraken", "reconnect_max_ms", 1000)
        .set("feeds.kraken", "rest_timeout_ms", 1000)
        .toml();
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("Kraken rows show the digits the fake Kraken sent as JSON numbers, rolling 24 h") {
        fake::exchange_server exchange(kraken_fake(0));
        exchange.pause_stream(true);
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 300));
        check_exact_digits_on_cue(sised, exchange, "/v2", listed,
                                  {{"BTC/USD", "67012.3"}, {"ETH/USD", "3120.55"}});
        CHECK(snapshot_field(sised.port(), "BTC/USD", "exchange_change_basis") == "rolling_24h");
        CHECK(snapshot_field(sised.port(), "BTC/USD", "base") == "BTC");
        // The snapshot frames after the acks were read too: both rows began from them.
        CHECK(healthz(sised.port()).number("/feeds/0/bad_frames") == 0);
        CHECK(healthz(sised.port()).number("/feeds/0/exchange_errors") == 0);
        // Backfill asked for OHLC in Kraken's shape (pair XBTUSD) within the venue's budget.
        CHECK(eventually([&] { return exchange.candle_requests() >= listed.size(); }, 5s));
        CHECK(exchange.candle_requests_rejected() == 0);
    }

    TEST_CASE("Kraken's 720 newest candles are one page and leave the 24 h window partial") {
        // kraken.md §11: OHLC gives the 720 newest minutes (the running one included) whatever
        // `since` says. A short page there is not the beginning of history: sised must not take
        // the 12 h before it as quiet and call the window complete, nor ask again in vain.
        fake::server_options options = kraken_fake(0);
        options.candle_close = fake::synthetic_candle_history(1);
        fake::exchange_server exchange(options);
        exchange.pause_stream(true);
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 300));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        REQUIRE(eventually(
            [&] { return healthz(sised.port()).number("/feeds/0/backfill/requests") >= 2; }, 10s));
        std::this_thread::sleep_for(1500ms);  // a second page would be due by now
        healthz h(sised.port());
        CHECK(h.number("/feeds/0/backfill/markets_complete") == 0);
        CHECK(h.number("/feeds/0/backfill/failures") == 0);
        // One page per market (and at most the connect minute's tail once it has ended).
        CHECK(exchange.candle_requests() <= 2 * listed.size());
        CHECK(snapshot_field(sised.port(), "BTC/USD", "basis") == "partial");
        // What the page covers, not the 48 h a short page would claim elsewhere.
        const std::string covered = snapshot_field(sised.port(), "BTC/USD", "covered_24h_ms");
        REQUIRE(!covered.empty());
        CHECK(std::stoll(covered) <= 721 * 60'000);
        CHECK(std::stoll(covered) >= 700 * 60'000);
    }

    TEST_CASE("sised's JSON ping keeps it connected past the fake Kraken's idle limit") {
        fake::exchange_server exchange(kraken_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 300));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        exchange.inject(R"({"channel":"heartbeat"})", false);  // kraken.md §6: not a ticker
        std::this_thread::sleep_for(3500ms);                   // 3.5 idle limits of a busy stream
        CHECK(exchange.idle_timeouts() == 0);
        CHECK(exchange.connections_accepted() == 1);
        CHECK(exchange.open_websockets() == 1);
        healthz h(sised.port());
        CHECK(h.text("/feeds/0/state") == "live");
        CHECK(h.number("/feeds/0/connections") == 1);
        CHECK(h.number("/feeds/0/tickers") > 50);
        // Pongs to the pings and the injected heartbeat: keepalive frames, neither errors
        // nor bad frames.
        CHECK(h.number("/feeds/0/heartbeats") >= 5);
        CHECK(h.number("/feeds/0/bad_frames") == 0);
        CHECK(h.number("/feeds/0/exchange_errors") == 0);
    }

    TEST_CASE("without the JSON ping the fake Kraken drops sised for its silence") {
        // The other side of the rule: the busy stream alone keeps nobody connected, so the
        // test above passes because of sised's ping, not because the fake never drops anyone.
        fake::exchange_server exchange(kraken_fake(30));
        exchange.start();
        daemon_process sised(config_for(exchange, listed, 0));
        check_dropped_for_silence(sised, exchange);
    }

    TEST_CASE("a symbol the fake Kraken refuses leaves the other rows live and is reported") {
        fake::exchange_server exchange(kraken_fake(0));
        exchange.pause_stream(true);
        exchange.start();
        const std::vector<std::string> markets{"BTC/USD", "NOPE/USD", "ETH/USD"};
        daemon_process sised(config_for(exchange, markets, 300));
        REQUIRE(eventually([&] { return feed_live(sised.port()); }, 5s));
        // kraken.md §7: the refusal is one error frame for that pair, acks for the others.
        CHECK(eventually(
            [&] { return healthz(sised.port()).number("/feeds/0/exchange_errors") == 1; }, 5s));
        CHECK(healthz(sised.port()).text("/feeds/0/last_error") ==
              "NOPE/USD: Currency pair not supported NOPE/USD");
        // After the error, both other rows take every update; the connection stayed.
        for (const char* price : {"67012.3", "67013.4"}) {
            REQUIRE(exchange.send_ticker("BTC/USD", price));
            REQUIRE(exchange.send_ticker("ETH/USD", "3120.55"));
            CHECK(eventually(
                [&] {
                    auto r = snapshot_rows(sised.port());
                    return r["BTC/USD"].first == price && r["ETH/USD"].first == "3120.55";
                },
                5s));
        }
        auto rows = snapshot_rows(sised.port());
        CHECK(rows["BTC/USD"].second == "live");
        CHECK(rows["ETH/USD"].second == "live");
        CHECK(exchange.connections_accepted() == 1);
        CHECK(exchange.updates_sent("NOPE/USD") == 0);
        // The market list does not name it either: reported on its row, not left connecting.
        CHECK(eventually(
            [&] { return healthz(sised.port()).text("/feeds/0/unlisted_markets/0") == "NOPE/USD"; },
            5s));
        CHECK(eventually(
            [&] { return snapshot_rows(sised.port())["NOPE/USD"].second == "unlisted"; }, 2s));
        CHECK(snapshot_rows(sised.port())["NOPE/USD"].first.empty());
    }
}
