// One line of a history file: a market's price at one moment, with the figures someone
// charting or auditing wants next to it. Files are CSV with a header (docs/history.md); every
// field is a number or a plain identifier, so no field is ever quoted. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/core/exchange.hpp"
#include "sise/core/ticker.hpp"
#include "sise/market/row_figures.hpp"
#include "sise/market/table.hpp"

namespace sise::history {

// The rolling figures' basis, shared with published rows.
using market::window_basis;

struct record {
    // The exchange's trade time, or the local receive time when the exchange sent none. The
    // file a record goes to is the UTC day of this time.
    std::int64_t time_ms = 0;
    exchange_id exchange{};
    market_code market;
    decimal price;           // as the exchange sent it
    decimal change_24h;      // rolling 24 h, with the market's price precision; may be empty
    decimal change_pct_24h;  // percent, 4 decimals; may be empty
    window_basis basis = window_basis::none;
    decimal exchange_change_pct;  // the exchange's own change (its basis), percent; may be empty
    decimal volume_24h;           // as the exchange sent them; may be empty
    decimal quote_volume_24h;
    std::int64_t received_ms = 0;  // local receive time

    friend bool operator==(const record&, const record&) = default;
};

// A record's time: the exchange's trade time, or the receive time when it sent none.
constexpr std::int64_t record_time(std::int64_t exchange_time_ms,
                                   std::int64_t received_ms) noexcept {
    return exchange_time_ms > 0 ? exchange_time_ms : received_ms;
}

// The row's current ticker as a record, its rolling figures as of the record's time.
record record_of(const market::ticker_row& row);

// record_of() in two steps: capture() at an update, its rolling change kept as numbers (cheap
// enough for every update that may turn out to be a minute's close), finish() rounding them to
// text once the record is written. finish(capture(row)) == record_of(row).
struct pending_record {
    record base;  // all but change_24h, change_pct_24h and basis
    market::change_numbers change;
};
pending_record capture(const market::ticker_row& row);
record finish(const pending_record& pending);

// The first line of every file, without the newline.
inline constexpr std::string_view csv_header =
    "time_ms,time,exchange,market,price,change_24h,change_pct_24h,basis_24h,"
    "exchange_change_pct,volume_24h,quote_volume_24h,received_ms";

// Appends one line, '\n' included.
void append_csv(std::string& out, const record& r);

// Parses one line (without its '\n'; a trailing '\r' is tolerated). nullopt for the header,
// for a line with the wrong number of fields, or any field that does not parse (the ISO time
// must agree with time_ms). Never throws; files are read back after crashes and by hand edits.
std::optional<record> parse_csv_line(std::string_view line) noexcept;

}  // namespace sise::history
