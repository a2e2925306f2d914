// All seven fake venues feeding one sised (issue 15): Upbit, Bithumb, Binance, OKX, Bybit,
// Coinbase and Kraken, each enforcing its keepalive (shortened for the test), and a fixed USD/KRW
// rate beside a USDT/KRW basis read from Upbit's KRW-USDT row. One table: each venue's change in
// percent (Bybit's fraction and Upbit's rate included), USD and USDT quotes converted to KRW per
// the basis that covers them and labelled so, a pair Kraken refuses reported per market while
// the other rows stay live; and while all seven stream, a Coinbase sequence gap and an OKX
// service notice lose no update, with every venue's keepalive honoured throughout.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "fake/price_walk.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/expected_premium.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/snapshot_rows.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

// The venues in config order, so /healthz lists their feeds so.
enum feed_index { upbit, bithumb, binance, okx, bybit, coinbase, kraken, venue_count };
constexpr std::array<const char*, venue_count> names{"upbit", "bithumb",  "binance", "okx",
                                                     "bybit", "coinbase", "kraken"};

// What sised subscribes to at each venue, and what the fake lists: Kraken does not list
// NOPE/USD, so it refuses that pair (kraken.md §7).
const std::array<std::vector<std::string>, venue_count> subscribed{{
    {"KRW-BTC", "KRW-USDT"},
    {"KRW-BTC"},
    {"BTCUSDT"},
    {"BTC-USDT", "ETH-USDT"},
    {"BTCUSDT"},
    {"BTC-USD", "ETH-USD"},
    {"BTC/USD", "NOPE/USD"},
}};

std::vector<std::string> listed(int venue) {
    if (venue == kraken) return {"BTC/USD"};
    return subscribed[static_cast<std::size_t>(venue)];
}

// Each venue's rule, shortened from the venue's tens of seconds to about a second, so a few
// seconds of the test span several limits: a keepalive sised forgot would cost a connection.
fake::keepalive_rules shortened(int venue) {
    fake::keepalive_rules rules =
        fake::dialect_for(names[static_cast<std::size_t>(venue)]).keepalive();
    switch (venue) {
        case upbit:  // ~120 s idle (the fake enforces none unless told; see venue_options)
        case bithumb:
        case kraken:
            rules.client_idle_limit = 1s;
            break;
        case binance:  // server pings every 20 s, a minute to answer
            rules.server_ping_interval = 100ms;
            rules.pong_deadline = 600ms;
            break;
        case okx:  // 30 s without a client message; 60 s between the notice and the close
            rules.client_idle_limit = 1s;
            rules.shutdown_grace = 1500ms;
            break;
        case bybit:  // a client that sends no JSON ping is dropped
            rules.client_idle_limit = 600ms;
            break;
        case coinbase:  // heartbeats every second, closed within a minute without them
            rules.heartbeat_interval = 100ms;
            rules.heartbeats_deadline = 600ms;
            break;
        default:
            break;
    }
    return rules;
}

fake::server_options venue_options(int venue, double frames_per_second) {
    fake::server_options options;
    options.exchange = names[static_cast<std::size_t>(venue)];
    options.markets = listed(venue);
    options.frames_per_second = frames_per_second;
    // Without snapshots every ticker sised counts is one the fake counted in updates_sent();
    // Bybit's deltas and Kraken's updates need their snapshot first.
    options.snapshot_on_subscribe = venue == bybit || venue == kraken;
    options.keepalive = shortened(venue);
    // upbit.md §6: Upbit closes a connection with no data sent *or received* for ~120 s; the
    // fake's idle rule counts only what the client sends, which is Upbit's rule on a quiet
    // stream only. A busy stream to the client is activity there.
    if (venue == upbit && frames_per_second > 0) options.keepalive->client_idle_limit = {};
    return options;
}

constexpr const char* usd_krw = "1400";
constexpr const char* usdt_krw = "1425";  // Upbit's KRW-USDT: USDT is not worth a dollar here

struct seven_venues {
    std::vector<std::unique_ptr<fake::exchange_server>> fakes;

