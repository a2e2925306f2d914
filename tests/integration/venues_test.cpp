// Three fake venues feeding one sised (issue 14): the fake Upbit, Bithumb and Binance, each
// enforcing its keepalive (shortened for the test), and a fixed USD/KRW rate. One table keyed by
// exchange and market, with each venue's digits and change basis; the premium of each Korean
// row equals an independent computation from the prices the fakes sent and the rate; a code
// Bithumb does not list is reported on its row; and a Binance scheduled disconnect while all
// three stream loses no update, with every venue's keepalive honoured throughout.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/expected_premium.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

// Feeds in this order in the config, so /healthz lists them so.
constexpr int upbit_feed = 0, bithumb_feed = 1, binance_feed = 2;

fake::server_options venue(const char* exchange, std::vector<std::string> markets,
                           double frames_per_second) {
    fake::server_options options;
    options.exchange = exchange;
    options.markets = std::move(markets);
    options.frames_per_second = frames_per_second;
    options.snapshot_on_subscribe = false;
    fake::keepalive_rules rules = fake::dialect_for(exchange).keepalive();
    if (options.exchange == "bithumb") rules.client_idle_limit = 1s;  // 120 s at the venue
    if (options.exchange == "binance") {                              // 20 s / 60 s there
        rules.server_ping_interval = 100ms;
        rules.pong_deadline = 600ms;
        rules.shutdown_grace = 1500ms;
    }
    options.keepalive = rules;
    return options;
}

struct three_venues {
    fake::exchange_server upbit, bithumb, binance;

    explicit three_venues(double frames_per_second)
        : upbit(venue("upbit", {"KRW-BTC", "KRW-ETH"}, frames_per_second)),
          bithumb(venue("bithumb", {"KRW-BTC", "KRW-ETH"}, frames_per_second)),
          binance(venue("binance", {"BTCUSDT", "ETHUSDT"}, frames_per_second)) {
        for (auto* fake : {&upbit, &bithumb, &binance}) {
            fake->pause_stream(frames_per_second == 0);
            fake->start();
        }
    }

    std::string config() const {
        return daemon_config{}
            .set("server", "port", 0)
            .set("server", "publish_interval_ms", 20)
            .set("feeds.upbit", "markets", R"(["KRW-BTC", "KRW-ETH"])")
            .set("feeds.upbit", "backfill", "false")
            .feed("upbit", upbit)
            .set("feeds.bithumb", "markets", R"(["KRW-BTC", "KRW-ETH", "KRW-NOPE"])")
            .set("feeds.bithumb", "backfill", "false")
            .set("feeds.bithumb", "app_ping_interval_ms", 300)
            .feed("bithumb", bithumb)
            .set("feeds.binance", "markets", R"(["BTCUSDT", "ETHUSDT"])")
            .set("feeds.binance", "backfill", "false")
            .feed("binance", binance)
            .text("fx", "source", "fixed")
            .text("fx", "name", "test")
            .text("fx", "usd_krw", "1400")
            .set("fx", "usdt_as_usd", "true")
            .toml();
    }

    bool subscribed() const {
        return upbit.subscriptions() > 0 && bithumb.subscriptions() > 0 &&
               binance.subscriptions() > 0;
    }
};

struct row_seen {
    std::string price, status, exchange_basis, krw, premium_vs, premium_basis, premium;
};

std::string text_of(simdjson::dom::element element, const char* key) {
    std::string_view text;
    return element[key].get(text) ? std::string() : std::string(text);
}

// "exchange:market" -> what the snapshot says of the row.
std::map<std::string, row_seen> table(std::uint16_t port) {
    std::map<std::string, row_seen> out;
    const auto response = http_get(port, "/v1/snapshot", "", 2s);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array tickers;
    if (response.error || parser.parse(response.body).get(root) || root["tickers"].get(tickers))
        return out;
    for (simdjson::dom::element row : tickers) {
        row_seen seen;
        seen.price = text_of(row, "price");
        seen.status = text_of(row, "status");
        seen.exchange_basis = text_of(row, "exchange_change_basis");
        simdjson::dom::element first;
        if (!row["krw"].at(0).get(first)) seen.krw = text_of(first, "value");
        if (!row["premium"].at(0).get(first)) {
            seen.premium_vs = text_of(first, "vs");
            seen.premium_basis = text_of(first, "basis");
            seen.premium = text_of(first, "percent");
        }
        out[text_of(row, "exchange") + ":" + text_of(row, "market")] = seen;
    }
    return out;
}

