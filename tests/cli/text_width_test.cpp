// Display width and decimal formatting for the client's tables.
#include "sise/cli/text_width.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using sise::cli::codepoint_width;
using sise::cli::display_width;
using sise::cli::format_percent;
using sise::cli::format_price;
using sise::cli::group_thousands;

TEST_SUITE("cli") {
    TEST_CASE("Hangul syllables take two columns and ASCII one") {
        CHECK(display_width("비트코인") == 8);
        CHECK(display_width("BTC") == 3);
        CHECK(display_width("현재가(원)") == 10);
        CHECK(display_width("변동률(UTC 0시)") == 15);
        CHECK(display_width("") == 0);
    }

    TEST_CASE("CJK ideographs, kana and fullwidth forms are wide") {
        CHECK(display_width("比特币") == 6);
        CHECK(display_width("ビットコイン") == 12);
        CHECK(display_width("ＢＴＣ") == 6);     // fullwidth Latin
        CHECK(codepoint_width(U'\u3131') == 2);  // ㄱ, Hangul compatibility jamo
        CHECK(codepoint_width(U'\u1100') == 2);  // leading jamo
        CHECK(codepoint_width(U'\uFF61') == 1);  // halfwidth katakana punctuation
    }

    TEST_CASE("combining marks and conjoining jamo add no width") {
        CHECK(display_width("e\xCC\x81") == 1);                             // e + U+0301
        CHECK(display_width("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB") == 2);  // 한 spelled as jamo
        CHECK(codepoint_width(U'\u200B') == 0);                             // zero-width space
        CHECK(codepoint_width(U'\uFE0F') == 0);                             // variation selector
    }

    TEST_CASE("bytes that are not UTF-8 count one column each") {
        CHECK(display_width("\xFF\xFE") == 2);
        CHECK(display_width("a\xEA\xB0") == 3);     // truncated three-byte sequence
        CHECK(display_width("\xC0\xAF") == 2);      // overlong '/'
        CHECK(display_width("\xED\xA0\x80") == 3);  // a UTF-16 surrogate, not a character
    }

    TEST_CASE("control characters from the network cannot reach the terminal") {
        CHECK(sise::cli::sanitize_for_terminal("BTC\x1b[2J") == "BTC?[2J");
        CHECK(sise::cli::sanitize_for_terminal("a\xC2\x9B"
                                               "b") == "a?b");  // C1 CSI
        CHECK(sise::cli::sanitize_for_terminal("x\xFFy") == "x\xEF\xBF\xBDy");
        CHECK(sise::cli::sanitize_for_terminal("비트코인") == "비트코인");
    }

    TEST_CASE("truncation to a width keeps whole characters and marks the cut") {
        CHECK(sise::cli::truncate_to_width("비트코인", 8) == "비트코인");
        CHECK(sise::cli::truncate_to_width("비트코인", 7) == "비트코~");
        CHECK(sise::cli::truncate_to_width("비트코인", 6) == "비트~");
        CHECK(sise::cli::truncate_to_width("Ethereum Classic", 6) == "Ether~");
    }

    TEST_CASE("thousands separators go in the integer part only") {
        CHECK(group_thousands("150139000") == "150,139,000");
        CHECK(group_thousands("1000") == "1,000");
        CHECK(group_thousands("999") == "999");
        CHECK(group_thousands("0") == "0");
        CHECK(group_thousands("123456") == "123,456");
        CHECK(group_thousands("1234567.1234567") == "1,234,567.1234567");
    }

    TEST_CASE("thousands separators keep the sign of negatives") {
        CHECK(group_thousands("-404000") == "-404,000");
        CHECK(group_thousands("-100") == "-100");
        CHECK(group_thousands("-1234.5") == "-1,234.5");
    }

    TEST_CASE("small numbers and fractions keep every digit") {
        CHECK(group_thousands("0.00001234") == "0.00001234");
        CHECK(group_thousands("0.1") == "0.1");
        CHECK(format_price("0.00001234") == "0.00001234");
        CHECK(format_price("0.000015") == "0.000015");
    }

    TEST_CASE("prices lose trailing fractional zeros but no significant digit") {
        CHECK(format_price("31883000.00000000") == "31,883,000");
        CHECK(format_price("612.50") == "612.5");
        CHECK(format_price("612.05") == "612.05");
        CHECK(format_price("1000") == "1,000");  // integer zeros are not fractional zeros
        CHECK(format_price("0.0") == "0");
        CHECK(format_price("-0.00") == "0");
        CHECK(format_price("-1500.10") == "-1,500.1");
    }

    TEST_CASE("text that is not a plain decimal is refused") {
        for (const char* bad :
             {"", "-", "1.", ".5", "1e5", "+1", "1,000", "12a", "--1", "1.2.3", " 1"}) {
            CAPTURE(bad);
            CHECK_FALSE(sise::cli::is_plain_decimal(bad));
            CHECK(group_thousands(bad) == std::nullopt);
            CHECK(format_price(bad) == std::nullopt);
            CHECK(format_percent(bad) == std::nullopt);
        }
        CHECK(sise::cli::is_plain_decimal("-0.5"));
    }

    TEST_CASE("percentages round half away from zero on the decimal text") {
        CHECK(format_percent("1.26713295") == "+1.27%");
        CHECK(format_percent("-2.945") == "-2.95%");
        CHECK(format_percent("2.945") == "+2.95%");
        CHECK(format_percent("-2.944999") == "-2.94%");
        CHECK(format_percent("0.005") == "+0.01%");
        CHECK(format_percent("-0.005") == "-0.01%");
        // As a double, 1.005 is 1.00499999999999989...: rounding through double would give 1.00.
        CHECK(format_percent("1.005") == "+1.01%");
    }

    TEST_CASE("percentages get two decimals whatever the input has") {
        CHECK(format_percent("0") == "0.00%");
        CHECK(format_percent("3") == "+3.00%");
        CHECK(format_percent("-3.1") == "-3.10%");
        CHECK(format_percent("12.34") == "+12.34%");
    }

    TEST_CASE("rounding carries through nines into the integer part") {
        CHECK(format_percent("9.995") == "+10.00%");
        CHECK(format_percent("-9.995") == "-10.00%");
        CHECK(format_percent("99.999") == "+100.00%");
        CHECK(format_percent("0.995") == "+1.00%");
        CHECK(format_percent("1999.996") == "+2,000.00%");
    }

    TEST_CASE("a change that rounds to zero shows no sign") {
        CHECK(format_percent("-0.004") == "0.00%");
        CHECK(format_percent("0.0049") == "0.00%");
        CHECK(format_percent("-0") == "0.00%");
        CHECK(format_percent("-0.000") == "0.00%");
    }

}  // TEST_SUITE
