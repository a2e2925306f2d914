// Price history end to end: sised against the fake writes the prices it receives to its day
// files, serves them on /v1/history, survives SIGKILL mid-write with every file whole, rebuilds
// its 24 h windows from the files after a restart, and keeps serving when the directory is
// unusable. Restarts with every REST call failing: markets that do not trade every minute get
// a complete 24 h figure from the files alone when sised watched the previous day (its
// coverage files say so), and stay partial when it did not; the history is planted with the
// library's own writer for past times, and the coverage sised writes itself is read back.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "fake/exchange_server.hpp"
#include "history/test_files.hpp"
#include "sise/history/coverage.hpp"
#include "sise/history/layout.hpp"
#include "sise/history/reader.hpp"
#include "sise/history/record.hpp"
#include "sise/history/writer.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct history_settings {
    std::string dir;
    int sample_interval_ms = 0;
    int fsync_interval_ms = 1000;
    bool warm_start = true;
    bool backfill = false;
    std::string markets = R"("KRW-BTC", "KRW-ETH")";
    std::string rest_url;  // empty: the fake's
};

std::string config_for(const fake::exchange_server& exchange, const history_settings& s) {
    auto config = behind(exchange);
    config.set("server", "publish_interval_ms", 20)
        .text("history", "dir", s.dir)
        .set("history", "sample_interval_ms", s.sample_interval_ms)
        .set("history", "fsync_interval_ms", s.fsync_interval_ms)
        .set("history", "warm_start", s.warm_start)
        .set("feeds.upbit", "markets", "[" + s.markets + "]")
        .set("feeds.upbit", "connect_timeout_ms", 2000)
        .set("feeds.upbit", "reconnect_initial_ms", 100)
        .set("feeds.upbit", "reconnect_max_ms", 500)
        .set("feeds.upbit", "rest_timeout_ms", 1000)
        .set("feeds.upbit", "backfill", s.backfill);
    if (!s.rest_url.empty()) config.text("feeds.upbit", "rest_url", s.rest_url);
    return config.toml();
}

fake::server_options quiet_fake() {
    fake::server_options options = fake_at(0);
    options.markets = {"KRW-BTC", "KRW-ETH"};
    return options;
}

// A fake that sends only the snapshot on subscribe and what the test sends, and a history
// directory of the test's own.
struct quiet_setup {
    fake::exchange_server exchange{quiet_fake()};
    temp_dir dir;
    history_settings settings;

    quiet_setup() {
        exchange.start();
        exchange.pause_stream(true);
        settings.dir = (dir.path() / "history").string();
    }
    std::string config() const { return config_for(exchange, settings); }
    // Frames sent before the fake has the daemon's subscription would go nowhere.
    void wait_subscribed(std::uint64_t count = 1) const {
        REQUIRE(eventually([&] { return exchange.subscriptions() >= count; }, 5s));
    }
};

struct file_scan {
    std::size_t files = 0;
    std::size_t records = 0;
    std::size_t bad_lines = 0;      // lines that do not parse (the header excepted)
    std::size_t unterminated = 0;  // files whose last byte is not '\n'
    std::vector<std::string> prices;  // of KRW-BTC, in file order
};

// Every history file under `dir`, read the plain way (no sise reader), line by line.
file_scan scan(const fs::path& dir) {
    file_scan out;
    if (!fs::exists(dir)) return out;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".csv") continue;
        ++out.files;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        const std::string content = text.str();
        if (!content.empty() && content.back() != '\n') ++out.unterminated;
        std::istringstream lines(content);
        for (std::string line; std::getline(lines, line);) {
            if (line == history::csv_header) continue;
            if (const auto r = history::parse_csv_line(line)) {
                ++out.records;
                if (r->market.view() == "KRW-BTC") out.prices.emplace_back(r->price.text());
            } else {
                ++out.bad_lines;
            }
        }
    }
    return out;
}

std::vector<std::string> history_prices(std::uint16_t port, const std::string& query) {
    const auto response = http_get(port, "/v1/history?" + query);
    REQUIRE_MESSAGE(response.status == 200, response.body);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    REQUIRE(!parser.parse(response.body).get(root));
    simdjson::dom::array records;
    REQUIRE(!root["records"].get(records));
    std::vector<std::string> prices;
    for (auto item : records) {
        std::string_view price;
        REQUIRE(!item["price"].get(price));
        prices.emplace_back(price);
    }
    return prices;
}

