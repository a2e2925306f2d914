#include "sise/history/time_arg.hpp"

#include <charconv>

#include <fmt/format.h>

#include "sise/core/utc_time.hpp"
#include "sise/history/layout.hpp"

namespace sise::history {
namespace {

constexpr std::int64_t last_ms = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

bool all_digits(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

std::optional<std::int64_t> parse_digits(std::string_view text) noexcept {
    std::int64_t value = 0;
    if (!all_digits(text)) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// "-90s", "-15m", "-2h", "-7d": that long before now.
std::optional<std::int64_t> parse_relative(std::string_view text, std::int64_t now_ms) noexcept {
    if (text.size() < 3 || text.front() != '-' || now_ms < 0 || now_ms > last_ms)
        return std::nullopt;
    std::int64_t unit_ms = 0;
    switch (text.back()) {
        case 's': unit_ms = 1000; break;
        case 'm': unit_ms = ms_per_minute; break;
        case 'h': unit_ms = 60 * ms_per_minute; break;
        case 'd': unit_ms = day_ms; break;
        default: return std::nullopt;
    }
    const auto count = parse_digits(text.substr(1, text.size() - 2));
    if (!count || *count > last_ms / unit_ms) return std::nullopt;
    return now_ms - *count * unit_ms;
}

// "2026-11-28T05:20:00", a space for the 'T' accepted, then ".mmm" and/or "Z" optionally.
std::optional<std::int64_t> parse_date_time(std::string_view text) noexcept {
    if (text.size() < 19) return std::nullopt;
    const auto seconds = parse_utc_iso8601(text.substr(0, 19));
    if (!seconds) return std::nullopt;
    std::string_view rest = text.substr(19);
    std::int64_t millis = 0;
    if (rest.starts_with('.')) {
        const auto digits = rest.substr(1, 3);
        if (digits.size() != 3 || !all_digits(digits)) return std::nullopt;
        millis = *parse_digits(digits);
        rest.remove_prefix(4);
    }
    if (!rest.empty() && rest != "Z") return std::nullopt;
    return *seconds + millis;
}

std::optional<std::int64_t> parse_any(std::string_view text, std::int64_t now_ms) noexcept {
    if (text == "now") return now_ms;
    if (text.starts_with('-')) return parse_relative(text, now_ms);
    if (all_digits(text)) return text.size() >= 10 ? parse_digits(text) : std::nullopt;
    if (text.size() == 10) {
        const auto day = parse_day_name(text);
        if (!day) return std::nullopt;
        return *day * day_ms;
    }
    return parse_date_time(text);
}

}  // namespace

std::optional<std::int64_t> parse_time_arg(std::string_view text, std::int64_t now_ms) noexcept {
    const auto ms = parse_any(text, now_ms);
    if (!ms || *ms < 0 || *ms > last_ms) return std::nullopt;
    return ms;
}

}  // namespace sise::history
