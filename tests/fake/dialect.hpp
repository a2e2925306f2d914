// One exchange's protocol as the fake speaks it: what clients send on the websocket and what
// they get back, how a ticker frame and the REST answers look, and the keepalive rules. The
// generic server (exchange_server, server_core, session) owns the listener, the websocket
// framing, REST routing, the price walks, pacing and the fault cues, and asks its dialect for
// every byte that depends on the venue. A new exchange's fake is one new dialect file.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "fake/candles.hpp"
#include "fake/price_walk.hpp"

namespace sise::fake {

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// What the server does with one complete client message (text or binary).
struct client_action {
    enum class kind {
        ignore,     // nothing (e.g. a pong the venue does not answer)
        reply,      // send `reply` back as one message
        subscribe,  // apply `codes` (replacing an earlier subscription), then snapshots
        reject,     // send `reply` (the venue's error frame); counted as a rejected request
    };
    kind what = kind::ignore;
    std::string reply;  // kind::subscribe: an ack sent before the data, when not empty
    bool reply_binary = false;
    std::vector<std::string> codes;  // kind::subscribe: market codes as the client sent them
    bool snapshot = true;            // kind::subscribe: one snapshot frame per listed code
    bool realtime = true;            // kind::subscribe: then the realtime stream
    std::string note;                // for the fake's log line
    // kind::reply or kind::subscribe: the client subscribed to the venue's heartbeats channel
    // (keepalive_rules::heartbeat_interval, heartbeats_deadline).
    bool heartbeats = false;
    // kind::subscribe, for venues that answer every code on its own (Kraken: an ack per
    // symbol, an error for a pair it does not list): parallel to `codes`, sent after `reply`
    // and before the snapshots, the first text when the fake lists the code, else the second.
    std::vector<std::pair<std::string, std::string>> code_replies;
};

// Venues that number every message of a connection (Coinbase's sequence_num) render this many
// spaces after dialect::sequence_key(); the session writes its own count over them (digits
// then spaces: still valid JSON), so one rendered frame serves every connection.
inline constexpr std::size_t sequence_width = 20;

// Keepalive rules the server enforces on websocket clients. Zero everywhere: none (Upbit's fake
// enforces none of its 120 s idle timeout, so long-running tests are not cut).
struct keepalive_rules {
    // Drop (TCP close) a client from which no frame arrived for this long (Bithumb and Upbit
    // 120 s, Kraken ~60 s). A busy stream to the client does not count as activity.
    std::chrono::milliseconds client_idle_limit{0};
    // Protocol ping frames the server sends (Binance every 20 s) and how long a client may
    // take to answer one before it is dropped (Binance 60 s).
    std::chrono::milliseconds server_ping_interval{0};
    std::chrono::milliseconds pong_deadline{0};
    // Scheduled disconnect of every connection after this long (Binance 24 h).
    std::chrono::milliseconds connection_lifetime{0};
    // A connection that has not subscribed within this is dropped (Coinbase 5 s).
    std::chrono::milliseconds subscribe_deadline{0};
    // Before a scheduled disconnect the dialect's shutdown_notice() goes out, then the
    // connection is closed (1000) after this grace time (Binance serverShutdown).
    std::chrono::milliseconds shutdown_grace{0};
    // Streams one connection may subscribe to (Binance 1024); 0: no limit. A request above it
    // is answered with stream_limit_error() and subscribes nothing.
    std::size_t max_streams = 0;
    // The dialect's heartbeat() this often to a client that subscribed to heartbeats (Coinbase
    // 1 s), and the time a client has to subscribe to them before it is dropped (Coinbase:
    // without heartbeats a quiet channel is closed after 60-90 s).
    std::chrono::milliseconds heartbeat_interval{0};
    std::chrono::milliseconds heartbeats_deadline{0};
};

// The REST endpoints the generic server knows how to serve.
enum class rest_route { market_list, candles, unknown };

// Per-connection protocol state (a JSON parser, a venue's per-connection sequence number).
class client_protocol {
public:
    virtual ~client_protocol() = default;
    // One complete websocket message from the client.
    virtual client_action on_message(std::string_view payload) = 0;
};

class dialect {
public:
    virtual ~dialect() = default;

    virtual std::string_view name() const noexcept = 0;            // "upbit"
    virtual std::string_view websocket_path() const noexcept = 0;  // "/websocket/v1"
    virtual std::string_view server_header() const noexcept = 0;   // HTTP Server: header
    virtual keepalive_rules keepalive() const noexcept = 0;

    // --- websocket ------------------------------------------------------------------------
    virtual std::unique_ptr<client_protocol> connect() const = 0;
    // Data frames go out as binary (Upbit) or text messages (most others).
    virtual bool binary_data() const noexcept = 0;
    // Appends one ticker message for `walk` to `out`. `price_text`, when not empty, replaces
    // the trade price digits verbatim; `sequence` counts the server's ticker frames (for venues
    // that number their messages).
    virtual void render_ticker(std::string& out, const price_walk& walk, stream_type type,
                               std::int64_t now_ms, std::string_view price_text,
                               std::uint64_t sequence) const = 0;

    // The message announcing a scheduled disconnect (empty: none; the connection just closes),
    // and the error frame refusing a subscription above keepalive().max_streams.
    virtual std::string shutdown_notice(std::int64_t /*now_ms*/) const { return {}; }
    virtual std::string stream_limit_error(std::size_t /*limit*/) const { return {}; }
    // The heartbeat message number `counter` (empty: the venue has none), and the key every
    // message of a numbering venue carries before its sequence_width placeholder (empty: none).
    virtual std::string heartbeat(std::int64_t /*now_ms*/, std::uint64_t /*counter*/) const {
        return {};
    }
    virtual std::string_view sequence_key() const noexcept { return {}; }

    // --- REST: the server picks the answer (fault cues, rate limits), the dialect its looks --
    virtual rest_route route(std::string_view path) const = 0;
    // 200 with the market list. `query` is the request's query string.
    virtual void market_list(http_response& res, const std::vector<price_walk>& walks,
                             std::string_view query) const = 0;
    // An error answer in the venue's shape (`name` is the venue's error name, if it has them).
    virtual void error(http_response& res, boost::beast::http::status status, std::string_view name,
                       std::string_view message) const = 0;
    // Candle requests a second admits unless server_options says otherwise (Upbit's 10).
    virtual std::uint32_t candle_rate_limit() const noexcept { return 10; }
    // A rate-limit rejection of `route`, and the budget header on admitted requests.
    virtual void rate_limited(http_response& res, rest_route route) const = 0;
    virtual void budget(http_response& res, rest_route route, std::uint64_t left) const = 0;
    // A 200 whose body is truncated, non-JSON garbage.
    virtual void garbage(http_response& res, rest_route route) const = 0;
    // Candles: parses the request (path and query) into `out`; false after filling `res` with
    // the venue's error (unknown interval 404, bad parameters 400). Then the candles of the
    // minutes before end_minute (exclusive), or the answer for a code the fake does not list.
    virtual bool parse_candles(http_response& res, std::string_view path, std::string_view query,
                               candle_query& out) const = 0;
    virtual void unknown_market(http_response& res) const = 0;
    virtual void candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                         const candle_close_fn& close) const = 0;
};

// The dialect named `exchange` ("upbit"); throws std::invalid_argument for an unknown name.
const dialect& dialect_for(std::string_view exchange);

}  // namespace sise::fake
