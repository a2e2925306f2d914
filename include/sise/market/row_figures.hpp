// A row's rolling 24 h figures as text, with the exchange's precision for the market, so
// 612.5 - 600.1 reads "12.4", never "12.399999999999977". One definition for everything that
// shows them: published rows and history records.
#pragma once

#include <cstdint>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/market/figures.hpp"
#include "sise/market/table.hpp"

namespace sise::market {

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
