#include "sise/market/row_figures.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

using sise::market::fixed_decimal;

namespace {

std::string printf_fixed(double value, int scale) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, "%.*f", scale, value);
    return buffer;
}

}  // namespace

TEST_SUITE("market") {
    TEST_CASE("a figure is rounded to the market's digits exactly as printf rounds it") {
        CHECK(fixed_decimal(12.399999999999977, 1).text() == "12.4");
        CHECK(fixed_decimal(0.125, 2).text() == printf_fixed(0.125, 2));  // an exact tie
        CHECK(fixed_decimal(2.5, 0).text() == printf_fixed(2.5, 0));
        CHECK(fixed_decimal(150139000, 0).text() == "150139000");
        CHECK(fixed_decimal(-1.5e-9, 4).text() == "0.0000");  // no sign on a zero
        CHECK(fixed_decimal(-0.0, 2).text() == "0.00");
        // Every power of ten, both signs, many scales, and random magnitudes: the same text.
        std::mt19937_64 random(7);
        std::uniform_real_distribution<double> mantissa(-10.0, 10.0);
        std::uniform_int_distribution<int> exponent(-12, 15), scale(0, 10);
        for (int i = 0; i < 20000; ++i) {
            const double value = mantissa(random) * std::pow(10.0, exponent(random));
            const int digits = scale(random);
            std::string expected = printf_fixed(value, digits);
            if (expected.front() == '-' && expected.find_first_not_of("-0.") == std::string::npos)
                expected.erase(0, 1);
            CAPTURE(value);
            CAPTURE(digits);
            REQUIRE(fixed_decimal(value, digits).text() == expected);
        }
    }

    TEST_CASE("a figure that is not finite or absurdly long is unknown, not wrong") {
        CHECK(fixed_decimal(std::numeric_limits<double>::infinity(), 2).empty());
        CHECK(fixed_decimal(std::numeric_limits<double>::quiet_NaN(), 2).empty());
        CHECK(fixed_decimal(1e300, 2).empty());
    }
}
