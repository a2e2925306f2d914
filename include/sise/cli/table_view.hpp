// The client's table: ticker rows as the daemon publishes them (docs/protocol.md), parsed
// from a snapshot body, and rendered into one frame of text. Pure: no I/O, no clock, no
// terminal queries, so `sise snapshot` prints one frame and a later `sise watch` can redraw
// frames from the same renderer.
#pragma once

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sise::cli {

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
};

struct snapshot {
    std::uint64_t seq = 0;
    std::int64_t time_ms = 0;
    std::vector<ticker_row> rows;
};

// Parses snapshot bodies with simdjson On-Demand (error codes, no exceptions). Keep one
// per connection: the parser and its padded buffer are reused from body to body.
class snapshot_parser {
public:
    snapshot_parser();
    ~snapshot_parser();
    snapshot_parser(const snapshot_parser&) = delete;
    snapshot_parser& operator=(const snapshot_parser&) = delete;

    // Fills `out` from `body`. On failure returns sise::errc::malformed_frame,
    // missing_field or bad_number, and `why` names what was wrong, for one line of error.
    // Unknown fields are ignored.
    boost::system::error_code parse(std::string_view body, snapshot& out, std::string& why);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

enum class language { ko, en };

struct render_options {
    language lang = language::ko;
    bool color = false;     // ANSI SGR: red rise, blue fall (Korean convention), dim when not live
    std::size_t width = 0;  // terminal columns; names are cut to fit. 0: no limit
};

// The table as text: a header line, then one line per row, each ending in '\n'.
// Names left-aligned, figures right-aligned, by display width (Hangul takes two columns).
std::string render_table(std::span<const ticker_row> rows, const render_options& options);

// Rows whose market code is in `markets` (ASCII case-insensitive), in the order of
// `markets`; `missing` receives the requested codes that match no row.
std::vector<ticker_row> select_markets(std::span<const ticker_row> rows,
                                       std::span<const std::string> markets,
                                       std::vector<std::string>& missing);

}  // namespace sise::cli
