// Times as people type them for `sise history --from/--to` and /v1/history?from=&to=. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sise::history {

// Accepts, all UTC:
//   "2026-11-28"                    -> that day's 00:00
//   "2026-11-28T05:20:00Z" (or without Z, or with a space instead of T, optional .mmm)
//   "1764307200123"                 -> epoch milliseconds (all digits, at least 10 of them)
//   "now"                           -> now_ms
//   "-90s", "-15m", "-2h", "-7d"    -> that long before now_ms
// nullopt for anything else (or a result before 1970 / after 9999).
std::optional<std::int64_t> parse_time_arg(std::string_view text, std::int64_t now_ms) noexcept;

}  // namespace sise::history
