// The Redis names sise writes and reads, in one place so the feed daemon's sink and the edge
// relay agree: "<prefix>:last:<exchange>:<market>" (a row's hash), "<prefix>:tick:<exchange>:
// <market>" (its pub/sub channel), "<prefix>:ticks" (the stream), "<prefix>:heartbeat". Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sise/core/exchange.hpp"

namespace sise::redis {

// 1-64 characters of a-z, A-Z, 0-9, '_', '-', '.': no ':' (so keys split unambiguously) and no
// glob character (so "<prefix>:last:*" matches only our keys).
bool valid_prefix(std::string_view prefix) noexcept;

struct market_key {
    exchange_id exchange{};
    std::string market;
    bool operator==(const market_key&) const = default;
};

class key_names {
public:
    explicit key_names(std::string prefix) : prefix_(std::move(prefix)) {}

    std::string last(exchange_id exchange, std::string_view market) const;
    std::string tick(exchange_id exchange, std::string_view market) const;
    std::string stream() const { return prefix_ + ":ticks"; }
    std::string heartbeat() const { return prefix_ + ":heartbeat"; }
    // Glob patterns for SCAN MATCH and PSUBSCRIBE.
    std::string last_pattern() const { return prefix_ + ":last:*"; }
    std::string tick_pattern() const { return prefix_ + ":tick:*"; }

    // The market a hash key or channel names. Exchange names hold no ':', so the market is
    // everything after the exchange's colon, whatever it holds ("KRW-BTC", "XBT/USD", "a:b").
    std::optional<market_key> parse_last(std::string_view key) const;
    std::optional<market_key> parse_tick(std::string_view channel) const;

private:
    std::string name(std::string_view kind, exchange_id exchange, std::string_view market) const;
    std::optional<market_key> parse(std::string_view kind, std::string_view key) const;

    std::string prefix_;
};

}  // namespace sise::redis
