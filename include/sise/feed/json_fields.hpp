// Reading one field's value out of an exchange's JSON with simdjson On-Demand, the way every
// adapter needs it: null as absent, prices as a JSON number or a JSON string (Binance, OKX and
// Bybit quote them), epoch milliseconds, keys (as views, or compared with names in place), and
// the check that nothing follows the root value.
#pragma once

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include <simdjson.h>

#include "sise/core/ascii_digits.hpp"
#include "sise/core/decimal.hpp"
#include "sise/core/error.hpp"

namespace sise::feed::json {

namespace od = simdjson::ondemand;

// raw_json_token() runs up to the next token, so it carries the whitespace in between.
inline std::string_view trim_token(std::string_view token) noexcept {
    while (!token.empty()) {
        const char c = token.back();
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        token.remove_suffix(1);
    }
    return token;
}

inline bool is_null(od::value& value) noexcept {
    return trim_token(value.raw_json_token()) == "null";
}

// A value's raw text without consuming it (the object iterator skips it afterwards); `null`
// reads as empty, i.e. absent. Strings come back with their quotes, so a decimal parse of
// them fails: use this where the exchange sends numbers as numbers.
inline std::string_view number_token(od::value& value) noexcept {
    const std::string_view token = trim_token(value.raw_json_token());
    return token == "null" ? std::string_view{} : token;
}

// True when `text` holds a backslash. Run on every key and quoted value, so it reads eight
// bytes at a time (the last word overlaps the one before; nothing past `text` is read):
// profiles showed a byte loop, and before it a memchr call, as the adapters' field loops'
// largest cost. A word has a backslash byte iff (w ^ '\\'...) has a zero byte, which the
// classic (v - 0x01..) & ~v & 0x80.. tells exactly, whatever the byte order.
inline bool has_backslash(std::string_view text) noexcept {
    const char* p = text.data();
    const std::size_t n = text.size();
    if (n < 8) {
        for (std::size_t i = 0; i < n; ++i)
            if (p[i] == '\\') return true;
        return false;
    }
    auto word_has = [](const char* at) noexcept {
        std::uint64_t w;
        std::memcpy(&w, at, sizeof w);
        const std::uint64_t v = w ^ 0x5C5C5C5C5C5C5C5CULL;
        return ((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL) != 0;
    };
    for (std::size_t i = 0; i + 8 <= n; i += 8)
        if (word_has(p + i)) return true;
    return word_has(p + n - 8);
}

// has_backslash for text inside a simdjson document (padded by SIMDJSON_PADDING, so a word may
// be read past its end): whole words only, the bytes past the end masked off, so the loop runs
// once for the symbols and names of 1 to 8 characters whatever their length; a byte loop's exit
// mispredicted per string (issue 15).
inline bool has_backslash_in_document(std::string_view text) noexcept {
    if constexpr (std::endian::native != std::endian::little) {
        return has_backslash(text);
    } else {
        const char* p = text.data();
        const std::size_t n = text.size();
        for (std::size_t i = 0; i < n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, p + i, sizeof w);
            std::uint64_t v = w ^ 0x5C5C5C5C5C5C5C5CULL;             // backslashes -> 0
            if (n - i < 8) v |= ~std::uint64_t{0} << (8 * (n - i));  // past the end: never 0
            if (((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL) != 0) return true;
        }
        return false;
    }
}

// The decimal in a JSON number or in a JSON string holding one ("0.1234"). An empty text,
// null or "" reads as absent (ok, `out` untouched); anything else is bad_number. A quoted
// price (every one a venue sends) is read between its quotes, without simdjson's unescaping
// copy, and left for the object iterator to skip; only a string the number grammar refuses
// that holds an escape is unescaped and tried again.
// Tokens lie in the document's buffer, padded by SIMDJSON_PADDING: the decimal's padded read
// stays inside it. A string unescaped into the parser's own buffer takes the unpadded read.
static_assert(simdjson::SIMDJSON_PADDING >= decimal::padded_read);
inline errc read_decimal(od::value& value, decimal& out) noexcept {
    std::string_view text = number_token(value);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        const std::string_view inner = text.substr(1, text.size() - 2);
        if (inner.empty() || out.assign_json_number_padded(inner)) return errc::ok;
        if (!has_backslash(inner) || value.get_string().get(text)) return errc::bad_number;
        return text.empty() || out.assign_json_number(text) ? errc::ok : errc::bad_number;
    }
    if (text.empty() || out.assign_json_number_padded(text)) return errc::ok;
    return errc::bad_number;
}

// 1 to 18 ASCII digits (leading zeros allowed) read as they are checked; false, `out` untouched,
// for anything else. The fast path of every epoch field: from_chars or the exact decimal cost
// hundreds of instructions a timestamp, and a byte loop ~6 a digit (callgrind, issue 15): 9 to
// 16 digits (every millisecond timestamp, most sequence numbers) are two overlapping words, the
// second with the digits the first already read masked to zero.
inline bool read_plain_digits(std::string_view text, std::int64_t& out) noexcept {
    const std::size_t n = text.size();
    if (n == 0 || n > 18) return false;
    if constexpr (std::endian::native == std::endian::little) {
        if (n > 8 && n <= 16) {
            std::uint64_t first, last;
            std::memcpy(&first, text.data(), sizeof first);
            std::memcpy(&last, text.data() + n - 8, sizeof last);
            // The bytes of `last` that `first` read become '0' (value 0, still a digit).
            const unsigned shared = static_cast<unsigned>(16 - n);  // 0..7 bytes
            const std::uint64_t keep = ~std::uint64_t{0} << (8 * shared);
            last = (last & keep) | (0x3030303030303030ULL & ~keep);
            if ((ascii::non_digit_bytes(first) | ascii::non_digit_bytes(last)) != 0) return false;
            constexpr std::uint64_t pow10[] = {1,      10,      100,      1000,     10000,
                                               100000, 1000000, 10000000, 100000000};
            out = static_cast<std::int64_t>(ascii::eight_digits_value(first) * pow10[n - 8] +
                                            ascii::eight_digits_value(last));
            return true;
        }
    }
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

// Epoch milliseconds from a number token (or the digits of a string): any JSON number whose
// exact value is an integer that fits int64 ("1.7e12" included).
inline bool parse_epoch_ms(std::string_view token, std::int64_t& out) noexcept {
    // The usual spelling, plain digits without a leading zero, read at once (callgrind: the
    // exact-decimal route below was ~440 instructions per timestamp, Bybit reads two a frame);
    // an exponent, a fraction or a sign takes that route.
    if ((token.size() == 1 || (!token.empty() && token.front() != '0')) &&
        read_plain_digits(token, out))
        return true;
    decimal d;
    if (!d.assign_json_number(token)) return false;
    const std::string_view text = d.text();
    if (text.find('.') != std::string_view::npos) return false;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return false;
    out = value;
    return true;
}

// The same from a value that may be a number or a string ("1700000000000"); null/absent
// leaves `out` untouched.
inline errc read_epoch_ms(od::value& value, std::int64_t& out) noexcept {
    std::string_view text = number_token(value);
    if (text.size() >= 2 && text.front() == '"') {
        if (value.get_string().get(text)) return errc::bad_number;
    }
    if (text.empty()) return errc::ok;
    return parse_epoch_ms(text, out) ? errc::ok : errc::bad_number;
}

// read_string's way for a string with an escape (or a value that is not a string): simdjson's
// unescaping copy into its own buffer; nullopt for a value that is not a string.
[[gnu::noinline]] inline std::optional<std::string_view> unescaped_string(
    od::value& value) noexcept {
    std::string_view unescaped;
    if (value.get_string().get(unescaped)) return std::nullopt;
    return unescaped;
}

// A string's text as the frame spells it when it holds no escape (no unescaping copy: the
// view points into the frame), else unescaped by simdjson. A value of another type is an
// error. Valid until the next iterate(). Inlined, and no address of a local view taken: a view
// written to memory in two halves and read back whole is a store-forwarding stall, which perf
// showed at each of Bybit's three strings a frame (issue 15).
[[gnu::always_inline]] inline bool read_string(od::value& value, std::string_view& out) noexcept {
    const std::string_view token = trim_token(value.raw_json_token());
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
        const std::string_view inner = token.substr(1, token.size() - 2);
        if (!has_backslash_in_document(inner)) {
            out = inner;
            return true;
        }
    }
    const auto unescaped = unescaped_string(value);
    if (!unescaped) return false;
    out = *unescaped;
    return true;
}

// read_string as the adapters' field readers report: malformed_frame for a value that is not a
// string; the optional form is set (never reset) by a string.
inline errc string_field(od::value& value, std::string_view& out) noexcept {
    return read_string(value, out) ? errc::ok : errc::malformed_frame;
}
inline errc string_field(od::value& value, std::optional<std::string_view>& out) noexcept {
    std::string_view s;
    if (!read_string(value, s)) return errc::malformed_frame;
    out = s;
    return errc::ok;
}

// A string field, or nullopt for null; a value of another type is malformed.
inline errc read_optional_string(od::value& value, std::optional<std::string_view>& out) noexcept {
    if (is_null(value)) {
        out.reset();
        return errc::ok;
    }
    std::string_view s;
    if (!read_string(value, s)) return errc::malformed_frame;
    out = s;
    return errc::ok;
}

// One field of an object being iterated, without copies: its key as the frame spells it (no
// unescaping copy; a key holding a backslash is unescaped as before) and its value in place.
// For a loop that needs the key as a view (its length, a lookup, REST bodies); one that only
// compares keys with names takes key_reader below, which does not look for the key's end.
// Copying the value out of the simdjson_result (`field.value().get(v)`) costs a store-forwarding
// stall per field, which perf showed as the largest single cost of the adapters' field loops.
// The key's end is its first '"' or '\\', found eight bytes at a time: the key lies in the
// document, padded by SIMDJSON_PADDING, so reading up to seven bytes past its closing quote
// stays inside the buffer (before: a backward search from the value for the quote, then a
// byte loop for a backslash; both loop exits mispredicted per field, issue 15).
// Null when the field is in error; the pointer is valid until the loop moves on.
[[gnu::always_inline]] inline od::value* field_parts(simdjson::simdjson_result<od::field>& result,
                                                     std::string_view& key) noexcept {
    if (result.error()) return nullptr;
    od::field& field = result.value_unsafe();
    const char* const begin = field.key().raw();  // just past the opening quote
    std::size_t n = 0;
    if constexpr (std::endian::native != std::endian::little) {
        while (begin[n] != '"' && begin[n] != '\\') ++n;
    } else {
        for (;; n += 8) {
            std::uint64_t w;
            std::memcpy(&w, begin + n, sizeof w);
            const std::uint64_t q = w ^ 0x2222222222222222ULL;  // '"' bytes -> 0
            const std::uint64_t b = w ^ 0x5C5C5C5C5C5C5C5CULL;  // '\\' bytes -> 0
            const std::uint64_t stop =
                ((q - 0x0101010101010101ULL) & ~q) | ((b - 0x0101010101010101ULL) & ~b);
            if (const std::uint64_t high = stop & 0x8080808080808080ULL; high != 0) {
                // The lowest flagged byte is exact (a borrow only flags bytes above a zero).
                n += static_cast<std::size_t>(std::countr_zero(high) / 8);
                break;
            }
        }
    }
    key = std::string_view(begin, n);
    if (begin[n] == '\\' && field.unescaped_key().get(key)) return nullptr;
    return &field.value();
}

// A field's key as an adapter compares it with the names it reads: a pointer to the key's
// characters followed by a '"', so that equality with a literal is a fixed-size compare of the
// literal and that quote, with no length to find first. Finding each key's end was the largest
// cost of the OKX and Bybit field loops after the values themselves (issue 15). A key never
// matches a literal holding '"' or NUL, and no adapter compares with one.
class field_key {
public:
    field_key() noexcept : text_(nothing) {}
    explicit field_key(const char* text) noexcept : text_(text) {}

