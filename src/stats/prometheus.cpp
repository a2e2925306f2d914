#include "sise/stats/prometheus.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace sise::stats {
namespace {

// One label pair; values are escaped (\\, \", \n) as the format requires.
struct label {
    std::string_view name;
    std::string_view value;
};

// Writes families one at a time: HELP and TYPE once, then every sample of the family, so
// each family's lines stay together as the format requires.
class exposition {
public:
    explicit exposition(std::string& out) : out_(out) {}

    void family(std::string_view name, std::string_view type, std::string_view help) {
        fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                       type);
    }

    template <typename Value>
    void sample(std::string_view name, std::initializer_list<label> labels, Value value) {
        write(name, {labels.begin(), labels.size()}, value);
    }

    // A family of one unlabelled sample.
    template <typename Value>
    void single(std::string_view name, std::string_view type, std::string_view help, Value value) {
        family(name, type, help);
        sample(name, {}, value);
    }

    // A histogram's _bucket (cumulative, le in seconds), _sum (seconds) and _count samples.
    void histogram(std::string_view name, std::initializer_list<label> labels,
                   const latency_histogram& h) {
        const std::string bucket = fmt::format("{}_bucket", name);
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= latency_histogram::bounds_us.size(); ++i) {
            cumulative += h.counts[i];
            const std::string le =
                i < latency_histogram::bounds_us.size()
                    ? fmt::format("{}", static_cast<double>(latency_histogram::bounds_us[i]) / 1e6)
                    : std::string("+Inf");
            std::vector<label> with_le(labels);
            with_le.push_back({"le", le});
            write(bucket, with_le, cumulative);
        }
        sample(fmt::format("{}_sum", name), labels, static_cast<double>(h.sum_us) / 1e6);
        sample(fmt::format("{}_count", name), labels, h.count);
    }

private:
    template <typename Value>
    void write(std::string_view name, std::span<const label> labels, Value value) {
        out_ += name;
        for (std::size_t i = 0; i < labels.size(); ++i) {
            out_ += i ? ',' : '{';
            out_ += labels[i].name;
            out_ += "=\"";
            append_escaped(labels[i].value);
            out_ += '"';
        }
        if (!labels.empty()) out_ += '}';
        fmt::format_to(std::back_inserter(out_), " {}\n", value);
    }

    void append_escaped(std::string_view value) {
        for (char c : value) {
            if (c == '\\')
                out_ += "\\\\";
            else if (c == '"')
                out_ += "\\\"";
            else if (c == '\n')
                out_ += "\\n";
            else
                out_ += c;
        }
    }

    std::string& out_;
};

double seconds(std::int64_t epoch_ms) {
    return static_cast<double>(epoch_ms) / 1000.0;
}

constexpr std::array all_feed_states{feed_state::connecting, feed_state::live, feed_state::backoff,
                                     feed_state::stopped};

// A per-feed family with one sample per feed, labelled by exchange.
template <typename Get>
void per_feed(exposition& e, const snapshot& s, std::string_view name, std::string_view type,
              std::string_view help, Get get) {
    e.family(name, type, help);
    for (const feed_entry& f : s.feeds)
        e.sample(name, {{"exchange", to_string(f.exchange)}}, get(f));
}

// The same for the feeds that backfill.
template <typename Get>
void per_backfill(exposition& e, const snapshot& s, std::string_view name, std::string_view type,
                  std::string_view help, Get get) {
    e.family(name, type, help);
    for (const feed_entry& f : s.feeds)
        if (f.backfill) e.sample(name, {{"exchange", to_string(f.exchange)}}, get(*f.backfill));
}

