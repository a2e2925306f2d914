// The fake's dialects by exchange name (see dialect.hpp): the one place a new dialect is listed.
#include "fake/dialect.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "fake/binance_dialect.hpp"
#include "fake/bithumb_dialect.hpp"
#include "fake/kraken_dialect.hpp"
#include "fake/upbit_dialect.hpp"

namespace sise::fake {

const dialect& dialect_for(std::string_view exchange) {
    static const upbit_dialect upbit;
    static const binance_dialect binance;
    static const bithumb_dialect bithumb;
    static const kraken_dialect kraken;
    if (exchange == upbit.name()) return upbit;
    if (exchange == binance.name()) return binance;
    if (exchange == bithumb.name()) return bithumb;
    if (exchange == kraken.name()) return kraken;
    throw std::invalid_argument(
        fmt::format("the fake speaks no exchange '{}' (known: upbit, binance, bithumb)", exchange));
}

}  // namespace sise::fake
