#include "sise/market/row_figures.hpp"

#include <charconv>
#include <optional>
#include <string_view>

namespace sise::market {

decimal fixed_decimal(double value, int scale) noexcept {
    // std::to_chars prints the exact value rounded as printf("%.*f") does, without the
    // allocation and big-integer arithmetic fmt uses for it: this runs for every row published
    // and every history record.
    char buffer[400];
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, scale);
    // Too long for the buffer or a decimal (an absurd value) or not finite: unknown rather
    // than wrong.
    if (ec != std::errc{}) return decimal{};
    std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
    if (text.front() == '-' && text.find_first_not_of("-0.") == std::string_view::npos)
        text.remove_prefix(1);  // "-0.00": a change that rounds to nothing has no sign
    return decimal::from_json_number(text).value_or(decimal{});
}

namespace {

change_numbers numbers_of(const ticker_row& row, const std::optional<window_figures>& figures) {
    change_numbers out;
    out.scale = row.price_scale;
    if (!figures) return out;
    const double price = row.has_ticker ? row.ticker.price.to_double() : figures->price;
    out.basis = figures->complete ? window_basis::rolling_24h : window_basis::partial;
    out.change = price - figures->ref_price;
    out.ref_price = figures->ref_price;
    return out;
}

}  // namespace

change_numbers rolling_change_numbers(const ticker_row& row, std::int64_t now_ms) {
    if (const auto& relayed = row.relayed_figures) {
        change_numbers out;
        out.scale = row.price_scale;
        out.basis = relayed->basis;
        out.change = relayed->change.to_double();
        out.ref_price = relayed->ref_price.to_double();
        return out;
    }
    return numbers_of(row, row.window.figures(now_ms));
}

row_figures change_figures(const change_numbers& numbers) {
    row_figures out;
    out.basis = numbers.basis;
    if (numbers.basis == window_basis::none) return out;
    out.change = fixed_decimal(numbers.change, numbers.scale);
    out.change_pct =
        fixed_decimal(numbers.ref_price != 0 ? 100 * numbers.change / numbers.ref_price : 0.0, 4);
    return out;
}

row_figures rolling_figures(const ticker_row& row, std::int64_t now_ms) {
    if (row.relayed_figures) return *row.relayed_figures;  // relay mode: as published
    const auto figures = row.window.figures(now_ms);  // one window query for every figure
    row_figures out = change_figures(numbers_of(row, figures));
    if (out.basis == window_basis::none) return out;
    const int scale = row.price_scale;
    out.ref_price = fixed_decimal(figures->ref_price, scale);
    out.ref_minute_start_ms = figures->ref_minute_start_ms;
    if (figures->high && figures->low) {
        out.high = fixed_decimal(*figures->high, scale);
        out.low = fixed_decimal(*figures->low, scale);
    }
    out.covered_ms = figures->covered_ms;
    return out;
}

}  // namespace sise::market