// The feed's plain counters, one family each.
struct feed_counter {
    std::string_view name;
    std::string_view help;
    std::uint64_t feed_stats::*member;
};
constexpr feed_counter feed_counters[] = {
    {"sise_feed_messages_received_total", "Websocket messages received from the exchange.",
     &feed_stats::frames},
    {"sise_feed_bytes_received_total",
     "Websocket message payload bytes received from the exchange.", &feed_stats::bytes_received},
    {"sise_feed_tickers_total", "Ticker updates parsed from the feed.", &feed_stats::tickers},
    {"sise_feed_heartbeats_total", "Heartbeat messages from the exchange.",
     &feed_stats::heartbeats},
    {"sise_feed_parse_errors_total", "Messages dropped as malformed or oversized.",
     &feed_stats::bad_frames},
    {"sise_feed_oversized_messages_total",
     "Messages dropped for exceeding max_frame_bytes (also in parse errors).",
     &feed_stats::oversized_frames},
    {"sise_feed_exchange_errors_total", "Error messages sent by the exchange.",
     &feed_stats::exchange_errors},
    {"sise_feed_unknown_markets_total", "Updates for markets the feed did not subscribe to.",
     &feed_stats::unknown_markets},
    {"sise_feed_connect_attempts_total", "Connection attempts.", &feed_stats::connect_attempts},
    {"sise_feed_connections_total", "Connections that completed the handshake and subscription.",
     &feed_stats::connections},
    {"sise_feed_handovers_completed_total",
     "Connections replaced by one opened beside them, once the new one delivered.",
     &feed_stats::handovers_completed},
    {"sise_feed_handover_failures_total",
     "Replacement connections that failed before they delivered.",
     &feed_stats::handover_failures},
    {"sise_feed_overlap_duplicates_total",
     "Tickers received on both connections of a handover, passed on once.",
     &feed_stats::overlap_duplicates},
    {"sise_feed_sequence_gaps_total",
     "Gaps in the exchange's per-connection message numbers (each replaces the connection).",
     &feed_stats::sequence_gaps},
};

void feeds(exposition& e, const snapshot& s) {
    per_feed(e, s, "sise_feed_up", "gauge", "1 when the exchange feed is connected and subscribed.",
             [](const feed_entry& f) { return f.feed.state == feed_state::live ? 1 : 0; });
    e.family("sise_feed_state", "gauge",
             "The feed's state: 1 for the current one, 0 for the others.");
    for (const feed_entry& f : s.feeds)
        for (feed_state state : all_feed_states)
            e.sample("sise_feed_state",
                     {{"exchange", to_string(f.exchange)}, {"state", to_string(state)}},
                     f.feed.state == state ? 1 : 0);
    for (const feed_counter& c : feed_counters)
        per_feed(e, s, c.name, "counter", c.help,
                 [&c](const feed_entry& f) { return f.feed.*c.member; });
    e.family("sise_feed_reconnects_total", "counter", "Feed connections ended, by reason.");
    for (const feed_entry& f : s.feeds)
        for (reconnect_reason reason : all_reconnect_reasons)
            e.sample("sise_feed_reconnects_total",
                     {{"exchange", to_string(f.exchange)}, {"reason", to_string(reason)}},
                     f.feed.reconnects[static_cast<std::size_t>(reason)]);
    e.family("sise_feed_handovers_total", "counter",
             "Replacement connections opened beside a live one, by reason.");
    for (const feed_entry& f : s.feeds)
        for (handover_reason reason : all_handover_reasons)
            e.sample("sise_feed_handovers_total",
                     {{"exchange", to_string(f.exchange)}, {"reason", to_string(reason)}},
                     f.feed.handovers[static_cast<std::size_t>(reason)]);
    per_feed(e, s, "sise_feed_last_message_timestamp_seconds", "gauge",
             "When the last message from the exchange arrived (Unix time; 0 = never).",
             [](const feed_entry& f) { return seconds(f.feed.last_message_ms); });
    per_feed(e, s, "sise_feed_connected_since_timestamp_seconds", "gauge",
             "When the current or last connection went live (Unix time; 0 = never).",
             [](const feed_entry& f) { return seconds(f.feed.connected_since_ms); });
    e.family("sise_feed_lag_seconds", "histogram",
             "Exchange event time to receipt by sised, per ticker (clock skew included).");
    for (const feed_entry& f : s.feeds)
        e.histogram("sise_feed_lag_seconds", {{"exchange", to_string(f.exchange)}}, f.feed.lag);
}

