// Upbit's REST minute candles as the fake serves them (upbit.md §10): the query of
// GET /v1/candles/minutes/1 (`market`, `to`, `count`), the formats of `to`, and the JSON array
// in the field order of tests/fixtures/upbit/candles_minutes_sample.json. Pure: text and epoch
// milliseconds in, text out; no clock reads.
#pragma once

#include <charconv>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sise::fake {

inline constexpr std::int64_t minute_ms = 60'000;
inline constexpr std::int64_t kst_offset_ms = 9 * 60 * minute_ms;  // KST = UTC+9, no DST
// Upbit's largest `count` (upbit.md §10).
inline constexpr int max_candle_count = 200;
// How far before `to` the fake looks for minutes with trades: a market quiet for longer than
// this has no earlier candles. Bounds the work of one request (Upbit itself has no such limit).
inline constexpr std::int64_t candle_lookback_minutes = 7 * 24 * 60;

// The close price text of a market's minute `minute_index` (= minute start / 60000), or
// nullopt when the market had no trade in that minute (server_options::candle_close).
using candle_close_fn =
    std::function<std::optional<std::string>(const std::string& market, std::int64_t minute_index)>;

// Upbit's `to`: "yyyy-MM-ddTHH:mm:ss" or with a space for the 'T', then optionally a fraction
// of a second, then optionally "Z" or an offset "+09:00"/"-05:00". Without an offset the time
// is UTC + `default_offset_ms` (Upbit: UTC, upbit.md §10; Bithumb: KST, bithumb.md §10).
// Returns epoch milliseconds; nullopt for anything else.
std::optional<std::int64_t> parse_candle_time(std::string_view text,
                                              std::int64_t default_offset_ms = 0) noexcept;

// "yyyy-MM-ddTHH:mm:ss" of an epoch-ms instant (UTC), as in candle_date_time_utc.
std::string format_candle_time(std::int64_t ms);

// Decodes one query-string component: %XX escapes (either case) and '+' as a space.
// nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);

struct candle_query {
    std::string market;                 // required
    std::optional<std::int64_t> to_ms;  // absent (or empty): now
    int count = 1;                      // 1..max_candle_count
};

// Parses the query string (after '?'). Unknown keys are ignored; a repeated key: the last wins.
// `to` without an offset is read at `default_offset_ms` (see parse_candle_time).
// Returns an empty string on success, otherwise the error message for a 400 answer.
std::string parse_candle_query(std::string_view query, candle_query& out,
                               std::int64_t default_offset_ms = 0);

// Appends the answer to a query as a JSON array, newest candle first: up to `count` candles of
// the minutes m < end_minute (exclusive) that `close` reports a trade for, looking back at most
// candle_lookback_minutes from end_minute and never before the epoch. Every candle has
// open = high = low = close = the close text verbatim, `timestamp` = its minute start + 59 s +
// a deterministic 0..999 ms, and a deterministic volume (value = close x volume). An empty
// `close`: "[]".
void append_minute_candles(std::string& out, const std::string& market, std::int64_t end_minute,
                           int count, const candle_close_fn& close);

// Calls on_pair(key, value, number) for every key=value of a query string, as sent (no
// decoding); `number` is the integer the value starts with, if any. Pairs without '=' are
// skipped. The candle queries of venues with plain numeric parameters (Binance, Coinbase).
template <class OnPair>
void for_each_query_pair(std::string_view query, OnPair&& on_pair) {
    std::size_t at = 0;
    while (at <= query.size()) {
        auto amp = query.find('&', at);
        if (amp == std::string_view::npos) amp = query.size();
        const std::string_view pair = query.substr(at, amp - at);
        at = amp + 1;
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view value = pair.substr(eq + 1);
        std::int64_t number = 0;
        const bool numeric =
            std::from_chars(value.data(), value.data() + value.size(), number).ec == std::errc{};
        on_pair(pair.substr(0, eq), value,
                numeric ? std::optional<std::int64_t>(number) : std::nullopt);
    }
}

}  // namespace sise::fake
