// OHLC bars from history records, for `sise history --interval` and /v1/history. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/history/record.hpp"

namespace sise::history {

struct bar {
    std::int64_t start_ms = 0;  // interval start, aligned to multiples of the interval (UTC)
    decimal open;               // prices as the exchange sent them
    decimal high;
    decimal low;
    decimal close;
    std::int64_t close_time_ms = 0;  // time of the record that set `close`
    std::size_t records = 0;

    friend bool operator==(const bar&, const bar&) = default;
};

// "1m", "5m", "15m", "1h", "4h", "1d" -> milliseconds; nullopt for anything else.
std::optional<std::int64_t> parse_interval(std::string_view text) noexcept;

// Feed records in nondecreasing time (as read_records delivers one market); a bar is complete
// when a record of a later interval arrives. Records going back in time are ignored (counted).
class bar_builder {
public:
    explicit bar_builder(std::int64_t interval_ms) noexcept;

    // The finished bar, when `r` starts a new interval.
    std::optional<bar> add(const record& r) noexcept;
    // The bar in progress, if any (end of input).
    std::optional<bar> finish() noexcept;

    std::size_t out_of_order() const noexcept { return out_of_order_; }

private:
    std::int64_t interval_ms_;
    std::optional<bar> current_;
    std::size_t out_of_order_ = 0;
};

// Bars as CSV, for `sise history --interval`: this header, then one line per bar
// ("1764288000000,2026-11-28T00:00:00.000Z,open,high,low,close,close_time_ms,records").
inline constexpr std::string_view bar_csv_header =
    "start_ms,start,open,high,low,close,close_time_ms,records";
void append_bar_csv(std::string& out, const bar& b);  // '\n' included

}  // namespace sise::history
