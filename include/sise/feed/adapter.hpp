// The one interface every exchange adapter implements: what to send after connecting,
// how to turn a received frame into normalized ticker events, and how the exchange wants
// the connection kept alive. Adapters are pure (no sockets, no clocks): the feed client in
// io/ drives them, tests drive them with fixture frames.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

#include "sise/core/exchange.hpp"
#include "sise/core/ticker.hpp"
#include "sise/feed/candle.hpp"
#include "sise/feed/instrument.hpp"

namespace sise::feed {

// What one frame turned out to be. Heartbeats and acks are not errors; they carry no tickers.
enum class frame_kind {
    tickers,         // zero or more ticker_update appended to the output
    heartbeat,       // keepalive reply, e.g. Upbit's {"status":"UP"}
    ack,             // subscription acknowledgement or listing
    exchange_error,  // the exchange reported an error; `detail` holds its name
    ignored,         // a well-formed message of a type we do not consume (e.g. trade)
    reconnect,       // the exchange asks us to reconnect now (Binance serverShutdown, an OKX
                     // notice); `detail` says why
};

struct frame_result {
    frame_kind kind = frame_kind::ignored;
    std::string_view detail;  // points into the adapter's scratch; valid until next parse
    // The venue's per-connection message number (Coinbase sequence_num), -1 when the frame has
    // none. One adapter serves every connection of a feed, so the feed client, which knows
    // the connection, checks it: a number above the previous + 1 is a gap (messages dropped),
    // which it treats like a reconnect request and counts (feed_stats::sequence_gaps).
    std::int64_t sequence = -1;
};

struct keepalive_policy {
    // Websocket ping control frames, sent when the connection has been idle this long.
    std::chrono::milliseconds ping_interval{30'000};
    // An application-level ping the feed client sends as a text frame every
    // app_ping_interval while connected, for exchanges that want one instead of or besides
    // control frames (OKX: "ping", Bybit: {"op":"ping"}); empty for none.
    std::string app_ping_text;
    std::chrono::milliseconds app_ping_interval{20'000};
};

// How the backfill paces its REST calls to stay under the exchange's limit.
struct rest_pacing {
    // Minimum spacing of requests shared by all markets of the exchange.
    std::chrono::milliseconds request_spacing{125};
    // Backoff of a failed request (429, 5xx, timeouts).
    std::chrono::milliseconds retry_initial{500};
    std::chrono::milliseconds retry_max{10'000};
    // A response header announcing the remaining request budget (adapter::budget_spent reads
    // it); empty for none.
    std::string budget_header;
};

// How many streams one connection may carry and how long the exchange keeps it open. The feed
// client splits the markets across connections of at most max_streams, and replaces a
// connection handover_lead before max_lifetime ends: the replacement subscribes first, the old
// one closes once the new one delivers (no update lost). Zero: no limit.
struct connection_limits {
    std::size_t max_streams = 0;
    std::chrono::milliseconds max_lifetime{0};
    std::chrono::milliseconds handover_lead{0};
};

struct endpoints {
    std::string websocket_url;
    std::string rest_url;  // base of the REST API (market names, candles)
};

// A frame whose buffer stays readable this many bytes past its end can be parsed in place
// (parse_padded), saving the copy into a padded scratch buffer; zeroed padding is best.
inline constexpr std::size_t frame_padding = 64;

// What the config hands every adapter it makes.
struct adapter_options {
    // Frames above this size are rejected before parsing (an Upbit ticker is ~1 KiB).
    std::size_t max_frame_bytes = 64 * 1024;
};

class adapter {
public:
    virtual ~adapter() = default;

    virtual exchange_id id() const noexcept = 0;
    virtual change_basis basis() const noexcept = 0;
    virtual endpoints default_endpoints() const = 0;
    virtual keepalive_policy keepalive() const = 0;
    virtual rest_pacing rest_policy() const = 0;
    // Unlimited by default (Upbit).
    virtual connection_limits connection_policy() const { return {}; }
    // True when the value of rest_policy().budget_header says the budget of the current
    // second is spent: the next request then waits a second.
    virtual bool budget_spent(std::string_view /*header_value*/) const { return false; }

    // The markets streamed when the config names none, in display order, canonical spelling.
    virtual std::vector<std::string> default_markets() const = 0;
    // The canonical spelling of a market code from the config ("krw-btc" -> "KRW-BTC"), or
    // nullopt when it cannot be a market of this exchange. The config applies it at load;
    // everything after (subscribe, table, clients) sees only canonical codes.
    virtual std::optional<std::string> normalize_market(std::string_view market) const = 0;

    // Base and quote of a market code in this exchange's spelling; names left empty.
    virtual instrument describe(std::string_view market) const = 0;

    // Parses the body of the REST market list (default_endpoints().rest_url + market_list_path)
    // into instruments with names. Errors leave `out` untouched.
    virtual std::string market_list_path() const = 0;
    virtual void parse_market_list(std::string_view body, std::vector<instrument>& out,
                                   boost::system::error_code& ec) = 0;

    // Names bundled with sise for the default markets, so a failed REST call never blocks
    // streaming or leaves the table nameless.
    virtual std::vector<instrument> fallback_instruments() const = 0;

    // REST one-minute candles for the 24 h backfill: the path (with query) asking for up to
    // `count` candles of the minutes that start before `to_ms` (exclusive), and the parsing of
    // its answer. Candles may come in any order; minutes without trades are simply absent.
    virtual std::size_t max_candles_per_request() const = 0;
    // How far back from now the venue's candle endpoint reaches at all (Kraken: the 720 newest
    // minutes), or zero for no limit. With a limit, a short page does not prove there is no
    // older history: the backfill covers only the minutes it was given and stops at the reach.
    virtual std::chrono::milliseconds candle_reach() const { return {}; }
    virtual std::string candles_path(std::string_view market, std::int64_t to_ms,
                                     std::size_t count) const = 0;
    virtual void parse_candles(std::string_view body, std::vector<minute_candle>& out,
                               boost::system::error_code& ec) = 0;

    // Text frames to send, in order, right after every (re)connect.
    virtual std::vector<std::string> subscribe_frames(std::span<const std::string> markets) = 0;

    // Parses one received frame (text or binary payload; JSON or a bare word such as OKX's
    // "pong"). Appends the tickers it carries to `out`. Never throws; a malformed frame
    // yields an error and leaves `out` as it was.
    virtual frame_result parse(std::string_view frame, std::vector<ticker_update>& out,
                               boost::system::error_code& ec) = 0;
    // The same, without a copy; frame.data() must be readable up to size() + frame_padding.
    virtual frame_result parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                      boost::system::error_code& ec) = 0;
};

}  // namespace sise::feed
