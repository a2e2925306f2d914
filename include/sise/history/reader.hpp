// Reading history back: the records of one market in a time range, from plain and gzipped
// day files alike. Used by `sise history`, by the daemon's /v1/history and by the daemon's
// warm start (its 24 h windows). Blocking file I/O: call it off the event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sise/core/exchange.hpp"
#include "sise/history/coverage.hpp"
#include "sise/history/record.hpp"

namespace sise::history {

struct read_query {
    exchange_id exchange = exchange_id::upbit;
    std::string market;
    std::int64_t from_ms = 0;  // inclusive
    std::int64_t to_ms = 0;    // exclusive
    // Stop after delivering this many records (read_stats::truncated tells). 0 = no limit.
    std::size_t max_records = 0;
};

struct read_stats {
    std::size_t files = 0;      // day files opened
    std::size_t records = 0;    // records delivered
    std::size_t bad_lines = 0;  // lines that did not parse (a torn tail, a hand edit), skipped
    std::size_t foreign_lines = 0;  // well-formed lines of another exchange/market, skipped
    std::size_t read_errors = 0;    // files that could not be opened or read (one each)
    bool truncated = false;         // stopped at max_records or because on_record said stop
};

// Calls on_record(r) for every record of the query's market with from_ms <= time_ms < to_ms,
// day file by day file in date order, each file in its own line order. on_record returns
// false to stop. When a day has both a compressed and a plain file (lines that arrived after
// the day was compressed), both are read, the compressed one first. Never throws for file or
// content problems: they are counted in the result.
read_stats read_records(const std::filesystem::path& root, const read_query& query,
                        const std::function<bool(const record&)>& on_record);

// Appends to `out` the stretches in which sised watched the query's market (its coverage files,
// clipped to [from_ms, to_ms)), merged and in time order; stats.records counts the lines used.
// A torn last line or a bad line is counted in bad_lines and skipped. max_records is ignored.
read_stats read_coverage(const std::filesystem::path& root, const read_query& query,
                         std::vector<coverage_span>& out);

// Splits a buffer into lines for parse_csv_line: calls on_line for every '\n'-terminated line
// (without the '\n') and returns how many bytes it consumed; the unterminated rest is left
// for the next call (or, at the end of a file, is a torn line). Pure: the fuzzed entry point
// together with parse_csv_line.
std::size_t for_each_line(std::string_view buffer,
                          const std::function<void(std::string_view line)>& on_line);

}  // namespace sise::history
