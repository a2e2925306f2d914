// The JSON field readers adapters share: numbers or strings, nulls, epoch ms, document end.
#include "sise/feed/json_fields.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = sise::feed::json;
using sise::errc;

// Runs `read` on the value of key "v" in `{"v":<value>}`.
template <typename Read>
errc read_v(const std::string& value_text, Read&& read) {
    const simdjson::padded_string text(R"({"v":)" + value_text + "}");
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    simdjson::ondemand::value value;
    REQUIRE_FALSE(parser.iterate(text).get(doc));
    REQUIRE_FALSE(doc["v"].get(value));
    return read(value);
}

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a decimal reads the same from a JSON number and from a JSON string") {
        for (const std::string text :
             {"42000.50", "\"42000.50\"", "4.200050e4 ", "\"4.200050e4\""}) {
            sise::decimal d;
            CHECK(read_v(text, [&](auto& v) { return json::read_decimal(v, d); }) == errc::ok);
            CHECK(d.text() == "42000.50");
        }
    }

    TEST_CASE("a decimal string with an escape reads as its unescaped digits") {
        // \u0035 is '5': the quick path (digits between the quotes) must not take this one.
        sise::decimal d;
        CHECK(read_v(R"("4200\u0035.5")", [&](auto& v) { return json::read_decimal(v, d); }) ==
              errc::ok);
        CHECK(d.text() == "42005.5");
    }

    TEST_CASE("field parts give each key as sent, escaped keys unescaped, and the value") {
        const simdjson::padded_string text(
            std::string(R"({"c" : "1.5", "acc_trade_price_24h":2,"\u0063d":"x","k\"q":null})"));
        simdjson::ondemand::parser parser;
        simdjson::ondemand::document doc;
        simdjson::ondemand::object object;
        REQUIRE_FALSE(parser.iterate(text).get(doc));
        REQUIRE_FALSE(doc.get_object().get(object));
        std::vector<std::string> keys, values;
        for (auto field : object) {
            std::string_view key;
            simdjson::ondemand::value* value = json::field_parts(field, key);
            REQUIRE(value != nullptr);
            keys.emplace_back(key);
            values.emplace_back(json::trim_token(value->raw_json_token()));
        }
        CHECK(keys == std::vector<std::string>{"c", "acc_trade_price_24h", "cd", "k\"q"});
        CHECK(values == std::vector<std::string>{"\"1.5\"", "2", "\"x\"", "null"});
        CHECK(json::at_document_end(doc));
    }

    TEST_CASE("field parts find the key's end at every length, and an escape at any position") {
        // field_parts reads the key eight bytes at a time: its closing quote may fall at any byte
        // of a word, and a backslash before it sends the key to simdjson's unescaping.
        simdjson::ondemand::parser parser;
        for (std::size_t n = 0; n <= 24; ++n) {
            const std::string plain(n, 'k');
            std::string json = "{\"" + plain + "\":1";
            for (std::size_t at = 0; at < n; ++at) {  // 'k' spelled \u006b at `at`
                json += ",\"" + plain.substr(0, at) + "\\u006b" + plain.substr(at + 1) + "\":2";
            }
            json += "}";
            const simdjson::padded_string text(json);
            simdjson::ondemand::document doc;
            simdjson::ondemand::object object;
            REQUIRE_FALSE(parser.iterate(text).get(doc));
            REQUIRE_FALSE(doc.get_object().get(object));
            std::size_t fields = 0;
            for (auto field : object) {
                std::string_view key;
                simdjson::ondemand::value* value = json::field_parts(field, key);
                REQUIRE(value != nullptr);
                CHECK_MESSAGE(key == plain, n << " field " << fields);
                ++fields;
            }
            CHECK(fields == n + 1);
            CHECK(json::at_document_end(doc));
        }
    }

    TEST_CASE("a key reader's keys equal exactly the names they spell, escaped or not") {
        // Each frame: which literal every key equals, read in place (no backslash in the frame)
        // or checked key by key (a backslash anywhere, even in a value).
        const auto names_of = [](const std::string& json) {
            const simdjson::padded_string text(json);
            simdjson::ondemand::parser parser;
            simdjson::ondemand::document doc;
            simdjson::ondemand::object object;
            std::vector<std::string> names;
            REQUIRE_FALSE(parser.iterate(text).get(doc));
            REQUIRE_FALSE(doc.get_object().get(object));
            json::key_reader keys(std::string_view(text.data(), text.size()));
            for (auto field : object) {
                json::field_key k;
                REQUIRE(keys.read(field, k) != nullptr);
                std::string name = "?";
                if (k == "") name = "(empty)";
                if (k == "las") name = "las";
                if (k == "last") name = "last";
                if (k == "lastSz") name = "lastSz";
                if (k == "price24hPcnt") name = "price24hPcnt";
                names.push_back(name);
            }
            CHECK(json::at_document_end(doc));
            return names;
        };
        using names = std::vector<std::string>;
        CHECK(names_of(R"({"last":1,"lastSz":2,"las":3,"":4,"lastX":5,"price24hPcnt":6})") ==
              names{"last", "lastSz", "las", "(empty)", "?", "price24hPcnt"});
        // A backslash in a value: every key checked, the plain ones still read in place.
        CHECK(names_of(R"({"last":"a\nb","lastSz":2,"l":3})") == names{"last", "lastSz", "?"});
        // Escaped keys: unescaped first; a quote or NUL inside, or a key too long to copy,
        // matches nothing.
        CHECK(names_of(R"({"l\u0061st":1,"last\"":2,"last\u0000":3,"\u006Cas":4,"la\/st":5})") ==
              names{"last", "?", "?", "las", "?"});
        const std::string long_key(200, 'x');
        CHECK(names_of(R"({"\u0078)" + long_key + R"(":1,"last":2})") == names{"?", "last"});
        // A key at the very end of the document: compares read into simdjson's padding only.
        CHECK(names_of(R"({"price24hPcnt":0})") == names{"price24hPcnt"});
    }

    TEST_CASE("null and the empty string are an absent decimal, other text a bad number") {
        for (const std::string text : {"null", "\"\""}) {
            sise::decimal d = *sise::decimal::from_json_number("7");
            CHECK(read_v(text, [&](auto& v) { return json::read_decimal(v, d); }) == errc::ok);
            CHECK(d.text() == "7");
        }
        for (const std::string text : {"\"abc\"", "true", "\"1.\"", "\" 1\"", "[1]", "{}"}) {
            sise::decimal d;
            CHECK_MESSAGE(
                read_v(text, [&](auto& v) { return json::read_decimal(v, d); }) == errc::bad_number,
                text);
        }
    }

    TEST_CASE("epoch milliseconds read from integers, exponents and strings, not fractions") {
        std::int64_t ms = 0;
        CHECK(read_v("1700000000123", [&](auto& v) { return json::read_epoch_ms(v, ms); }) ==
              errc::ok);
        CHECK(ms == 1700000000123);
        CHECK(read_v("\"1700000000124\"", [&](auto& v) { return json::read_epoch_ms(v, ms); }) ==
              errc::ok);
        CHECK(ms == 1700000000124);
        CHECK(read_v("1.7e12", [&](auto& v) { return json::read_epoch_ms(v, ms); }) == errc::ok);
        CHECK(ms == 1700000000000);
        CHECK(read_v("null", [&](auto& v) { return json::read_epoch_ms(v, ms); }) == errc::ok);
        CHECK(ms == 1700000000000);
        CHECK(read_v("1.5", [&](auto& v) { return json::read_epoch_ms(v, ms); }) ==
              errc::bad_number);
        CHECK(read_v("99999999999999999999", [&](auto& v) { return json::read_epoch_ms(v, ms); }) ==
              errc::bad_number);
    }

    TEST_CASE("plain digits and every other spelling of an epoch read the same way") {
        // Plain digits take a shortcut; the exact-decimal route decides everything else.
        std::int64_t ms = -1;
        CHECK(json::parse_epoch_ms("0", ms));
        CHECK(ms == 0);
        CHECK(json::parse_epoch_ms("999999999999999999", ms));  // 18 digits
        CHECK(ms == 999'999'999'999'999'999);
        CHECK(json::parse_epoch_ms("9223372036854775807", ms));  // 19: the long way
        CHECK(ms == INT64_MAX);
        CHECK(json::parse_epoch_ms("-5", ms));
        CHECK(ms == -5);
        CHECK(json::parse_epoch_ms("17e2", ms));
        CHECK(ms == 1700);
        ms = 42;
        CHECK_FALSE(json::parse_epoch_ms("007", ms));  // no leading zeros in JSON
        CHECK_FALSE(json::parse_epoch_ms("12a", ms));
        CHECK_FALSE(json::parse_epoch_ms("", ms));
        CHECK_FALSE(json::parse_epoch_ms("9223372036854775808", ms));
        CHECK(ms == 42);
    }

    TEST_CASE("plain digits read a word at a time agree with a digit-by-digit read") {
        // Every length 1..18, every digit position: the value, and one byte that is not a digit
        // (each neighbour of '0'..'9' in the byte range, and a high byte) refused at each place.
        const auto reference = [](std::string_view text, std::int64_t& out) {
            const bool digits =
                !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
            return digits &&
                   std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc{};
        };
        for (std::size_t n = 1; n <= 19; ++n) {
            for (const char first : {'0', '1', '9'}) {
                std::string digits(n, '0');
                for (std::size_t i = 0; i < n; ++i)
                    digits[i] = static_cast<char>(
                        '0' + (static_cast<std::size_t>(first - '0') + 7 * i) % 10);
                std::int64_t got = -1, want = -2;
                const bool ok = json::read_plain_digits(digits, got);
                CHECK(ok == reference(digits, want));
                if (ok) CHECK(got == want);
                for (std::size_t at = 0; at < n; ++at)
                    for (const char bad : {'/', ':', '\x00', '\xb5', ' ', 'a'}) {
                        std::string text = digits;
                        text[at] = bad;
                        std::int64_t untouched = 42;
                        CHECK_FALSE(json::read_plain_digits(text, untouched));
                        CHECK(untouched == 42);
                    }
            }
        }
        std::int64_t ms = 0;
        CHECK(json::read_plain_digits("1700000000123", ms));
        CHECK(ms == 1'700'000'000'123);
        CHECK(json::read_plain_digits("9999999999999999", ms));  // 16: two full words
        CHECK(ms == 9'999'999'999'999'999);
    }

    TEST_CASE("an optional string is reset by null and refuses other types") {
        std::optional<std::string_view> s = "x";
        CHECK(read_v("null", [&](auto& v) { return json::read_optional_string(v, s); }) ==
              errc::ok);
        CHECK_FALSE(s);
        std::string copy;  // the view dies with the parser
        CHECK(read_v("\"KRW-BTC\"", [&](auto& v) {
                  const errc e = json::read_optional_string(v, s);
                  if (s) copy = *s;
                  return e;
              }) == errc::ok);
        CHECK(copy == "KRW-BTC");
        CHECK(read_v("1", [&](auto& v) { return json::read_optional_string(v, s); }) ==
              errc::malformed_frame);
    }

    TEST_CASE("a string reads in place without escapes and unescaped with them") {
        for (const auto& [text, want] :
             {std::pair{std::string(R"("24hrTicker")"), std::string("24hrTicker")},
              std::pair{std::string(R"("BTC\u0055SDT")"), std::string("BTCUSDT")},
              std::pair{std::string(R"("a\"b")"), std::string("a\"b")},
              std::pair{std::string(R"("")"), std::string()}}) {
            std::string got;
            CHECK(read_v(text, [&](auto& v) {
                      std::string_view s;
                      const bool ok = json::read_string(v, s);
                      got = s;
                      return ok ? errc::ok : errc::malformed_frame;
                  }) == errc::ok);
            CHECK_MESSAGE(got == want, text);
        }
        CHECK(read_v("12", [&](auto& v) {
                  std::string_view s;
                  return json::read_string(v, s) ? errc::ok : errc::malformed_frame;
              }) == errc::malformed_frame);
    }

    TEST_CASE("the backslash checks agree with a byte loop at every length and position") {
        // The word-at-a-time check must neither miss a backslash at any offset nor see one in
        // bytes next to it in value ('[' ']' '|' 0xDC 0x5B..) or in what follows the view.
        const auto reference = [](std::string_view t) {
            return t.find('\\') != std::string_view::npos;
        };
        const std::string fillers[] = {
            "a", "]", "[", "|", "\xDC", "\x5D\x5B", std::string(1, '\0')};
        for (std::size_t n = 0; n <= 40; ++n) {
            for (const std::string& filler : fillers) {
                std::string text;
                while (text.size() < n) text += filler;
                text.resize(n);
                const std::string padded = text + "\\\\\\\\\\\\\\\\";  // a backslash right after
                const std::string_view view(padded.data(), n);
                CHECK_MESSAGE(json::has_backslash(view) == reference(view), n);
                CHECK_MESSAGE(json::has_backslash_in_document(view) == reference(view), n);
                for (std::size_t at = 0; at < n; ++at) {
                    std::string with = text;
                    with[at] = '\\';
                    CHECK_MESSAGE(json::has_backslash(with), n << " at " << at);
                    with += std::string(8, 'a');  // the word read past the end stays in the string
                    CHECK_MESSAGE(json::has_backslash_in_document({with.data(), n}),
                                  n << " at " << at);
                }
            }
        }
    }

    TEST_CASE("the document-end check catches a second value glued to the first") {
        simdjson::ondemand::parser parser;
        for (const auto& [text, whole] : {std::pair{std::string("{\"a\":1}"), true},
                                          std::pair{std::string("{\"a\":1}{}"), false},
                                          std::pair{std::string("{\"a\":1} "), true}}) {
            const simdjson::padded_string padded(text);
            simdjson::ondemand::document doc;
            simdjson::ondemand::object object;
            REQUIRE_FALSE(parser.iterate(padded).get(doc));
            REQUIRE_FALSE(doc.get_object().get(object));
            for (auto field : object) (void)field;
            CHECK_MESSAGE(json::at_document_end(doc) == whole, text);
        }
    }
}
