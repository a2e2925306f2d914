// `sise watch` when stdout is not a terminal: one line per changed row, like `tail -f`, so
// `sise watch | grep KRW-BTC` works. Pure formatting, no escape codes.
#pragma once

#include <cstdint>
#include <string>

#include "sise/cli/ticker_message.hpp"

namespace sise::cli {

// "2026-12-04T06:30:00.123Z upbit KRW-BTC 150139000 -2.9512 rolling_24h live\n":
// publication time (UTC), exchange, market, price as sent, change_pct_24h as sent, basis,
// status. A missing value is "-", and so are the price and change of a row that is
// `unlisted` or `no_data`; fields never contain spaces.
std::string watch_line(const ticker_row& row, std::int64_t time_ms);

}  // namespace sise::cli
