// A decimal number kept as the exact text the exchange sent, so prices shown to people
// and written to history keep their digits (no 0.30000000000000004, no 1.5e-05).
// Doubles are derived on demand, for arithmetic only.
#pragma once

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

    // The same value multiplied by 10^places, computed on the text (exact). Used to turn
    // an exchange's fraction (0.0126713295) into percent (1.26713295).
    std::optional<decimal> shifted(int places) const noexcept;

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
