#include "sise/cli/table_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "sise/cli/row_status.hpp"
#include "sise/cli/text_width.hpp"

namespace sise::cli {

// --- rendering -----------------------------------------------------------------------------

namespace {

enum class align { left, right };

struct cell {
    std::string text;  // sanitized, printable
    std::string sgr;   // SGR parameters ("31", "2;34"), empty for plain
};

struct column {
    std::string header;
    align alignment = align::left;
    std::vector<cell> cells;
    std::size_t width = 0;
};

struct labels {
    std::string_view name;
    std::string_view exchange;
    std::string_view price;  // followed by the quote currency, if there is one
    std::string_view change_utc0;
    std::string_view change_24h;
    std::string_view change_plain;
    std::string_view change_mixed;
};

constexpr labels korean{"종목",
                        "거래소",
                        "현재가",
                        "변동률(UTC 0시)",
                        "24시간 변동률",
                        "변동률",
                        "변동률(기준 혼합)"};
constexpr labels english{"Coin",
                         "Exchange",
                         "Price",
                         "Change (UTC 0h)",
                         "24h Change",
                         "Change",
                         "Change (mixed basis)"};

constexpr std::size_t gap = 2;       // spaces between columns
constexpr std::size_t min_name = 4;  // a name column is never cut below this

std::string price_header(const labels& l, language lang, std::string_view quote) {
    if (quote.empty()) return std::string(l.price);
    if (lang == language::ko) {
        if (quote == "KRW") return fmt::format("{}(원)", l.price);
        return fmt::format("{}({})", l.price, quote);
    }
    return fmt::format("{} ({})", l.price, quote);
}

// Which change figure the table shows, and how the header names its basis.
struct change_choice {
    bool use_24h = false;
    std::string_view label;
};

change_choice choose_change(std::span<const ticker_row> rows, const labels& l) {
    // The rolling column only when every row with a price has a full 24 h window: a partial
    // figure is never shown under a 24 h label.
    const auto priced = [](const ticker_row& r) { return r.price && shows_figures(r); };
    const bool any_priced = std::any_of(rows.begin(), rows.end(), priced);
    const bool all_rolling = std::all_of(rows.begin(), rows.end(), [&](const auto& r) {
        return !priced(r) || (r.basis == "rolling_24h" && r.change_pct_24h);
    });
    if (any_priced && all_rolling) return {true, l.change_24h};
    std::set<std::string_view> bases;
    for (const auto& r : rows)
        if (shows_figures(r) && !r.exchange_change_basis.empty() &&
            r.exchange_change_basis != "none")
            bases.insert(r.exchange_change_basis);
    if (bases.size() > 1) return {false, l.change_mixed};
    if (bases.size() == 1 && *bases.begin() == "prev_close_utc0") return {false, l.change_utc0};
    if (bases.size() == 1 && *bases.begin() == "rolling_24h") return {false, l.change_24h};
    return {false, l.change_plain};
}

std::string join_sgr(std::string_view a, std::string_view b) {
    if (a.empty()) return std::string(b);
    if (b.empty()) return std::string(a);
    return fmt::format("{};{}", a, b);
}

void append_cell(std::string& line, const cell& c, const column& col, bool color, bool last) {
    const std::size_t w = display_width(c.text);
    const std::size_t pad = col.width > w ? col.width - w : 0;
    if (col.alignment == align::right) line.append(pad, ' ');
    if (color && !c.sgr.empty() && !c.text.empty())
        fmt::format_to(std::back_inserter(line), "\x1b[{}m{}\x1b[0m", c.sgr, c.text);
    else
        line += c.text;
    if (col.alignment == align::left && !last) line.append(pad, ' ');
}

}  // namespace

std::string_view exchange_label(std::string_view exchange, language lang) {
    struct entry {
        std::string_view id, ko, en;
    };
    static constexpr std::array names{
        entry{"upbit", "업비트", "Upbit"},       entry{"bithumb", "빗썸", "Bithumb"},
        entry{"binance", "바이낸스", "Binance"}, entry{"coinbase", "코인베이스", "Coinbase"},
        entry{"kraken", "크라켄", "Kraken"},     entry{"okx", "OKX", "OKX"},
        entry{"bybit", "바이비트", "Bybit"}};
    for (const auto& e : names)
        if (e.id == exchange) return lang == language::ko ? e.ko : e.en;
    return exchange;
}

std::string display_name(const ticker_row& r, language lang) {
    const std::string& local_name = lang == language::ko ? r.name_ko : r.name_en;
    return sanitize_for_terminal(!local_name.empty() ? local_name
                                 : !r.base.empty()   ? r.base
                                                     : r.market);
}

std::string render_table(std::span<const ticker_row> rows, const render_options& options) {
    const labels& l = options.lang == language::ko ? korean : english;

    std::set<std::string_view> exchanges;
    std::set<std::string_view> quotes;
    for (const auto& r : rows) {
        exchanges.insert(r.exchange);
        quotes.insert(r.quote);
    }
    // One quote currency goes in the header; several go next to each price.
    const bool one_quote = quotes.size() <= 1;
    const change_choice change = choose_change(rows, l);

    column name{std::string(l.name), align::left, {}, 0};
    column exchange{std::string(l.exchange), align::left, {}, 0};
    column price{price_header(l, options.lang,
                              one_quote && !quotes.empty() ? sanitize_for_terminal(*quotes.begin())
                                                           : std::string()),
                 align::right,
                 {},
                 0};
    column pct{std::string(change.label), align::right, {}, 0};
    column note{"", align::left, {}, 0};

    for (const auto& r : rows) {
        const bool live = state_of(r.status) == row_state::live;
        const bool figures = shows_figures(r);
        const std::string dim = live ? "" : "2";

        name.cells.push_back({display_name(r, options.lang), dim});
        exchange.cells.push_back(
            {sanitize_for_terminal(exchange_label(r.exchange, options.lang)), dim});

        const std::optional<std::string>& figure =
            change.use_24h ? r.change_pct_24h : r.exchange_change_pct;
        std::string pct_text = "-";
        if (figure && figures)
            if (auto formatted = format_percent(*figure)) pct_text = std::move(*formatted);
        // The colour follows the figure as shown: "-0.004" prints "0.00%" and stays plain.
        const std::string_view hue = pct_text.front() == '+'                          ? "31"
                                     : pct_text.front() == '-' && pct_text.size() > 1 ? "34"
                                                                                      : "";

        std::string price_text = "-";
        if (r.price && figures)
            if (auto formatted = format_price(*r.price)) price_text = std::move(*formatted);
        if (!one_quote && r.price && figures) price_text += " " + sanitize_for_terminal(r.quote);

        price.cells.push_back({std::move(price_text), join_sgr(dim, hue)});
        pct.cells.push_back({std::move(pct_text), join_sgr(dim, hue)});

        note.cells.push_back({status_note(r.status, options.lang), dim});
    }

    std::vector<column*> columns{&name};
    if (exchanges.size() > 1) columns.push_back(&exchange);
    columns.push_back(&price);
    columns.push_back(&pct);
    if (std::any_of(note.cells.begin(), note.cells.end(),
                    [](const cell& c) { return !c.text.empty(); }))
        columns.push_back(&note);

    std::size_t total = 0;
    for (column* col : columns) {
        col->width = display_width(col->header);
        for (const cell& c : col->cells) col->width = std::max(col->width, display_width(c.text));
        total += col->width;
    }
    total += gap * (columns.size() - 1);

    // Too wide for the terminal: the name column gives way, never the figures.
    if (options.width != 0 && total > options.width && name.width > min_name) {
        const std::size_t excess = total - options.width;
        name.width = std::max(min_name, name.width > excess ? name.width - excess : 0);
        name.header = truncate_to_width(name.header, name.width);
        for (cell& c : name.cells) c.text = truncate_to_width(c.text, name.width);
    }

    std::string out;
    const auto finish_line = [&out] {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out.push_back('\n');
    };
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i != 0) out.append(gap, ' ');
        append_cell(out, {columns[i]->header, ""}, *columns[i], false, i + 1 == columns.size());
    }
    finish_line();
    for (std::size_t row = 0; row < rows.size(); ++row) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i != 0) out.append(gap, ' ');
            append_cell(out, columns[i]->cells[row], *columns[i], options.color,
                        i + 1 == columns.size());
        }
        finish_line();
    }
    return out;
}

std::vector<ticker_row> select_markets(std::span<const ticker_row> rows,
                                       std::span<const std::string> markets,
                                       std::vector<std::string>& missing) {
    const auto same = [](std::string_view a, std::string_view b) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        return a.size() == b.size() &&
               std::equal(a.begin(), a.end(), b.begin(),
                          [&](char x, char y) { return lower(x) == lower(y); });
    };
    std::vector<ticker_row> selected;
    missing.clear();
    for (const std::string& market : markets) {
        // "upbit:KRW-BTC" selects that venue's row only; a bare code every venue's.
        const std::string_view asked = market;
        const std::size_t colon = asked.find(':');
        const std::string_view venue =
            colon == std::string_view::npos ? std::string_view{} : asked.substr(0, colon);
        const std::string_view code =
            colon == std::string_view::npos ? asked : asked.substr(colon + 1);
        bool found = false;
        for (const auto& r : rows)
            if (same(r.market, code) && (venue.empty() || same(r.exchange, venue))) {
                selected.push_back(r);
                found = true;
            }
        if (!found) missing.push_back(market);
    }
    return selected;
}

}  // namespace sise::cli
