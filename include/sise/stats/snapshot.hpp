// One value that says how the daemon is doing: every feed's state and counters, its backfill,
// the local server, history and the table, copied at one instant on the event loop. The
// components own and bump these structs; encoders (/healthz JSON, Prometheus text) are pure
// functions of a snapshot, so they agree by construction and are tested without a daemon.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sise/core/exchange.hpp"
#include "sise/stats/latency_histogram.hpp"
#include "sise/stats/process.hpp"

namespace sise::stats {

enum class feed_state { connecting, live, backoff, stopped };

constexpr std::string_view to_string(feed_state state) noexcept {
    switch (state) {
        case feed_state::connecting: return "connecting";
        case feed_state::live: return "live";
        case feed_state::backoff: return "reconnecting";
        case feed_state::stopped: return "stopped";
    }
    return "stopped";
}

// Why a feed connection ended, as a bounded label set (sise_feed_reconnects_total{reason}).
// connect_failed: resolve, TCP, TLS, websocket handshake or subscription failed (never live);
// closed_by_exchange: a websocket close frame; idle_timeout: no data or pong in time;
// read_error: any other failure of a live connection.
enum class reconnect_reason { connect_failed, closed_by_exchange, idle_timeout, read_error };
inline constexpr std::array all_reconnect_reasons{
    reconnect_reason::connect_failed, reconnect_reason::closed_by_exchange,
    reconnect_reason::idle_timeout, reconnect_reason::read_error};

constexpr std::string_view to_string(reconnect_reason reason) noexcept {
    switch (reason) {
        case reconnect_reason::connect_failed: return "connect_failed";
        case reconnect_reason::closed_by_exchange: return "closed_by_exchange";
        case reconnect_reason::idle_timeout: return "idle_timeout";
        case reconnect_reason::read_error: return "read_error";
    }
    return "read_error";
}

// Why a feed connection was replaced by a new one opened beside it (sise_feed_handovers_total):
// lifetime: the exchange's connection lifetime was nearly over (Binance 24 h);
// exchange_request: the exchange asked for a reconnect (Binance serverShutdown);
// sequence_gap: the venue's per-connection message numbers skipped some (Coinbase).
enum class handover_reason { lifetime, exchange_request, sequence_gap };
inline constexpr std::array all_handover_reasons{
    handover_reason::lifetime, handover_reason::exchange_request, handover_reason::sequence_gap};

constexpr std::string_view to_string(handover_reason reason) noexcept {
    switch (reason) {
        case handover_reason::lifetime: return "lifetime";
        case handover_reason::exchange_request: return "exchange_request";
        case handover_reason::sequence_gap: return "sequence_gap";
    }
    return "lifetime";
}

// Why the server ended a client connection, besides being slow (server_stats's
// slow_client_disconnects), as a bounded label set (sise_client_disconnects_total{reason}).
enum class client_disconnect_reason { client_closed, write_timeout, bad_messages, error, shutdown };
inline constexpr std::array all_client_disconnect_reasons{
    client_disconnect_reason::client_closed, client_disconnect_reason::write_timeout,
    client_disconnect_reason::bad_messages, client_disconnect_reason::error,
    client_disconnect_reason::shutdown};

constexpr std::string_view to_string(client_disconnect_reason reason) noexcept {
    switch (reason) {
        case client_disconnect_reason::client_closed: return "client_closed";
        case client_disconnect_reason::write_timeout: return "write_timeout";
        case client_disconnect_reason::bad_messages: return "bad_messages";
        case client_disconnect_reason::error: return "error";
        case client_disconnect_reason::shutdown: return "shutdown";
    }
    return "error";
}

// One exchange connection; monotonic except `state` and the times (epoch ms, 0 = never).
struct feed_stats {
    feed_state state = feed_state::connecting;
    std::int64_t connected_since_ms = 0;
    std::int64_t last_message_ms = 0;
    std::uint64_t connect_attempts = 0;
    std::uint64_t connections = 0;  // successful handshakes + subscriptions
    std::uint64_t frames = 0;
    std::uint64_t tickers = 0;
    std::uint64_t heartbeats = 0;
    std::uint64_t bad_frames = 0;
    std::uint64_t oversized_frames = 0;
    std::uint64_t exchange_errors = 0;
    std::uint64_t reconnect_requests = 0;  // frames asking us to reconnect now
    // Gaps in the venue's per-connection message numbers (frame_result::sequence): messages
    // the exchange dropped. Each one replaces the connection (handover_reason::sequence_gap).
    std::uint64_t sequence_gaps = 0;
    std::uint64_t app_pings = 0;           // application pings sent
    std::uint64_t unknown_markets = 0;
    std::string last_error;
    std::uint64_t bytes_received = 0;  // websocket payload bytes of whole frames
    // Ended connections by reason, indexed by reconnect_reason.
    std::array<std::uint64_t, all_reconnect_reasons.size()> reconnects{};
    latency_histogram lag;  // a ticker's exchange_time_ms -> its receipt here
    // Connections the markets are split across (the exchange's streams per connection).
    std::size_t lanes = 1;
    // Handovers started (a replacement connection opened beside a live one), by
    // handover_reason; those whose replacement failed before it delivered; and tickers that
    // reached us on both connections while they overlapped (passed on once).
    std::array<std::uint64_t, all_handover_reasons.size()> handovers{};
    std::uint64_t handovers_completed = 0;
    std::uint64_t handover_failures = 0;
    std::uint64_t overlap_duplicates = 0;
    // Configured markets the exchange's market list does not have: they will never deliver.
    std::vector<std::string> unlisted_markets;
    // Configured markets that sent nothing in no_data_after_ms of connection (row `no_data`).
    std::vector<std::string> no_data_markets;
};

// The REST candle backfill of one feed's 24 h windows.
struct backfill_stats {
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;      // errors, 429, 5xx, unreadable bodies
    std::uint64_t rate_limited = 0;  // 429 or 418 answers
    std::size_t markets = 0;
    std::size_t markets_complete = 0;
    std::string last_error;
};

// The local HTTP + websocket server.
struct server_stats {
    std::uint64_t http_requests = 0;
    std::uint64_t websocket_sessions = 0;    // accepted over the lifetime
    std::uint64_t rejected_connections = 0;  // over max_clients
    std::uint64_t rejected_origins = 0;
    std::uint64_t bad_client_messages = 0;
    std::uint64_t slow_client_disconnects = 0;  // stuck write or unanswered ping
    std::uint64_t refused_requests = 0;         // 400/413/414/431 that close the connection
    std::uint64_t client_errors = 0;            // unexpected I/O errors on client connections
    std::size_t open_connections = 0;
    std::size_t subscribers = 0;
    // Ended client connections by reason, indexed by client_disconnect_reason.
    std::array<std::uint64_t, all_client_disconnect_reasons.size()> disconnects{};
    // A ticker's receipt from the exchange -> the publication holding it written to a
    // subscriber (its websocket write completed); includes the publish conflation window.
    latency_histogram delivery_latency;
};

// The history writer thread's counters: history::writer::stats() copies them out of its
// atomics. The one model of them; history_stats adds the daemon's use of the files.
struct history_writer_stats {
    std::uint64_t records_written = 0;  // whole lines handed to the kernel
    std::uint64_t records_synced = 0;   // ... and fdatasync'ed
    std::uint64_t dropped_queue_full = 0;
    std::uint64_t dropped_write_failed = 0;  // held bytes over the bound while the disk refused
    std::uint64_t write_errors = 0;          // failed open/write/sync attempts
    std::uint64_t torn_lines_cut = 0;
    std::uint64_t files_compressed = 0;
    std::uint64_t files_removed = 0;
    std::uint64_t coverage_written = 0;  // coverage lines handed to the kernel
    std::uint64_t coverage_dropped = 0;  // queue full or disk refusing: those minutes unknown
    std::size_t queue_depth = 0;
    bool failing = false;  // the last attempt to write some file failed
    std::string last_error;
};

// The history writer thread and the daemon's use of the files.
struct history_stats : history_writer_stats {
    std::string dir;
    std::uint64_t warm_start_records = 0;
    std::uint64_t warm_start_minutes = 0;
    std::uint64_t warm_start_coverage_spans = 0;
    std::uint64_t queries = 0;
    std::uint64_t queries_refused = 0;
};

// The FX basis the premium uses (docs/protocol.md) and its HTTP source's poll counters.
struct fx_stats {
    std::string basis;              // "usd_krw:fixed", "usd_krw:dunamu"; "" with only a USDT basis
    std::string source;             // "fixed", "http", "none"
    std::string pair;               // "USD/KRW"
    std::string rate;               // exact text; "" while none is known
    std::int64_t rate_time_ms = 0;  // when the rate was observed (0 = never)
    std::int64_t max_age_ms = 0;    // 0: never stale (a fixed rate)
    bool fresh = false;
    std::uint64_t requests = 0;  // HTTP source only
    std::uint64_t failures = 0;
    std::string last_error;
    std::string usdt_basis;  // "upbit:KRW-USDT"; "" when not configured
    std::string usdt_rate;
    bool usdt_fresh = false;
};

// A Redis connection's state: `auth_failed` while Redis refuses our password, `tls_failed`
// while the TLS handshake fails (an untrusted certificate, one for another host; never retried
// in plaintext), both retried with backoff and logged once; `backoff` between other failed
// attempts.
enum class redis_state { connecting, live, backoff, auth_failed, tls_failed, stopped };
inline constexpr std::array all_redis_states{redis_state::connecting, redis_state::live,
                                             redis_state::backoff,    redis_state::auth_failed,
                                             redis_state::tls_failed, redis_state::stopped};

constexpr std::string_view to_string(redis_state state) noexcept {
    switch (state) {
        case redis_state::connecting: return "connecting";
        case redis_state::live: return "live";
        case redis_state::backoff: return "reconnecting";
        case redis_state::auth_failed: return "auth_failed";
        case redis_state::tls_failed: return "tls_failed";
        case redis_state::stopped: return "stopped";
    }
    return "stopped";
}

// The Redis bus (docs/deployment.md): the feed daemon's sink ([sinks.redis]) or an edge
// daemon's relay source ([source.redis]). Monotonic except the state, times and last_error.
struct redis_stats {
    std::string_view role;  // "sink" or "source"
    std::string endpoint;   // host:port/db, never the password
    redis_state state = redis_state::connecting;
    std::int64_t connected_since_ms = 0;
    std::uint64_t connect_attempts = 0;
    std::uint64_t connections = 0;  // logins that succeeded
    std::uint64_t reconnects = 0;   // live connections that ended
    std::uint64_t command_errors = 0;  // error replies to our commands
    std::string last_error;
    // Sink: rounds (one pipeline per publication, or per merged publications) Redis acknowledged,
    // the rows they carried, and rows whose value was replaced by a newer one before it could
    // be written (a round was in flight, or Redis was away): latest wins, drops counted.
    std::uint64_t publications_written = 0;
    std::uint64_t rows_written = 0;
    std::uint64_t rows_dropped = 0;
    std::uint64_t full_writes = 0;  // the whole table written after a (re)connect
    // Source: pub/sub messages read, rows put into the table (snapshot and live), messages that
    // were not rows, and the feed daemon's last heartbeat (its wall clock, epoch ms; 0 = none).
    std::uint64_t messages = 0;
    std::uint64_t rows_applied = 0;
    std::uint64_t bad_messages = 0;
    std::int64_t last_heartbeat_ms = 0;
    bool upstream_stale = false;  // no heartbeat within stale_after_ms: rows shown stale
};

struct feed_entry {
    exchange_id exchange = exchange_id::upbit;
    feed_stats feed;
    std::optional<backfill_stats> backfill;  // absent when backfill is off for this feed
};

struct snapshot {
    std::string_view version;
    std::int64_t now_ms = 0;
    std::int64_t started_ms = 0;
    std::vector<feed_entry> feeds;
    server_stats server;
    std::optional<history_stats> history;  // absent when history is disabled
    std::optional<fx_stats> fx;            // absent when no [fx] is configured
    std::vector<redis_stats> redis;        // the Redis sink and/or relay source, if configured
    std::uint64_t rejected_updates = 0;    // updates for markets not in the table
    std::uint64_t seq = 0;                 // the publisher's last sequence number
    process_stats process;                 // the daemon's own process (io/process_reader)
};

// Healthy: at least one source of rows (a feed or a Redis relay source), every feed live,
// every Redis connection live and a relay's upstream not stale.
bool healthy(const snapshot& s) noexcept;

}  // namespace sise::stats
