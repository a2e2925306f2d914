// Realistic ticker frames of each venue for the parse benchmark: the fake exchange's random
// walk over 12 markets, rendered in each venue's real frame shape (Upbit DEFAULT, Bithumb's
// field order and number spelling, Binance's combined-stream 24hrTicker, OKX's tickers push,
// Bybit's spot snapshot, Coinbase's ticker envelope, Kraken's v2 update). Bench-only; the fake
// exchange's dialects stay the source of truth for what the fakes send on the wire.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sise::bench {

enum class venue { upbit, bithumb, binance, okx, bybit, coinbase, kraken };

std::string_view venue_name(venue v) noexcept;

// 12 markets x per_market frames, the markets interleaved as a live stream interleaves them.
std::vector<std::string> ticker_frames(venue v, std::size_t per_market);

}  // namespace sise::bench