void backfill(exposition& e, const snapshot& s) {
    per_backfill(e, s, "sise_backfill_markets", "gauge", "Markets whose 24 h window is backfilled.",
                 [](const backfill_stats& b) { return b.markets; });
    per_backfill(e, s, "sise_backfill_markets_complete", "gauge",
                 "Markets whose backfill has completed.",
                 [](const backfill_stats& b) { return b.markets_complete; });
    per_backfill(e, s, "sise_backfill_requests_total", "counter", "REST candle requests made.",
                 [](const backfill_stats& b) { return b.requests; });
    per_backfill(e, s, "sise_backfill_failures_total", "counter",
                 "REST candle requests that failed (errors, 429, 5xx, unreadable bodies).",
                 [](const backfill_stats& b) { return b.failures; });
    per_backfill(e, s, "sise_backfill_rate_limited_total", "counter",
                 "REST candle requests answered 429 or 418.",
                 [](const backfill_stats& b) { return b.rate_limited; });
}

void server(exposition& e, const snapshot& s) {
    const server_stats& server = s.server;
    e.family("sise_clients", "gauge", "Open local client connections, by endpoint.");
    e.sample("sise_clients", {{"endpoint", "stream"}}, server.subscribers);
    e.sample("sise_clients", {{"endpoint", "http"}},
             server.open_connections - std::min(server.open_connections, server.subscribers));
    e.family("sise_client_disconnects_total", "counter", "Client connections ended, by reason.");
    // slow_client_disconnects counts stuck writes (reason write_timeout) and unanswered pings
    // (reason slow): each ended session under one label.
    const std::uint64_t stuck =
        server.disconnects[static_cast<std::size_t>(client_disconnect_reason::write_timeout)];
    e.sample("sise_client_disconnects_total", {{"reason", "slow"}},
             server.slow_client_disconnects - std::min(server.slow_client_disconnects, stuck));
    for (client_disconnect_reason reason : all_client_disconnect_reasons)
        e.sample("sise_client_disconnects_total", {{"reason", to_string(reason)}},
                 server.disconnects[static_cast<std::size_t>(reason)]);
    e.single("sise_http_requests_total", "counter", "HTTP requests served.", server.http_requests);
    e.single("sise_websocket_sessions_total", "counter", "Websocket sessions accepted.",
             server.websocket_sessions);
    e.family("sise_rejected_connections_total", "counter",
             "Client connections refused, by reason.");
    e.sample("sise_rejected_connections_total", {{"reason", "max_clients"}},
             server.rejected_connections);
    e.sample("sise_rejected_connections_total", {{"reason", "origin"}}, server.rejected_origins);
    e.single("sise_client_bad_messages_total", "counter", "Unreadable messages from clients.",
             server.bad_client_messages);
    e.family("sise_delivery_latency_seconds", "histogram",
             "Receipt of a ticker to the publication holding it written to a subscriber.");
    e.histogram("sise_delivery_latency_seconds", {}, server.delivery_latency);
    e.single("sise_publications_total", "counter", "Publications made (the last seq).", s.seq);
    e.single("sise_rejected_updates_total", "counter", "Updates for markets not in the table.",
             s.rejected_updates);
}

void history(exposition& e, const snapshot& s) {
    e.single("sise_history_enabled", "gauge", "1 when history recording is on.", s.history ? 1 : 0);
    if (!s.history) return;
    const history_stats& h = *s.history;
    const auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
        e.single(name, "counter", help, value);
    };
    counter("sise_history_records_written_total", "Records handed to the kernel.",
            h.records_written);
    counter("sise_history_records_synced_total", "Records written and fdatasync'ed.",
            h.records_synced);
    e.family("sise_history_records_dropped_total", "counter", "Records dropped, by reason.");
    e.sample("sise_history_records_dropped_total", {{"reason", "queue_full"}},
             h.dropped_queue_full);
    e.sample("sise_history_records_dropped_total", {{"reason", "write_failed"}},
             h.dropped_write_failed);
    counter("sise_history_write_errors_total", "Failed open, write or sync attempts.",
            h.write_errors);
    counter("sise_history_torn_lines_cut_total", "Torn last lines cut at start.", h.torn_lines_cut);
    counter("sise_history_files_compressed_total", "Day files gzipped.", h.files_compressed);
    counter("sise_history_files_removed_total", "Day files removed by retention.", h.files_removed);
    counter("sise_history_queries_total", "History queries answered.", h.queries);
    counter("sise_history_queries_refused_total", "History queries refused (busy or too large).",
            h.queries_refused);
    e.single("sise_history_queue_depth", "gauge", "Records waiting for the writer thread.",
             h.queue_depth);
    e.single("sise_history_failing", "gauge", "1 while the last write attempt failed.",
             h.failing ? 1 : 0);
}

