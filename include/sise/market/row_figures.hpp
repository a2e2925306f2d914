// A row's rolling 24 h figures as text, with the exchange's precision for the market, so
// 612.5 - 600.1 reads "12.4", never "12.399999999999977". One definition for everything that
// shows them: published rows and history records.
#pragma once

#include <cstdint>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/market/table.hpp"

namespace sise::market {

// What the figures are worth: a full 24 h window, one not reaching back 24 h yet, or none.
enum class window_basis : unsigned char { none, partial, rolling_24h };

constexpr std::string_view to_string(window_basis basis) noexcept {
    switch (basis) {
        case window_basis::none:
            return "none";
        case window_basis::partial:
            return "partial";
        case window_basis::rolling_24h:
            return "rolling_24h";
    }
    return "none";
}

struct row_figures {
    window_basis basis = window_basis::none;  // none: every field below is empty/0
    decimal change;                           // price - ref_price, price scale
    decimal change_pct;                       // percent, 4 decimals
    decimal ref_price;
    std::int64_t ref_minute_start_ms = 0;
    decimal high;  // empty while the window holds no trade
    decimal low;
    std::int64_t covered_ms = 0;
};

// `value` rounded to `scale` fraction digits exactly as printf("%.*f") rounds it, without a
// sign when it rounds to zero; an empty decimal when it is not finite or absurdly long.
decimal fixed_decimal(double value, int scale) noexcept;

// Measured from the row's own price, so a row's price and change always agree (a backfilled
// candle may carry a later trade time than the last ticker frame).
row_figures rolling_figures(const ticker_row& row, std::int64_t now_ms);
// The change alone, as numbers: cheap enough to take at every update (a history record held
// as a minute's possible close); change_figures() rounds it to text only when it is written.
struct change_numbers {
    window_basis basis = window_basis::none;  // none: no figures
    double change = 0;
    double ref_price = 0;
    int scale = 0;  // the market's price precision
};
change_numbers rolling_change_numbers(const ticker_row& row, std::int64_t now_ms);
// `basis`, `change` and `change_pct` of a row_figures, the rest empty.
row_figures change_figures(const change_numbers& numbers);

}  // namespace sise::market
