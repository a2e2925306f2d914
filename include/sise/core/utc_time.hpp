// UTC timestamps as exchanges write them in REST APIs ("2026-03-11T14:40:00"). Epoch
// milliseconds everywhere else; no local time zone anywhere in sise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sise {

inline constexpr std::int64_t ms_per_minute = 60'000;

constexpr std::int64_t floor_to_minute(std::int64_t ms) noexcept {
    return (ms >= 0 ? ms : ms - (ms_per_minute - 1)) / ms_per_minute * ms_per_minute;
}

// "yyyy-MM-ddTHH:mm:ss" (a 'Z' or a space instead of 'T' accepted), read as UTC.
std::optional<std::int64_t> parse_utc_iso8601(std::string_view text) noexcept;

// "yyyy-MM-ddTHH:mm:ssZ" (seconds resolution, milliseconds dropped).
std::string format_utc_iso8601(std::int64_t epoch_ms);

// "yyyy-MM-ddTHH:mm:ss.mmmZ": history's "time" column and JSON.
void append_utc_iso8601_ms(std::string& out, std::int64_t epoch_ms);
std::string format_utc_iso8601_ms(std::int64_t epoch_ms);

}  // namespace sise