    explicit seven_venues(double frames_per_second) {
        for (int v = 0; v < venue_count; ++v) {
            fakes.push_back(
                std::make_unique<fake::exchange_server>(venue_options(v, frames_per_second)));
            fakes.back()->pause_stream(frames_per_second == 0);
            fakes.back()->start();
        }
    }

    fake::exchange_server& operator[](int venue) { return *fakes[static_cast<std::size_t>(venue)]; }

    std::string config() const {
        daemon_config config;
        config.set("server", "port", 0).set("server", "publish_interval_ms", 20);
        for (int v = 0; v < venue_count; ++v) {
            const std::string table = fmt::format("feeds.{}", names[static_cast<std::size_t>(v)]);
            config
                .set(table, "markets",
                     fmt::format("[{}]", toml_strings(subscribed[static_cast<std::size_t>(v)])))
                .feed(names[static_cast<std::size_t>(v)], *fakes[static_cast<std::size_t>(v)])
                .set(table, "backfill", "false")
                .set(table, "connect_timeout_ms", 2000)
                .set(table, "reconnect_initial_ms", 200)
                .set(table, "reconnect_max_ms", 1000)
                .set(table, "rest_timeout_ms", 1000);
        }
        // Upbit keeps alive with websocket pings, sent at half the idle timeout.
        config.set("feeds.upbit", "idle_timeout_ms", 600)
            .set("feeds.bithumb", "app_ping_interval_ms", 300)
            .set("feeds.okx", "app_ping_interval_ms", 250)
            .set("feeds.bybit", "app_ping_interval_ms", 150)
            .set("feeds.kraken", "app_ping_interval_ms", 300);
        return config.text("fx", "source", "fixed")
            .text("fx", "name", "test")
            .text("fx", "usd_krw", usd_krw)
            .set("fx", "usdt_as_usd", "true")
            .text("fx", "usdt_basis", "upbit:KRW-USDT")
            .toml();
    }

    bool all_subscribed() const {
        for (const auto& fake : fakes)
            if (fake->subscriptions() == 0) return false;
        return true;
    }
};

// One KRW figure of a foreign row, or one premium of a KRW row.
struct fx_seen {
    std::string basis, vs, value;
    bool usdt_as_usd = false;
};

struct row_seen {
    std::string price, status, base, quote, change, change_pct, change_basis;
    std::vector<fx_seen> krw, premium;
};

std::string text_at(simdjson::dom::element element, const char* key) {
    std::string_view text;
    return element[key].get(text) ? std::string() : std::string(text);
}

std::vector<fx_seen> figures(simdjson::dom::element row, const char* list, const char* value) {
    std::vector<fx_seen> out;
    simdjson::dom::array items;
    if (row[list].get(items)) return out;
    for (simdjson::dom::element item : items) {
        fx_seen seen{text_at(item, "basis"), text_at(item, "vs"), text_at(item, value)};
        bool flag = false;
        if (!item["usdt_as_usd"].get(flag)) seen.usdt_as_usd = flag;
        out.push_back(seen);
    }
    return out;
}

// "exchange:market" -> the row as /v1/snapshot shows it.
std::map<std::string, row_seen> table(std::uint16_t port) {
    std::map<std::string, row_seen> out;
    const auto response = http_get(port, "/v1/snapshot", "", 2s);
    simdjson::dom::parser parser;
    simdjson::dom::array tickers;
    if (response.error || parser.parse(response.body)["tickers"].get(tickers)) return out;
    for (simdjson::dom::element row : tickers) {
        out[text_at(row, "exchange") + ":" + text_at(row, "market")] = {
            text_at(row, "price"),
            text_at(row, "status"),
            text_at(row, "base"),
            text_at(row, "quote"),
            text_at(row, "exchange_change"),
            text_at(row, "exchange_change_pct"),
            text_at(row, "exchange_change_basis"),
            figures(row, "krw", "value"),
            figures(row, "premium", "percent"),
        };
    }
    return out;
}

std::string row_key(int venue, const std::string& market) {
    return fmt::format("{}:{}", names[static_cast<std::size_t>(venue)], market);
}

