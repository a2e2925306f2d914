// Where history lives on disk: <dir>/<exchange>/<market>/<YYYY-MM-DD>.csv, one file per market
// per UTC day; a closed day may be gzipped to <YYYY-MM-DD>.csv.gz. Next to them, the minutes sised
// watched the market: <YYYY-MM-DD>.coverage (never compressed). Pure: paths and dates only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "sise/core/exchange.hpp"

namespace sise::history {

inline constexpr std::int64_t day_ms = 86'400'000;

// Day number (days since 1970-01-01, UTC) of an epoch-ms time; floor for negative times.
constexpr std::int64_t day_of(std::int64_t epoch_ms) noexcept {
    return (epoch_ms >= 0 ? epoch_ms : epoch_ms - (day_ms - 1)) / day_ms;
}

// "2026-11-28" for a day number, and back (nullopt for anything that is not a valid date).
std::string day_name(std::int64_t day);
std::optional<std::int64_t> parse_day_name(std::string_view name) noexcept;

// A market code as a directory name: letters, digits, '-', '_' and '.' (not leading) stay,
// every other byte becomes %XX ("XBT/USD" -> "XBT%2FUSD"), so no code escapes its directory.
std::string market_directory_name(std::string_view market);

std::filesystem::path market_directory(const std::filesystem::path& root, exchange_id exchange,
                                       std::string_view market);

// The plain and the compressed file of one day.
std::filesystem::path day_file(const std::filesystem::path& market_dir, std::int64_t day);
std::filesystem::path compressed_day_file(const std::filesystem::path& market_dir,
                                          std::int64_t day);

// The coverage file of one day (coverage.hpp).
std::filesystem::path coverage_file(const std::filesystem::path& market_dir, std::int64_t day);

// The day of a history file name ("2026-11-28.csv" or "2026-11-28.csv.gz"); nullopt for any
// other name (temporary files, files set aside).
struct day_file_name {
    std::int64_t day = 0;
    bool compressed = false;
};
std::optional<day_file_name> parse_day_file_name(std::string_view file_name) noexcept;
// The day of a coverage file name ("2026-11-28.coverage"); nullopt for any other name.
std::optional<std::int64_t> parse_coverage_file_name(std::string_view file_name) noexcept;

}  // namespace sise::history
