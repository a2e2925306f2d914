// Feeds arbitrary bytes to decimal::from_json_number. When a token is accepted: the text is
// plain (no exponent), within max_digits, a fixed point of the parser, converts to the same
// double as the token itself, and shifting there and back keeps the value. The padded read
// agrees with the plain read on every input, and shifting in place with the exponent expansion.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sise/core/decimal.hpp"

namespace {

void check(bool ok, const char* what, std::string_view input) {
    if (!ok) {
        std::fprintf(stderr, "contract violated: %s for input '%.*s'\n", what,
                     static_cast<int>(input.size()), input.data());
        std::abort();
    }
}

// Same value, one spelling: trailing fraction zeros and a dangling point removed.
std::string canonical(std::string_view text) {
    std::string s(text);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks a shift in [-64, 63]; the rest is the token.
    const int places = static_cast<int>(data[0] & 0x7F) - 64;
    const std::string_view token(reinterpret_cast<const char*>(data + 1), size - 1);

    const auto d = sise::decimal::from_json_number(token);

    // The padded read, on the token inside a buffer readable padded_read bytes past its start.
    std::vector<char> padded(token.begin(), token.end());
    padded.resize(token.size() + sise::decimal::padded_read, '\0');
    auto fast = *sise::decimal::from_json_number("42");
    const bool fast_ok = fast.assign_json_number_padded({padded.data(), token.size()});
    check(fast_ok == d.has_value(), "padded read accepts differently", token);
    check(fast.text() == (d ? d->text() : std::string_view("42")), "padded read differs", token);

    if (!d) return 0;
    const std::string_view text = d->text();
    check(!text.empty() && text.size() <= sise::decimal::max_digits, "length", token);
    check(text.find_first_of("eE") == std::string_view::npos, "exponent kept", token);
    if (token.find_first_of("eE") == std::string_view::npos)
        check(text == token, "not verbatim", token);

    const auto again = sise::decimal::from_json_number(text);
    check(again && *again == *d, "plain text not a fixed point", token);

    const double value = d->to_double();
    check(!std::isnan(value), "NaN", token);
    double expected = 0.0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), expected);
    check(ec == std::errc{} && end == token.data() + token.size(), "from_chars on token", token);
    check(value == expected && std::signbit(value) == std::signbit(expected), "double differs",
          token);
    check(d->is_zero() == (value == 0.0), "is_zero", token);
    check(d->negative() == (token.front() == '-'), "sign", token);

    // Shifting in place is the exponent expansion of the plain text.
    auto moved = *d;
    const bool moved_ok = moved.shift(places);
    const auto by_exponent =
        sise::decimal::from_json_number(std::string(text) + "e" + std::to_string(places));
    check(moved_ok == by_exponent.has_value(), "shift accepts differently", token);
    check(moved.text() == (by_exponent ? by_exponent->text() : text), "shift differs", token);

    for (int k : {2, places}) {
        const auto there = d->shifted(k);
        if (!there) continue;
        check(there->text().find_first_of("eE") == std::string_view::npos, "shift exponent", token);
        const auto back = there->shifted(-k);
        if (!back) continue;
        check(canonical(back->text()) == canonical(text), "shift round trip", token);
    }
    return 0;
}
