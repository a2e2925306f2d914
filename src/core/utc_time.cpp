#include "sise/core/utc_time.hpp"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

namespace sise {
namespace {

// Two or four digits: read as they are checked (from_chars' overflow checks cost ~70
// instructions a field here, and Coinbase and Kraken stamp every ticker frame, issue 15).
bool read_int(std::string_view text, std::size_t at, std::size_t digits, int& out) noexcept {
    if (at + digits > text.size()) return false;
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        const char c = text[at + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

}  // namespace

std::optional<std::int64_t> parse_utc_iso8601(std::string_view text) noexcept {
    using namespace std::chrono;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
        return std::nullopt;
    if (!read_int(text, 0, 4, y) || !read_int(text, 5, 2, mo) || !read_int(text, 8, 2, d) ||
        !read_int(text, 11, 2, h) || !read_int(text, 14, 2, mi) || !read_int(text, 17, 2, s))
        return std::nullopt;
    if (text.size() > 19 && text.substr(19) != "Z") return std::nullopt;
    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                              day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
    const auto time = sys_days{date} + hours{h} + minutes{mi} + seconds{s};
    return duration_cast<milliseconds>(time.time_since_epoch()).count();
}

std::string format_utc_iso8601(std::int64_t epoch_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> time{milliseconds{epoch_ms}};
    const auto day_start = floor<days>(time);
    const year_month_day date{day_start};
    const hh_mm_ss clock{floor<seconds>(time - day_start)};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

void append_utc_iso8601_ms(std::string& out, std::int64_t epoch_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> time{milliseconds{epoch_ms}};
    const auto day_start = floor<days>(time);
    const year_month_day date{day_start};
    const hh_mm_ss clock{time - day_start};
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                   static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                   static_cast<unsigned>(date.day()), clock.hours().count(),
                   clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

std::string format_utc_iso8601_ms(std::int64_t epoch_ms) {
    std::string out;
    append_utc_iso8601_ms(out, epoch_ms);
    return out;
}

}  // namespace sise
