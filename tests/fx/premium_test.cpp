#include "sise/fx/premium.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "support/fx_basis.hpp"

using namespace sise;
using namespace sise::fx;

namespace {

decimal d(const char* text) {
    return *decimal::from_json_number(text);
}

basis fixed_usd(const char* rate) {
    return test::fixed_usd_basis(rate);
}

// The premium computed independently of the model: in double, from the texts, rounded with
// printf's %.2f.
std::string independent_premium(const char* krw, const char* foreign, const char* rate) {
    const double converted = std::strtod(foreign, nullptr) * std::strtod(rate, nullptr);
    const double pct = (std::strtod(krw, nullptr) - converted) / converted * 100.0;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f", pct);
    return buffer;
}

}  // namespace

TEST_SUITE("fx") {
    TEST_CASE("the exact product keeps every digit of price times rate") {
        CHECK(multiply_exact(d("68000.00"), d("1380.5")) == "93874000.000");
        CHECK(multiply_exact(d("0.000015"), d("1400")) == "0.021000");
        CHECK(multiply_exact(d("-2.5"), d("4")) == "-10.0");
        CHECK(multiply_exact(d("99999.99"), d("1459.73")) == "145972985.4027");
    }

    TEST_CASE("rounding is half away from zero at two fraction digits, without trailing zeros") {
        CHECK(round_half_away("707.235", 2) == "707.24");
        CHECK(round_half_away("707.234999", 2) == "707.23");
        CHECK(round_half_away("-1.005", 2) == "-1.01");
        CHECK(round_half_away("99.995", 2) == "100");
        CHECK(round_half_away("93874000.000", 2) == "93874000");
        CHECK(round_half_away("-0.001", 2) == "0");
        CHECK(round_half_away("12", 2) == "12");
    }

    TEST_CASE("a foreign price in KRW is the rounded exact product with the basis rate") {
        const basis b = fixed_usd("1380.5");
        const figure value = krw_value(d("68000.12"), b, 0);
        REQUIRE(value.value);
        CHECK(*value.value == "93874165.66");  // 93874165.6600
        CHECK(value.why == reason::none);
    }

    TEST_CASE("the premium of fx.md's worked example is 5.04 percent") {
        const basis b = fixed_usd("1400");
        const decimal krw = d("100000000");
        const decimal foreign = d("68000");
        const figure pct = premium_pct({&krw, true}, {&foreign, true}, b, 0);
        REQUIRE(pct.value);
        CHECK(*pct.value == "5.04");
    }

    TEST_CASE("the premium equals an independent computation for a range of prices") {
        const char* cases[][3] = {{"150139000", "101234.56", "1380.5"},
                                  {"3610000", "2480.01", "1459.73"},
                                  {"812.4", "0.5611", "1391.2"},
                                  {"95000000", "70000", "1400"},  // reverse premium
                                  {"0.5", "0.0003712", "1330.05"}};
        for (const auto& c : cases) {
            CAPTURE(c[0]);
            const basis b = fixed_usd(c[2]);
            const decimal krw = d(c[0]);
            const decimal foreign = d(c[1]);
            const figure pct = premium_pct({&krw, true}, {&foreign, true}, b, 0);
            REQUIRE(pct.value);
            CHECK(*pct.value == independent_premium(c[0], c[1], c[2]));
        }
    }

    TEST_CASE("a negative premium keeps its sign and a vanishing one is plain zero") {
        const basis b = fixed_usd("1000");
        const decimal krw = d("99000");
        const decimal foreign = d("100");
        CHECK(*premium_pct({&krw, true}, {&foreign, true}, b, 0).value == "-1.00");
        const decimal same = d("99999.9999");  // -0.0000001 %
        CHECK(*premium_pct({&same, true}, {&foreign, true}, b, 0).value == "0.00");
    }

    TEST_CASE("a stale rate gives null with the reason fx_stale, a missing one fx_absent") {
        basis b = fixed_usd("1400");
        b.time_ms = 1'000;
        b.max_age_ms = 60'000;
        const decimal krw = d("100000000");
        const decimal foreign = d("68000");
        CHECK(premium_pct({&krw, true}, {&foreign, true}, b, 61'000).value);
        const figure stale = premium_pct({&krw, true}, {&foreign, true}, b, 61'001);
        CHECK_FALSE(stale.value);
        CHECK(stale.why == reason::fx_stale);
        CHECK(krw_value(foreign, b, 61'001).why == reason::fx_stale);

        basis absent = fixed_usd("1400");
        absent.rate = decimal{};
        CHECK(premium_pct({&krw, true}, {&foreign, true}, absent, 0).why == reason::fx_absent);
        CHECK(krw_value(foreign, absent, 0).why == reason::fx_absent);
    }

    TEST_CASE("a fixed rate (max age 0) never goes stale, a source marked down does") {
        basis b = fixed_usd("1400");
        CHECK(b.state(1'000'000'000'000) == freshness::fresh);
        b.down = true;
        CHECK(b.state(0) == freshness::stale);
    }

    TEST_CASE("a missing or stale side gives null with a reason naming the side") {
        const basis b = fixed_usd("1400");
        const decimal krw = d("100000000");
        const decimal foreign = d("68000");
        const decimal none{};
        CHECK(premium_pct({&none, true}, {&foreign, true}, b, 0).why == reason::krw_price_missing);
        CHECK(premium_pct({&krw, true}, {nullptr, true}, b, 0).why ==
              reason::foreign_price_missing);
        CHECK(premium_pct({&krw, false}, {&foreign, true}, b, 0).why == reason::krw_row_stale);
        CHECK(premium_pct({&krw, true}, {&foreign, false}, b, 0).why == reason::foreign_row_stale);
        const decimal zero = d("0");
        CHECK(premium_pct({&krw, true}, {&zero, true}, b, 0).why == reason::zero_price);
    }

    TEST_CASE("a USD basis converts USDT quotes only when told to treat USDT as USD") {
        basis b = fixed_usd("1400");
        CHECK(b.converts("USD"));
        CHECK_FALSE(b.converts("USDT"));
        b.usdt_as_usd = true;
        CHECK(b.converts("USDT"));
        CHECK_FALSE(b.converts("KRW"));
    }
}
