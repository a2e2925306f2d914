// History as JSON, one encoder for `sise history --format json` and the daemon's /v1/history,
// so both print the same document (docs/history.md). Pure.
#pragma once

#include <span>
#include <string>

#include "sise/history/bars.hpp"
#include "sise/history/reader.hpp"
#include "sise/history/record.hpp"

namespace sise::history {

// The document's head: {"type":"history","exchange":..,"market":..,"from":..,"to":..,
// "interval":"1m" | null, and after the items "truncated":bool,"bad_lines":n}. Items are
// appended one by one so a large answer is built without an intermediate vector.
struct json_document {
    std::string text;
    bool first_item = true;
};
void begin_history_json(json_document& doc, const read_query& query, std::string_view interval);
// A record: {"time_ms":..,"time":"..Z","price":"..","change_24h":".."|null,...}; every
// decimal as a JSON string (exact digits), missing ones as null.
void append_record_json(json_document& doc, const record& r);
// A bar: {"start_ms":..,"start":"..Z","open":"..","high":"..","low":"..","close":"..",
// "close_time_ms":..,"records":n}.
void append_bar_json(json_document& doc, const bar& b);
void end_history_json(json_document& doc, const read_stats& stats);

}  // namespace sise::history
