#include "watch_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "sise/cli/table_view.hpp"
#include "sise/cli/text_width.hpp"

namespace sise::cli::watch_text {

std::string row_key(const ticker_row& r) {
    return r.exchange + ":" + r.market;
}

std::optional<double> number(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size()) return std::nullopt;
    return value;
}

std::string price_text(const std::optional<std::string>& price) {
    if (!price) return "-";
    if (auto formatted = format_price(*price)) return *formatted;
    return "-";
}

// A volume for people: grouped, at most two decimals (cut, not rounded).
std::string volume_text(const std::optional<std::string>& volume) {
    if (!volume) return "-";
    std::string text = *volume;
    if (const auto dot = text.find('.'); dot != std::string::npos && text.size() > dot + 3)
        text.resize(dot + 3);
    if (auto formatted = format_price(text)) return *formatted;
    return "-";
}

std::string age_text(std::optional<std::int64_t> received_ms, std::int64_t now_ms) {
    if (!received_ms) return "-";
    const std::int64_t age = std::max<std::int64_t>(0, now_ms - *received_ms);
    if (age < 10'000) return fmt::format("{}.{}s", age / 1000, age % 1000 / 100);
    if (age < 120'000) return fmt::format("{}s", age / 1000);
    if (age < 7'200'000) return fmt::format("{}m", age / 60'000);
    return fmt::format("{}h", age / 3'600'000);
}

std::uint8_t direction_color(palette colors, int direction) {
    if (colors == palette::none || direction == 0) return 0;
    if (colors == palette::kr) return direction > 0 ? 31 : 34;
    return direction > 0 ? 32 : 31;
}

// The sign of a formatted percentage as shown ("0.00%" has none).
int shown_direction(const std::string& pct) {
    if (pct.empty()) return 0;
    if (pct.front() == '+') return 1;
    if (pct.front() == '-' && pct.size() > 1) return -1;
    return 0;
}

std::string clock_text(std::int64_t utc_ms, std::int64_t offset_ms) {
    const std::int64_t day_ms = 86'400'000;
    const std::int64_t local = ((utc_ms + offset_ms) % day_ms + day_ms) % day_ms;
    return fmt::format("{:02}:{:02}:{:02}", local / 3'600'000, local / 60'000 % 60,
                       local / 1000 % 60);
}

std::size_t cell_width(const cell_text& cell) {
    std::size_t w = 0;
    for (const segment& s : cell) w += display_width(s.text);
    return w;
}

// Cuts a cell to `width` columns (names only: figures are never cut).
void cut_cell(cell_text& cell, std::size_t width) {
    std::string all;
    for (const segment& s : cell) all += s.text;
    const cell_style style = cell.empty() ? cell_style{} : cell.front().style;
    cell = {{truncate_to_width(all, width), style}};
}

const std::vector<std::string_view> help_lines_ko{
    "키",
    "  q          끝내기",
    "  s          정렬 바꾸기: 설정순, 이름, 가격, 변동률, |변동률|",
    "  r          정렬 방향 뒤집기",
    "  ↑ ↓ PgUp PgDn Home End   스크롤",
    "  h v e a    24h 고가/저가, 거래량, 거래소, 경과 시간 열 켜기/끄기",
    "  p          김치 프리미엄 표 / 시세 표",
    "  ?          이 도움말 닫기",
    "",
    "변동률은 sise의 24시간 변동률입니다. '~'와 시간은 아직 24시간을 다 채우지",
    "못한 창(그 시간 동안의 변동)을 뜻합니다. 흐린 행은 실시간이 아닙니다."};
const std::vector<std::string_view> help_lines_en{
    "Keys",
    "  q          quit",
    "  s          cycle sort: config, name, price, change, |change|",
    "  r          reverse the sort",
    "  Up Down PgUp PgDn Home End   scroll",
    "  h v e a    toggle columns: 24h high/low, volume, exchange, age",
    "  p          the kimchi premium table / the price table",
    "  ?          close this help",
    "",
    "Change is sise's rolling 24 h change. '~' and hours mark a window that does not",
    "cover 24 h yet (the change over those hours). Dim rows are not live."};

}  // namespace sise::cli::watch_text
