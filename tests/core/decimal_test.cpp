// sise::decimal: the JSON number grammar, exact exponent expansion, decimal-point shifting
// and the length bound, checked on text so that a lost or invented digit fails a test.
#include "sise/core/decimal.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string text_of(std::string_view token) {
    auto d = sise::decimal::from_json_number(token);
    return d ? std::string(d->text()) : std::string("<rejected>");
}

std::string shifted_text(std::string_view token, int places) {
    auto d = sise::decimal::from_json_number(token);
    REQUIRE_MESSAGE(d.has_value(), "token: ", token);
    auto s = d->shifted(places);
    return s ? std::string(s->text()) : std::string("<rejected>");
}

// assign_json_number_padded on `token` lying in a buffer where `follower` and more digits come
// after it gives what the plain read gives; a refused token leaves the decimal untouched.
void check_padded_read(const std::string& token, std::string_view follower) {
    CAPTURE(token);
    CAPTURE(follower);
    const std::string buffer = token + std::string(follower) + std::string(64, '7');
    sise::decimal padded = *sise::decimal::from_json_number("42");
    const bool accepted = padded.assign_json_number_padded({buffer.data(), token.size()});
    const auto plain = sise::decimal::from_json_number(token);
    REQUIRE(accepted == plain.has_value());
    CHECK(padded.text() == (plain ? plain->text() : "42"));
}

}  // namespace

