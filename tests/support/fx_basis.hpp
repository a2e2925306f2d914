// The FX basis unit tests convert with: a fixed USD/KRW rate as the config's `source = "fixed"`
// makes it, named "usd_krw:fixed". Header-only and pure, for tests under fx/ and publish/.
#pragma once

#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/fx/basis.hpp"

namespace sise::test {

// `rate` must be a valid JSON number; a bad one is a test bug.
inline fx::basis fixed_usd_basis(std::string_view rate, bool usdt_as_usd = false) {
    fx::basis b;
    b.name = "usd_krw:fixed";
    b.pair = "USD/KRW";
    b.source = "fixed";
    b.quote = "USD";
    b.usdt_as_usd = usdt_as_usd;
    b.rate = *decimal::from_json_number(rate);
    return b;
}

}  // namespace sise::test
