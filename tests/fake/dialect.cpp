// The fake's dialects by exchange name (see dialect.hpp): the one place a new dialect is listed.
#include "fake/dialect.hpp"

#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "fake/binance_dialect.hpp"
#include "fake/bithumb_dialect.hpp"
#include "fake/bybit_dialect.hpp"
#include "fake/coinbase_dialect.hpp"
#include "fake/kraken_dialect.hpp"
#include "fake/okx_dialect.hpp"
#include "fake/upbit_dialect.hpp"

namespace sise::fake {

const dialect& dialect_for(std::string_view exchange) {
    static const upbit_dialect upbit;
    static const binance_dialect binance;
    static const bithumb_dialect bithumb;
    static const bybit_dialect bybit;
    static const okx_dialect okx;
    static const coinbase_dialect coinbase;
    static const kraken_dialect kraken;
    // A new venue's fake adds its dialect to this list.
    static const dialect* const all[] = {&upbit, &bithumb, &binance, &okx, &bybit, &coinbase, &kraken};
    std::string known;
    for (const dialect* d : all) {
        if (exchange == d->name()) return *d;
        known += known.empty() ? "" : ", ";
        known += d->name();
    }
    throw std::invalid_argument(
        fmt::format("the fake speaks no exchange '{}' (known: {})", exchange, known));
}

}  // namespace sise::fake
