// A synthetic, deterministic minute-candle history for the fake as a process
// (sise-fake-exchange): a close for every minute, drifting a few percent around each market's
// start price (where its live walk reverts to), so a daemon backfilling from the fake has a
// complete 24 h window within seconds of start. Pure: no clock reads.
#pragma once

#include <cstdint>

#include "fake/candles.hpp"

namespace sise::fake {

// server_options::candle_close for every market describe_market() knows (built-in or not).
candle_close_fn synthetic_candle_history(std::uint64_t seed);

}  // namespace sise::fake
