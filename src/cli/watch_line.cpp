#include "sise/cli/watch_line.hpp"

#include <fmt/format.h>

#include <chrono>

#include "sise/cli/row_status.hpp"
#include "sise/cli/text_width.hpp"

namespace sise::cli {

namespace {

// Sanitized and without spaces, so that a line always splits into the same fields.
std::string field(std::string_view text) {
    if (text.empty()) return "-";
    std::string out = sanitize_for_terminal(text);
    for (char& c : out)
        if (c == ' ') c = '_';
    return out;
}

}  // namespace

std::string watch_line(const ticker_row& row, std::int64_t time_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> at{milliseconds{time_ms}};
    const auto day = floor<days>(at);
    const year_month_day date{day};
    const hh_mm_ss<milliseconds> clock{at - day};
    // A market that is not listed or delivered nothing has no figures, whatever the row holds.
    const bool figures = shows_figures(row);
    return fmt::format(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {} {} {} {} {} {}\n",
        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
        static_cast<unsigned>(date.day()), clock.hours().count(), clock.minutes().count(),
        clock.seconds().count(), clock.subseconds().count(), field(row.exchange), field(row.market),
        field(figures ? row.price.value_or("") : ""),
        field(figures ? row.change_pct_24h.value_or("") : ""), field(row.basis), field(row.status));
}

}  // namespace sise::cli
