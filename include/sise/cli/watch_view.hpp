// What `sise watch` shows: the stream model's rows as a full-screen frame (header, sorted
// and scrolled rows, status line, help), the keys that change the view, and the brief
// highlight of the digits of a price that changed. Pure: rows, time and the screen size in,
// a screen_frame out; the terminal is screen_terminal's, the connection watch_command's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sise/cli/key_input.hpp"
#include "sise/cli/screen_frame.hpp"
#include "sise/cli/table_view.hpp"
#include "sise/cli/ticker_message.hpp"

namespace sise::cli {

// kr: rising red, falling blue. us: rising green, falling red. none: no colour.
enum class palette { kr, us, none };
inline constexpr std::array<std::pair<std::string_view, palette>, 3> palette_names{
    {{"kr", palette::kr}, {"us", palette::us}, {"none", palette::none}}};

// The order `s` cycles through.
enum class sort_key { config, name, price, change, abs_change };
inline constexpr std::array<std::pair<std::string_view, sort_key>, 5> sort_key_names{
    {{"config", sort_key::config},
     {"name", sort_key::name},
     {"price", sort_key::price},
     {"change", sort_key::change},
     {"abs-change", sort_key::abs_change}}};

// Optional columns (keys h, v, e, a). The exchange column, unless set either way by the
// flag or the key, shows by itself when rows come from more than one exchange.
struct watch_columns {
    bool high_low = false;
    bool volume = false;
    std::optional<bool> exchange;  // nullopt: automatic
    bool age = false;
};

struct watch_settings {
    language lang = language::ko;
    palette colors = palette::kr;
    watch_columns columns;
    std::string daemon;  // "127.0.0.1:8765", for the status line
    // The premium table (as `sise snapshot --premium`) instead of the rows; key p.
    bool premium = false;
};

// The connection to sised, as the status line shows it.
struct link_status {
    enum class state { connecting, live, reconnecting } now = state::connecting;
    unsigned attempt = 0;             // failed attempts in a row
    std::int64_t retry_at_ms = 0;     // reconnecting: when the next attempt is
    std::string error;                // why the last attempt or connection ended
    std::int64_t last_update_ms = 0;  // 0: none yet
    std::int64_t utc_offset_ms = 0;   // local time = UTC + this, for the clock shown
};

// How long a changed price's digits stay highlighted.
inline constexpr std::int64_t flash_ms = 1000;

// The rows' display order for a sort key (rows without the value last, whatever the
// direction); `reverse` flips the rest. By name, a coin's rows on several venues stay
// together, in config order: they sort under the coin's name from whichever venue gives
// one in `lang` (Binance gives no Korean names).
std::vector<std::size_t> sort_rows(const std::vector<ticker_row>& rows, sort_key key, bool reverse,
                                   language lang);

class watch_view {
public:
    enum class action { none, redraw, quit };

    explicit watch_view(watch_settings settings);

    // Remembers the prices of the `changed` rows; a price that moved highlights the digits
    // that differ until now_ms + flash_ms.
    void observe(const std::vector<ticker_row>& rows, const std::vector<std::size_t>& changed,
                 std::int64_t now_ms);
    // True while a highlight is on screen (the caller redraws until it fades).
    bool highlighting(std::int64_t now_ms) const;

    action on_key(const key_press& k);

    // The whole screen. Columns are dropped when the table is wider than `width`, in this
    // order: age, volume, 24 h high/low, exchange, then the name is cut (to 4 columns), then
    // the status note, then the change; the price always stays. When rows come from several
    // exchanges, the exchange tells a coin's rows apart and goes after the name is cut.
    // Nothing is wider than `width`.
    screen_frame render(const std::vector<ticker_row>& rows, const link_status& link,
                        std::int64_t now_ms, std::size_t width, std::size_t height);

    const watch_settings& settings() const noexcept { return settings_; }
    sort_key sort() const noexcept { return sort_; }
    bool reversed() const noexcept { return reverse_; }
    std::size_t scroll() const noexcept { return scroll_; }

private:
    struct flash {
        std::string before;  // formatted prices
        std::string after;
        bool up = false;
        std::int64_t until_ms = 0;
    };

    watch_settings settings_;
    sort_key sort_ = sort_key::config;
    bool reverse_ = false;
    bool help_ = false;
    std::size_t scroll_ = 0;
    std::size_t page_ = 1;  // rows visible at the last render, for PgUp/PgDn
    std::size_t row_count_ = 0;
    bool several_exchanges_ = false;                 // at the last render, for the `e` key
    std::map<std::string, std::string> last_price_;  // by exchange:market, formatted
    std::map<std::string, flash> flashes_;
};

}  // namespace sise::cli