std::uint64_t binance_sent(const fake::exchange_server& binance) {
    return binance.updates_sent("BTCUSDT") + binance.updates_sent("ETHUSDT");
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE(
        "three venues make one table: each venue's digits and basis, the premium from the sent "
        "prices and the fixed rate, and a code Bithumb does not list reported on its row") {
        three_venues venues(0);
        daemon_process sised(venues.config());
        REQUIRE(eventually([&] { return venues.subscribed(); }, 10s));
        REQUIRE(venues.upbit.send_ticker("KRW-BTC", "150139000"));
        REQUIRE(venues.upbit.send_ticker("KRW-ETH", "5012000"));
        REQUIRE(venues.bithumb.send_ticker("KRW-BTC", "150201000"));
        REQUIRE(venues.bithumb.send_ticker("KRW-ETH", "5009500"));
        REQUIRE(venues.binance.send_ticker("BTCUSDT", "104000.50"));
        REQUIRE(venues.binance.send_ticker("ETHUSDT", "3500.01"));

        const std::vector<std::string> korean{"upbit:KRW-BTC", "upbit:KRW-ETH", "bithumb:KRW-BTC",
                                              "bithumb:KRW-ETH"};
        std::map<std::string, row_seen> rows;
        const bool all_live = eventually(
            [&] {
                rows = table(sised.port());
                for (const auto& key : korean)
                    if (rows[key].status != "live" || rows[key].premium.empty()) return false;
                return rows["binance:BTCUSDT"].status == "live" &&
                       rows["binance:ETHUSDT"].status == "live" &&
                       rows["bithumb:KRW-NOPE"].status == "unlisted";
            },
            10s, 50ms);
        REQUIRE_MESSAGE(all_live, sised.log());
        CHECK(rows.size() == 7);

        // The digits each venue sent, and the basis of its own change figure.
        CHECK(rows["upbit:KRW-BTC"].price == "150139000");
        CHECK(rows["bithumb:KRW-BTC"].price == "150201000");
        CHECK(rows["binance:BTCUSDT"].price == "104000.50");
        CHECK(rows["upbit:KRW-BTC"].exchange_basis == "prev_close_utc0");
        CHECK(rows["bithumb:KRW-BTC"].exchange_basis == "prev_close_kst0");
        CHECK(rows["binance:BTCUSDT"].exchange_basis == "rolling_24h");

        // The foreign rows in KRW at the named rate, exact; the Korean rows' premium against them.
        CHECK(rows["binance:BTCUSDT"].krw == "145600700");  // 104000.50 * 1400
        CHECK(rows["binance:ETHUSDT"].krw == "4900014");    // 3500.01 * 1400
        struct korean_row {
            const char *key, *krw, *vs, *foreign;
        };
        for (const korean_row& k :
             {korean_row{"upbit:KRW-BTC", "150139000", "BTCUSDT", "104000.50"},
              korean_row{"bithumb:KRW-BTC", "150201000", "BTCUSDT", "104000.50"},
              korean_row{"upbit:KRW-ETH", "5012000", "ETHUSDT", "3500.01"},
              korean_row{"bithumb:KRW-ETH", "5009500", "ETHUSDT", "3500.01"}}) {
            CAPTURE(k.key);
            const row_seen& row = rows[k.key];
            CHECK(row.premium == expected_premium(k.krw, k.foreign, "1400"));
            CHECK(row.premium_basis == "usd_krw:test");
            CHECK(row.premium_vs == std::string("binance:") + k.vs);
        }

        // The code Bithumb does not list: no price, its status, and /healthz per feed.
        CHECK(rows["bithumb:KRW-NOPE"].price.empty());
        const healthz h(sised.port());
        CHECK(h.text(fmt::format("/feeds/{}/exchange", bithumb_feed)) == "bithumb");
        CHECK(h.text(fmt::format("/feeds/{}/unlisted_markets/0", bithumb_feed)) == "KRW-NOPE");
        CHECK_FALSE(h.has(fmt::format("/feeds/{}/unlisted_markets/0", upbit_feed)));
        CHECK_FALSE(h.has(fmt::format("/feeds/{}/unlisted_markets/0", binance_feed)));

        // The venue filter: one venue's row, or a bare code's rows on every venue.
        const auto one = http_get(sised.port(), "/v1/snapshot?markets=bithumb:KRW-BTC", "", 2s);
        CHECK(one.body.find("150201000") != std::string::npos);
        CHECK(one.body.find("150139000") == std::string::npos);
        const auto both = http_get(sised.port(), "/v1/snapshot?markets=KRW-BTC", "", 2s);
        CHECK(both.body.find("150201000") != std::string::npos);
        CHECK(both.body.find("150139000") != std::string::npos);
    }

    TEST_CASE(
        "while three venues stream, a Binance scheduled disconnect loses no update and every "
        "venue's keepalive holds") {
        three_venues venues(100);
        daemon_process sised(venues.config());
        const auto live = [&](int feed) {
            return healthz(sised.port()).text(fmt::format("/feeds/{}/state", feed)) == "live";
        };
        REQUIRE(eventually([&] { return live(0) && live(1) && live(2); }, 10s));
        const std::string binance_tickers = fmt::format("/feeds/{}/tickers", binance_feed);
        REQUIRE(eventually([&] { return healthz(sised.port()).number(binance_tickers) > 50; }, 5s));

        venues.binance.announce_shutdown();
        REQUIRE(eventually(
            [&] {
                return healthz(sised.port())
                           .number(fmt::format("/feeds/{}/handovers_completed", binance_feed)) >= 1;
            },
            10s));
        std::this_thread::sleep_for(2s);  // past the 1 s Bithumb idle limit, many Binance pings
        venues.binance.pause_stream(true);
        // Every update the fake Binance sent arrived exactly once.
        CHECK(eventually(
            [&] {
                return healthz(sised.port()).number(binance_tickers) ==
                       binance_sent(venues.binance);
            },
            5s));
        CHECK(healthz(sised.port()).number(binance_tickers) == binance_sent(venues.binance));

        CHECK(venues.bithumb.idle_timeouts() == 0);
        CHECK(venues.binance.pong_timeouts() == 0);
        const healthz h(sised.port());
        for (int feed : {upbit_feed, bithumb_feed, binance_feed}) {
            CAPTURE(feed);
            CHECK(h.text(fmt::format("/feeds/{}/state", feed)) == "live");
        }
        CHECK(h.number(fmt::format("/feeds/{}/connections", upbit_feed)) == 1);
        CHECK(h.number(fmt::format("/feeds/{}/connections", bithumb_feed)) == 1);
        CHECK(h.number(fmt::format("/feeds/{}/handover_failures", binance_feed)) == 0);
        CHECK(h.number(fmt::format("/feeds/{}/tickers", upbit_feed)) > 100);
        CHECK(h.number(fmt::format("/feeds/{}/tickers", bithumb_feed)) > 100);
    }
}
