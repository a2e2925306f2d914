// A fake exchange on loopback, for the integration tests, the offline demo and the benchmarks:
// one exchange's websocket ticker protocol (ws:// or wss://), its market list and minute
// candles on one port, a seeded random walk per market, and thread-safe cues for tests to steer
// it. The exchange's protocol is a dialect (dialect.hpp); Upbit is the default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake/candles.hpp"
#include "fake/dialect.hpp"
#include "fake/price_walk.hpp"

namespace sise::fake {

// How GET /v1/market/all misbehaves, for the daemon's REST error paths.
enum class rest_fault {
    none,               // 200 with the market list
    too_many_requests,  // 429, as when the `market` group budget is exhausted (upbit.md §8)
    server_error,       // 500
    garbage,            // 200 with a truncated, non-JSON body
    stall,              // the request is read and never answered
};

// How GET /v1/candles/minutes/1 misbehaves, for the daemon's backfill error paths. The
// every-nth faults hit every candle_fault_period-th candle request the rate limit lets
// through, counted from when the fault was set (option or cue).
enum class candle_fault {
    none,           // candles as asked
    every_nth_429,  // 429 with an Upbit error body (not counted in candle_requests_rejected())
    every_nth_500,  // 500 with an Upbit error body
    slow,           // every answer comes candle_delay_ms late (the fake's thread keeps running)
    garbage,        // 200 with a truncated, non-JSON body
};
inline constexpr std::uint64_t candle_fault_period = 3;

struct server_options {
    // The dialect the fake speaks (dialect_for(): "upbit").
    std::string exchange = "upbit";
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port, see exchange_server::port()
    // Both set: TLS on the port (wss:// and https://); PEM files, e.g. from make_self_signed_cert.
    std::string cert_file;
    std::string key_file;
    // Codes the fake lists and streams; subscribed codes outside this list get no frames.
    std::vector<std::string> markets = default_markets();
    std::uint64_t seed = 1;
    // Realtime ticker frames per second, in total across markets; 0 = as fast as the
    // subscribers read. Counted once per frame however many clients receive it.
    double frames_per_second = 10;
    // One SNAPSHOT frame per subscribed code right after a subscribe request (unless the
    // request says is_only_realtime).
    bool snapshot_on_subscribe = true;
    rest_fault market_list_fault = rest_fault::none;
    // Minute candles (upbit.md §10): the exact close price text of `market` in the minute
    // [minute_index * 60000, +60000) epoch ms ("150139000", "612.5"), or nullopt when the market
    // had no trade then (no candle: gaps are omitted). Candles have open = high = low = close.
    // Empty: every candle request gets []. Called on the fake's own thread, only for listed
    // markets, for minutes that have ended by the request's `to` and by clock_ms.
    std::function<std::optional<std::string>(const std::string& market, std::int64_t minute_index)>
        candle_close;
    // Candle requests admitted per second of clock_ms; later ones in the same second get 429.
    // 0 = unlimited; empty: the dialect's (Upbit's `candle` group: 10 per second, upbit.md §8;
    // Bithumb 150). With a frozen clock_ms the second never ends: advance the clock or use 0.
    std::optional<std::uint32_t> candle_rate_limit;
    candle_fault candles_fault = candle_fault::none;
    std::int64_t candle_delay_ms = 1500;  // candle_fault::slow
    // Bounds on what clients may send: one websocket message, one HTTP request.
    std::size_t max_client_message_bytes = 64 * 1024;
    std::size_t max_http_request_bytes = 16 * 1024;
    // Unsent bytes kept per websocket client; frames beyond it are dropped for that client
    // (counted in frames_dropped()), so a slow reader never costs unbounded memory.
    std::size_t max_pending_bytes = 8 * 1024 * 1024;
    // Epoch milliseconds stamped into frames; empty: the system clock. Called on the fake's
    // own thread (and once by the constructor, to start the walks).
    std::function<std::int64_t()> clock_ms;
    // Log connections and errors to stderr (systemd priority prefixes).
    bool log = false;
    // Replaces the dialect's keepalive rules (client idle limit, ping and pong deadline,
    // connection lifetime, shutdown grace, streams per connection), so tests can shorten them.
    std::optional<keepalive_rules> keepalive;
};

// Runs one io_context on its own thread. Every public method may be called from any thread
// (except from inside clock_ms); cues are executed on the fake's thread and have been applied
// when they return (bytes may still be in flight).
class exchange_server {
public:
    explicit exchange_server(server_options options = {});
    ~exchange_server();  // stop()
    exchange_server(const exchange_server&) = delete;
    exchange_server& operator=(const exchange_server&) = delete;