// A foreign venue's price 1.25 % above the fake's known 24 h reference for `market` (its walk's
// start: OKX's open24h, Bybit's prevPrice24h, the base of every venue's own change figure).
std::string above_reference(const std::string& market) {
    const std::int64_t start = fake::describe_market(market).start_price;
    std::string out;
    fake::append_decimal(out, start + start / 80, fake::price_scale, 2);
    return out;
}

// price * rate rounded to 2 decimals half away, trailing zeros trimmed: the KRW value sised
// should show, computed in the fake's fixed point instead of sise's decimals.
std::string krw_of(const std::string& price, const char* rate) {
    const auto units = fake::parse_price(price);  // 1e-4
    REQUIRE(units);
    const std::int64_t product = *units * std::atoll(rate);
    std::string out;
    fake::append_decimal(out, (product + 50) / 100, 2, 0);
    return out;
}

double number(const std::string& text) {
    return text.empty() ? std::nan("") : std::strtod(text.c_str(), nullptr);
}

std::uint64_t feed_number(std::uint16_t port, int venue, const char* field) {
    return healthz(port).number(fmt::format("/feeds/{}/{}", venue, field));
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE(
        "seven venues make one table: change in percent everywhere, USD and USDT quotes in KRW per "
        "their basis, a pair Kraken refuses reported per market, every keepalive honoured") {
        seven_venues venues(0);
        daemon_process sised(venues.config());
        REQUIRE_MESSAGE(eventually([&] { return venues.all_subscribed(); }, 10s), sised.log());
        const auto subscribed_at = std::chrono::steady_clock::now();

        const std::map<std::string, std::string> korean{{"upbit:KRW-BTC", "150139000"},
                                                        {"bithumb:KRW-BTC", "150201000"}};
        REQUIRE(venues[upbit].send_ticker("KRW-BTC", "150139000"));
        REQUIRE(venues[upbit].send_ticker("KRW-USDT", usdt_krw));
        REQUIRE(venues[bithumb].send_ticker("KRW-BTC", "150201000"));
        // "venue:market" -> the price sent, for the five foreign BTC rows.
        std::map<std::string, std::string> foreign;
        for (int v : {binance, okx, bybit, coinbase, kraken}) {
            const std::string market = listed(v).front();
            foreign[row_key(v, market)] = above_reference(market);
            REQUIRE(venues[v].send_ticker(market, foreign[row_key(v, market)]));
        }

        std::map<std::string, row_seen> rows;
        const bool all_live = eventually(
            [&] {
                rows = table(sised.port());
                for (const auto& [key, price] : foreign)
                    if (rows[key].price != price || rows[key].krw.size() < 1) return false;
                for (const auto& [key, price] : korean)
                    if (rows[key].price != price || rows[key].premium.size() < 8) return false;
                return rows["upbit:KRW-USDT"].price == usdt_krw &&
                       rows["kraken:NOPE/USD"].status == "unlisted";
            },
            10s, 50ms);
        REQUIRE_MESSAGE(all_live, sised.log());
        // Eleven configured rows (ETH on OKX and Coinbase have no price yet, NOPE/USD none ever).
        CHECK(rows.size() == 11);

        // Units: every venue's own change in percent. The foreign fakes sent 1.25 % over their
        // reference (Bybit as the fraction 0.0125, Kraken and Coinbase as percent, OKX as
        // open24h, Binance as priceChangePercent); the Korean fakes sent Upbit's signed rate, a
        // fraction of the previous close, which sise shows as change / (price - change) in %.
        for (const auto& [key, price] : foreign) {
            CAPTURE(key);
            const row_seen& row = rows[key];
            CHECK(row.status == "live");
            CHECK(row.base == "BTC");
            CHECK(row.change_basis == "rolling_24h");
            CHECK(std::abs(number(row.change_pct) - 1.25) < 0.0051);
        }
        for (const auto& [key, price] : korean) {
            CAPTURE(key);
            const row_seen& row = rows[key];
            CHECK(row.status == "live");
            const double change = number(row.change);
            const double expected = 100.0 * change / (number(price) - change);
            REQUIRE(std::abs(expected) > 0.01);  // a fraction would be 100 times smaller
            CHECK(std::abs(number(row.change_pct) - expected) < 0.006);
        }
        CHECK(rows["upbit:KRW-BTC"].change_basis == "prev_close_utc0");
        CHECK(rows["bithumb:KRW-BTC"].change_basis == "prev_close_kst0");

        // KRW: a USD quote (Coinbase, Kraken) at the USD rate only; a USDT quote (Binance, OKX,
        // Bybit) at the USD rate labelled usdt_as_usd, and at USDT's own rate from Upbit's row.
        for (const auto& [key, price] : foreign) {
            CAPTURE(key);
            const row_seen& row = rows[key];
            REQUIRE(!row.krw.empty());
            CHECK(row.krw[0].basis == "usd_krw:test");
            CHECK(row.krw[0].value == krw_of(price, usd_krw));
            if (row.quote == "USD") {
                CHECK(!row.krw[0].usdt_as_usd);
                CHECK(row.krw.size() == 1);
            } else {
                CHECK(row.quote == "USDT");
                CHECK(row.krw[0].usdt_as_usd);
                REQUIRE(row.krw.size() == 2);
                CHECK(row.krw[1].basis == "usdt_krw:upbit");
                CHECK(!row.krw[1].usdt_as_usd);
                CHECK(row.krw[1].value == krw_of(price, usdt_krw));
                CHECK(row.krw[1].value != row.krw[0].value);
            }
        }
        CHECK(rows["coinbase:BTC-USD"].quote == "USD");
        CHECK(rows["kraken:BTC/USD"].quote == "USD");

        // The Korean rows' premium over each foreign row, per basis, from the sent prices.
        for (const auto& [key, krw_price] : korean) {
            CAPTURE(key);
            std::size_t usd_only = 0, usdt_basis = 0;
            for (const fx_seen& p : rows[key].premium) {
                CAPTURE(p.vs);
                CAPTURE(p.basis);
                REQUIRE(foreign.contains(p.vs));
                const bool usdt_row = rows[p.vs].quote == "USDT";
                const char* rate = p.basis == "usdt_krw:upbit" ? usdt_krw : usd_krw;
                CHECK(p.value == expected_premium(krw_price.c_str(), foreign[p.vs].c_str(), rate));
                CHECK(p.usdt_as_usd == (usdt_row && p.basis == "usd_krw:test"));
                if (p.basis == "usdt_krw:upbit") {
                    CHECK(usdt_row);
                    ++usdt_basis;
                } else {
                    CHECK(p.basis == "usd_krw:test");
                    if (!usdt_row) ++usd_only;
                }
            }
            CHECK(rows[key].premium.size() == 8);  // 3 USDT rows x 2 bases + 2 USD rows
            CHECK(usdt_basis == 3);
            CHECK(usd_only == 2);
        }

        // The pair Kraken refused: one error naming it, reported on its row and its feed, and
        // Kraken's other row live on the same connection.
        CHECK(eventually([&] { return feed_number(sised.port(), kraken, "exchange_errors") == 1; },
                         5s));
        const healthz h(sised.port());
        CHECK(h.text(fmt::format("/feeds/{}/exchange", kraken)) == "kraken");
        CHECK(h.text(fmt::format("/feeds/{}/unlisted_markets/0", kraken)) == "NOPE/USD");
        CHECK(h.text(fmt::format("/feeds/{}/last_error", kraken)).find("NOPE/USD") !=
              std::string::npos);
        for (int v = 0; v < venue_count; ++v) {
            const std::string venue = names[static_cast<std::size_t>(v)];
            CAPTURE(venue);
            CHECK(h.text(fmt::format("/feeds/{}/state", v)) == "live");
            if (v != kraken) CHECK_FALSE(h.has(fmt::format("/feeds/{}/unlisted_markets/0", v)));
        }
        CHECK(rows["kraken:NOPE/USD"].price.empty());
        CHECK(venues[kraken].updates_sent("NOPE/USD") == 0);

        // Keepalive: with every stream quiet, three times the longest shortened limit (1 s)
        // passes; only sised's pings (websocket, text, JSON) and its subscription to Coinbase's
        // heartbeats keep the seven connections.
        std::this_thread::sleep_until(subscribed_at + 3s);
        for (int v = 0; v < venue_count; ++v) {
            const std::string venue = names[static_cast<std::size_t>(v)];
            CAPTURE(venue);
            CHECK(venues[v].idle_timeouts() == 0);
            CHECK(venues[v].pong_timeouts() == 0);
            CHECK(venues[v].connections_accepted() == 1);
            CHECK(feed_number(sised.port(), v, "connections") == 1);
        }
        CHECK(feed_number(sised.port(), coinbase, "heartbeats") >= 10);  // every 100 ms
        CHECK(feed_number(sised.port(), okx, "heartbeats") >= 5);        // pongs to its pings
    }

    TEST_CASE(
        "while seven venues stream, a Coinbase sequence gap and an OKX notice lose no update and "
        "every venue's keepalive holds") {
        seven_venues venues(40);
        daemon_process sised(venues.config());
        const auto live = [&] {
            for (int v = 0; v < venue_count; ++v)
                if (!feed_live(sised.port(), v)) return false;
            return true;
        };
        REQUIRE_MESSAGE(eventually(live, 10s), sised.log());
        REQUIRE(eventually(
            [&] {
                return feed_number(sised.port(), coinbase, "tickers") > 20 &&
                       feed_number(sised.port(), okx, "tickers") > 20;
            },
            5s));

        venues[coinbase].skip_sequence();
        venues[okx].announce_shutdown();
        REQUIRE(eventually(
            [&] {
                return feed_number(sised.port(), coinbase, "handovers_completed") >= 1 &&
                       feed_number(sised.port(), okx, "handovers_completed") >= 1;
            },
            10s));
        // Past the OKX close (1.5 s after the notice) and over a second of every idle limit
        // (Upbit's counts no client silence while its stream is busy: venue_options).
        std::this_thread::sleep_for(2s);
        for (int v = 0; v < venue_count; ++v) venues[v].pause_stream(true);

        // Every update each snapshot-free fake sent arrived exactly once; every row ends on the
        // last price its venue sent.
        for (int v : {upbit, bithumb, binance, okx, coinbase}) {
            const std::string venue = names[static_cast<std::size_t>(v)];
            CAPTURE(venue);
            CHECK(eventually(
                [&] {
                    return feed_number(sised.port(), v, "tickers") ==
                           updates_sent(venues[v], listed(v));
                },
                5s));
        }
        CHECK(eventually(
            [&] {
                auto rows = table(sised.port());
                for (int v = 0; v < venue_count; ++v)
                    for (const auto& m : listed(v))
                        if (rows[row_key(v, m)].price != venues[v].last_price(m) ||
                            rows[row_key(v, m)].status != "live")
                            return false;
                return true;
            },
            5s));

        const healthz h(sised.port());
        CHECK(h.number(fmt::format("/feeds/{}/sequence_gaps", coinbase)) == 1);
        CHECK(h.number(fmt::format("/feeds/{}/handovers/sequence_gap", coinbase)) == 1);
        CHECK(h.number(fmt::format("/feeds/{}/handovers/exchange_request", okx)) == 1);
        for (int v = 0; v < venue_count; ++v) {
            const std::string venue = names[static_cast<std::size_t>(v)];
            CAPTURE(venue);
            CHECK(h.text(fmt::format("/feeds/{}/state", v)) == "live");
            CHECK(h.number(fmt::format("/feeds/{}/handover_failures", v)) == 0);
            CHECK(h.number(fmt::format("/feeds/{}/bad_frames", v)) == 0);
            CHECK(venues[v].idle_timeouts() == 0);
            CHECK(venues[v].pong_timeouts() == 0);
            // One connection, or two for the venues that asked for a new one.
            CHECK(venues[v].connections_accepted() == (v == okx || v == coinbase ? 2u : 1u));
        }
    }
}
