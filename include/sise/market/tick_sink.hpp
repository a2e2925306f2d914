// The "tick applied" seam: whatever wants every update the table accepted (history files,
// later metrics) implements this and is registered with the app. Called on the event loop
// right after ticker_table::apply(id, update, received_ms), whatever it returned (a late
// update the table ignored is passed too: table.is_current tells); a sink must not block and
// must not change the table.
#pragma once

#include <cstdint>

#include "sise/core/ticker.hpp"
#include "sise/market/table.hpp"

namespace sise::market {

class tick_sink {
public:
    virtual ~tick_sink() = default;
    virtual void on_tick(row_id id, const ticker_update& update, std::int64_t received_ms) = 0;
};

}  // namespace sise::market
