// Static facts about a market: which coin against which currency, and its display names.
// Names come from the exchange's market list at start-up, with bundled fallbacks.
#pragma once

#include <string>

namespace sise::feed {

struct instrument {
    std::string market;  // exchange spelling, e.g. "KRW-BTC"
    std::string base;    // "BTC"
    std::string quote;   // "KRW"
    std::string name_ko;  // "비트코인"; empty when unknown
    std::string name_en;  // "Bitcoin"; empty when unknown
};

}  // namespace sise::feed
