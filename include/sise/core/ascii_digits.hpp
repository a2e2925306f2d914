// Eight ASCII characters at a time, in one 64-bit word (the first character in the lowest byte):
// which of them are not digits, and the value of eight digits. Shared by the exact decimal's
// grammar check and the epoch-digit read, the two places a price or a timestamp is read per frame.
#pragma once

#include <cstdint>

namespace sise::ascii {

// 0x80 in each byte of w that is not an ASCII digit, 0 in each that is. x = w ^ '0' maps the
// digits to 0..9; a byte of x is 10 or more iff its low seven bits plus 0x76 reach 0x80 (no carry
// between bytes: at most 0x7F + 0x76) or its high bit is set.
constexpr std::uint64_t non_digit_bytes(std::uint64_t w) noexcept {
    const std::uint64_t x = w ^ 0x3030303030303030ULL;
    return (((x & 0x7F7F7F7F7F7F7F7FULL) + 0x7676767676767676ULL) | x) & 0x8080808080808080ULL;
}

// The value of eight digits (non_digit_bytes(w) == 0), the first the most significant: the
// classic folds of pairs, quads and halves, three multiplies.
constexpr std::uint64_t eight_digits_value(std::uint64_t w) noexcept {
    const std::uint64_t d = w - 0x3030303030303030ULL;
    std::uint64_t v = (d * 10 + (d >> 8)) & 0x00FF00FF00FF00FFULL;  // pairs
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;              // quads
    return (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;                 // all eight
}

static_assert(non_digit_bytes(0x3736353433323130ULL) == 0);                      // "01234567"
static_assert(non_digit_bytes(0x373635342E323130ULL) == 0x0000000080000000ULL);  // "012.4567"
static_assert(eight_digits_value(0x3837363534333231ULL) == 12345678);            // "12345678"

}  // namespace sise::ascii
