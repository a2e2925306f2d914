// One one-minute candle from an exchange's REST history, for backfilling the 24 h window.
#pragma once

#include <cstdint>

#include "sise/core/decimal.hpp"

namespace sise::feed {

struct minute_candle {
    std::int64_t start_ms = 0;       // the minute's start, UTC epoch ms
    double open = 0;
    double high = 0;
    double low = 0;
    decimal close;                   // as the exchange sent it
    std::int64_t last_trade_ms = 0;  // time of the candle's last trade; 0 when not given
};

}  // namespace sise::feed
