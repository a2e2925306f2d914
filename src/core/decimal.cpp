// Exact decimal text: the JSON number grammar check, exponent expansion and decimal-point
// shifting all work on characters, so no digit the exchange sent is ever rounded away.
#include "sise/core/decimal.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <system_error>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sise/core/ascii_digits.hpp"

namespace sise {
namespace {

// Far beyond any exponent whose result could fit in max_digits, and small enough that
// position arithmetic in int64 cannot overflow for any frame we accept.
constexpr std::int64_t exponent_clamp = 1'000'000'000;

constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// A plain-notation number split into its parts: [-] int_digits [. frac_digits].
struct plain_parts {
    bool negative = false;
    std::string_view int_digits;
    std::string_view frac_digits;
};

// Writes the number whose digits are int_digits ++ frac_digits, with the decimal point moved
// `shift` places to the right (left when negative). The rule, used for exponents and shifted():
//   - the integer part loses its leading zeros but keeps at least one digit ("000" -> "0");
//   - fraction digits that remain after the point moved are kept, trailing zeros included
//     ("1.50e1" -> "15.0", "0.0012" shifted 2 -> "0.12"); zeros the move creates to the left
//     of the digits become fraction digits ("1.2" shifted -2 -> "0.012", "0" shifted -2 ->
//     "0.00"), zeros created to the right become integer digits ("0.5" shifted 2 -> "50");
//   - no fraction digits left -> no point ("0.00" shifted 2 -> "0");
//   - the sign is kept as written, so "-0.0" stays negative zero.
// Fails when the result would not fit in max_digits characters.
bool render(const plain_parts& in, std::int64_t shift,
            inline_string<decimal::max_digits>& out) noexcept {
    const auto n_int = static_cast<std::int64_t>(in.int_digits.size());
    const auto n = n_int + static_cast<std::int64_t>(in.frac_digits.size());
    const std::int64_t point = n_int + shift;  // digits before the point, may be <= 0 or > n
    auto digit = [&](std::int64_t i) noexcept -> char {
        if (i < 0 || i >= n) return '0';  // zeros the move creates
        return i < n_int ? in.int_digits[static_cast<std::size_t>(i)]
                         : in.frac_digits[static_cast<std::size_t>(i - n_int)];
    };

    // Integer part is virtual positions [first_nonzero, point); "0" when all zeros or empty.
    std::int64_t first_nonzero = point;
    for (std::int64_t i = 0; i < std::min(point, n); ++i) {
        if (digit(i) != '0') {
            first_nonzero = i;
            break;
        }
    }
    const std::int64_t int_len = point > first_nonzero ? point - first_nonzero : 1;
    const std::int64_t frac_len = n > point ? n - point : 0;
    const std::int64_t total = (in.negative ? 1 : 0) + int_len + (frac_len > 0 ? 1 + frac_len : 0);
    if (total > static_cast<std::int64_t>(decimal::max_digits)) return false;

    char buf[decimal::max_digits];
    std::size_t len = 0;
    if (in.negative) buf[len++] = '-';
    if (point > first_nonzero) {
        for (std::int64_t i = first_nonzero; i < point; ++i) buf[len++] = digit(i);
    } else {
        buf[len++] = '0';
    }
    if (frac_len > 0) {
        buf[len++] = '.';
        for (std::int64_t i = point; i < n; ++i) buf[len++] = digit(i);
    }
    return out.assign({buf, len});
}

// How many of the `limit` characters from p are digits before the first other one, eight at a
// time; reads p[0, limit rounded up to 8).
[[gnu::always_inline]] inline std::size_t digit_run(const char* p, std::size_t limit) noexcept {
    for (std::size_t n = 0; n < limit; n += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + n, sizeof w);
        if (const std::uint64_t other = ascii::non_digit_bytes(w); other != 0)
            return std::min(limit, n + static_cast<std::size_t>(std::countr_zero(other) / 8));
    }
    return limit;
}

}  // namespace

