// The /v1/history request grammar: which market, which time range, raw records or bars of
// which interval, how many at most; defaults, bounds and the named 400 errors. Pure: parsed
// from a request target and the current time, no files and no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "sise/history/reader.hpp"
#include "sise/publish/http_target.hpp"

namespace sise::history {

struct history_request {
    read_query query;                         // market and [from, to)
    std::string interval_text;                // as given; empty: raw records
    std::optional<std::int64_t> interval_ms;  // set when interval_text is
    std::size_t limit = 0;                    // records or bars at most; >= 1
};

// A request the grammar refuses: an HTTP 400 with this code and message.
struct request_error {
    std::string_view code;  // "bad_market", "bad_to", "bad_from", "bad_range", ...
    std::string_view message;
};

// market= (required; "KRW-BTC" means upbit), to= (default now), from= (default to - 24 h),
// interval= (1m, 5m, 15m, 1h, 4h, 1d; default raw records), limit= (a positive integer,
// capped at and defaulting to max_records). Times as parse_time_arg reads them.
std::variant<history_request, request_error> parse_history_request(
    const publish::request_target& target, std::int64_t now_ms, std::size_t max_records);

}  // namespace sise::history
