// What `sise watch` writes in its table's cells: the words in Korean and English, figures
// formatted for people (price, volume, age, clock), colours by direction, and cell widths.
// Private to src/cli: watch_view.cpp lays these out; nothing here knows the screen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sise/cli/screen_frame.hpp"
#include "sise/cli/ticker_message.hpp"
#include "sise/cli/watch_view.hpp"

namespace sise::cli::watch_text {

struct segment {
    std::string text;
    cell_style style;
};
using cell_text = std::vector<segment>;

enum class align { left, right };

struct column {
    std::string header;
    align alignment = align::left;
    std::vector<cell_text> cells;
    std::size_t width = 0;
};

struct words {
    std::string_view name, exchange, price, change, high, low, volume, age;
    std::string_view connecting, stale, live, last_update, sort, help_hint;
    std::string_view sorts[5];
    std::string_view retry;       // followed by the seconds to the next attempt
    std::string_view no_premium;  // the premium view without FX fields in any row
};

inline constexpr words korean{"종목",
                              "거래소",
                              "현재가",
                              "변동률",
                              "고가(24h)",
                              "저가(24h)",
                              "거래량",
                              "경과",
                              "연결 중",
                              "연결 끊김",
                              "실시간",
                              "갱신",
                              "정렬",
                              "?: 도움말",
                              {"설정순", "이름", "가격", "변동률", "|변동률|"},
                              "재연결",
                              "김치 프리미엄 없음: sised 설정에 [fx]가 없습니다 (docs/config.md)"};
inline constexpr words english{"Coin",
                               "Exchange",
                               "Price",
                               "Change",
                               "High 24h",
                               "Low 24h",
                               "Volume",
                               "Age",
                               "connecting",
                               "stale",
                               "live",
                               "updated",
                               "sort",
                               "?: help",
                               {"config", "name", "price", "change", "|change|"},
                               "retry",
                               "No premium: sised's config has no [fx] (docs/config.md)"};

inline constexpr std::size_t gap = 2;
inline constexpr std::size_t min_name = 4;

std::string row_key(const ticker_row& r);
std::optional<double> number(const std::optional<std::string>& text);
std::string price_text(const std::optional<std::string>& price);
// A volume for people: grouped, at most two decimals (cut, not rounded).
std::string volume_text(const std::optional<std::string>& volume);
std::string age_text(std::optional<std::int64_t> received_ms, std::int64_t now_ms);
std::uint8_t direction_color(palette colors, int direction);
// The sign of a formatted percentage as shown ("0.00%" has none).
int shown_direction(const std::string& pct);
std::string clock_text(std::int64_t utc_ms, std::int64_t offset_ms);
std::size_t cell_width(const cell_text& cell);
// Cuts a cell to `width` columns (names only: figures are never cut).
void cut_cell(cell_text& cell, std::size_t width);

// The help screen, one line each.
extern const std::vector<std::string_view> help_lines_ko;
extern const std::vector<std::string_view> help_lines_en;

}  // namespace sise::cli::watch_text
