// A row's rolling 24 h figures as values: what row_figures.hpp computes from a row's window,
// or what a relay takes as is from the daemon that computed them. Apart from the computation
// so the table's rows can hold a relayed set without depending on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sise/core/decimal.hpp"

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

constexpr std::optional<window_basis> window_basis_from_string(std::string_view name) noexcept {
    for (auto basis : {window_basis::none, window_basis::partial, window_basis::rolling_24h})
        if (to_string(basis) == name) return basis;
    return std::nullopt;
}

}  // namespace sise::market
