// Ticker rows as the daemon publishes them (docs/protocol.md), and the messages that carry
// them over HTTP and the websocket stream, parsed into plain values. Pure: the model of
// `sise snapshot` and `sise watch`, apart from any view.
#pragma once

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sise::cli {

// A foreign row's price in KRW against one named FX basis ("krw" in docs/protocol.md).
struct krw_conversion {
    std::string basis;  // "usd_krw:fixed"; "" when no basis converts the row's quote
    std::string pair;   // "USD/KRW"
    std::string source;
    std::optional<std::string> rate;
    bool usdt_as_usd = false;
    std::optional<std::string> value;  // null with a reason
    std::string reason;

    bool operator==(const krw_conversion&) const = default;
};

// A KRW row's premium over one foreign row, against one basis ("premium").
struct premium_figure {
    std::string basis;  // "" when no basis converts the foreign row's quote
    std::string vs;     // "binance:BTCUSDT"
    bool usdt_as_usd = false;
    std::optional<std::string> percent;  // null with a reason
    std::string reason;

    bool operator==(const premium_figure&) const = default;
};

// One published row, with what the views show. Decimals stay the text the daemon sent
// (checked to be plain decimals when parsed); a null or absent value is nullopt.
struct ticker_row {
    std::string exchange;
    std::string market;
    std::string base;
    std::string quote;
    std::string name_ko;  // "" when unknown
    std::string name_en;  // "" when unknown
    std::string status;   // "connecting", "live", "stale"; other values shown as sent
    std::optional<std::string> price;
    std::optional<std::string> exchange_change_pct;
    std::string exchange_change_basis;  // "prev_close_utc0", "rolling_24h", "none"
    // sise's own rolling 24h change, and `basis`: "rolling_24h" once the row's window covers
    // the full 24 h ("partial" or "none" before, or empty from a daemon without the field).
    std::optional<std::string> change_pct_24h;
    std::string basis;
    std::optional<std::string> high_24h;  // extremes over the same window
    std::optional<std::string> low_24h;
    std::optional<std::string> volume_24h;         // base-currency volume, as the exchange gives it
    std::int64_t covered_24h_ms = 0;               // how much of the 24 h the window covers
    std::optional<std::int64_t> received_time_ms;  // when sised received the last frame
    std::vector<krw_conversion> krw;               // foreign rows, when sised has [fx]
    std::vector<premium_figure> premium;           // KRW rows, when sised has [fx]

    bool operator==(const ticker_row&) const = default;
};

enum class message_kind { snapshot, update };

// A `snapshot` (every row of the subscription) or an `update` (only the rows that changed).
struct ticker_message {
    message_kind kind = message_kind::snapshot;
    std::uint64_t seq = 0;
    std::int64_t time_ms = 0;
    std::vector<ticker_row> rows;
};
using snapshot = ticker_message;  // a /v1/snapshot body

// Parses messages with simdjson On-Demand (error codes, no exceptions). Keep one per
// connection: the parser and its padded buffer are reused from message to message.
class message_parser {
public:
    message_parser();
    ~message_parser();
    message_parser(const message_parser&) = delete;
    message_parser& operator=(const message_parser&) = delete;
    message_parser(message_parser&&) noexcept;
    message_parser& operator=(message_parser&&) noexcept;

    // Fills `out` from a `snapshot` or `update` message. On failure returns
    // sise::errc::malformed_frame, missing_field or bad_number, leaves `out` empty, and `why`
    // names what was wrong, for one line of error. Unknown fields are ignored.
    boost::system::error_code parse(std::string_view body, ticker_message& out, std::string& why);
    // The same, refusing anything but a `snapshot` (the body of GET /v1/snapshot).
    boost::system::error_code parse_snapshot(std::string_view body, snapshot& out,
                                             std::string& why);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sise::cli
