// A decimal number kept as the exact text the exchange sent, so prices shown to people
// and written to history keep their digits (no 0.30000000000000004, no 1.5e-05).
// Doubles are derived on demand, for arithmetic only.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sise/core/inline_string.hpp"

namespace sise {

class decimal {
public:
    // Longest plain-notation number we keep; longer inputs are rejected by the parser.
    static constexpr std::size_t max_digits = 39;

    constexpr decimal() = default;

    // Accepts a JSON number token (RFC 8259 grammar, surrounding whitespace not allowed)
    // and keeps it in plain notation: an exponent is expanded exactly ("1.5e-05" ->
    // "0.000015"), other digits are kept as sent. Returns nullopt for anything else, or
    // when the plain form would exceed max_digits characters.
    static std::optional<decimal> from_json_number(std::string_view token) noexcept;

    // The same, written straight into this decimal: true and replaced on success, false and
    // untouched otherwise. The adapters' per-frame form: no temporary to copy, so none of the
    // store-forwarding stalls a copy of freshly written bytes costs (perf showed them as the
    // largest part of a price's cost).
    bool assign_json_number(std::string_view token) noexcept;

    // Bytes assign_json_number_padded may read from token.data(), whatever the token's size.
    static constexpr std::size_t padded_read = 48;

    // The same result, for a token lying in a buffer readable padded_read bytes from its start
    // (a value inside a simdjson document, which is padded by 64). The usual spelling of a
    // price ([-]int[.frac], no exponent) is checked eight characters at a time and copied in one
    // fixed-size move: no loop exit per character to mispredict, no memmove call (perf and
    // callgrind: the per-character check was most of a short frame's cost beyond the bare
    // walk, issue 15). Anything else takes assign_json_number.
    bool assign_json_number_padded(std::string_view token) noexcept;

    // The fixed-point value `units` x 10^-scale written directly ("-4556" at 1: "-455.6", 5 at 3:
    // "0.005", zero unsigned): the text sise computes itself (OKX's change and percent) needs no
    // grammar check. True and replaced on success; false and untouched for a scale outside
    // [0, max_digits) or a text longer than max_digits.
    bool assign_units(std::int64_t units, int scale) noexcept;

    // The same value multiplied by 10^places, computed on the text (exact). Used to turn
    // an exchange's fraction (0.0126713295) into percent (1.26713295).
    std::optional<decimal> shifted(int places) const noexcept;
    // The same in place: true and replaced on success; false and untouched for an empty decimal
    // or a result longer than max_digits. No optional to copy out of (an adapter's per-frame form).
    bool shift(int places) noexcept;

    std::string_view text() const noexcept { return text_.view(); }
    bool empty() const noexcept { return text_.empty(); }
    bool negative() const noexcept { return !text_.empty() && text_.view().front() == '-'; }
    bool is_zero() const noexcept;
    double to_double() const noexcept;

    friend bool operator==(const decimal& a, const decimal& b) noexcept {
        return a.text_ == b.text_;
    }

private:
    inline_string<max_digits> text_;
};

}  // namespace sise
