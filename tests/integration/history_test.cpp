// Price history end to end: sised against the fake writes the prices it receives to its day
// files, serves them on /v1/history, survives SIGKILL mid-write with every file whole, rebuilds
// its 24 h windows from the files after a restart, and keeps serving when the directory is
// unusable.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "fake/exchange_server.hpp"
#include "sise/history/layout.hpp"
#include "sise/history/record.hpp"
#include "support/daemon.hpp"
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
};

std::string config_for(const fake::exchange_server& exchange, const history_settings& s) {
    return fmt::format(R"(
[server]
port = 0
publish_interval_ms = 20

[history]
dir = "{}"
sample_interval_ms = {}
fsync_interval_ms = {}
warm_start = {}

[feeds.upbit]
markets = [{}]
websocket_url = "{}"
rest_url = "{}"
connect_timeout_ms = 2000
reconnect_initial_ms = 100
reconnect_max_ms = 500
rest_timeout_ms = 1000
backfill = {}
)",
                       s.dir, s.sample_interval_ms, s.fsync_interval_ms, s.warm_start, s.markets,
                       exchange.websocket_url(), exchange.rest_url(), s.backfill);
}

fake::server_options quiet_fake() {
    fake::server_options options;
    options.frames_per_second = 0;
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
    fake::server_options fast;
    fast.frames_per_second = 4'000;
    fake::exchange_server exchange(fast);
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

}  // TEST_SUITE
