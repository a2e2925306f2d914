// The exchanges sise knows, as a closed set: adding one is adding an enumerator, an
// adapter in feed/, and a row in the config schema.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace sise {

enum class exchange_id : unsigned char { upbit, bithumb, binance, coinbase, kraken, okx, bybit };

inline constexpr std::array all_exchanges{exchange_id::upbit,    exchange_id::bithumb,
                                          exchange_id::binance,  exchange_id::coinbase,
                                          exchange_id::kraken,   exchange_id::okx,
                                          exchange_id::bybit};

constexpr std::string_view to_string(exchange_id id) noexcept {
    switch (id) {
        case exchange_id::upbit: return "upbit";
        case exchange_id::bithumb: return "bithumb";
        case exchange_id::binance: return "binance";
        case exchange_id::coinbase: return "coinbase";
        case exchange_id::kraken: return "kraken";
        case exchange_id::okx: return "okx";
        case exchange_id::bybit: return "bybit";
    }
    return "unknown";
}

constexpr std::optional<exchange_id> exchange_from_string(std::string_view name) noexcept {
    for (auto id : all_exchanges)
        if (to_string(id) == name) return id;
    return std::nullopt;
}

}  // namespace sise