TEST_SUITE("core") {
    TEST_CASE("plain JSON numbers are kept exactly as sent") {
        const std::string_view kept[] = {
            "0",
            "-0",
            "-0.0",
            "7",
            "32287000",
            "31883000.00000000",
            "0.0126713295",
            "-0.0012",
            "228827082483.70729000",
            "1.10",
            "-123.456",
            "0.000015",
        };
        for (auto token : kept) {
            CAPTURE(token);
            CHECK(text_of(token) == token);
        }
    }

    TEST_CASE("anything outside the strict JSON number grammar is rejected") {
        const std::string_view rejected[] = {
            "",          "+1",    "01",   "-01",   ".5",  "1.",    "-",     "-.5",
            "1.e5",      "1e",    "1e+",  "1E-",   "e5",  "NaN",   "nan",   "Infinity",
            "-Infinity", "inf",   " 1",   "1 ",    "1\n", "\t1",   "1,000", "1_000",
            "0x10",      "1e5.5", "1..2", "1.2.3", "--1", "\"1\"", "null",  "true",
            "1f",        "1d",    "١",    "0.5e",  "2e-", "1e1e1", "00",    "-00.1",
        };
        for (auto token : rejected) {
            CAPTURE(token);
            CHECK_FALSE(sise::decimal::from_json_number(token).has_value());
        }
        // An embedded NUL must not end the token early.
        CHECK_FALSE(sise::decimal::from_json_number(std::string_view("1\0", 2)).has_value());
    }

    TEST_CASE("exponents are expanded to plain notation exactly") {
        struct row {
            std::string_view token;
            std::string_view text;
        };
        const row rows[] = {
            {"1.5e-05", "0.000015"},
            {"1E+3", "1000"},
            {"1e3", "1000"},
            {"1e0", "1"},
            {"1.50e1", "15.0"},
            {"1.50e2", "150"},
            {"1.50e3", "1500"},
            {"3.2287E+7", "32287000"},
            {"1.26713295e-2", "0.0126713295"},
            {"-2.5E-3", "-0.0025"},
            {"12345e-2", "123.45"},
            {"12345e-5", "0.12345"},
            {"12345e-6", "0.012345"},
            {"0e5", "0"},
            {"0.00e3", "0"},
            {"0.000e1", "0.00"},
            {"0e-2", "0.00"},
            {"-0e5", "-0"},
            {"-0.0e0", "-0.0"},
            {"0.0001e4", "1"},
            {"0.00010e4", "1.0"},
            {"1E-0", "1"},
            {"1e+0", "1"},
            {"1.676965262139e12", "1676965262139"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.token);
            CHECK(text_of(r.token) == r.text);
        }
    }

    TEST_CASE("the plain form is bounded by max_digits characters") {
        REQUIRE(sise::decimal::max_digits == 39);
        const std::string fits(39, '9');
        const std::string too_long(40, '9');
        CHECK(text_of(fits) == fits);
        CHECK(text_of(too_long) == "<rejected>");
        CHECK(text_of("-" + std::string(38, '9')) == "-" + std::string(38, '9'));
        CHECK(text_of("-" + std::string(39, '9')) == "<rejected>");
        CHECK(text_of("0." + std::string(37, '1')) == "0." + std::string(37, '1'));
        CHECK(text_of("0." + std::string(38, '1')) == "<rejected>");

        // The bound applies to the expanded text, not to the token.
        CHECK(text_of("1e38") == "1" + std::string(38, '0'));
        CHECK(text_of("1e39") == "<rejected>");
        CHECK(text_of("1e400") == "<rejected>");
        CHECK(text_of("1e-37") == "0." + std::string(36, '0') + "1");
        CHECK(text_of("1e-38") == "<rejected>");
        CHECK(text_of("1e-400") == "<rejected>");
        CHECK(text_of("1e99999999999999999999999") == "<rejected>");
        CHECK(text_of("-1e-99999999999999999999999") == "<rejected>");
        // Zero stays short whatever the exponent; a long token can expand to a short text.
        CHECK(text_of("0e99999999999999999999999") == "0");
        CHECK(text_of("0." + std::string(100, '0') + "1e100") == "0.1");
    }

    TEST_CASE("shifting moves the decimal point on the text") {
        struct row {
            std::string_view token;
            int places;
            std::string_view text;
        };
        const row rows[] = {
            {"0.0126713295", 2, "1.26713295"},
            {"0.5", 2, "50"},
            {"-0.0012", 2, "-0.12"},
            {"1.2", 2, "120"},
            {"0", 2, "0"},
            {"0.00", 2, "0"},
            {"0.000", 2, "0.0"},
            {"-0.0", 2, "-0"},
            {"32287000", 0, "32287000"},
            {"1.26713295", -2, "0.0126713295"},
            {"50", -2, "0.50"},
            {"1.2", -2, "0.012"},
            {"0", -2, "0.00"},
            {"123.456", 1, "1234.56"},
            {"123.456", -1, "12.3456"},
            {"123.456", -3, "0.123456"},
            {"123.456", -4, "0.0123456"},
            {"404000.00000000", 2, "40400000.000000"},
        };
        for (const auto& r : rows) {
            CAPTURE(r.token);
            CAPTURE(r.places);
            CHECK(shifted_text(r.token, r.places) == r.text);
        }
    }

    TEST_CASE("shifting fails instead of truncating when the result would not fit") {
        CHECK(shifted_text(std::string(38, '9'), 1) == std::string(38, '9') + "0");
        CHECK(shifted_text(std::string(38, '9'), 2) == "<rejected>");
        CHECK(shifted_text("0." + std::string(37, '1'), -1) == "<rejected>");
        CHECK(shifted_text("1", 1'000'000) == "<rejected>");
        CHECK(shifted_text("1", -1'000'000) == "<rejected>");
        CHECK_FALSE(sise::decimal{}.shifted(2).has_value());
    }

    TEST_CASE("shifting by 2 and back gives the same value with trailing zeros normalized") {
        // shifted(2).shifted(-2) may gain trailing fraction zeros ("0.5" -> "50" -> "0.50").
        CHECK(shifted_text("0.0126713295", 2) == "1.26713295");
        auto d = sise::decimal::from_json_number("0.5");
        REQUIRE(d);
        auto there = d->shifted(2);
        REQUIRE(there);
        auto back = there->shifted(-2);
        REQUIRE(back);
        CHECK(back->text() == "0.50");
        CHECK(back->to_double() == d->to_double());
    }

    TEST_CASE("the padded read gives the plain read's result whatever follows the token") {
        // assign_json_number_padded reads past the token (eight characters at a time): digits,
        // a point or an exponent right after it must not change what it accepts or keeps.
        const std::string tokens[] = {
            "0",
            "-0",
            "7",
            "-7",
            "32287000",
            "31883000.00000000",
            "0.0126713295",
            "-0.0012",
            "228827082483.70729000",
            "1.10",
            "12345678",
            "123456789",
            "1234567.8",
            "0.12345678",
            "0.123456789",
            "-12345678.12345678",
            std::string(39, '9'),
            std::string(40, '9'),
            "-" + std::string(38, '9'),
            "0." + std::string(37, '1'),
            "0." + std::string(38, '1'),
            "",
            "-",
            "01",
            "-01",
            "00",
            ".5",
            "1.",
            "-.5",
            "+1",
            "1..2",
            "1.2.3",
            "1,000",
            "1 ",
            "\"1\"",
            "null",
            "١",
            std::string("1\0", 2),
            "1.5e-05",
            "1E+3",
            "0e5",
            "1e",
            "2e-",
            "1e38",
            "1e39",
            "12345e-2",
        };
        const std::string_view followers[] = {"", "9", "99999999999", ".5", "5.5", "e5", "\"", ","};
        for (const auto& token : tokens)
            for (const auto follower : followers) check_padded_read(token, follower);
    }

    TEST_CASE("the padded read agrees with the plain read at every length and position") {
        // Tokens of 1 to 17 characters (16 is the mask-based check's limit): digits with a sign
        // or not, a leading zero or not, and at each position a point, a second point, an
        // exponent, a space or a non-ASCII byte, each followed by digits or a point.
        std::vector<std::string> tokens;
        for (std::size_t n = 1; n <= 17; ++n) {
            for (const std::string_view sign : {"", "-"}) {
                for (const char lead : {'1', '0'}) {
                    std::string digits(n, '3');
                    digits[0] = lead;
                    tokens.push_back(std::string(sign) + digits);
                    for (std::size_t at = 0; at < n; ++at)
                        for (const char c : {'.', 'e', ' ', '\xb5', '/'}) {
                            std::string t = digits;
                            t[at] = c;
                            tokens.push_back(std::string(sign) + t);
                            if (c == '.' && at + 2 < n) {
                                t[at + 2] = '.';
                                tokens.push_back(std::string(sign) + t);
                            }
                        }
                }
            }
        }
        for (const auto& token : tokens)
            for (const std::string_view follower : {"7", ".5", ""})
                check_padded_read(token, follower);
    }

    TEST_CASE("shifting right within the fraction gives what the exponent gives") {
        // shift() takes a short route when the point stays within the fraction digits; the
        // exponent expansion ("0.0196e2") is the general rule it must agree with.
        const std::string_view tokens[] = {
            "0.0196",  "-0.0196",         "0.00",  "-0.00", "0.000",   "1.2345", "0.0126713295",
            "-0.0012", "404000.00000000", "10.01", "0.10",  "123.456", "-0.5",   "7"};
        for (const auto token : tokens) {
            for (int places = 1; places <= 4; ++places) {
                CAPTURE(token);
                CAPTURE(places);
                const auto by_exponent = sise::decimal::from_json_number(std::string(token) + "e" +
                                                                         std::to_string(places));
                auto d = *sise::decimal::from_json_number(token);
                REQUIRE(by_exponent);
                REQUIRE(d.shift(places));
                CHECK(d.text() == by_exponent->text());
            }
        }
    }

    TEST_CASE("shifting in place gives what shifted gives, and leaves a failure untouched") {
        auto d = *sise::decimal::from_json_number("0.0126713295");
        CHECK(d.shift(2));
        CHECK(d.text() == "1.26713295");
        CHECK(d.shift(-4));
        CHECK(d.text() == "0.000126713295");
        auto wide = *sise::decimal::from_json_number(std::string(38, '9'));
        CHECK_FALSE(wide.shift(2));
        CHECK(wide.text() == std::string(38, '9'));
        sise::decimal empty;
        CHECK_FALSE(empty.shift(2));
        CHECK(empty.empty());
    }

    TEST_CASE("writing integer units at a scale gives what the exponent expansion gives") {
        // assign_units writes text sise computed (OKX's change and percent) with no grammar
        // check; "<units>e-<scale>" through the parser is the general rule it must agree with.
        const std::int64_t units[] = {
            0,         1,       -1,       5,         -4556,         10,       100000,
            -99999999, 1234567, 45560000, INT64_MAX, INT64_MIN + 1, INT64_MIN};
        for (const auto u : units) {
            for (int scale = 0; scale <= 37; ++scale) {
                CAPTURE(u);
                CAPTURE(scale);
                const auto general = sise::decimal::from_json_number(std::to_string(u) + "e-" +
                                                                     std::to_string(scale));
                auto d = *sise::decimal::from_json_number("42");
                const bool written = d.assign_units(u, scale);
                REQUIRE(written == general.has_value());
                CHECK(d.text() == (general ? general->text() : "42"));  // refused: untouched
            }
        }
        auto d = *sise::decimal::from_json_number("42");
        CHECK_FALSE(d.assign_units(1, -1));
        CHECK_FALSE(d.assign_units(1, 39));
        CHECK(d.text() == "42");
        CHECK(d.assign_units(5, 37));  // "0." and 37 fraction digits: exactly max_digits
        CHECK(d.text().size() == sise::decimal::max_digits);
        CHECK_FALSE(d.assign_units(-5, 37));  // the sign makes it one too long
    }

    TEST_CASE("to_double parses the kept text") {
        CHECK(sise::decimal::from_json_number("32287000")->to_double() == 32287000.0);
        CHECK(sise::decimal::from_json_number("0.0126713295")->to_double() == 0.0126713295);
        CHECK(sise::decimal::from_json_number("1.5e-05")->to_double() == 1.5e-05);
        CHECK(sise::decimal::from_json_number("-2.5")->to_double() == -2.5);
        const double negative_zero = sise::decimal::from_json_number("-0.0")->to_double();
        CHECK(negative_zero == 0.0);
        CHECK(std::signbit(negative_zero));
        CHECK(sise::decimal{}.to_double() == 0.0);
    }

    TEST_CASE("zero, sign and emptiness are read from the text") {
        CHECK(sise::decimal::from_json_number("0")->is_zero());
        CHECK(sise::decimal::from_json_number("-0.000")->is_zero());
        CHECK(sise::decimal::from_json_number("0e7")->is_zero());
        CHECK_FALSE(sise::decimal::from_json_number("0.0001")->is_zero());
        CHECK_FALSE(sise::decimal::from_json_number("10")->is_zero());
        CHECK_FALSE(sise::decimal{}.is_zero());

        CHECK(sise::decimal::from_json_number("-0.0")->negative());
        CHECK_FALSE(sise::decimal::from_json_number("0.1")->negative());
        CHECK(sise::decimal{}.empty());
        CHECK_FALSE(sise::decimal::from_json_number("1")->empty());
    }

    TEST_CASE("decimals compare by their text") {
        auto a = sise::decimal::from_json_number("1.50");
        auto b = sise::decimal::from_json_number("15.0e-1");
        auto c = sise::decimal::from_json_number("1.5");
        REQUIRE(a);
        REQUIRE(b);
        REQUIRE(c);
        CHECK(*a == *b);
        CHECK_FALSE(*a == *c);
    }

}  // TEST_SUITE("core")