// fx.md §4.6: the rate and its timestamp as metrics, so a frozen source is visible.
void fx(exposition& e, const snapshot& s) {
    if (!s.fx) return;
    const fx_stats& f = *s.fx;
    const std::initializer_list<label> labels{{"pair", f.pair}, {"source", f.basis}};
    if (!f.basis.empty()) {
        e.family("sise_fx_rate", "gauge", "The FX rate the premium uses (KRW per unit).");
        if (!f.rate.empty()) e.sample("sise_fx_rate", labels, f.rate);
        e.family("sise_fx_rate_timestamp_seconds", "gauge",
                 "When the FX rate was observed (Unix time; 0 = never).");
        e.sample("sise_fx_rate_timestamp_seconds", labels, seconds(f.rate_time_ms));
        e.family("sise_fx_fresh", "gauge", "1 while the FX rate is within its maximum age.");
        e.sample("sise_fx_fresh", labels, f.fresh ? 1 : 0);
    }
    if (f.source == "http") {
        e.family("sise_fx_requests_total", "counter", "Requests made to the HTTP FX source.");
        e.sample("sise_fx_requests_total", labels, f.requests);
        e.family("sise_fx_failures_total", "counter",
                 "HTTP FX source polls that failed (errors, non-200, no readable rate).");
        e.sample("sise_fx_failures_total", labels, f.failures);
    }
}

// The Redis bus, one sample per connection labelled by its role ("sink", "source").
void redis(exposition& e, const snapshot& s) {
    if (s.redis.empty()) return;
    e.family("sise_redis_state", "gauge", "1 for the Redis connection's current state.");
    for (const redis_stats& r : s.redis)
        for (redis_state state : all_redis_states)
            e.sample("sise_redis_state", {{"role", r.role}, {"state", to_string(state)}},
                     r.state == state ? 1 : 0);
    const auto counter = [&](std::string_view name, std::string_view help, auto field) {
        e.family(name, "counter", help);
        for (const redis_stats& r : s.redis) e.sample(name, {{"role", r.role}}, r.*field);
    };
    counter("sise_redis_connect_attempts_total", "Connections to Redis attempted.",
            &redis_stats::connect_attempts);
    counter("sise_redis_reconnects_total", "Live Redis connections that ended.",
            &redis_stats::reconnects);
    counter("sise_redis_command_errors_total", "Error replies to our Redis commands.",
            &redis_stats::command_errors);
    counter("sise_redis_publications_written_total",
            "Publication rounds Redis acknowledged (sink).", &redis_stats::publications_written);
    counter("sise_redis_rows_written_total", "Rows written to Redis (sink).",
            &redis_stats::rows_written);
    counter("sise_redis_rows_dropped_total",
            "Row values replaced by newer ones before they could be written (sink).",
            &redis_stats::rows_dropped);
    counter("sise_redis_messages_total", "Pub/sub messages read (relay source).",
            &redis_stats::messages);
    counter("sise_redis_rows_applied_total", "Rows put into the table from Redis (relay source).",
            &redis_stats::rows_applied);
    counter("sise_redis_bad_messages_total", "Messages from Redis that were not rows (relay).",
            &redis_stats::bad_messages);
}

void process(exposition& e, const snapshot& s) {
    const process_stats& p = s.process;
    e.single("process_cpu_seconds_total", "counter",
             "Total user and system CPU time spent in seconds.", p.cpu_seconds);
    e.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
             p.resident_bytes);
    e.single("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
             p.virtual_bytes);
    e.single("process_open_fds", "gauge", "Number of open file descriptors.", p.open_fds);
    if (p.max_fds) {
        e.single("process_max_fds", "gauge", "Maximum number of open file descriptors.", p.max_fds);
    }
    e.single("process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.", seconds(s.started_ms));
}

}  // namespace

std::string prometheus_text(const snapshot& s) {
    std::string out;
    out.reserve(16 * 1024);
    exposition e(out);
    e.family("sise_build_info", "gauge", "Always 1; the version of sised as a label.");
    e.sample("sise_build_info", {{"version", s.version}}, 1);
    feeds(e, s);
    backfill(e, s);
    server(e, s);
    history(e, s);
    fx(e, s);
    redis(e, s);
    process(e, s);
    return out;
}

}  // namespace sise::stats
