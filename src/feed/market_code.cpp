// Market-code spelling helpers for adapters.
#include "sise/feed/market_code.hpp"

namespace sise::feed {

std::string upper_ascii(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return result;
}

instrument split_code(std::string_view market, char separator, pair_order order) {
    instrument result;
    result.market = std::string(market);
    const auto at = market.find(separator);
    if (at == std::string_view::npos) {
        result.base = std::string(market);
        return result;
    }
    std::string first(market.substr(0, at));
    std::string second(market.substr(at + 1));
    if (order == pair_order::quote_first) std::swap(first, second);
    result.base = std::move(first);
    result.quote = std::move(second);
    return result;
}

instrument split_by_quote(std::string_view market, std::span<const std::string_view> quotes) {
    instrument item;
    item.market = std::string(market);
    for (std::string_view quote : quotes) {
        if (market.size() > quote.size() && market.ends_with(quote)) {
            item.base = std::string(market.substr(0, market.size() - quote.size()));
            item.quote = std::string(quote);
            return item;
        }
    }
    item.base = item.market;
    return item;
}

std::optional<std::string> normalize_code(std::string_view text, std::string_view separators,
                                          std::size_t max_size) {
    if (text.empty() || text.size() > max_size) return std::nullopt;
    std::string result = upper_ascii(text);
    bool after_separator = true;  // a code may not start with one
    for (char c : result) {
        const bool alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum) {
            after_separator = false;
        } else if (separators.find(c) != std::string_view::npos && !after_separator) {
            after_separator = true;
        } else {
            return std::nullopt;
        }
    }
    if (after_separator) return std::nullopt;  // trailing separator
    return result;
}

}  // namespace sise::feed
