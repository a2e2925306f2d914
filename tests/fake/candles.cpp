// The fake Upbit's minute candles: `to` parsing, the query, the JSON (see candles.hpp).
#include "fake/candles.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <limits>

#include <fmt/format.h>

#include "fake/price_walk.hpp"

namespace sise::fake {
namespace {

namespace chrono = std::chrono;

constexpr std::int64_t second_ms = 1'000;

// Volumes are fixed point in units of 1e-5 of the base asset, so that price units (1e-4 KRW)
// times volume units stay within int64 for any realistic price.
constexpr int candle_volume_scale = 5;
constexpr std::int64_t max_candle_volume = 100'000;  // 1.0 of the base asset

// Reads exactly `n` digits at `i`.
std::optional<int> fixed_digits(std::string_view s, std::size_t& i, int n) noexcept {
    int v = 0;
    for (int k = 0; k < n; ++k, ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool take(std::string_view s, std::size_t& i, char c) noexcept {
    if (i >= s.size() || s[i] != c) return false;
    ++i;
    return true;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::uint64_t mix(std::uint64_t z) noexcept {  // splitmix64's finalizer
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t candle_hash(std::string_view market, std::int64_t minute) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a of the code, then the minute
    for (char c : market) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return mix(h ^ (static_cast<std::uint64_t>(minute) * 0x9e3779b97f4a7c15ULL));
}

// value = close x volume, exact when the close is a plain decimal the walk can parse.
void append_value(std::string& out, const std::string& close, std::int64_t volume) {
    if (const auto price = parse_price(close);
        price && *price <= std::numeric_limits<std::int64_t>::max() / max_candle_volume) {
        append_decimal(out, *price * volume, price_scale + candle_volume_scale, 0);
        return;
    }
    // Anything else (an exponent, a test's odd text): approximate, still a JSON number.
    char* end = nullptr;
    const double p = std::strtod(close.c_str(), &end);
    const double v = static_cast<double>(volume) / static_cast<double>(max_candle_volume);
    fmt::format_to(std::back_inserter(out), "{}", end == close.c_str() ? 0.0 : p * v);
}

void append_candle(std::string& out, const std::string& market, std::int64_t minute,
                   const std::string& close) {
    const std::uint64_t h = candle_hash(market, minute);
    const std::int64_t start = minute * minute_ms;
    // The last tick of the minute: within its last second, so `timestamp` sorts like the
    // candles and stays inside the candle (the fixture's is start + 59.132 s).
    const std::int64_t last_tick = start + 59 * second_ms + static_cast<std::int64_t>(h % 1'000);
    const std::int64_t volume = 1 + static_cast<std::int64_t>((h >> 10) % max_candle_volume);
    fmt::format_to(std::back_inserter(out),
                   R"({{"market":"{}","candle_date_time_utc":"{}","candle_date_time_kst":"{}",)"
                   R"("opening_price":{},"high_price":{},"low_price":{},"trade_price":{},)"
                   R"("timestamp":{},"candle_acc_trade_price":)",
                   market, format_candle_time(start), format_candle_time(start + kst_offset_ms),
                   close, close, close, close, last_tick);
    append_value(out, close, volume);
    out += R"(,"candle_acc_trade_volume":)";
    append_decimal(out, volume, candle_volume_scale, 0);
    out += R"(,"unit":1})";
}

}  // namespace

std::optional<std::int64_t> parse_candle_time(std::string_view s,
                                              std::int64_t default_offset_ms) noexcept {
    std::size_t i = 0;
    const auto y = fixed_digits(s, i, 4);
    if (!y || !take(s, i, '-')) return std::nullopt;
    const auto mo = fixed_digits(s, i, 2);
    if (!mo || !take(s, i, '-')) return std::nullopt;
    const auto d = fixed_digits(s, i, 2);
    if (!d || !(take(s, i, 'T') || take(s, i, ' '))) return std::nullopt;
    const auto hh = fixed_digits(s, i, 2);
    if (!hh || !take(s, i, ':')) return std::nullopt;
    const auto mm = fixed_digits(s, i, 2);
    if (!mm || !take(s, i, ':')) return std::nullopt;
    const auto ss = fixed_digits(s, i, 2);
    if (!ss) return std::nullopt;
    std::int64_t frac_ms = 0;
    if (take(s, i, '.')) {
        int n = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n) {
            if (n < 3) frac_ms = frac_ms * 10 + (s[i] - '0');
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n) frac_ms *= 10;
    }
    std::int64_t offset_ms = i < s.size() ? 0 : default_offset_ms;  // "Z" is UTC
    if (!take(s, i, 'Z') && i < s.size()) {
        const bool east = s[i] == '+';
        if (!east && s[i] != '-') return std::nullopt;
        ++i;
        const auto oh = fixed_digits(s, i, 2);
        if (!oh || !take(s, i, ':')) return std::nullopt;
        const auto om = fixed_digits(s, i, 2);
        if (!om || *oh > 23 || *om > 59) return std::nullopt;
        offset_ms = (*oh * 60 + *om) * minute_ms * (east ? 1 : -1);
    }
    if (i != s.size()) return std::nullopt;
    const chrono::year_month_day date{chrono::year{*y}, chrono::month{static_cast<unsigned>(*mo)},
                                      chrono::day{static_cast<unsigned>(*d)}};
    if (!date.ok() || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
    const auto days = static_cast<std::int64_t>(chrono::sys_days{date}.time_since_epoch().count());
    return days * 86'400'000 + ((*hh * 60 + *mm) * 60 + *ss) * second_ms + frac_ms - offset_ms;
}

std::string format_candle_time(std::int64_t ms) {
    const chrono::sys_time<chrono::milliseconds> t{chrono::milliseconds{ms}};
    const auto day = chrono::floor<chrono::days>(t);
    const chrono::year_month_day date{day};
    const chrono::hh_mm_ss time{chrono::floor<chrono::seconds>(t - day)};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       time.hours().count(), time.minutes().count(), time.seconds().count());
}

std::optional<std::string> url_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out += ' ';  // form encoding: why a literal "+09:00" arrives as " 09:00" (§10)
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string parse_candle_query(std::string_view query, candle_query& out,
                               std::int64_t default_offset_ms) {
    out = candle_query{};
    bool has_market = false;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        const auto key = url_decode(pair.substr(0, eq));
        const auto value =
            url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (!key || !value) return "malformed percent-encoding in the query";
        if (*key == "market") {
            out.market = *value;
            has_market = !value->empty();
        } else if (*key == "to") {
            if (value->empty()) {
                out.to_ms.reset();
                continue;
            }
            out.to_ms = parse_candle_time(*value, default_offset_ms);
            if (!out.to_ms) return fmt::format("invalid to: '{}'", *value);
        } else if (*key == "count") {
            int count = 0;
            const char* end = value->data() + value->size();
            const auto [ptr, ec] = std::from_chars(value->data(), end, count);
            if (ec != std::errc{} || ptr != end || value->empty()) {
                return fmt::format("invalid count: '{}'", *value);
            }
            if (count < 1 || count > max_candle_count) {
                return fmt::format("count must be between 1 and {}: {}", max_candle_count, count);
            }
            out.count = count;
        }
    }
    if (!has_market) return "market is required";
    return {};
}

void append_minute_candles(std::string& out, const std::string& market, std::int64_t end_minute,
                           int count, const candle_close_fn& close) {
    out += '[';
    if (close) {
        const std::int64_t first = std::max<std::int64_t>(0, end_minute - candle_lookback_minutes);
        int found = 0;
        for (std::int64_t m = end_minute - 1; m >= first && found < count; --m) {
            const auto text = close(market, m);
            if (!text) continue;  // no trade in that minute: no candle (upbit.md §10)
            if (found++ > 0) out += ',';
            append_candle(out, market, m, *text);
        }
    }
    out += ']';
}

}  // namespace sise::fake
