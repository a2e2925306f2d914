#include "sise/cli/text_width.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace sise::cli {
namespace {

struct range {
    char32_t first;
    char32_t last;
};

// Zero-width: combining marks, conjoining Hangul vowels and final consonants (they join
// the leading consonant's cell), zero-width spaces and joiners, variation selectors.
// Sorted, non-overlapping. Checked before the wide table: U+302A..302D lie inside it.
constexpr std::array zero_width{
    range{0x0300, 0x036F},   range{0x0483, 0x0489},   range{0x0591, 0x05BD},
    range{0x05BF, 0x05BF},   range{0x05C1, 0x05C2},   range{0x05C4, 0x05C5},
    range{0x05C7, 0x05C7},   range{0x0610, 0x061A},   range{0x064B, 0x065F},
    range{0x0670, 0x0670},   range{0x06D6, 0x06DC},   range{0x06DF, 0x06E4},
    range{0x06E7, 0x06E8},   range{0x06EA, 0x06ED},   range{0x0E31, 0x0E31},
    range{0x0E34, 0x0E3A},   range{0x0E47, 0x0E4E},   range{0x1160, 0x11FF},
    range{0x1AB0, 0x1AFF},   range{0x1DC0, 0x1DFF},   range{0x200B, 0x200F},
    range{0x202A, 0x202E},   range{0x2060, 0x2064},   range{0x20D0, 0x20FF},
    range{0x302A, 0x302D},   range{0x3099, 0x309A},   range{0xD7B0, 0xD7FF},
    range{0xFE00, 0xFE0F},   range{0xFE20, 0xFE2F},   range{0xFEFF, 0xFEFF},
    range{0xE0001, 0xE0001}, range{0xE0020, 0xE007F}, range{0xE0100, 0xE01EF},
};

// East Asian Wide and Fullwidth (UAX #11): Hangul leading jamo, syllables and
// compatibility jamo, CJK, kana, fullwidth forms, and the emoji shown two columns wide.
constexpr std::array wide{
    range{0x1100, 0x115F},   range{0x231A, 0x231B},   range{0x2329, 0x232A},
    range{0x23E9, 0x23EC},   range{0x23F0, 0x23F0},   range{0x23F3, 0x23F3},
    range{0x25FD, 0x25FE},   range{0x2614, 0x2615},   range{0x2648, 0x2653},
    range{0x267F, 0x267F},   range{0x2693, 0x2693},   range{0x26A1, 0x26A1},
    range{0x26AA, 0x26AB},   range{0x26BD, 0x26BE},   range{0x26C4, 0x26C5},
    range{0x26CE, 0x26CE},   range{0x26D4, 0x26D4},   range{0x26EA, 0x26EA},
    range{0x26F2, 0x26F3},   range{0x26F5, 0x26F5},   range{0x26FA, 0x26FA},
    range{0x26FD, 0x26FD},   range{0x2705, 0x2705},   range{0x270A, 0x270B},
    range{0x2728, 0x2728},   range{0x274C, 0x274C},   range{0x274E, 0x274E},
    range{0x2753, 0x2755},   range{0x2757, 0x2757},   range{0x2795, 0x2797},
    range{0x27B0, 0x27B0},   range{0x27BF, 0x27BF},   range{0x2B1B, 0x2B1C},
    range{0x2B50, 0x2B50},   range{0x2B55, 0x2B55},   range{0x2E80, 0x303E},
    range{0x3041, 0x33FF},   range{0x3400, 0x4DBF},   range{0x4E00, 0x9FFF},
    range{0xA000, 0xA4CF},   range{0xA960, 0xA97F},   range{0xAC00, 0xD7A3},
    range{0xF900, 0xFAFF},   range{0xFE10, 0xFE19},   range{0xFE30, 0xFE6F},
    range{0xFF00, 0xFF60},   range{0xFFE0, 0xFFE6},   range{0x1F004, 0x1F004},
    range{0x1F0CF, 0x1F0CF}, range{0x1F18E, 0x1F18E}, range{0x1F191, 0x1F19A},
    range{0x1F200, 0x1F202}, range{0x1F210, 0x1F23B}, range{0x1F240, 0x1F248},
    range{0x1F250, 0x1F251}, range{0x1F260, 0x1F265}, range{0x1F300, 0x1F64F},
    range{0x1F680, 0x1F6FF}, range{0x1F7E0, 0x1F7EB}, range{0x1F900, 0x1F9FF},
    range{0x1FA70, 0x1FAFF}, range{0x20000, 0x2FFFD}, range{0x30000, 0x3FFFD},
};

template <std::size_t N>
constexpr bool in_table(const std::array<range, N>& table, char32_t cp) noexcept {
    auto it = std::upper_bound(table.begin(), table.end(), cp,
                               [](char32_t value, const range& r) { return value < r.first; });
    return it != table.begin() && cp <= std::prev(it)->last;
}

constexpr bool is_control(char32_t cp) noexcept { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// One step of strict UTF-8 decoding (no overlongs, no surrogates, nothing above U+10FFFF).
// `size` is 1 and `valid` false for a byte that does not start a well-formed sequence.
struct decoded {
    char32_t cp = 0;
    std::size_t size = 1;
    bool valid = false;
};

decoded decode(std::string_view s, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return {b0, 1, true};

    std::size_t size = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    char32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        size = 2;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        size = 3;
        cp = b0 & 0x0Fu;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        size = 4;
        cp = b0 & 0x07u;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return {};
    }
    if (s.size() - i < size) return {};
    for (std::size_t k = 1; k < size; ++k) {
        const unsigned char b = byte(i + k);
        const unsigned char low = k == 1 ? lo : 0x80;
        const unsigned char high = k == 1 ? hi : 0xBF;
        if (b < low || b > high) return {};
        cp = (cp << 6) | (b & 0x3Fu);
    }
    return {cp, size, true};
}

// A plain decimal split into its parts; views into the original text.
struct decimal_parts {
    bool negative = false;
    std::string_view integer;   // at least one digit
    std::string_view fraction;  // digits after '.', possibly empty
};

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::optional<decimal_parts> split_decimal(std::string_view text) noexcept {
    decimal_parts parts;
    if (!text.empty() && text.front() == '-') {
        parts.negative = true;
        text.remove_prefix(1);
    }
    const std::size_t dot = text.find('.');
    parts.integer = text.substr(0, dot);
    if (dot != std::string_view::npos) {
        parts.fraction = text.substr(dot + 1);
        if (parts.fraction.empty()) return std::nullopt;
    }
    if (parts.integer.empty()) return std::nullopt;
    if (!std::all_of(parts.integer.begin(), parts.integer.end(), is_digit)) return std::nullopt;
    if (!std::all_of(parts.fraction.begin(), parts.fraction.end(), is_digit)) return std::nullopt;
    return parts;
}

// "0031" -> "31", "000" -> "0": leading zeros carry nothing for a reader.
std::string_view strip_leading_zeros(std::string_view digits) noexcept {
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    return digits;
}

bool all_zero(std::string_view digits) noexcept {
    return std::all_of(digits.begin(), digits.end(), [](char c) { return c == '0'; });
}

void append_grouped(std::string& out, std::string_view digits) {
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
}

}  // namespace