    // The first character; '"' for the empty key.
    char front() const noexcept { return text_[0]; }

    template <std::size_t N>
    bool operator==(const char (&literal)[N]) const noexcept {
        static_assert(N >= 1 && N <= simdjson::SIMDJSON_PADDING);
        return std::memcmp(text_, literal, N - 1) == 0 && text_[N - 1] == '"';
    }

private:
    // Matches no literal: NUL first, and as long as any compare reads.
    static constexpr char nothing[simdjson::SIMDJSON_PADDING] = {'\0', '"'};

    // In the document (padded: a compare may read up to SIMDJSON_PADDING bytes past the
    // key), in the reader's own copy of an unescaped key (as long), or `nothing`.
    const char* text_;
};

// The fields of one frame, read as field_keys. A frame without a backslash (all but hostile
// ones; one memchr a frame) hands out keys in place. Otherwise each key is checked for an
// escape, and one that holds one is unescaped into the reader's buffer, quote-terminated; a
// key longer than the buffer or holding '"' or NUL once unescaped matches nothing (no name an
// adapter reads is like that).
class key_reader {
public:
    explicit key_reader(std::string_view frame) noexcept
        : escapes_(std::memchr(frame.data(), '\\', frame.size()) != nullptr) {}

    // The field's key and its value in place; null when the field is in error. The key is
    // valid until the next read, the value until the loop moves on.
    [[gnu::always_inline]] od::value* read(simdjson::simdjson_result<od::field>& result,
                                           field_key& key) noexcept {
        if (result.error()) return nullptr;
        od::field& field = result.value_unsafe();
        if (!escapes_) [[likely]] {
            key = field_key(field.key().raw());
            return &field.value();
        }
        return read_escaped(field, key);
    }

private:
    od::value* read_escaped(od::field& field, field_key& key) noexcept {
        const char* const begin = field.key().raw();
        std::size_t n = 0;
        while (begin[n] != '"' && begin[n] != '\\') ++n;
        if (begin[n] == '"') {
            key = field_key(begin);
            return &field.value();
        }
        std::string_view text;
        if (field.unescaped_key().get(text)) return nullptr;
        key = field_key();
        if (text.size() < sizeof copy_ &&
            text.find_first_of(std::string_view("\"\0", 2)) == std::string_view::npos) {
            std::memcpy(copy_, text.data(), text.size());
            std::memset(copy_ + text.size(), '"', sizeof copy_ - text.size());
            key = field_key(copy_);
        }
        return &field.value();
    }

    bool escapes_;
    char copy_[simdjson::SIMDJSON_PADDING];
};

// On-Demand only validates what it visits; make sure nothing follows the root value
// (e.g. two objects glued together in one frame).
inline bool at_document_end(od::document& doc) noexcept {
    const char* location = nullptr;
    return doc.current_location().get(location) != simdjson::SUCCESS;
}

}  // namespace sise::feed::json
