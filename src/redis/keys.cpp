#include "sise/redis/keys.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace sise::redis {

bool valid_prefix(std::string_view prefix) noexcept {
    return !prefix.empty() && prefix.size() <= 64 &&
           std::all_of(prefix.begin(), prefix.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
           });
}

std::string key_names::name(std::string_view kind, exchange_id exchange,
                            std::string_view market) const {
    return fmt::format("{}:{}:{}:{}", prefix_, kind, to_string(exchange), market);
}

std::string key_names::last(exchange_id exchange, std::string_view market) const {
    return name("last", exchange, market);
}

std::string key_names::tick(exchange_id exchange, std::string_view market) const {
    return name("tick", exchange, market);
}

std::optional<market_key> key_names::parse(std::string_view kind, std::string_view key) const {
    if (!key.starts_with(prefix_)) return std::nullopt;
    key.remove_prefix(prefix_.size());
    if (!key.starts_with(':') || !key.substr(1).starts_with(kind)) return std::nullopt;
    key.remove_prefix(1 + kind.size());
    if (!key.starts_with(':')) return std::nullopt;
    key.remove_prefix(1);
    const auto colon = key.find(':');
    if (colon == std::string_view::npos || colon + 1 == key.size()) return std::nullopt;
    const auto exchange = exchange_from_string(key.substr(0, colon));
    if (!exchange) return std::nullopt;
    return market_key{*exchange, std::string(key.substr(colon + 1))};
}

std::optional<market_key> key_names::parse_last(std::string_view key) const {
    return parse("last", key);
}

std::optional<market_key> key_names::parse_tick(std::string_view channel) const {
    return parse("tick", channel);
}

}  // namespace sise::redis
