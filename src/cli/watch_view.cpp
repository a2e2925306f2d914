#include "sise/cli/watch_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "sise/cli/premium_view.hpp"
#include "sise/cli/row_status.hpp"
#include "sise/cli/text_width.hpp"
#include "watch_text.hpp"

namespace sise::cli {

using namespace watch_text;

std::vector<std::size_t> sort_rows(const std::vector<ticker_row>& rows, sort_key key, bool reverse,
                                   language lang) {
    std::vector<std::size_t> order(rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (key == sort_key::config) {
        if (reverse) std::reverse(order.begin(), order.end());
        return order;
    }
    if (key == sort_key::name) {
        // The coin's name: the first in `lang` any venue gives for its base coin.
        std::map<std::string_view, std::string> coin_names;
        for (const auto& r : rows) {
            const std::string& local = lang == language::ko ? r.name_ko : r.name_en;
            if (!r.base.empty() && !local.empty()) coin_names.emplace(r.base, local);
        }
        std::vector<std::pair<std::string, std::string_view>> names;  // (name, coin)
        for (const auto& r : rows) {
            const auto named = coin_names.find(r.base);
            names.emplace_back(named != coin_names.end() ? sanitize_for_terminal(named->second)
                                                         : display_name(r, lang),
                               r.base);
        }
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return reverse ? names[a] > names[b] : names[a] < names[b];
        });
        return order;
    }
    // Figures: largest first; rows without the figure last in either direction.
    std::vector<std::optional<double>> values;
    for (const auto& r : rows) {
        std::optional<double> v;
        if (shows_figures(r))
            v = key == sort_key::price ? number(r.price) : number(r.change_pct_24h);
        if (v && key == sort_key::abs_change) v = std::fabs(*v);
        values.push_back(v);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (!values[a] || !values[b]) return values[a].has_value() && !values[b].has_value();
        return reverse ? *values[a] < *values[b] : *values[a] > *values[b];
    });
    return order;
}

watch_view::watch_view(watch_settings settings) : settings_(std::move(settings)) {}

void watch_view::observe(const std::vector<ticker_row>& rows,
                         const std::vector<std::size_t>& changed, std::int64_t now_ms) {
    for (const std::size_t i : changed) {
        if (i >= rows.size()) continue;
        const ticker_row& r = rows[i];
        const std::string key = row_key(r);
        const std::string now_text = price_text(r.price);
        auto last = last_price_.find(key);
        if (last != last_price_.end() && last->second != now_text && r.price &&
            last->second != "-") {
            flash f;
            f.before = last->second;
            f.after = now_text;
            // Compare the digits as numbers: grouped text compares wrongly ("9" vs "10").
            std::string a = f.before, b = f.after;
            std::erase(a, ',');
            std::erase(b, ',');
            f.up = number(b).value_or(0) > number(a).value_or(0);
            f.until_ms = now_ms + flash_ms;
            flashes_[key] = std::move(f);
        }
        last_price_[key] = now_text;
    }
}

bool watch_view::highlighting(std::int64_t now_ms) const {
    return std::any_of(flashes_.begin(), flashes_.end(),
                       [now_ms](const auto& f) { return f.second.until_ms > now_ms; });
}

watch_view::action watch_view::on_key(const key_press& k) {
    const auto scroll_to = [this](std::size_t target) {
        const std::size_t max = row_count_ > page_ ? row_count_ - page_ : 0;
        scroll_ = std::min(target, max);
        return action::redraw;
    };
    switch (k.what) {
        case key::up:
            return scroll_to(scroll_ > 0 ? scroll_ - 1 : 0);
        case key::down:
            return scroll_to(scroll_ + 1);
        case key::page_up:
            return scroll_to(scroll_ > page_ ? scroll_ - page_ : 0);
        case key::page_down:
            return scroll_to(scroll_ + page_);
        case key::home:
            return scroll_to(0);
        case key::end:
            return scroll_to(row_count_);
        case key::escape:
            if (!help_) return action::none;
            help_ = false;
            return action::redraw;
        case key::character:
            break;
    }
    switch (k.ch) {
        case 'q':
        case 'Q':
            return action::quit;
        case 's':
            sort_ = static_cast<sort_key>((static_cast<int>(sort_) + 1) % 5);
            return action::redraw;
        case 'r':
            reverse_ = !reverse_;
            return action::redraw;
        case '?':
            help_ = !help_;
            return action::redraw;
        case 'p':
            settings_.premium = !settings_.premium;
            scroll_ = 0;
            return action::redraw;
        case 'h':
            settings_.columns.high_low = !settings_.columns.high_low;
            return action::redraw;
        case 'v':
            settings_.columns.volume = !settings_.columns.volume;
            return action::redraw;
        case 'e':
            settings_.columns.exchange = !settings_.columns.exchange.value_or(several_exchanges_);
            return action::redraw;
        case 'a':
            settings_.columns.age = !settings_.columns.age;
            return action::redraw;
        default:
            return action::none;
    }
}

