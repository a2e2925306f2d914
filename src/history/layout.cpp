#include "sise/history/layout.hpp"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

namespace sise::history {

std::string day_name(std::int64_t day) {
    using namespace std::chrono;
    const year_month_day date{sys_days{days{day}}};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

std::optional<std::int64_t> parse_day_name(std::string_view name) noexcept {
    using namespace std::chrono;
    if (name.size() != 10 || name[4] != '-' || name[7] != '-') return std::nullopt;
    auto number = [&](std::size_t at, std::size_t length, int& out) {
        for (std::size_t i = at; i < at + length; ++i)
            if (name[i] < '0' || name[i] > '9') return false;
        return std::from_chars(name.data() + at, name.data() + at + length, out).ec == std::errc{};
    };
    int y = 0, m = 0, d = 0;
    if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return std::nullopt;
    const year_month_day date{year{y}, month{static_cast<unsigned>(m)},
                              day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    return sys_days{date}.time_since_epoch().count();
}

std::string market_directory_name(std::string_view market) {
    std::string out;
    for (std::size_t i = 0; i < market.size(); ++i) {
        const char c = market[i];
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || (c == '.' && i > 0);
        if (plain)
            out += c;
        else
            fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
    }
    return out;
}

std::filesystem::path market_directory(const std::filesystem::path& root, exchange_id exchange,
                                       std::string_view market) {
    return root / std::string(to_string(exchange)) / market_directory_name(market);
}

std::filesystem::path day_file(const std::filesystem::path& market_dir, std::int64_t day) {
    return market_dir / (day_name(day) + ".csv");
}

std::filesystem::path compressed_day_file(const std::filesystem::path& market_dir,
                                          std::int64_t day) {
    return market_dir / (day_name(day) + ".csv.gz");
}

std::filesystem::path coverage_file(const std::filesystem::path& market_dir, std::int64_t day) {
    return market_dir / (day_name(day) + ".coverage");
}

std::optional<day_file_name> parse_day_file_name(std::string_view file_name) noexcept {
    if (file_name.size() < 10) return std::nullopt;
    const auto day = parse_day_name(file_name.substr(0, 10));
    if (!day) return std::nullopt;
    const auto suffix = file_name.substr(10);
    if (suffix == ".csv") return day_file_name{*day, false};
    if (suffix == ".csv.gz") return day_file_name{*day, true};
    return std::nullopt;
}

std::optional<std::int64_t> parse_coverage_file_name(std::string_view file_name) noexcept {
    if (file_name.size() < 10 || file_name.substr(10) != ".coverage") return std::nullopt;
    return parse_day_name(file_name.substr(0, 10));
}

}  // namespace sise::history