// --- restarts with REST down --------------------------------------------------------------

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t hour_ms = 3'600'000;
constexpr std::int64_t day_ms = 86'400'000;
const std::vector<std::string> markets{"KRW-BTC", "KRW-ETH"};

std::int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Now, at least 15 s before a minute ends: the planted history, the start and the first
// snapshot all fall in one minute, so the reference minute is the one computed here.
std::int64_t settled_now() {
    if (wall_ms() % minute_ms > 45'000)
        std::this_thread::sleep_for(std::chrono::milliseconds(minute_ms - wall_ms() % minute_ms));
    return wall_ms();
}

// What the previous day looked like: a sparse market trading every 10 minutes, and a market
// trading every 2 minutes but for an 80-minute quiet spell around "24 h ago". Both
// references are older than 24 h 3 min. Returns the reference (minute start, price).
struct planted {
    std::vector<history::record> records;
    std::map<std::string, std::pair<std::int64_t, double>> reference;
};

planted plant_trades(std::int64_t now) {
    planted out;
    const std::int64_t current = now / minute_ms;
    const std::int64_t k = current - 1441;  // the reference minute (docs/rolling-24h.md)
    auto trade = [&](const std::string& market, std::int64_t minute, int price) {
        out.records.push_back(history::testing::make_record(minute * minute_ms + 5'000,
                                                            std::to_string(price), market));
        if (minute <= k) out.reference[market] = {minute * minute_ms, price};
    };
    for (std::int64_t m = current - 26 * 60; m <= current - 3; ++m) {
        if ((m - (k - 7)) % 10 == 0) trade("KRW-BTC", m, 400 + static_cast<int>(m % 97));
        const bool quiet = m > k - 50 && m < k + 30;
        if (m % 2 == 0 && !quiet) trade("KRW-ETH", m, 70'000 + static_cast<int>(m % 101) * 10);
    }
    return out;
}

// Writes records and coverage the way sised does: through the history writer.
void write_history(const fs::path& dir, const std::vector<history::record>& records,
                   const std::vector<history::coverage_span>& watched) {
    history::writer_options options;
    options.dir = dir;
    options.fsync_interval_ms = 0;
    history::writer w(options);
    std::vector<history::coverage_span> pieces;
    for (const auto& span : watched) history::split_at_days(span, pieces);
    for (const auto& r : records) REQUIRE(w.push(r));
    for (const auto& market : markets)
        for (const auto& piece : pieces)
            REQUIRE(w.push_coverage(exchange_id::upbit, market, piece));
    REQUIRE(eventually(
        [&] {
            const auto s = w.stats();
            return s.records_written == records.size() &&
                   s.coverage_written == pieces.size() * markets.size();
        },
        10s));
}

struct snapshot_row {
    std::string basis;
    double ref_price = 0;
    std::int64_t ref_time = 0;
    std::int64_t covered_ms = 0;
};

std::map<std::string, snapshot_row> snapshot(std::uint16_t port) {
    std::map<std::string, snapshot_row> rows;
    const auto response = http_get(port, "/v1/snapshot");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array tickers;
    if (response.status != 200 || parser.parse(response.body).get(root) ||
        root["tickers"].get(tickers))
        return rows;
    for (simdjson::dom::element item : tickers) {
        std::string_view market, basis, ref_price;
        snapshot_row row;
        if (item["market"].get(market) || item["basis"].get(basis)) continue;
        row.basis = std::string(basis);
        if (!item["ref_price_24h"].get(ref_price))
            row.ref_price = std::stod(std::string(ref_price));
        if (item["ref_time_24h"].get(row.ref_time)) row.ref_time = 0;
        if (item["covered_24h_ms"].get(row.covered_ms)) row.covered_ms = 0;
        rows[std::string(market)] = row;
    }
    return rows;
}

// The quiet fake, and sised with backfill on and every REST call failing: nothing listens on
// port 1 of the loopback.
struct rest_down_setup : quiet_setup {
    rest_down_setup() {
        settings.backfill = true;
        settings.rest_url = "http://127.0.0.1:1";
    }
};

// Starts sised on the planted history and returns its first snapshot that shows the files'
// references (the warm start has been merged and published).
std::map<std::string, snapshot_row> first_snapshot(const rest_down_setup& setup,
                                                   const planted& trades) {
    daemon_process daemon(setup.config());
    REQUIRE(eventually(
        [&] { return healthz(daemon.port()).number("/history/warm_start_minutes") > 0; }, 10s));
    std::map<std::string, snapshot_row> rows;
    const bool merged = eventually(
        [&] {
            rows = snapshot(daemon.port());
            for (const auto& market : markets)
                if (rows[market].ref_time != trades.reference.at(market).first) return false;
            return true;
        },
        5s);
    CHECK(merged);
    // Nothing came from REST: the figures are the files' alone.
    {
        healthz health(daemon.port());
        CHECK(health.number("/feeds/0/backfill/failures") ==
              health.number("/feeds/0/backfill/requests"));
    }
    CHECK(daemon.terminate() == 0);
    return rows;
}

void check_references(std::map<std::string, snapshot_row>& rows, const planted& trades) {
    for (const auto& market : markets) {
        CAPTURE(market);
        MESSAGE(market, ": ", rows[market].basis, ", covered_24h_ms ", rows[market].covered_ms,
                ", reference ", (wall_ms() - rows[market].ref_time) / minute_ms, " min old");
        CHECK(rows[market].ref_time == trades.reference.at(market).first);
        CHECK(rows[market].ref_price == trades.reference.at(market).second);
    }
}

}  // namespace

TEST_SUITE("integration") {

TEST_CASE("history: every received price is written with its digits and served on /v1/history") {
    quiet_setup setup;
    auto& exchange = setup.exchange;
    daemon_process daemon(setup.config());
    setup.wait_subscribed();

    const std::vector<std::string> sent{"150139000", "150139000.5", "0.000015", "150140000",
                                        "99999999999"};
    for (const auto& price : sent) {
        REQUIRE(exchange.send_ticker("KRW-BTC", price));
        std::this_thread::sleep_for(5ms);  // distinct trade times
    }
    REQUIRE(eventually(
        [&] { return history_prices(daemon.port(), "market=KRW-BTC").size() >= sent.size() + 1; },
        5s));
    // The snapshot on connect comes first, then exactly what was sent, in order.
    auto served = history_prices(daemon.port(), "market=upbit:KRW-BTC&from=-1h");
    REQUIRE(served.size() == sent.size() + 1);
    CHECK(std::vector<std::string>(served.begin() + 1, served.end()) == sent);
    CHECK(history_prices(daemon.port(), "market=KRW-BTC&limit=2").size() == 2);
    CHECK(history_prices(daemon.port(), "market=KRW-XRP").empty());  // not configured: no files

    // Bars: one minute bar (or two, across a minute boundary) whose high is the largest price.
    const auto bars = http_get(daemon.port(), "/v1/history?market=KRW-BTC&interval=1m");
    CHECK(bars.status == 200);
    CHECK(bars.body.find("\"high\":\"99999999999\"") != std::string::npos);

    for (const auto& [query, code] : std::vector<std::pair<std::string, std::string>>{
             {"", "bad_market"},
             {"market=KRW-BTC&interval=7m", "bad_interval"},
             {"market=KRW-BTC&from=yesterday", "bad_from"},
             {"market=KRW-BTC&from=-1h&to=-2h", "bad_range"},
             {"market=KRW-BTC&limit=0", "bad_limit"}}) {
        CAPTURE(query);
        const auto response = http_get(daemon.port(), "/v1/history?" + query);
        CHECK(response.status == 400);
        CHECK(response.body.find(code) != std::string::npos);
    }
    CHECK(daemon.terminate() == 0);

    // On disk: the same, and nothing else.
    const auto files = scan(setup.settings.dir);
    CHECK(files.bad_lines == 0);
    CHECK(files.unterminated == 0);
    CHECK(files.prices == served);
}

TEST_CASE("history: SIGKILL mid-write leaves every file whole and keeps everything synced") {
    fake::exchange_server exchange(fake_at(4'000));
    exchange.start();
    temp_dir dir;
    history_settings settings;
    settings.dir = (dir.path() / "history").string();
    settings.fsync_interval_ms = 100;
    settings.markets = R"("KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL")";

    std::size_t on_disk_before = 0;
    std::string figures;
    for (int round = 0; round < 4; ++round) {
        CAPTURE(round);
        daemon_process daemon(config_for(exchange, settings));
        std::uint64_t synced = 0;
        REQUIRE(eventually([&] {
            synced = healthz(daemon.port()).number("/history/records_synced");
            return synced >= 2'000;
        }, 10s));
        // Killed while records keep arriving (~4,000 a second).
        daemon.kill();
        const auto files = scan(settings.dir);
        CHECK(files.bad_lines == 0);
        CHECK(files.unterminated == 0);
        // Everything this run synced before the kill is there (SIGKILL loses no written data;
        // the fsyncs make that hold for a power cut as well).
        CHECK(files.records >= on_disk_before + synced);
        figures += fmt::format(" [kill {}: {} synced, {} on disk]", round + 1, synced,
                               files.records - on_disk_before);
        on_disk_before = files.records;
    }
    MESSAGE("SIGKILL x4 at ~4,000 records/s:" << figures);
    // A normal run after the kills: starts cleanly, appends, shuts down.
    daemon_process daemon(config_for(exchange, settings));
    REQUIRE(eventually(
        [&] { return healthz(daemon.port()).number("/history/records_written") >= 100; }, 10s));
    CHECK(healthz(daemon.port()).number("/history/write_errors") == 0);
    CHECK(daemon.terminate() == 0);
    const auto files = scan(settings.dir);
    CHECK(files.bad_lines == 0);
    CHECK(files.unterminated == 0);
    CHECK(files.records > on_disk_before);
}

TEST_CASE("history: a restart rebuilds the 24 h window from the files") {
    quiet_setup setup;
    auto& exchange = setup.exchange;
    setup.settings.markets = R"("KRW-BTC")";
    {
        daemon_process first(setup.config());
        setup.wait_subscribed();
        REQUIRE(exchange.send_ticker("KRW-BTC", "170000000"));  // a spike only `first` sees
        std::this_thread::sleep_for(5ms);
        REQUIRE(exchange.send_ticker("KRW-BTC", "90000000"));   // and a dip
        std::this_thread::sleep_for(5ms);
        REQUIRE(exchange.send_ticker("KRW-BTC", "150000000"));
        REQUIRE(eventually(
            [&] { return healthz(first.port()).number("/history/records_written") >= 4; }, 5s));
        CHECK(first.terminate() == 0);
    }
    // No backfill: whatever the window knows before new trades comes from the files.
    daemon_process second(setup.config());
    setup.wait_subscribed(2);
    REQUIRE(eventually(
        [&] { return healthz(second.port()).number("/history/warm_start_records") >= 4; }, 5s));
    REQUIRE(exchange.send_ticker("KRW-BTC", "151000000"));
    std::string body;
    REQUIRE(eventually([&] {
        body = http_get(second.port(), "/v1/snapshot").body;
        return body.find("\"price\":\"151000000\"") != std::string::npos;
    }, 5s));
    CHECK(body.find("\"high_24h\":\"170000000\"") != std::string::npos);
    CHECK(body.find("\"low_24h\":\"90000000\"") != std::string::npos);
    CHECK(second.terminate() == 0);
}

TEST_CASE(
    "history: an unusable directory is reported in /healthz while serving goes on, then recovers") {
    quiet_setup setup;
    auto& exchange = setup.exchange;
    // A regular file where the history directory's parent should be: ENOTDIR, even for root.
    const fs::path blocker = setup.dir.path() / "blocked";
    std::ofstream(blocker) << "not a directory";
    setup.settings.dir = (blocker / "history").string();
    daemon_process daemon(setup.config());
    setup.wait_subscribed();
    REQUIRE(exchange.send_ticker("KRW-BTC", "150139000"));
    REQUIRE(eventually([&] { return healthz(daemon.port()).number("/history/write_errors") >= 1; },
                       5s));
    {
        healthz health(daemon.port());
        CHECK(health.text("/history/failing").empty());  // a boolean, read below
        CHECK(health.response().body.find("\"failing\":true") != std::string::npos);
        CHECK(health.text("/history/last_error").find(blocker.string()) != std::string::npos);
        CHECK(health.response().status == 200);  // the feed is live: the daemon is healthy
    }
    // The first write error may come from the opening snapshot's tickers: wait for the price.
    CHECK(eventually([&] {
        return http_get(daemon.port(), "/v1/snapshot").body.find("\"price\":\"150139000\"") !=
               std::string::npos;
    }, 5s));
    CHECK(daemon.wait_for_log("history: cannot create", 2s));

    fs::remove(blocker);
    REQUIRE(exchange.send_ticker("KRW-BTC", "150140000"));
    REQUIRE(eventually(
        [&] {
            return healthz(daemon.port()).response().body.find("\"failing\":false") !=
                   std::string::npos;
        },
        5s));
    CHECK(daemon.terminate() == 0);
    const auto files = scan(setup.settings.dir);
    CHECK(files.bad_lines == 0);
    // Held while the directory was unusable, written once it was not: nothing lost.
    CHECK(std::find(files.prices.begin(), files.prices.end(), "150139000") != files.prices.end());
    CHECK(std::find(files.prices.begin(), files.prices.end(), "150140000") != files.prices.end());
}


TEST_CASE(
    "warm start: sparse and gap markets are rolling_24h at once when sised watched the day") {
    rest_down_setup setup;
    const std::int64_t now = settled_now();
    const planted trades = plant_trades(now);
    write_history(setup.settings.dir, trades.records, {{now - 27 * hour_ms, now}});
    auto rows = first_snapshot(setup, trades);
    check_references(rows, trades);
    for (const auto& market : markets) {
        CAPTURE(market);
        CHECK(rows[market].basis == "rolling_24h");
        CHECK(rows[market].covered_ms == day_ms);
    }
}

TEST_CASE(
    "warm start: the same trades stay partial when sised missed half an hour of the day") {
    rest_down_setup setup;
    const std::int64_t now = settled_now();
    const planted trades = plant_trades(now);
    write_history(
        setup.settings.dir, trades.records,
        {{now - 27 * hour_ms, now - 10 * hour_ms}, {now - 9 * hour_ms - 30 * minute_ms, now}});
    auto rows = first_snapshot(setup, trades);
    check_references(rows, trades);
    for (const auto& market : markets) {
        CAPTURE(market);
        CHECK(rows[market].basis == "partial");
        // Known back to the end of the hole, not beyond it.
        CHECK(rows[market].covered_ms <= 9 * hour_ms + 30 * minute_ms + 2 * minute_ms);
        CHECK(rows[market].covered_ms >= 9 * hour_ms);
    }
}

TEST_CASE(
    "warm start: the same trades stay partial without any coverage (files of an old sised)") {
    rest_down_setup setup;
    const std::int64_t now = settled_now();
    const planted trades = plant_trades(now);
    write_history(setup.settings.dir, trades.records, {});
    auto rows = first_snapshot(setup, trades);
    check_references(rows, trades);
    for (const auto& market : markets) CHECK(rows[market].basis == "partial");
}

TEST_CASE(
    "warm start: the coverage sised writes while running is read back by the next start") {
    rest_down_setup setup;
    const std::int64_t started = wall_ms();
    {
        daemon_process first(setup.config());
        REQUIRE(eventually(
            [&] { return healthz(first.port()).text("/feeds/0/state") == "live"; }, 5s));
        // Coverage trails the clock by 3 s: watch a little longer than that.
        std::this_thread::sleep_for(5s);
        CHECK(first.terminate() == 0);
    }
    const std::int64_t stopped = wall_ms();
    for (const auto& market : markets) {
        CAPTURE(market);
        std::vector<history::coverage_span> spans;
        const history::read_query query{exchange_id::upbit, market, started - day_ms,
                                        stopped + day_ms, 0};
        const auto stats = history::read_coverage(setup.settings.dir, query, spans);
        CHECK(stats.bad_lines == 0);
        REQUIRE(spans.size() == 1);
        CHECK(spans[0].from_ms >= started);
        CHECK(spans[0].to_ms <= stopped);
        CHECK(spans[0].to_ms - spans[0].from_ms >= 900);
    }
    daemon_process second(setup.config());
    CHECK(eventually(
        [&] {
            return healthz(second.port()).number("/history/warm_start_coverage_spans") == 2;
        },
        10s));
    CHECK(second.terminate() == 0);
}

}  // TEST_SUITE