    // Binds, listens and starts the thread. Throws on bind or TLS setup failure.
    void start();
    // Closes the listener and every connection (no close frame), joins the thread.
    // Idempotent. Observers keep answering afterwards.
    void stop();

    std::uint16_t port() const noexcept;
    bool tls() const noexcept;
    // "ws://127.0.0.1:<port><the dialect's path>" (wss:// with TLS), and the REST base URL.
    std::string websocket_url() const;
    std::string rest_url() const;

    // --- cues ---------------------------------------------------------------------------
    // Closes every client TCP socket abruptly: no websocket close frame, no TLS close_notify.
    void drop_connections();
    // Sends a websocket close frame with `code` to every websocket client (unsent data is
    // discarded), then closes each socket when the client answers or after 5 s.
    void close_connections(std::uint16_t code);
    // Stalled: nothing is sent and nothing is read (pings get no pong), sockets stay open;
    // new TCP connections are accepted but get no TLS/HTTP/websocket handshake reply until
    // the stall ends. Unstalling resumes everything where it stopped.
    void set_stalled(bool stalled);
    // Sends `payload` as one websocket message (binary or text) to every subscribed client.
    void inject(std::string payload, bool binary = true);
    // Sends one REALTIME ticker frame for `market` whose trade_price is exactly `price_text`
    // (and records it as the last price; a plain decimal also moves the walk there).
    // Returns false, sending nothing, when the fake does not list `market`.
    bool send_ticker(const std::string& market, const std::string& price_text);
    // A scheduled disconnect of every websocket client now: the dialect's shutdown notice,
    // then a close (1000) after the shutdown grace time.
    void announce_shutdown();
    // Venues that number their messages per connection (Coinbase): the next message of every
    // connection skips one number, as when the venue drops a message.
    void skip_sequence();
    void set_rate(double frames_per_second);  // 0 = unlimited
    void pause_stream(bool paused);           // realtime frames only; cues still send
    void set_rest_fault(rest_fault fault);
    // Also restarts the every_nth count.
    void set_candle_fault(candle_fault fault);

    // --- observers ----------------------------------------------------------------------
    // TCP connections accepted, minus those whose first request was plain HTTP (REST): a
    // connection still waiting for its handshake (e.g. while stalled) counts.
    std::uint64_t connections_accepted() const;
    std::size_t open_websockets() const;  // upgraded and not yet closed
    std::uint64_t subscriptions() const;  // valid subscribe requests received
    std::vector<std::string> last_subscribed_codes() const;
    std::string last_websocket_target() const;  // request target of the last upgrade
    std::uint64_t origin_headers_seen() const;  // requests (REST or upgrade) with Origin
    // Ticker and injected messages queued to clients, counted per client (not pongs,
    // {"status":"UP"} or error replies).
    std::uint64_t frames_sent() const;
    std::uint64_t frames_dropped() const;  // dropped because max_pending_bytes was hit
    std::uint64_t rest_requests() const;   // plain HTTP requests, any path
    // Requests under /v1/candles/ (any answer), those answered 429 by the rate limit (not by
    // candle_fault::every_nth_429), and the most that arrived within one second of clock_ms
    // (rejected ones included).
    std::uint64_t candle_requests() const;
    std::uint64_t candle_requests_rejected() const;
    std::uint64_t max_candle_requests_in_one_second() const;
    // Ticker updates of `market` sent to at least one client, each counted once however many
    // clients received it (the test's reference for "no update lost").
    std::uint64_t updates_sent(const std::string& market) const;
    // Websocket clients dropped for not answering a ping in time.
    std::uint64_t pong_timeouts() const;
    // Websocket clients dropped for sending nothing within keepalive_rules::client_idle_limit,
    // or for not subscribing (to the heartbeats) within subscribe_/heartbeats_deadline.
    std::uint64_t idle_timeouts() const;
    // Exact trade_price text last sent for `market`; empty if none was sent yet.
    std::string last_price(const std::string& market) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sise::fake
