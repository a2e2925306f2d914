#include "sise/fx/premium.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace sise::fx {
namespace {

// A plain decimal as sign, all digits (integer ++ fraction) and the count of fraction digits.
struct digits_form {
    bool negative = false;
    std::string digits;
    std::size_t scale = 0;
};

digits_form split(std::string_view plain) {
    digits_form out;
    if (!plain.empty() && (plain.front() == '-' || plain.front() == '+')) {
        out.negative = plain.front() == '-';
        plain.remove_prefix(1);
    }
    const auto point = plain.find('.');
    if (point == std::string_view::npos) {
        out.digits = std::string(plain);
    } else {
        out.digits = std::string(plain.substr(0, point));
        out.digits += plain.substr(point + 1);
        out.scale = plain.size() - point - 1;
    }
    if (out.digits.empty()) out.digits = "0";
    return out;
}

// Back to text: leading integer zeros dropped (one kept), fraction digits kept as they are.
std::string join(const digits_form& in) {
    std::string digits = in.digits;
    while (digits.size() < in.scale + 1) digits.insert(digits.begin(), '0');
    const std::size_t int_len = digits.size() - in.scale;
    std::size_t first = 0;
    while (first + 1 < int_len && digits[first] == '0') ++first;
    std::string out;
    const bool zero = digits.find_first_not_of('0') == std::string::npos;
    if (in.negative && !zero) out += '-';
    out.append(digits, first, int_len - first);
    if (in.scale > 0) {
        out += '.';
        out.append(digits, int_len, in.scale);
    }
    return out;
}

long double to_long_double(const std::string& plain) {
    return std::strtold(plain.c_str(), nullptr);
}

// Percent with two fraction digits, half away from zero, never "-0.00".
std::string format_percent(long double percent) {
    const long double scaled = std::round(percent * 100.0L);
    if (!(std::fabs(scaled) < 9e18L)) return fmt::format("{:.2f}", static_cast<double>(percent));
    const auto hundredths = static_cast<std::int64_t>(scaled);
    const std::uint64_t magnitude = hundredths < 0 ? static_cast<std::uint64_t>(-hundredths)
                                                   : static_cast<std::uint64_t>(hundredths);
    return fmt::format("{}{}.{:02}", hundredths < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

std::optional<reason> basis_problem(const basis& b, std::int64_t now_ms) {
    switch (b.state(now_ms)) {
        case freshness::fresh:
            return std::nullopt;
        case freshness::stale:
            return reason::fx_stale;
        case freshness::absent:
            return reason::fx_absent;
    }
    return reason::fx_absent;
}

figure missing(reason why) {
    return figure{std::nullopt, why};
}

}  // namespace

std::string multiply_exact(const decimal& a, const decimal& b) {
    const digits_form x = split(a.text());
    const digits_form y = split(b.text());
    // Schoolbook multiplication, least significant digit first; at most 39 × 39 digits.
    std::vector<unsigned> product(x.digits.size() + y.digits.size(), 0);
    for (std::size_t i = 0; i < x.digits.size(); ++i) {
        const unsigned dx = static_cast<unsigned>(x.digits[x.digits.size() - 1 - i] - '0');
        for (std::size_t j = 0; j < y.digits.size(); ++j)
            product[i + j] += dx * static_cast<unsigned>(y.digits[y.digits.size() - 1 - j] - '0');
    }
    unsigned carry = 0;
    for (unsigned& d : product) {
        d += carry;
        carry = d / 10;
        d %= 10;
    }
    digits_form out;
    out.negative = x.negative != y.negative;
    out.scale = x.scale + y.scale;
    out.digits.reserve(product.size());
    for (auto it = product.rbegin(); it != product.rend(); ++it)
        out.digits.push_back(static_cast<char>('0' + *it));
    return join(out);
}

std::string round_half_away(std::string_view plain, int places) {
    digits_form in = split(plain);
    const auto keep = static_cast<std::size_t>(std::max(places, 0));
    if (in.scale > keep) {
        const std::size_t cut = in.digits.size() - (in.scale - keep);
        const bool up = in.digits[cut] >= '5';
        in.digits.resize(cut);
        in.scale = keep;
        if (up) {
            std::size_t i = in.digits.size();
            while (i > 0 && in.digits[i - 1] == '9') in.digits[--i] = '0';
            if (i == 0)
                in.digits.insert(in.digits.begin(), '1');
            else
                ++in.digits[i - 1];
        }
    }
    while (in.scale > 0 && in.digits.back() == '0') {
        in.digits.pop_back();
        --in.scale;
    }
    if (in.digits.empty()) in.digits = "0";
    return join(in);
}

figure krw_value(const decimal& foreign_price, const basis& b, std::int64_t now_ms) {
    if (auto problem = basis_problem(b, now_ms)) return missing(*problem);
    if (foreign_price.empty()) return missing(reason::foreign_price_missing);
    return figure{round_half_away(multiply_exact(foreign_price, b.rate), 2), reason::none};
}

figure premium_pct(side krw, side foreign, const basis& b, std::int64_t now_ms) {
    if (auto problem = basis_problem(b, now_ms)) return missing(*problem);
    if (!krw.price || krw.price->empty()) return missing(reason::krw_price_missing);
    if (!foreign.price || foreign.price->empty()) return missing(reason::foreign_price_missing);
    if (!krw.live) return missing(reason::krw_row_stale);
    if (!foreign.live) return missing(reason::foreign_row_stale);
    if (foreign.price->is_zero() || b.rate.is_zero()) return missing(reason::zero_price);
    const std::string converted = multiply_exact(*foreign.price, b.rate);
    const long double denominator = to_long_double(converted);
    const long double numerator = to_long_double(std::string(krw.price->text())) - denominator;
    return figure{format_percent(numerator / denominator * 100.0L), reason::none};
}

}  // namespace sise::fx
