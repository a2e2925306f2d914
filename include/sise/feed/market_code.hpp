// Market-code spelling shared by adapters: upper-casing and the check that a code is made of
// letters and digits split by the exchange's separators. Each adapter's normalize_market is
// built from these, and the config applies it once at load, so a code has one spelling.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sise/feed/instrument.hpp"

namespace sise::feed {

enum class pair_order { base_first, quote_first };

// Base and quote of a code split at its first `separator` ("KRW-BTC", quote first; "BTC-USD",
// base first); names left empty. Without a separator the whole code is the base.
instrument split_code(std::string_view market, char separator, pair_order order);

// Base and quote of a code without separator ("BTCUSDT"), split at the first of `quotes` (list
// longer ones first) it ends with; names left empty. Without a known quote the whole code is
// the base. Binance and Bybit use it until their market lists have loaded.
instrument split_by_quote(std::string_view market, std::span<const std::string_view> quotes);

// ASCII letters upper-cased, every other byte kept.
std::string upper_ascii(std::string_view text);

// `text` upper-cased when it is non-empty, made of ASCII letters and digits, and any of
// `separators` only between two of them (no leading, trailing or doubled separator);
// nullopt otherwise. At most `max_size` characters.
std::optional<std::string> normalize_code(std::string_view text, std::string_view separators,
                                          std::size_t max_size = 31);  // fits sise::market_code

}  // namespace sise::feed
