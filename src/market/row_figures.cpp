#include "sise/market/row_figures.hpp"

#include <fmt/format.h>

namespace sise::market {
namespace {

decimal fixed(double value, int scale) {
    std::string text = fmt::format("{:.{}f}", value, scale);
    if (text.find_first_not_of("-0.") == std::string::npos && text.front() == '-') text.erase(0, 1);
    // Too long for a decimal (an absurd value) or not finite: unknown rather than wrong.
    return decimal::from_json_number(text).value_or(decimal{});
}

}  // namespace

row_figures rolling_figures(const ticker_row& row, std::int64_t now_ms) {
    row_figures out;
    const auto figures = row.window.figures(now_ms);
    if (!figures) return out;
    const int scale = row.price_scale;
    const double price = row.has_ticker ? row.ticker.price.to_double() : figures->price;
    const double change = price - figures->ref_price;
    out.basis = figures->complete ? window_basis::rolling_24h : window_basis::partial;
    out.change = fixed(change, scale);
    out.change_pct = fixed(figures->ref_price != 0 ? 100 * change / figures->ref_price : 0.0, 4);
    out.ref_price = fixed(figures->ref_price, scale);
    out.ref_minute_start_ms = figures->ref_minute_start_ms;
    if (figures->high && figures->low) {
        out.high = fixed(*figures->high, scale);
        out.low = fixed(*figures->low, scale);
    }
    out.covered_ms = figures->covered_ms;
    return out;
}

}  // namespace sise::market
