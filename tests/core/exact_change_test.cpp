// sise::exact_change: the change against a reference price, checked as text against known
// answers and, for random prices, against an independent 128-bit computation of the same figure.
#include "sise/core/exact_change.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace {

// The oracle's integers: wide enough for a change of 16 digits times 10^6, and not the
// arithmetic under test.
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

sise::decimal number(std::string_view text) {
    auto d = sise::decimal::from_json_number(text);
    REQUIRE_MESSAGE(d.has_value(), "token: ", text);
    return *d;
}

struct figures {
    bool known = false;
    std::string change;
    std::string change_pct;
};

figures change_of(std::string_view last, std::string_view reference) {
    sise::decimal change, pct;
    figures out;
    out.known = sise::exact_change(number(last), number(reference), change, pct);
    out.change = change.text();
    out.change_pct = pct.text();
    return out;
}

// `units` x 10^-scale as plain text, written here digit by digit (not by decimal).
std::string text_of(i128 units, int scale) {
    const bool negative = units < 0;
    u128 magnitude = static_cast<u128>(negative ? -units : units);
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0);
    if (scale > 0) {
        if (digits.size() <= static_cast<std::size_t>(scale))
            digits.insert(0, static_cast<std::size_t>(scale) - digits.size() + 1, '0');
        digits.insert(digits.size() - static_cast<std::size_t>(scale), ".");
    }
    const bool zero = digits.find_first_not_of("0.") == std::string::npos;
    return negative && !zero ? "-" + digits : digits;
}

}  // namespace

TEST_SUITE("core") {
    TEST_CASE("the change is exact at the finer precision and its percent rounds half away "
              "from zero") {
        struct known_answer {
            std::string_view last, reference, change, change_pct;
        };
        for (const auto& k : {
                 known_answer{"51695.6", "52151.2", "-455.6", "-0.8736"},
                 {"0.1", "3", "-2.9", "-96.6667"},
                 // Exactly half a unit of 1e-4 %, either way.
                 {"2.000001", "2", "0.000001", "0.0001"},
                 {"1.999999", "2", "-0.000001", "-0.0001"},
                 // No change is an unsigned zero at the common precision.
                 {"100.50", "100.5", "0.00", "0.0000"},
                 // A change too large for the exact division goes through long double.
                 {"20000000000000", "10000000000000", "10000000000000", "100.0000"},
                 // A negative reference (a spread, say) gives the sign of change / reference.
                 {"-1", "-2", "1", "-50.0000"},
             }) {
            CAPTURE(k.last);
            CAPTURE(k.reference);
            const auto f = change_of(k.last, k.reference);
            CHECK(f.known);
            CHECK(f.change == k.change);
            CHECK(f.change_pct == k.change_pct);
        }
    }

    TEST_CASE("no change is written, and the old figures stay, when it cannot be exact") {
        for (const auto& [last, reference] :
             {std::pair<std::string_view, std::string_view>{"5", "0"},
              {"5", "0.000"},
              {"123456789012.123456789", "1"},
              {"1", "0.0000000000000000001"}}) {
            CAPTURE(last);
            CAPTURE(reference);
            sise::decimal change = number("7"), pct = number("8");
            CHECK_FALSE(sise::exact_change(number(last), number(reference), change, pct));
            CHECK(change.text() == "7");
            CHECK(pct.text() == "8");
        }
        sise::decimal change = number("7"), pct = number("8");
        CHECK_FALSE(sise::exact_change(number("5"), sise::decimal{}, change, pct));
        CHECK_FALSE(sise::exact_change(sise::decimal{}, number("5"), change, pct));
        CHECK(change.text() == "7");
    }

    TEST_CASE("random prices agree with a 128-bit computation of the same figures") {
        std::mt19937_64 random(20261205);
        std::uniform_int_distribution<std::int64_t> units(-99'999'999, 99'999'999);
        std::uniform_int_distribution<int> scales(0, 8);
        for (int i = 0; i < 20'000; ++i) {
            const std::int64_t last_units = units(random);
            std::int64_t reference_units = units(random);
            if (reference_units == 0) reference_units = 1;
            const int last_scale = scales(random), reference_scale = scales(random);
            const std::string last = text_of(last_units, last_scale);
            const std::string reference = text_of(reference_units, reference_scale);
            CAPTURE(last);
            CAPTURE(reference);

            const int scale = std::max(last_scale, reference_scale);
            i128 l = last_units, r = reference_units;
            for (int s = last_scale; s < scale; ++s) l *= 10;
            for (int s = reference_scale; s < scale; ++s) r *= 10;
            const i128 change = l - r;
            // change / r in units of 1e-4 %, half away from zero.
            const i128 numerator = change * 1'000'000;
            i128 quotient = numerator / r;
            const i128 remainder = numerator % r;
            const i128 twice = remainder < 0 ? -2 * remainder : 2 * remainder;
            if (twice >= (r < 0 ? -r : r)) quotient += (numerator < 0) != (r < 0) ? -1 : 1;

            const auto f = change_of(last, reference);
            REQUIRE(f.known);
            CHECK(f.change == text_of(change, scale));
            CHECK(f.change_pct == text_of(quotient, 4));
        }
    }
}  // TEST_SUITE("core")
