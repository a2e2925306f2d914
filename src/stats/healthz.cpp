#include "sise/stats/healthz.hpp"

#include <fmt/format.h>

#include "sise/publish/json_writer.hpp"

namespace sise::stats {
namespace {

using publish::append_json_string;

// ,"key":["a","b"]
void append_string_array(std::string& out, std::string_view key,
                         const std::vector<std::string>& values) {
    out += fmt::format(",\"{}\":[", key);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, values[i]);
    }
    out += ']';
}

void append_feed(std::string& out, const feed_entry& entry, std::int64_t now_ms) {
    const feed_stats& s = entry.feed;
    out += fmt::format(
        "{{\"exchange\":\"{}\",\"state\":\"{}\",\"last_message_age_ms\":{},"
        "\"connected_since\":{},\"connect_attempts\":{},\"connections\":{},\"frames\":{},"
        "\"tickers\":{},\"heartbeats\":{},\"bad_frames\":{},\"oversized_frames\":{},"
        "\"exchange_errors\":{},\"last_error\":",
        to_string(entry.exchange), to_string(s.state),
        s.last_message_ms ? fmt::format("{}", now_ms - s.last_message_ms) : "null",
        s.connected_since_ms ? fmt::format("{}", s.connected_since_ms) : "null",
        s.connect_attempts, s.connections, s.frames, s.tickers, s.heartbeats, s.bad_frames,
        s.oversized_frames, s.exchange_errors);
    append_json_string(out, s.last_error);
    out += fmt::format(",\"connections_open\":{},\"handovers\":{{", s.lanes);
    for (std::size_t i = 0; i < all_handover_reasons.size(); ++i)
        out += fmt::format("{}\"{}\":{}", i ? "," : "", to_string(all_handover_reasons[i]),
                           s.handovers[i]);
    out += fmt::format("}},\"handovers_completed\":{},\"handover_failures\":{},"
                       "\"overlap_duplicates\":{},\"sequence_gaps\":{}",
                       s.handovers_completed, s.handover_failures, s.overlap_duplicates,
                       s.sequence_gaps);
    append_string_array(out, "unlisted_markets", s.unlisted_markets);
    append_string_array(out, "no_data_markets", s.no_data_markets);
    if (const auto& b = entry.backfill) {
        out += fmt::format(
            ",\"backfill\":{{\"markets\":{},\"markets_complete\":{},\"requests\":{},"
            "\"failures\":{},\"rate_limited\":{},\"last_error\":",
            b->markets, b->markets_complete, b->requests, b->failures, b->rate_limited);
        append_json_string(out, b->last_error);
        out += '}';
    }
    out += '}';
}

void append_history(std::string& out, const history_stats& h) {
    out += "{\"dir\":";
    append_json_string(out, h.dir);
    out += fmt::format(
        ",\"failing\":{},\"records_written\":{},\"records_synced\":{},\"dropped_queue_full\":{},"
        "\"dropped_write_failed\":{},\"write_errors\":{},\"torn_lines_cut\":{},"
        "\"files_compressed\":{},\"files_removed\":{},\"queue_depth\":{},\"warm_start_records\":{},"
        "\"warm_start_minutes\":{},\"warm_start_coverage_spans\":{},\"coverage_written\":{},"
        "\"coverage_dropped\":{},\"queries\":{},\"queries_refused\":{},\"last_error\":",
        h.failing, h.records_written, h.records_synced, h.dropped_queue_full,
        h.dropped_write_failed, h.write_errors, h.torn_lines_cut, h.files_compressed,
        h.files_removed, h.queue_depth, h.warm_start_records, h.warm_start_minutes,
        h.warm_start_coverage_spans, h.coverage_written, h.coverage_dropped, h.queries,
        h.queries_refused);
    append_json_string(out, h.last_error);
    out += '}';
}

