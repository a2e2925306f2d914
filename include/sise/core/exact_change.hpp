// The change of a price against a reference price, computed exactly from the two decimals'
// texts: for venues that send an open but no change figure (OKX's open24h). Pure integer
// arithmetic on at most 18 significant digits; nothing here rounds a price.
#pragma once

#include "sise/core/decimal.hpp"

namespace sise {

// Writes `last` - `reference` into `change`, exact at the finer of the two precisions
// ("51695.6" - "51000": "695.6"), and that change in percent of `reference`, rounded half away
// from zero to 4 fraction digits as sise's own figures, into `change_pct`. Returns false and
// leaves both untouched when either price is empty, the reference is zero, or a value needs
// more than 18 significant digits at the common precision. Both texts must be plain notation
// ([-]digits[.digits]), as every decimal holds.
bool exact_change(const decimal& last, const decimal& reference, decimal& change,
                  decimal& change_pct) noexcept;

}  // namespace sise
