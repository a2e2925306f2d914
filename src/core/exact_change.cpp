// Exact change against a reference price: both decimals as integers of one unit, subtracted,
// and the percent from one integer division.
#include "sise/core/exact_change.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sise {
namespace {

// A decimal's value as one integer of its last digit's unit ("51695.6": 516956 at scale 1),
// read in one pass over the text, which is plain notation by construction ([-]digits[.digits]).
struct scaled {
    std::int64_t units = 0;
    int scale = 0;
};

// |units| below this has at most 18 significant digits; one more digit would not fit.
constexpr std::int64_t digits_18 = 1'000'000'000'000'000'000;

// nullopt past 18 significant digits (no realistic price has them).
std::optional<scaled> scaled_of(std::string_view text) noexcept {
    scaled out;
    const bool negative = !text.empty() && text.front() == '-';
    const std::size_t first = negative ? 1 : 0;
    if (text.size() - first <= 18) {
        // At most 18 digits: no bound to check per digit, no leading zeros to skip (the usual
        // price; a branch per character here was a fifth of OKX's change, issue 15).
        std::size_t dot = text.size();
        for (std::size_t i = first; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '.') {
                dot = i;
                continue;
            }
            out.units = out.units * 10 + (c - '0');
        }
        out.scale = dot == text.size() ? 0 : static_cast<int>(text.size() - dot - 1);
    } else {
        int digits = 0;  // significant digits in units
        bool fraction = false;
        for (std::size_t i = first; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '.') {
                fraction = true;
                continue;
            }
            if (fraction) ++out.scale;
            if (out.units == 0 && c == '0') continue;
            if (++digits > 18) return std::nullopt;
            out.units = out.units * 10 + (c - '0');
        }
    }
    if (negative) out.units = -out.units;
    return out;
}

// The same value at the finer `scale`; false past 18 significant digits.
bool rescale(scaled& s, int scale) noexcept {
    for (; s.scale < scale; ++s.scale) {
        if (s.units >= digits_18 / 10 || s.units <= -digits_18 / 10) return false;
        s.units *= 10;
    }
    return true;
}

// `units` at `scale` fraction digits written into `out` ("-4556" at 1: "-455.6"; zero
// unsigned), in place and without a grammar check of text sise wrote itself; empty when too long.
void assign_units(decimal& out, std::int64_t units, int scale) noexcept {
    if (!out.assign_units(units, scale)) out = decimal{};
}

// change / reference in units of 1e-4 %, rounded half away from zero: exact integer division
// while |change| x 2e6 fits 64 bits (any price under 8e12 units), else through long double.
std::int64_t percent_units(std::int64_t change, std::int64_t reference) noexcept {
    const auto magnitude = [](std::int64_t v) {
        return v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    };
    const std::uint64_t c = magnitude(change), r = magnitude(reference);
    constexpr std::uint64_t exact_limit = 8'000'000'000'000;
    std::int64_t units = 0;
    if (c <= exact_limit) {
        units = static_cast<std::int64_t>((2 * c * 1'000'000 + r) / (2 * r));
    } else {
        const long double pct = static_cast<long double>(c) * 1e6L / static_cast<long double>(r);
        units = static_cast<std::int64_t>(std::llround(pct));
    }
    return (change < 0) != (reference < 0) ? -units : units;
}

}  // namespace

bool exact_change(const decimal& last, const decimal& reference, decimal& change,
                  decimal& change_pct) noexcept {
    if (last.empty() || reference.empty()) return false;
    auto l = scaled_of(last.text());
    auto r = scaled_of(reference.text());
    if (!l || !r || r->units == 0) return false;
    const int scale = std::max(l->scale, r->scale);
    if (!rescale(*l, scale) || !rescale(*r, scale)) return false;
    const std::int64_t difference = l->units - r->units;  // |each| < 1e18: no overflow
    assign_units(change, difference, scale);
    assign_units(change_pct, percent_units(difference, r->units), 4);
    return true;
}

}  // namespace sise
