#include "sise/stats/prometheus.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

using namespace sise;

namespace {

// Every field set, two feeds (one backfilling), history on: every family has samples.
stats::snapshot rich_snapshot() {
    stats::snapshot s;
    s.version = "1.2.3-\"quoted\"";
    s.started_ms = 1'700'000'000'000;
    s.now_ms = 1'700'000'060'000;
    stats::feed_entry upbit;
    upbit.exchange = exchange_id::upbit;
    upbit.feed.state = stats::feed_state::live;
    upbit.feed.connected_since_ms = 1'700'000'001'000;
    upbit.feed.last_message_ms = 1'700'000'059'750;
    upbit.feed.frames = 1000;
    upbit.feed.bytes_received = 250'000;
    upbit.feed.tickers = 990;
    upbit.feed.heartbeats = 8;
    upbit.feed.bad_frames = 2;
    upbit.feed.oversized_frames = 1;
    upbit.feed.connect_attempts = 3;
    upbit.feed.connections = 2;
    upbit.feed.reconnects[static_cast<std::size_t>(stats::reconnect_reason::idle_timeout)] = 1;
    upbit.feed.reconnects[static_cast<std::size_t>(stats::reconnect_reason::connect_failed)] = 1;
    upbit.feed.sequence_gaps = 2;
    upbit.feed.handovers[static_cast<std::size_t>(stats::handover_reason::sequence_gap)] = 2;
    upbit.feed.lag.observe(30'000);
    upbit.feed.lag.observe(45'000);
    upbit.feed.lag.observe(2'000'000);
    upbit.backfill = stats::backfill_stats{12, 1, 1, 12, 11, "HTTP 429"};
    s.feeds.push_back(upbit);
    stats::feed_entry bithumb;
    bithumb.exchange = exchange_id::bithumb;
    bithumb.feed.state = stats::feed_state::backoff;
    s.feeds.push_back(bithumb);
    s.server.open_connections = 5;
    s.server.subscribers = 3;
    s.server.http_requests = 40;
    s.server.websocket_sessions = 9;
    s.server.slow_client_disconnects = 2;
    s.server.disconnects[static_cast<std::size_t>(stats::client_disconnect_reason::client_closed)] =
        4;
    s.server.delivery_latency.observe(800);
    s.server.delivery_latency.observe(101'000);
    stats::history_stats h;
    h.records_written = 500;
    h.records_synced = 480;
    h.dropped_queue_full = 3;
    h.queue_depth = 7;
    s.history = h;
    s.seq = 77;
    s.process = {1.5, 20'000'000, 300'000'000, 17, 1024};
    return s;
}

// The value of the sample written exactly as `series` (name and labels), or "" if absent.
std::string value_of(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line.starts_with(series + " ")) return line.substr(series.size() + 1);
    return {};
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_SUITE("stats") {
    TEST_CASE("Redis counters and the state are labelled by role") {
        stats::snapshot s;
        stats::redis_stats sink;
        sink.role = "sink";
        sink.state = stats::redis_state::auth_failed;
        sink.rows_dropped = 3;
        sink.publications_written = 12;
        s.redis.push_back(sink);
        const std::string text = stats::prometheus_text(s);
        CHECK(text.find("sise_redis_state{role=\"sink\",state=\"auth_failed\"} 1\n") !=
              std::string::npos);
        CHECK(text.find("sise_redis_state{role=\"sink\",state=\"live\"} 0\n") != std::string::npos);
        CHECK(text.find("sise_redis_state{role=\"sink\",state=\"tls_failed\"} 0\n") !=
              std::string::npos);
        CHECK(text.find("sise_redis_rows_dropped_total{role=\"sink\"} 3\n") != std::string::npos);
        CHECK(text.find("sise_redis_publications_written_total{role=\"sink\"} 12\n") !=
              std::string::npos);
        CHECK(stats::prometheus_text(stats::snapshot{}).find("sise_redis") == std::string::npos);
    }

    TEST_CASE("metrics carry the feed counters by exchange, in base units") {
        const std::string text = stats::prometheus_text(rich_snapshot());
        CHECK(value_of(text, "sise_feed_up{exchange=\"upbit\"}") == "1");
        CHECK(value_of(text, "sise_feed_up{exchange=\"bithumb\"}") == "0");
        CHECK(value_of(text, "sise_feed_state{exchange=\"bithumb\",state=\"reconnecting\"}") ==
              "1");
        CHECK(value_of(text, "sise_feed_state{exchange=\"bithumb\",state=\"live\"}") == "0");
        CHECK(value_of(text, "sise_feed_messages_received_total{exchange=\"upbit\"}") == "1000");
        CHECK(value_of(text, "sise_feed_bytes_received_total{exchange=\"upbit\"}") == "250000");
        CHECK(value_of(text, "sise_feed_parse_errors_total{exchange=\"upbit\"}") == "2");
        CHECK(value_of(text, "sise_feed_last_message_timestamp_seconds{exchange=\"upbit\"}") ==
              "1700000059.75");
        CHECK(value_of(text, "sise_feed_last_message_timestamp_seconds{exchange=\"bithumb\"}") ==
              "0");
        CHECK(value_of(text,
                       "sise_feed_reconnects_total{exchange=\"upbit\",reason=\"idle_timeout\"}") ==
              "1");
        CHECK(value_of(text, "sise_feed_sequence_gaps_total{exchange=\"upbit\"}") == "2");
        CHECK(value_of(text, "sise_feed_sequence_gaps_total{exchange=\"bithumb\"}") == "0");
        CHECK(value_of(text,
                       "sise_feed_handovers_total{exchange=\"upbit\",reason=\"sequence_gap\"}") ==
              "2");
    }

    TEST_CASE("every reason label exists at zero before anything happened") {
        stats::snapshot s;
        stats::feed_entry upbit;
        s.feeds.push_back(upbit);
        const std::string text = stats::prometheus_text(s);
        for (auto reason : stats::all_reconnect_reasons)
            CHECK(value_of(text, "sise_feed_reconnects_total{exchange=\"upbit\",reason=\"" +
                                     std::string(to_string(reason)) + "\"}") == "0");
        for (auto reason : stats::all_client_disconnect_reasons)
            CHECK(value_of(text, "sise_client_disconnects_total{reason=\"" +
                                     std::string(to_string(reason)) + "\"}") == "0");
        CHECK(value_of(text, "sise_client_disconnects_total{reason=\"slow\"}") == "0");
        CHECK(value_of(text, "sise_history_enabled") == "0");
        CHECK(text.find("sise_history_records_written_total") == std::string::npos);
        CHECK(value_of(text, "sise_feed_lag_seconds_bucket{exchange=\"upbit\",le=\"+Inf\"}") ==
              "0");
    }

    TEST_CASE("a stuck write is counted under write_timeout and not again under slow") {
        stats::snapshot s;
        s.server.slow_client_disconnects = 5;  // 2 stuck writes + 3 unanswered pings
        s.server
            .disconnects[static_cast<std::size_t>(stats::client_disconnect_reason::write_timeout)] =
            2;
        const std::string text = stats::prometheus_text(s);
        CHECK(value_of(text, "sise_client_disconnects_total{reason=\"write_timeout\"}") == "2");
        CHECK(value_of(text, "sise_client_disconnects_total{reason=\"slow\"}") == "3");
    }

    TEST_CASE("histogram buckets are cumulative, in seconds, with sum and count") {
        const std::string text = stats::prometheus_text(rich_snapshot());
        const std::string lag = "sise_feed_lag_seconds";
        CHECK(value_of(text, lag + "_bucket{exchange=\"upbit\",le=\"0.025\"}") == "0");
        CHECK(value_of(text, lag + "_bucket{exchange=\"upbit\",le=\"0.05\"}") == "2");
        CHECK(value_of(text, lag + "_bucket{exchange=\"upbit\",le=\"2.5\"}") == "3");
        CHECK(value_of(text, lag + "_bucket{exchange=\"upbit\",le=\"+Inf\"}") == "3");
        CHECK(value_of(text, lag + "_sum{exchange=\"upbit\"}") == "2.075");
        CHECK(value_of(text, lag + "_count{exchange=\"upbit\"}") == "3");
        CHECK(value_of(text, "sise_delivery_latency_seconds_bucket{le=\"0.001\"}") == "1");
        CHECK(value_of(text, "sise_delivery_latency_seconds_bucket{le=\"0.0001\"}") == "0");
        CHECK(value_of(text, "sise_delivery_latency_seconds_count") == "2");
    }

    TEST_CASE("metrics cover clients, history, backfill, build and process") {
        const std::string text = stats::prometheus_text(rich_snapshot());
        CHECK(value_of(text, "sise_build_info{version=\"1.2.3-\\\"quoted\\\"\"}") == "1");
        CHECK(value_of(text, "sise_clients{endpoint=\"stream\"}") == "3");
        CHECK(value_of(text, "sise_clients{endpoint=\"http\"}") == "2");
        CHECK(value_of(text, "sise_client_disconnects_total{reason=\"slow\"}") == "2");
        CHECK(value_of(text, "sise_client_disconnects_total{reason=\"client_closed\"}") == "4");
        CHECK(value_of(text, "sise_history_records_written_total") == "500");
        CHECK(value_of(text, "sise_history_records_synced_total") == "480");
        CHECK(value_of(text, "sise_history_records_dropped_total{reason=\"queue_full\"}") == "3");
        CHECK(value_of(text, "sise_backfill_markets{exchange=\"upbit\"}") == "12");
        CHECK(value_of(text, "sise_backfill_markets_complete{exchange=\"upbit\"}") == "11");
        CHECK(value_of(text, "sise_backfill_markets{exchange=\"bithumb\"}").empty());
        CHECK(value_of(text, "process_cpu_seconds_total") == "1.5");
        CHECK(value_of(text, "process_resident_memory_bytes") == "20000000");
        CHECK(value_of(text, "process_open_fds") == "17");
        CHECK(value_of(text, "process_max_fds") == "1024");
        CHECK(value_of(text, "process_start_time_seconds") == "1700000000");
    }

    TEST_CASE("every family has HELP and TYPE once and its samples together") {
        const std::string text = stats::prometheus_text(rich_snapshot());
        std::istringstream lines(text);
        std::set<std::string> seen;
        std::string current;
        for (std::string line; std::getline(lines, line);) {
            if (line.starts_with("# HELP ")) {
                current = line.substr(7, line.find(' ', 7) - 7);
                CHECK_MESSAGE(seen.insert(current).second, current);
                continue;
            }
            if (line.starts_with("# TYPE ")) {
                CHECK(line.substr(7, current.size()) == current);
                continue;
            }
            const std::string name = line.substr(0, line.find_first_of("{ "));
            CHECK_MESSAGE(name.starts_with(current), line);
        }
        CHECK(seen.size() > 40);
    }

    // Debian's promtool (package prometheus, scripts/install-deps) lints the exposition as
    // Prometheus itself would parse it: a missing promtool fails this test.
    TEST_CASE("promtool check metrics accepts the exposition of a rich snapshot") {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("sise-promtool-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        {
            std::ofstream out(dir / "metrics.txt");
            out << stats::prometheus_text(rich_snapshot());
        }
        const std::string command = "promtool check metrics < " + (dir / "metrics.txt").string() +
                                    " > " + (dir / "out.txt").string() + " 2>&1";
        const int status = std::system(command.c_str());
        const std::string output = read_file(dir / "out.txt");
        std::filesystem::remove_all(dir);
        REQUIRE_MESSAGE(WIFEXITED(status), output);
        CHECK_MESSAGE(WEXITSTATUS(status) == 0, output);
        CHECK_MESSAGE(output.empty(), output);
    }

    TEST_CASE("the FX rate, its time, freshness and the HTTP source's counters are exported") {
        stats::snapshot s = rich_snapshot();
        CHECK(stats::prometheus_text(s).find("sise_fx_") == std::string::npos);
        stats::fx_stats fx;
        fx.basis = "usd_krw:dunamu";
        fx.source = "http";
        fx.pair = "USD/KRW";
        fx.rate = "1380.5";
        fx.rate_time_ms = 1'700'000'000'000;
        fx.fresh = true;
        fx.requests = 9;
        fx.failures = 2;
        s.fx = fx;
        const std::string text = stats::prometheus_text(s);
        const std::string labels = "{pair=\"USD/KRW\",source=\"usd_krw:dunamu\"}";
        CHECK(value_of(text, "sise_fx_rate" + labels) == "1380.5");
        CHECK(value_of(text, "sise_fx_rate_timestamp_seconds" + labels) == "1700000000");
        CHECK(value_of(text, "sise_fx_fresh" + labels) == "1");
        CHECK(value_of(text, "sise_fx_requests_total" + labels) == "9");
        CHECK(value_of(text, "sise_fx_failures_total" + labels) == "2");
    }
}