screen_frame watch_view::render(const std::vector<ticker_row>& rows, const link_status& link,
                                std::int64_t now_ms, std::size_t width, std::size_t height) {
    screen_frame frame(width, height);
    if (width == 0 || height == 0) return frame;
    const words& w = settings_.lang == language::ko ? korean : english;
    const bool link_live = link.now == link_status::state::live;
    const cell_style plain;
    cell_style dim;
    dim.dim = true;

    std::set<std::string_view> exchanges, quotes;
    for (const auto& r : rows) {
        exchanges.insert(r.exchange);
        quotes.insert(r.quote);
    }
    const bool one_quote = quotes.size() <= 1;
    std::string price_header(w.price);
    if (one_quote && !quotes.empty()) {
        const std::string quote = sanitize_for_terminal(*quotes.begin());
        price_header += settings_.lang == language::ko && quote == "KRW" ? "(원)"
                        : settings_.lang == language::ko                 ? "(" + quote + ")"
                                                                         : " (" + quote + ")";
    }

    column name{std::string(w.name), align::left, {}, 0};
    column exchange{std::string(w.exchange), align::left, {}, 0};
    column price{price_header, align::right, {}, 0};
    column change{std::string(w.change), align::right, {}, 0};
    column high{std::string(w.high), align::right, {}, 0};
    column low{std::string(w.low), align::right, {}, 0};
    column volume{std::string(w.volume), align::right, {}, 0};
    column age{std::string(w.age), align::right, {}, 0};
    column note{"", align::left, {}, 0};

    const std::vector<std::size_t> order = sort_rows(rows, sort_, reverse_, settings_.lang);
    for (const std::size_t index : order) {
        const ticker_row& r = rows[index];
        // A row is live only when its feed is and the connection to sised is.
        const row_state state = state_of(r.status);
        const bool live = state == row_state::live && link_live;
        // A market that is not listed or delivered nothing has no figures to show.
        const std::optional<std::string> no_figure;
        const auto figure =
            [&](const std::optional<std::string>& value) -> const std::optional<std::string>& {
            return shows_figures(state) ? value : no_figure;
        };
        const std::optional<std::string>& row_price = figure(r.price);
        cell_style base;
        base.dim = !live;

        name.cells.push_back({{display_name(r, settings_.lang), base}});
        exchange.cells.push_back(
            {{sanitize_for_terminal(exchange_label(r.exchange, settings_.lang)), base}});

        std::string pct;
        if (const auto& shown = figure(r.change_pct_24h); shown && r.basis != "none")
            if (auto formatted = format_percent(*shown)) pct = *formatted;
        const int direction = shown_direction(pct);
        cell_style hue = base;
        hue.color = direction_color(settings_.colors, direction);

        // The price, with the digits that changed recently in reverse video.
        std::string shown_price = price_text(row_price);
        if (!one_quote && row_price) shown_price += " " + sanitize_for_terminal(r.quote);
        cell_text price_cell;
        const auto f = flashes_.find(row_key(r));
        if (f != flashes_.end() && f->second.until_ms > now_ms &&
            f->second.after == price_text(row_price)) {
            const std::string& before = f->second.before;
            const std::string& after = f->second.after;
            cell_style lit = hue;
            lit.reverse = true;
            lit.dim = false;
            lit.color = direction_color(settings_.colors, f->second.up ? 1 : -1);
            for (std::size_t i = 0; i < after.size(); ++i) {
                const std::size_t from_right = after.size() - i;
                const bool differs =
                    from_right > before.size() || before[before.size() - from_right] != after[i];
                price_cell.push_back({std::string(1, after[i]), differs ? lit : hue});
            }
            if (shown_price.size() > after.size())
                price_cell.push_back({shown_price.substr(after.size()), hue});
        } else {
            price_cell.push_back({shown_price, hue});
        }
        price.cells.push_back(std::move(price_cell));

        // The rolling change; a partial window says so: "~+1.23% 5h".
        cell_text change_cell;
        if (pct.empty()) {
            change_cell.push_back({"-", base});
        } else if (r.basis == "rolling_24h") {
            change_cell.push_back({pct, hue});
        } else {
            cell_style faint = base;
            faint.dim = true;
            const std::int64_t covered = r.covered_24h_ms;
            // The span covered, while it is short of 24 h (a window can cover 24 h and still
            // be partial, when minutes inside it are missing: then the "~" alone).
            const std::string hours = covered >= 86'400'000 ? ""
                                      : covered >= 3'600'000
                                          ? fmt::format(" {}h", covered / 3'600'000)
                                          : fmt::format(" {}m", covered / 60'000);
            change_cell.push_back({"~", faint});
            change_cell.push_back({pct, hue});
            if (!hours.empty()) change_cell.push_back({hours, faint});
        }
        change.cells.push_back(std::move(change_cell));

        high.cells.push_back({{price_text(figure(r.high_24h)), base}});
        low.cells.push_back({{price_text(figure(r.low_24h)), base}});
        volume.cells.push_back({{volume_text(figure(r.volume_24h)), base}});
        age.cells.push_back({{age_text(r.received_time_ms, now_ms), base}});

        // Without sised every value is the last known, except that a market is not listed.
        const std::string note_text = !link_live && state != row_state::unlisted
                                          ? std::string(w.stale)
                                          : status_note(r.status, settings_.lang);
        note.cells.push_back({{note_text, base}});
    }

    // Columns in screen order, with the order in which they give way when narrow.
    std::vector<column*> columns{&name};
    several_exchanges_ = exchanges.size() > 1;
    if (settings_.columns.exchange.value_or(several_exchanges_)) columns.push_back(&exchange);
    columns.push_back(&price);
    columns.push_back(&change);
    if (settings_.columns.high_low) {
        columns.push_back(&high);
        columns.push_back(&low);
    }
    if (settings_.columns.volume) columns.push_back(&volume);
    if (settings_.columns.age) columns.push_back(&age);
    const bool any_note = std::any_of(note.cells.begin(), note.cells.end(),
                                      [](const cell_text& c) { return !c.front().text.empty(); });
    if (any_note) columns.push_back(&note);

    std::size_t total = 0;
    const auto measure = [&] {
        total = 0;
        for (column* col : columns) {
            col->width = display_width(col->header);
            for (const cell_text& c : col->cells) col->width = std::max(col->width, cell_width(c));
            total += col->width;
        }
        total += gap * (columns.size() - 1);
    };
    measure();
    const auto drop = [&](column* col) {
        if (total <= width) return;
        const auto at = std::find(columns.begin(), columns.end(), col);
        if (at == columns.end()) return;
        columns.erase(at);
        measure();
    };
    drop(&age);
    drop(&volume);
    if (total > width) {  // high and low go together
        std::erase(columns, &low);
        drop(&high);
    }
    if (!several_exchanges_) drop(&exchange);
    if (total > width && name.width > min_name) {
        const std::size_t excess = total - width;
        name.width = std::max(min_name, name.width > excess ? name.width - excess : 0);
        name.header = truncate_to_width(name.header, name.width);
        for (cell_text& c : name.cells)
            if (cell_width(c) > name.width) cut_cell(c, name.width);
        total = 0;
        for (column* col : columns) total += col->width;
        total += gap * (columns.size() - 1);
    }
    drop(&exchange);
    drop(&note);
    drop(&change);
    // Still too wide: the frame clips at the right edge.

    const std::size_t status_row = height - 1;
    const std::size_t table_rows = height >= 2 ? height - 2 : 0;  // minus header and status
    page_ = std::max<std::size_t>(1, table_rows);
    row_count_ = rows.size();
    scroll_ = std::min(scroll_, rows.size() > table_rows ? rows.size() - table_rows : 0);

    const auto put_cell = [&](std::size_t row, std::size_t x, const column& col,
                              const cell_text& cell) {
        const std::size_t used = cell_width(cell);
        std::size_t at =
            x + (col.alignment == align::right && col.width > used ? col.width - used : 0);
        for (const segment& s : cell) at = frame.put(row, at, s.text, s.style);
    };

    if (help_) {
        const auto& lines = settings_.lang == language::ko ? help_lines_ko : help_lines_en;
        for (std::size_t i = 0; i < lines.size() && i < status_row; ++i)
            frame.put(i, 0, lines[i], i == 0 ? cell_style{0, true, false, false} : plain);
    } else if (settings_.premium) {
        // One line per coin; without sised every figure is the last known: all dim.
        render_options options;
        options.lang = settings_.lang;
        options.width = width;
        std::string text = render_premium(rows, options);
        if (text.empty()) text = std::string(w.no_premium);
        cell_style body = plain;
        body.dim = !link_live;
        std::size_t line = 0;
        for (std::size_t start = 0; line < status_row && start < text.size(); ++line) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            cell_style style = body;
            style.bold = line == 0;
            frame.put(line, 0, std::string_view(text).substr(start, end - start), style);
            start = end + 1;
        }
    } else if (height >= 2) {
        std::size_t x = 0;
        cell_style bold;
        bold.bold = true;
        for (column* col : columns) {
            put_cell(0, x, *col, {{col->header, bold}});
            x += col->width + gap;
        }
        for (std::size_t line = 0; line < table_rows && scroll_ + line < rows.size(); ++line) {
            x = 0;
            for (column* col : columns) {
                put_cell(line + 1, x, *col, col->cells[scroll_ + line]);
                x += col->width + gap;
            }
        }
    }

    // Status line: the connection, each feed, the last update, the sort, the scroll position.
    std::size_t x = 0;
    cell_style state_style;
    state_style.bold = true;
    std::string state_text;
    switch (link.now) {
        case link_status::state::live:
            state_text = fmt::format("● {}", settings_.daemon);
            state_style.color = settings_.colors == palette::none ? 0 : 32;
            break;
        case link_status::state::connecting:
            state_text = fmt::format("… {} {}", settings_.daemon, w.connecting);
            break;
        case link_status::state::reconnecting: {
            const std::int64_t wait = std::max<std::int64_t>(0, link.retry_at_ms - now_ms);
            state_text =
                fmt::format("✕ {} {}: {} · {} {}s", settings_.daemon, w.stale,
                            sanitize_for_terminal(link.error), w.retry, (wait + 999) / 1000);
            state_style.reverse = true;
            break;
        }
    }
    x = frame.put(status_row, x, state_text, state_style);
    // Each feed's state from its rows, the most telling first: live if any row is, else
    // connecting, stale, no data, an unknown status, and "not listed" only when every market
    // of the feed is.
    const auto rank = [](std::string_view status) {
        switch (state_of(status)) {
            case row_state::live:
                return 0;
            case row_state::connecting:
                return 1;
            case row_state::stale:
                return 2;
            case row_state::no_data:
                return 3;
            case row_state::other:
                return 4;
            case row_state::unlisted:
                break;
        }
        return 5;
    };
    std::map<std::string, std::string> feeds;  // exchange -> status
    for (const auto& r : rows) {
        const auto [at, added] = feeds.emplace(r.exchange, r.status);
        if (!added && rank(r.status) < rank(at->second)) at->second = r.status;
    }
    for (const auto& [id, state] : feeds) {
        const std::string shown =
            state == "live" ? std::string(w.live) : status_note(state, settings_.lang);
        cell_style s = plain;
        s.dim = state != "live" || !link_live;
        x = frame.put(status_row, x,
                      fmt::format("  {} {}",
                                  sanitize_for_terminal(exchange_label(id, settings_.lang)), shown),
                      s);
    }
    if (link.last_update_ms != 0)
        x = frame.put(status_row, x,
                      fmt::format("  {} {}", w.last_update,
                                  clock_text(link.last_update_ms, link.utc_offset_ms)),
                      plain);
    x = frame.put(
        status_row, x,
        fmt::format("  {} {}{}", w.sort, w.sorts[static_cast<int>(sort_)], reverse_ ? " ↑" : ""),
        plain);
    if (rows.size() > table_rows && table_rows > 0)
        x = frame.put(status_row, x,
                      fmt::format("  {}-{}/{}", scroll_ + 1,
                                  std::min(rows.size(), scroll_ + table_rows), rows.size()),
                      plain);
    frame.put(status_row, x, fmt::format("  {}", w.help_hint), dim);
    return frame;
}

}  // namespace sise::cli
