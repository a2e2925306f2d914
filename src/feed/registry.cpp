// The table of adapter factories, one slot per exchange_id.
#include "sise/feed/registry.hpp"

#include <array>

#include "sise/feed/binance.hpp"
#include "sise/feed/bithumb.hpp"
#include "sise/feed/bybit.hpp"
#include "sise/feed/coinbase.hpp"
#include "sise/feed/kraken.hpp"
#include "sise/feed/okx.hpp"
#include "sise/feed/upbit.hpp"

namespace sise::feed {
namespace {

template <typename Adapter>
std::unique_ptr<adapter> make(const adapter_options& options) {
    return std::make_unique<Adapter>(options);
}

// The built-in adapters: a new exchange adds its line here.
std::array<adapter_factory, all_exchanges.size()>& factories() {
    static std::array<adapter_factory, all_exchanges.size()> table = [] {
        std::array<adapter_factory, all_exchanges.size()> t{};
        t[static_cast<std::size_t>(exchange_id::upbit)] = &make<upbit_adapter>;
        t[static_cast<std::size_t>(exchange_id::bithumb)] = &make<bithumb_adapter>;
        t[static_cast<std::size_t>(exchange_id::binance)] = &make<binance_adapter>;
        t[static_cast<std::size_t>(exchange_id::bybit)] = &make<bybit_adapter>;
        t[static_cast<std::size_t>(exchange_id::okx)] = &make<okx_adapter>;
        t[static_cast<std::size_t>(exchange_id::coinbase)] = &make<coinbase_adapter>;
        t[static_cast<std::size_t>(exchange_id::kraken)] = &make<kraken_adapter>;
        return t;
    }();
    return table;
}

}  // namespace

std::unique_ptr<adapter> make_adapter(exchange_id exchange, const adapter_options& options) {
    const auto factory = factories()[static_cast<std::size_t>(exchange)];
    return factory ? factory(options) : nullptr;
}

bool has_adapter(exchange_id exchange) noexcept {
    return factories()[static_cast<std::size_t>(exchange)] != nullptr;
}

adapter_registration::adapter_registration(exchange_id exchange, adapter_factory factory) noexcept
    : exchange_(exchange), previous_(factories()[static_cast<std::size_t>(exchange)]) {
    factories()[static_cast<std::size_t>(exchange)] = factory;
}

adapter_registration::~adapter_registration() {
    factories()[static_cast<std::size_t>(exchange_)] = previous_;
}

}  // namespace sise::feed
