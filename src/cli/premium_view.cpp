#include "sise/cli/premium_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "sise/cli/text_width.hpp"

namespace sise::cli {
namespace {

constexpr std::size_t gap = 2;

struct column {
    std::string header;
    bool right = true;
    std::vector<std::string> cells;
};

struct venue {
    std::string exchange;
    std::string quote;  // foreign columns only
};

bool same_venue(const venue& a, const venue& b) {
    return a.exchange == b.exchange && a.quote == b.quote;
}

std::string selector(const ticker_row& r) {
    return r.exchange + ":" + r.market;
}

const ticker_row* find_row(std::span<const ticker_row> rows, const std::string& base,
                           const venue& v, bool korean) {
    for (const auto& r : rows)
        if (r.base == base && r.exchange == v.exchange &&
            (korean ? r.quote == "KRW" : r.quote == v.quote && !r.krw.empty()))
            return &r;
    return nullptr;
}

std::string price_text(const std::optional<std::string>& price) {
    if (!price) return "-";
    auto formatted = format_price(*price);
    return formatted ? *formatted : "-";
}

std::string render_columns(const std::vector<column>& columns) {
    std::vector<std::size_t> widths;
    for (const auto& c : columns) {
        std::size_t w = display_width(c.header);
        for (const auto& cell : c.cells) w = std::max(w, display_width(cell));
        widths.push_back(w);
    }
    std::string out;
    const auto line = [&](auto text_of) {
        std::string l;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i) l.append(gap, ' ');
            const std::string text = text_of(columns[i]);
            const std::size_t pad = widths[i] - std::min(widths[i], display_width(text));
            if (columns[i].right) l.append(pad, ' ');
            l += text;
            if (!columns[i].right) l.append(pad, ' ');
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out += l;
        out += '\n';
    };
    line([](const column& c) { return c.header; });
    const std::size_t n = columns.empty() ? 0 : columns.front().cells.size();
    for (std::size_t row = 0; row < n; ++row) line([row](const column& c) { return c.cells[row]; });
    return out;
}

}  // namespace