int codepoint_width(char32_t cp) noexcept {
    if (is_control(cp)) return 0;
    if (cp < 0x0300) return 1;  // fast path: ASCII and Latin-1
    if (in_table(zero_width, cp)) return 0;
    if (in_table(wide, cp)) return 2;
    return 1;
}

std::size_t display_width(std::string_view utf8) noexcept {
    std::size_t width = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const decoded d = decode(utf8, i);
        width += d.valid ? static_cast<std::size_t>(codepoint_width(d.cp)) : 1;
        i += d.size;
    }
    return width;
}

std::string sanitize_for_terminal(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const decoded d = decode(text, i);
        if (!d.valid)
            out += "\xEF\xBF\xBD";  // U+FFFD
        else if (is_control(d.cp))
            out.push_back('?');
        else
            out.append(text.substr(i, d.size));
        i += d.size;
    }
    return out;
}

std::string truncate_to_width(std::string_view utf8, std::size_t width) {
    if (display_width(utf8) <= width) return std::string(utf8);
    if (width == 0) return {};
    const std::size_t room = width - 1;  // one column for the '~' marker
    std::string out;
    std::size_t used = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const decoded d = decode(utf8, i);
        const std::size_t w = d.valid ? static_cast<std::size_t>(codepoint_width(d.cp)) : 1;
        if (used + w > room) break;
        out.append(utf8.substr(i, d.size));
        used += w;
        i += d.size;
    }
    out.push_back('~');
    return out;
}

bool is_plain_decimal(std::string_view text) noexcept { return split_decimal(text).has_value(); }

std::optional<std::string> group_thousands(std::string_view text) {
    const auto parts = split_decimal(text);
    if (!parts) return std::nullopt;
    std::string out;
    out.reserve(text.size() + text.size() / 3);
    if (parts->negative) out.push_back('-');
    append_grouped(out, parts->integer);
    if (!parts->fraction.empty()) {
        out.push_back('.');
        out += parts->fraction;
    }
    return out;
}

std::optional<std::string> format_price(std::string_view text) {
    const auto parts = split_decimal(text);
    if (!parts) return std::nullopt;
    std::string_view fraction = parts->fraction;
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    const std::string_view integer = strip_leading_zeros(parts->integer);

    std::string out;
    if (parts->negative && !(all_zero(integer) && fraction.empty())) out.push_back('-');
    append_grouped(out, integer);
    if (!fraction.empty()) {
        out.push_back('.');
        out += fraction;
    }
    return out;
}

std::optional<std::string> format_percent(std::string_view text) {
    const auto parts = split_decimal(text);
    if (!parts) return std::nullopt;

    // All digits of the result, without the point: integer part, then two decimals.
    std::string digits(parts->integer);
    std::string_view fraction = parts->fraction;
    for (std::size_t i = 0; i < 2; ++i) digits.push_back(i < fraction.size() ? fraction[i] : '0');

    // Half away from zero: the magnitude goes up when the first dropped digit is 5 or more,
    // whatever the sign, so rounding works on the digits alone.
    if (fraction.size() > 2 && fraction[2] >= '5') {
        std::size_t i = digits.size();
        while (i > 0) {
            --i;
            if (digits[i] == '9') {
                digits[i] = '0';
            } else {
                ++digits[i];
                break;
            }
            if (i == 0) digits.insert(digits.begin(), '1');
        }
    }

    const std::string_view integer =
        strip_leading_zeros(std::string_view(digits).substr(0, digits.size() - 2));
    const std::string_view decimals = std::string_view(digits).substr(digits.size() - 2);

    std::string out;
    if (!(all_zero(integer) && all_zero(decimals))) out.push_back(parts->negative ? '-' : '+');
    append_grouped(out, integer);
    out.push_back('.');
    out += decimals;
    out.push_back('%');
    return out;
}

}  // namespace sise::cli
