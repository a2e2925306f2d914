// The rolling 24 h change end to end: sised backfills its windows from the fake's minute
// candles, which follow a price path the test knows, and every row it publishes as a 24 h
// figure is checked against the value computed here, from the first snapshot on.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <map>
#include <optional>
#include <thread>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t day_ms = 86'400'000;

// The known path: one close per minute, with some minutes that did not trade at all.
std::optional<std::string> path_close(const std::string& market, std::int64_t minute) {
    if (minute % 11 == 0) return std::nullopt;
    if (market == "KRW-BTC") return std::to_string(100'000'000 + (minute % 997) * 1'000);
    return std::to_string(4'000'000 + (minute % 503) * 500);
}

// The reference as docs/rolling-24h.md defines it, computed the long way.
std::pair<std::int64_t, std::string> expected_reference(const std::string& market,
                                                        std::int64_t now_ms) {
    std::int64_t k = (now_ms - day_ms) / 60'000 - 1;
    while (!path_close(market, k)) --k;
    return {k * 60'000, *path_close(market, k)};
}

struct published_row {
    std::string market, basis, price, ref_price, change_pct;
    std::int64_t ref_time = 0;
};

std::string text(simdjson::dom::element row, const char* key) {
    std::string_view value;
    return row[key].get(value) ? "" : std::string(value);
}

std::vector<published_row> rows_of(const std::string& message, std::int64_t& time) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::vector<published_row> rows;
    REQUIRE(!parser.parse(message).get(root));
    REQUIRE(!root["time"].get(time));
    simdjson::dom::array tickers;
    if (root["tickers"].get(tickers)) return rows;
    for (simdjson::dom::element item : tickers) {
        published_row r{text(item, "market"), text(item, "basis"), text(item, "price"),
                        text(item, "ref_price_24h"), text(item, "change_pct_24h")};
        if (item["ref_time_24h"].get(r.ref_time)) r.ref_time = 0;
        rows.push_back(r);
    }
    return rows;
}

// Checks one published row; returns true when it is a complete 24 h figure.
bool check_row(const published_row& row, std::int64_t time) {
    CAPTURE(row.market);
    CAPTURE(time);
    if (row.basis != "rolling_24h") {
        CHECK((row.basis == "partial" || row.basis == "none"));
        return false;
    }
    // Figures are as of the publication; a row re-encoded up to a second before a minute
    // boundary may still name the previous reference minute.
    auto [ref_time, ref_text] = expected_reference(row.market, time);
    if (row.ref_time != ref_time)
        std::tie(ref_time, ref_text) = expected_reference(row.market, time - 1'500);
    CHECK(row.ref_time == ref_time);
    CHECK(row.ref_price == ref_text);
    const double price = std::stod(row.price), ref = std::stod(ref_text);
    CHECK(row.change_pct == fmt::format("{:.4f}", 100 * (price - ref) / ref));
    return true;
}

std::string config(const fake::exchange_server& exchange, int rest_timeout_ms) {
    return behind(exchange)
        .set("server", "publish_interval_ms", 50)
        .set("feeds.upbit", "markets", R"(["KRW-BTC", "KRW-ETH"])")
        .set("feeds.upbit", "rest_timeout_ms", rest_timeout_ms)
        .toml();
}

fake::server_options path_fake(fake::candle_fault fault) {
    fake::server_options options = fake_at(0);
    options.markets = {"KRW-BTC", "KRW-ETH"};
    options.candle_close = path_close;
    options.candles_fault = fault;
    options.candle_delay_ms = 700;
    return options;
}

// Follows one daemon's stream until every row is a complete 24 h figure.
struct watcher {
    std::unique_ptr<stream_client> client;
    std::map<std::string, bool> complete;
    int checked = 0;

    void poll() {
        while (auto message = client->read(50ms)) {
            std::int64_t time = 0;
            for (const auto& row : rows_of(*message, time)) {
                if (check_row(row, time)) ++checked;
                complete[row.market] = row.basis == "rolling_24h";
            }
        }
    }
    bool done() const {
        return complete.size() == 2 &&
               std::all_of(complete.begin(), complete.end(), [](auto& e) { return e.second; });
    }
};

std::uint64_t backfill_counter(std::uint16_t port, const char* field) {
    return healthz(port).number(std::string("/feeds/0/backfill/") + field);
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("published 24 h changes match the known price path, with and without REST faults") {
        // Two exchanges and two daemons side by side: one clean, one whose candle endpoint
        // answers every third request with 429, then every third with 500, then every answer
        // late.
        fake::exchange_server clean(path_fake(fake::candle_fault::none));
        fake::exchange_server faulty(path_fake(fake::candle_fault::every_nth_429));
        clean.pause_stream(true);
        faulty.pause_stream(true);
        clean.start();
        faulty.start();
        daemon_process clean_daemon(config(clean, 1000));
        daemon_process faulty_daemon(config(faulty, 1000));

        watcher clean_watch{std::make_unique<stream_client>(clean_daemon.port()), {}, 0};
        watcher faulty_watch{std::make_unique<stream_client>(faulty_daemon.port()), {}, 0};
        int phase = 0;  // 429s, then 500s, then slow answers
        // Completion waits for the end of the minute the feed connected in (rolling-24h.md).
        const auto deadline = std::chrono::steady_clock::now() + 45s;
        while (std::chrono::steady_clock::now() < deadline &&
               !(clean_watch.done() && faulty_watch.done())) {
            clean_watch.poll();
            faulty_watch.poll();
            const auto failures = backfill_counter(faulty_daemon.port(), "failures");
            if (phase == 0 && failures >= 1) {
                faulty.set_candle_fault(fake::candle_fault::every_nth_500);
                phase = 1;
            } else if (phase == 1 && failures >= 2) {
                faulty.set_candle_fault(fake::candle_fault::slow);  // every answer 700 ms late
                phase = 2;
            }
        }
        MESSAGE("rows checked as 24 h figures: clean " << clean_watch.checked << ", faulty "
                                                       << faulty_watch.checked);
        CHECK_MESSAGE(clean_watch.done(), clean_daemon.log(),
                      http_get(clean_daemon.port(), "/v1/snapshot").body);
        CHECK_MESSAGE(faulty_watch.done(), faulty_daemon.log());

        // A new trade moves the change; it is checked against the path again.
        clean.send_ticker("KRW-BTC", "123456000");
        bool seen = false;
        const auto until = std::chrono::steady_clock::now() + 5s;
        while (!seen && std::chrono::steady_clock::now() < until)
            if (auto message = clean_watch.client->read(1s)) {
                std::int64_t time = 0;
                for (const auto& row : rows_of(*message, time))
                    if (row.market == "KRW-BTC" && row.price == "123456000")
                        seen = check_row(row, time);
            }
        CHECK(seen);

        // Within the exchange's REST limit, and the faults were seen and survived.
        CHECK(clean.max_candle_requests_in_one_second() <= 10);
        CHECK(clean.candle_requests_rejected() == 0);
        CHECK(backfill_counter(clean_daemon.port(), "markets_complete") == 2);
        CHECK(backfill_counter(faulty_daemon.port(), "rate_limited") >= 1);
        CHECK(backfill_counter(faulty_daemon.port(), "failures") >= 2);
        CHECK(faulty_daemon.log().find("failed (HTTP 429)") != std::string::npos);
        CHECK(faulty_daemon.log().find("failed (HTTP 500)") != std::string::npos);
        CHECK(clean_daemon.log().find("24 h window of KRW-BTC complete") != std::string::npos);
    }
}