// The plain-notation check of assign_json_number_padded for a token of 1 to 16 characters (every
// price a venue sends), with no branch on where its digits end: one 16-byte compare gives the
// positions of the characters that are not digits, and the grammar is a few tests on that mask.
// The digit-run loops it replaces spent a fifth of Bybit's parse time in mispredicted exits
// (perf, issue 15). Reads 16 bytes from p: padded_read covers them.
#if defined(__SSE2__)
[[gnu::always_inline]] inline bool is_plain_number_16(const char* p, std::size_t size) noexcept {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i value = _mm_sub_epi8(bytes, _mm_set1_epi8('0'));  // digits -> 0..9
    const __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(value, _mm_set1_epi8(9)), value);
    const auto is_digit_at = static_cast<unsigned>(_mm_movemask_epi8(digit));
    const auto n = static_cast<unsigned>(size);
    const unsigned first = p[0] == '-' ? 1U : 0U;  // where the integer digits start
    // The token's characters that are not digits, the sign left out; the bit past the end
    // stands for the end, so the integer digits end at the lowest bit either way.
    const unsigned other = ~is_digit_at & ((1U << n) - 1) & ~first;
    const auto end_int = static_cast<unsigned>(std::countr_zero(other | (1U << n)));
    // Combined with & rather than &&: the sign, an integer price or a fraction vary from one
    // value to the next, and a branch on each was mispredicted as often (perf, issue 15).
    // int: "0" or starting with 1-9; then nothing, or one '.' followed by at least one digit.
    const bool int_ok = (end_int > first) & ((end_int == first + 1) | (p[first] != '0'));
    const bool rest_ok =
        (other == 0) | (((other & (other - 1)) == 0) & (p[end_int] == '.') & (end_int + 1 < n));
    return int_ok & rest_ok;
}
#endif

bool decimal::assign_json_number_padded(std::string_view token) noexcept {
#if defined(__SSE2__)
    static_assert(16 <= padded_read);
    if (const std::size_t size = token.size(); size - 1 < 16) {
        if (!is_plain_number_16(token.data(), size)) return assign_json_number(token);
        text_.assign_padded(token);
        return true;
    }
#endif
    if constexpr (std::endian::native == std::endian::little) {
        // [-] int [. frac]: int is "0" or starts with 1-9 (RFC 8259 §6), frac is not empty. The
        // digit runs read at most 8 bytes past a 39-character token: padded_read covers them.
        static_assert(max_digits + 8 <= padded_read);
        const std::size_t size = token.size();
        const char* const p = token.data();
        if (size <= max_digits) {
            std::size_t pos = size > 0 && p[0] == '-' ? 1 : 0;
            const std::size_t n_int = digit_run(p + pos, size - pos);
            if (n_int == 1 || (n_int > 1 && p[pos] != '0')) {
                pos += n_int;
                if (pos == size || (p[pos] == '.' && pos + 1 < size &&
                                    digit_run(p + pos + 1, size - pos - 1) == size - pos - 1)) {
                    text_.assign_padded(token);
                    return true;
                }
            }
        }
    }
    return assign_json_number(token);  // an exponent; anything refused is refused there too
}

bool decimal::assign_units(std::int64_t units, int scale) noexcept {
    if (scale < 0 || scale >= static_cast<int>(max_digits)) return false;
    const auto fraction = static_cast<std::size_t>(scale);
    std::uint64_t magnitude =
        units < 0 ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
    // The digits are written right to left ending at `end`, two per division (a digit at a time
    // was a third of OKX's change cost, issue 15), then zeros up to one integer digit, then the
    // integer digits move one place left for the point. `end` leaves room for 20 digits or
    // `fraction` + 1 of them, the point and the sign; the buffer reaches max_digits past `end`,
    // so the fixed-size copy of assign_padded stays inside it wherever the text starts.
    static constexpr char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    constexpr std::size_t end = max_digits + 3;
    char buffer[end + max_digits];
    std::memset(buffer + end, 0, max_digits);
    std::size_t begin = end;
    while (magnitude >= 100) {
        begin -= 2;
        std::memcpy(buffer + begin, pairs + 2 * (magnitude % 100), 2);
        magnitude /= 100;
    }
    if (magnitude >= 10) {
        begin -= 2;
        std::memcpy(buffer + begin, pairs + 2 * magnitude, 2);
    } else {
        buffer[--begin] = static_cast<char>('0' + magnitude);
    }
    while (end - begin <= fraction) buffer[--begin] = '0';
    if (fraction > 0) {
        const std::size_t integer_digits = end - begin - fraction;
        std::memmove(buffer + begin - 1, buffer + begin, integer_digits);
        --begin;
        buffer[begin + integer_digits] = '.';
    }
    if (units < 0) buffer[--begin] = '-';
    if (end - begin > max_digits) return false;
    return text_.assign_padded(std::string_view(buffer + begin, end - begin));
}

