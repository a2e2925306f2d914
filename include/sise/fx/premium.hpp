// The two figures FX makes possible, as pure functions of decimal prices and a basis: a
// foreign price in KRW, and the kimchi premium of a KRW price over a foreign one
// (../shared fx.md §1). Either is a value or `null` with a reason; never a guess.
//
// Rounding: the KRW value is the exact decimal product price × rate, rounded half away from
// zero to 2 fraction digits (trailing zeros dropped). The premium is
// (K − F × X) / (F × X) × 100 with F × X exact and the quotient taken in long double (64-bit
// mantissa, far below the 0.005 step), rounded half away from zero to 2 fraction digits;
// "-0.00" is written "0.00".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/fx/basis.hpp"

namespace sise::fx {

enum class reason : unsigned char {
    none,
    fx_absent,              // the basis has no rate yet (source not answered, failing)
    fx_stale,               // the rate is older than the basis's max age
    no_basis,               // no configured basis converts the foreign row's quote currency
    krw_price_missing,      // the KRW row has no price yet
    foreign_price_missing,  // the foreign row has no price yet
    krw_row_stale,          // the KRW row's feed is down (its price is the last known)
    foreign_row_stale,      // the foreign row's feed is down
    zero_price,             // a zero foreign price or rate: nothing to divide by
};

constexpr std::string_view to_string(reason why) noexcept {
    switch (why) {
        case reason::none:
            return "none";
        case reason::fx_absent:
            return "fx_absent";
        case reason::fx_stale:
            return "fx_stale";
        case reason::no_basis:
            return "no_basis";
        case reason::krw_price_missing:
            return "krw_price_missing";
        case reason::foreign_price_missing:
            return "foreign_price_missing";
        case reason::krw_row_stale:
            return "krw_row_stale";
        case reason::foreign_row_stale:
            return "foreign_row_stale";
        case reason::zero_price:
            return "zero_price";
    }
    return "none";
}

// A computed figure (plain decimal text) or the reason there is none.
struct figure {
    std::optional<std::string> value;
    reason why = reason::none;

    friend bool operator==(const figure&, const figure&) = default;
};

// The exact product of two plain decimals, in plain notation (no digit dropped).
std::string multiply_exact(const decimal& a, const decimal& b);

// `plain` (a plain decimal text) rounded half away from zero to `places` fraction digits,
// trailing fraction zeros and a bare point dropped; "-0" becomes "0".
std::string round_half_away(std::string_view plain, int places);

// The foreign price in KRW against `b` at `now_ms`.
figure krw_value(const decimal& foreign_price, const basis& b, std::int64_t now_ms);

// The premium in percent of `krw_price` over `foreign_price` converted with `b`. Both sides
// are passed with whether their feed is live; a side that is not live yields `null`.
struct side {
    const decimal* price = nullptr;  // null or empty: no price yet
    bool live = false;
};
figure premium_pct(side krw, side foreign, const basis& b, std::int64_t now_ms);

}  // namespace sise::fx
