// sised's configuration: TOML (docs/config.md), every endpoint overridable, defaults that
// reproduce the news sidebar from Upbit's real endpoints. Loading is a start-up boundary:
// problems throw config_error naming the key, which main turns into one line and exit 2.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sise/core/decimal.hpp"
#include "sise/core/exchange.hpp"
#include "sise/core/url.hpp"
#include "sise/io/log.hpp"
#include "sise/redis/endpoint.hpp"

namespace sise::io {

using std::chrono::milliseconds;

class config_error : public std::runtime_error {
public:
    config_error(std::string key, const std::string& problem)
        : std::runtime_error(key + ": " + problem), key_(std::move(key)) {}
    const std::string& key() const noexcept { return key_; }

private:
    std::string key_;
};

struct feed_config {
    exchange_id exchange = exchange_id::upbit;
    bool enabled = true;
    std::vector<std::string> markets;  // canonical spelling (the adapter's normalize_market)
    std::string websocket_url;
    std::string rest_url;
    url websocket_endpoint;  // websocket_url and rest_url, parsed once at load
    url rest_endpoint;
    std::string ca_file;  // extra trust anchors (PEM); the system store is always used too
    milliseconds connect_timeout{10'000};
    milliseconds idle_timeout{60'000};
    // Period of the adapter's application ping (a text frame such as Bithumb's PING), for
    // venues that have one; 0: none; nullopt: the adapter's keepalive().app_ping_interval.
    std::optional<milliseconds> app_ping_interval;
    milliseconds reconnect_initial{500};
    milliseconds reconnect_max{30'000};
    milliseconds rest_timeout{5'000};
    std::size_t max_frame_bytes = 64 * 1024;  // handed to the adapter
    bool backfill = true;  // fill the 24 h window from REST minute candles
    // Markets per websocket connection (0: all on one), and the age at which a connection is
    // replaced by a new one opened beside it (0: never). Defaults: the adapter's
    // connection_policy() (Binance: 1024 streams, 24 h lifetime minus 1 h).
    std::size_t streams_per_connection = 0;
    milliseconds handover_after{0};
    // A market that has sent nothing this long after the feed connected is reported `no_data`
    // (every venue here sends a snapshot or a ticker within seconds of subscribing; a market
    // without trades may still be quiet on venues that push only on trades: raise it for them).
    milliseconds no_data_after{30'000};

    bool operator==(const feed_config&) const = default;
};

inline constexpr std::size_t max_server_threads = 16;
// The number of cores, within 1..max_server_threads.
std::size_t default_server_threads() noexcept;

struct server_config {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8765;
    milliseconds publish_interval{100};
    std::size_t max_clients = 1024;
    std::size_t max_client_message_bytes = 4096;
    milliseconds client_write_timeout{10'000};
    // SO_SNDBUF of each websocket: what the kernel may hold unread for one subscriber (Linux
    // doubles it for bookkeeping). 0 keeps the kernel's autotuned default (up to ~4 MiB).
    std::size_t client_send_buffer_bytes = 64 * 1024;
    milliseconds http_timeout{10'000};
    // Set: /v1/snapshot answers are "public, max-age=N" (a CDN in front may serve them for N
    // seconds); unset: "no-store".
    std::optional<std::uint32_t> snapshot_max_age_s;
    std::vector<std::string> allowed_origins;
    // A directory whose index.html, widget.js, ... replace the compiled-in web assets (read
    // once at start-up); empty: the compiled-in ones.
    std::string assets_dir;
    // Threads holding websocket subscribers (1: the main loop itself; more: threads of their
    // own beside it): one per core by default, at most max_server_threads. Fixed at start-up.
    std::size_t threads = default_server_threads();

    bool operator==(const server_config&) const = default;
};

// Price history files (docs/history.md).
struct history_config {
    bool enabled = true;
    std::string dir = "/var/lib/sise/history";
    milliseconds sample_interval{1'000};  // 0: every update; the close of each minute always
    milliseconds fsync_interval{1'000};   // 0: after every write
    int keep_days = 30;                   // 0: keep every day
    bool compress = true;                 // gzip days older than yesterday
    std::size_t queue_records = 8'192;
    bool warm_start = true;               // rebuild the 24 h windows from the files at start
    std::size_t max_response_records = 100'000;  // /v1/history: records read per request

    bool operator==(const history_config&) const = default;
};

// KRW conversion and the premium (docs/config.md, [fx]). Absent: no FX work at all.
enum class fx_source { none, fixed, http };

struct fx_config {
    bool enabled = false;                // an [fx] table is present
    fx_source source = fx_source::none;  // none: only the USDT basis, if any
    std::string name;  // shown in the basis name "usd_krw:<name>"; defaults to the source
    decimal usd_krw;   // source = "fixed": KRW per USD, exact as written
    std::string url;   // source = "http": any JSON endpoint, no key baked in
    sise::url endpoint;
    std::string field;  // "rates.KRW", "0.basePrice"
    std::vector<std::string> field_path;
    std::string ca_file;
    milliseconds poll_interval{60'000};
    milliseconds max_age{600'000};  // an HTTP rate older than this turns the premium null
    milliseconds timeout{5'000};
    bool usdt_as_usd = false;  // convert USDT quotes with the USD rate (labelled in every row)
    std::string usdt_basis;    // "upbit:KRW-USDT": the separate USDT basis; empty: none
    exchange_id usdt_exchange = exchange_id::upbit;
    std::string usdt_market;

    bool operator==(const fx_config&) const = default;
};

// A Redis server (docs/deployment.md): written to by [sinks.redis] (the feed daemon) or relayed
// from by [source.redis] (an edge daemon). Absent tables: enabled = false, no Redis work.
struct redis_config {
    bool enabled = false;
    std::string url;              // redis://[[user]:password@]host[:port][/db], rediss:// for TLS
    redis::endpoint endpoint;     // url parsed, with the password and tls keys applied
    std::string ca_file;          // extra trust anchors for TLS (PEM)
    std::string prefix = "sise";  // every key and channel starts "<prefix>:"
    milliseconds connect_timeout{5'000};
    milliseconds timeout{5'000};  // a write, or an awaited reply
    milliseconds reconnect_initial{500};
    milliseconds reconnect_max{30'000};
    // Sink: the stream's bound, by age (XADD MINID ~) or, when stream_maxlen > 0, by length
    // (XADD MAXLEN ~); and how often the heartbeat the relays watch is written.
    std::int64_t stream_retention_s = 3'600;
    std::int64_t stream_maxlen = 0;
    milliseconds heartbeat_interval{1'000};
    // Source: rows turn stale when the feed daemon's heartbeat is older than this.
    milliseconds stale_after{5'000};

    bool operator==(const redis_config&) const = default;
};

// Defaults of one exchange's feed: its adapter's endpoints, keepalive and markets. Throws
// config_error for an exchange without an adapter.
feed_config default_feed(exchange_id exchange);

struct config {
    server_config server;
    history_config history;
    std::vector<feed_config> feeds;
    fx_config fx;
    redis_config redis_sink;    // [sinks.redis]
    redis_config redis_source;  // [source.redis]: relay mode, instead of [feeds.*]
    log_level log = log_level::info;
};

config default_config();
config parse_config(std::string_view toml_text, std::string_view source_name);
config load_config_file(const std::string& path);

}  // namespace sise::io