bool decimal::assign_json_number(std::string_view token) noexcept {
    // RFC 8259 §6: number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT )
    plain_parts parts;
    std::size_t pos = 0;
    const std::size_t size = token.size();
    if (pos < size && token[pos] == '-') {
        parts.negative = true;
        ++pos;
    }
    const std::size_t int_begin = pos;
    if (pos < size && token[pos] == '0') {
        ++pos;
    } else if (pos < size && token[pos] >= '1' && token[pos] <= '9') {
        while (pos < size && is_digit(token[pos])) ++pos;
    } else {
        return false;
    }
    parts.int_digits = token.substr(int_begin, pos - int_begin);

    if (pos < size && token[pos] == '.') {
        const std::size_t frac_begin = ++pos;
        while (pos < size && is_digit(token[pos])) ++pos;
        if (pos == frac_begin) return false;
        parts.frac_digits = token.substr(frac_begin, pos - frac_begin);
    }

    bool has_exponent = false;
    std::int64_t exponent = 0;
    if (pos < size && (token[pos] == 'e' || token[pos] == 'E')) {
        has_exponent = true;
        ++pos;
        bool exp_negative = false;
        if (pos < size && (token[pos] == '+' || token[pos] == '-'))
            exp_negative = token[pos++] == '-';
        const std::size_t exp_begin = pos;
        while (pos < size && is_digit(token[pos])) {
            exponent = std::min(exponent * 10 + (token[pos] - '0'), exponent_clamp);
            ++pos;
        }
        if (pos == exp_begin) return false;
        if (exp_negative) exponent = -exponent;
    }
    if (pos != size) return false;

    if (!has_exponent) {
        // Already plain: keep the token verbatim (trailing zeros are the exchange's choice).
        if (size > max_digits) return false;
        text_.assign(token);
        return true;
    }
    return render(parts, exponent, text_);
}

std::optional<decimal> decimal::from_json_number(std::string_view token) noexcept {
    decimal result;
    if (!result.assign_json_number(token)) return std::nullopt;
    return result;
}

std::optional<decimal> decimal::shifted(int places) const noexcept {
    decimal result = *this;
    if (!result.shift(places)) return std::nullopt;
    return result;
}

bool decimal::shift(int places) noexcept {
    if (text_.empty()) return false;
    // text_ is plain notation by construction: [-] digits [. digits]. render() reads the parts
    // (views into text_) into a buffer of its own before it assigns, so writing back is safe.
    const std::string_view text = text_.view();
    const std::size_t sign = text.front() == '-' ? 1 : 0;
    if (const std::size_t dot = text.find('.', sign);
        places > 0 && dot != std::string_view::npos &&
        text.size() - dot - 1 >= static_cast<std::size_t>(places)) {
        // The usual case (Bybit's fraction to percent on every frame): the point moves right
        // within the fraction digits. render()'s rule, without its per-digit position
        // arithmetic: the digits up to the new point lose their leading zeros (one kept), the
        // rest stay as sent. Never longer than the text: it fits.
        char buf[max_digits];
        std::size_t len = 0;
        if (sign != 0) buf[len++] = '-';
        const std::size_t point = dot + 1 + static_cast<std::size_t>(places);
        for (std::size_t i = sign; i < point; ++i) {
            if (i == dot || (text[i] == '0' && len == sign)) continue;
            buf[len++] = text[i];
        }
        if (len == sign) buf[len++] = '0';
        if (point < text.size()) {
            buf[len++] = '.';
            for (std::size_t i = point; i < text.size(); ++i) buf[len++] = text[i];
        }
        return text_.assign({buf, len});
    }
    plain_parts parts;
    const std::size_t pos = sign;
    parts.negative = sign != 0;
    const std::size_t dot = text.find('.', pos);
    if (dot == std::string_view::npos) {
        parts.int_digits = text.substr(pos);
    } else {
        parts.int_digits = text.substr(pos, dot - pos);
        parts.frac_digits = text.substr(dot + 1);
    }
    return render(parts, places, text_);
}

bool decimal::is_zero() const noexcept {
    if (text_.empty()) return false;
    const std::string_view text = text_.view();
    return std::none_of(text.begin(), text.end(), [](char c) { return c >= '1' && c <= '9'; });
}

double decimal::to_double() const noexcept {
    // An empty decimal (field not sent) reads as 0.0; check empty() to tell the two apart.
    double value = 0.0;
    const std::string_view text = text_.view();
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

}  // namespace sise