std::string render_premium(std::span<const ticker_row> rows, const render_options& options) {
    const bool ko = options.lang == language::ko;
    std::vector<std::string> coins;
    std::vector<venue> korean;
    std::vector<venue> foreign;
    std::vector<const krw_conversion*> bases;  // each named basis once, as the daemon lists them
    bool any_fx = false;
    for (const auto& r : rows) {
        if (!r.krw.empty() || !r.premium.empty()) any_fx = true;
        if (r.quote == "KRW" && r.base != "USDT") {
            if (std::find(coins.begin(), coins.end(), r.base) == coins.end())
                coins.push_back(r.base);
            const venue v{r.exchange, ""};
            if (std::none_of(korean.begin(), korean.end(),
                             [&](const venue& k) { return same_venue(k, v); }))
                korean.push_back(v);
        }
        if (!r.krw.empty()) {
            const venue v{r.exchange, r.quote};
            if (std::none_of(foreign.begin(), foreign.end(),
                             [&](const venue& f) { return same_venue(f, v); }))
                foreign.push_back(v);
            for (const auto& c : r.krw)
                if (!c.basis.empty() &&
                    std::none_of(bases.begin(), bases.end(),
                                 [&](const krw_conversion* b) { return b->basis == c.basis; }))
                    bases.push_back(&c);
        }
    }
    if (!any_fx) return {};
    // Premium columns per basis, never mixed (fx.md §4.5); null: whatever the rows carry.
    std::vector<const krw_conversion*> shown = bases;
    if (shown.empty()) shown.push_back(nullptr);

    std::vector<column> columns;
    columns.push_back({ko ? "종목" : "Coin", false, {}});
    for (const auto& v : korean) {
        const auto label = exchange_label(v.exchange, options.lang);
        columns.push_back(
            {ko ? fmt::format("{}(원)", label) : fmt::format("{} KRW", label), true, {}});
    }
    for (const auto& v : foreign) {
        const auto label = exchange_label(v.exchange, options.lang);
        const std::string quote = sanitize_for_terminal(v.quote);
        columns.push_back(
            {ko ? fmt::format("{} {}→원", label, quote) : fmt::format("{} {} in KRW", label, quote),
             true,
             {}});
    }
    for (std::size_t b = 0; b < shown.size(); ++b)
        for (const auto& v : korean) {
            const auto label = exchange_label(v.exchange, options.lang);
            std::string header =
                ko ? fmt::format("{} 김프", label) : fmt::format("{} premium", label);
            // The first basis is the table's own; any other is named in its header.
            if (b > 0) header += fmt::format(" ({})", sanitize_for_terminal(shown[b]->basis));
            columns.push_back({std::move(header), true, {}});
        }

    std::set<std::string> reasons;
    for (const std::string& coin : coins) {
        std::size_t c = 0;
        std::string name = sanitize_for_terminal(coin);
        for (const auto& v : korean)
            if (const ticker_row* r = find_row(rows, coin, v, true)) {
                const std::string& local = ko ? r->name_ko : r->name_en;
                if (!local.empty()) name = sanitize_for_terminal(local);
                break;
            }
        columns[c++].cells.push_back(name);
        for (const auto& v : korean) {
            const ticker_row* r = find_row(rows, coin, v, true);
            columns[c++].cells.push_back(r ? price_text(r->price) : "-");
        }
        const ticker_row* first_foreign = nullptr;
        for (const auto& v : foreign) {
            const ticker_row* r = find_row(rows, coin, v, false);
            if (!first_foreign && r && &v == &foreign.front()) first_foreign = r;
            std::string text = "-";
            // The foreign price in KRW under the first basis.
            for (const auto& k :
                 r ? std::span<const krw_conversion>(r->krw) : std::span<const krw_conversion>()) {
                if (shown.front() && k.basis != shown.front()->basis) continue;
                if (k.value)
                    text = price_text(k.value);
                else if (!k.reason.empty())
                    reasons.insert(k.reason);
                break;
            }
            columns[c++].cells.push_back(std::move(text));
        }
        for (const krw_conversion* basis : shown)
            for (const auto& v : korean) {
                const ticker_row* r = find_row(rows, coin, v, true);
                std::string text = "-";
                if (r && first_foreign)
                    for (const auto& p : r->premium) {
                        if (p.vs != selector(*first_foreign)) continue;
                        if (basis && p.basis != basis->basis) continue;
                        if (p.percent) {
                            if (auto formatted = format_percent(*p.percent)) text = *formatted;
                        } else if (!p.reason.empty()) {
                            reasons.insert(p.reason);
                        }
                        break;
                    }
                columns[c++].cells.push_back(std::move(text));
            }
    }

    std::string out = render_columns(columns);
    for (const krw_conversion* basis : bases) {
        const std::string name = sanitize_for_terminal(basis->basis);
        const std::string pair = sanitize_for_terminal(basis->pair);
        const std::string rate = basis->rate ? sanitize_for_terminal(*basis->rate) : "-";
        const std::string source = sanitize_for_terminal(basis->source);
        out += ko ? fmt::format("기준 환율: {} ({} {}, 출처 {})", name, pair, rate, source)
                  : fmt::format("FX basis: {} ({} {}, source {})", name, pair, rate, source);
        if (basis->usdt_as_usd) out += ko ? "; USDT를 1 USD로 간주" : "; USDT taken as 1 USD";
        out += '\n';
    }
    if (bases.empty()) {
        out += ko ? "기준 환율: 없음 (이 시세의 통화를 환산할 환율이 설정되지 않음)\n"
                  : "FX basis: none (no configured rate converts these quotes)\n";
    }
    if (!reasons.empty()) {
        std::string list;
        for (const auto& r : reasons) list += (list.empty() ? "" : ", ") + sanitize_for_terminal(r);
        out += ko ? fmt::format("계산 불가: {}\n", list) : fmt::format("not computed: {}\n", list);
    }
    return out;
}

}  // namespace sise::cli