void append_fx(std::string& out, const fx_stats& f, std::int64_t now_ms) {
    out += "{\"basis\":";
    append_json_string(out, f.basis);
    out += ",\"source\":";
    append_json_string(out, f.source);
    out += ",\"pair\":";
    append_json_string(out, f.pair);
    out += ",\"rate\":";
    if (f.rate.empty())
        out += "null";
    else
        append_json_string(out, f.rate);
    out += fmt::format(
        ",\"rate_age_ms\":{},\"max_age_ms\":{},\"fresh\":{},\"requests\":{},"
        "\"failures\":{},\"last_error\":",
        f.rate_time_ms ? fmt::format("{}", now_ms - f.rate_time_ms) : "null", f.max_age_ms, f.fresh,
        f.requests, f.failures);
    append_json_string(out, f.last_error);
    out += ",\"usdt_basis\":";
    if (f.usdt_basis.empty()) {
        out += "null";
    } else {
        out += "{\"source\":";
        append_json_string(out, f.usdt_basis);
        out += ",\"rate\":";
        if (f.usdt_rate.empty())
            out += "null";
        else
            append_json_string(out, f.usdt_rate);
        out += fmt::format(",\"fresh\":{}}}", f.usdt_fresh);
    }
    out += '}';
}

void append_redis(std::string& out, const redis_stats& r, std::int64_t now_ms) {
    out += fmt::format("{{\"role\":\"{}\",\"endpoint\":", r.role);
    append_json_string(out, r.endpoint);
    out += fmt::format(
        ",\"state\":\"{}\",\"connected_since\":{},\"connect_attempts\":{},"
        "\"connections\":{},\"reconnects\":{},\"command_errors\":{},"
        "\"publications_written\":{},\"rows_written\":{},\"rows_dropped\":{},"
        "\"full_writes\":{},\"messages\":{},\"rows_applied\":{},\"bad_messages\":{},"
        "\"heartbeat_age_ms\":{},\"upstream_stale\":{},\"last_error\":",
        to_string(r.state), r.connected_since_ms ? fmt::format("{}", r.connected_since_ms) : "null",
        r.connect_attempts, r.connections, r.reconnects, r.command_errors, r.publications_written,
        r.rows_written, r.rows_dropped, r.full_writes, r.messages, r.rows_applied, r.bad_messages,
        r.last_heartbeat_ms ? fmt::format("{}", now_ms - r.last_heartbeat_ms) : "null",
        r.upstream_stale);
    append_json_string(out, r.last_error);
    out += '}';
}

}  // namespace

std::string healthz_json(const snapshot& s) {
    std::string out =
        fmt::format("{{\"status\":\"{}\",\"version\":\"{}\",\"uptime_ms\":{},\"feeds\":[",
                    healthy(s) ? "ok" : "degraded", s.version, s.now_ms - s.started_ms);
    for (std::size_t i = 0; i < s.feeds.size(); ++i) {
        if (i) out += ',';
        append_feed(out, s.feeds[i], s.now_ms);
    }
    const server_stats& server = s.server;
    out += fmt::format(
        "],\"server\":{{\"open_connections\":{},\"subscribers\":{},\"http_requests\":{},"
        "\"rejected_connections\":{},\"rejected_origins\":{},\"bad_client_messages\":{},"
        "\"slow_client_disconnects\":{},\"refused_requests\":{},\"client_errors\":{}}},\"rejected_updates\":{},\"seq\":{},\"history\":",
        server.open_connections, server.subscribers, server.http_requests,
        server.rejected_connections, server.rejected_origins, server.bad_client_messages,
        server.slow_client_disconnects, server.refused_requests, server.client_errors,
        s.rejected_updates, s.seq);
    if (s.history)
        append_history(out, *s.history);
    else
        out += "null";
    out += ",\"fx\":";
    if (s.fx)
        append_fx(out, *s.fx, s.now_ms);
    else
        out += "null";
    out += ",\"redis\":[";
    for (std::size_t i = 0; i < s.redis.size(); ++i) {
        if (i) out += ',';
        append_redis(out, s.redis[i], s.now_ms);
    }
    out += "]}";
    return out;
}

}  // namespace sise::stats
