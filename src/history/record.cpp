#include "sise/history/record.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "sise/core/utc_time.hpp"

namespace sise::history {
namespace {

constexpr std::size_t field_count = 12;

std::optional<std::int64_t> parse_int(std::string_view text) noexcept {
    std::int64_t value = 0;
    if (text.empty()) return std::nullopt;
    // One spelling per value, as append_csv writes it: no leading zeros, no "-0".
    const std::string_view digits = text.front() == '-' ? text.substr(1) : text;
    if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
    if (text == "-0") return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// An optional decimal field: empty stays empty; anything else must be a plain JSON number.
bool parse_decimal(std::string_view text, decimal& out) noexcept {
    if (text.empty()) {
        out = decimal{};
        return true;
    }
    auto value = decimal::from_json_number(text);
    if (!value || value->text() != text) return false;  // plain notation only, as written
    out = *value;
    return true;
}

std::optional<window_basis> parse_basis(std::string_view text) noexcept {
    for (auto basis : {window_basis::none, window_basis::partial, window_basis::rolling_24h})
        if (to_string(basis) == text) return basis;
    return std::nullopt;
}

bool valid_market(std::string_view text) noexcept {
    if (text.empty() || text.size() > market_code::capacity) return false;
    for (char c : text)
        if (c == ',' || c == '"' || static_cast<unsigned char>(c) < 0x21 ||
            static_cast<unsigned char>(c) > 0x7e)
            return false;
    return true;
}

}  // namespace

pending_record capture(const market::ticker_row& row) {
    pending_record p;
    record& r = p.base;
    r.time_ms = record_time(row.ticker.exchange_time_ms, row.received_ms);
    r.exchange = row.exchange;
    r.market = row.ticker.market;
    r.price = row.ticker.price;
    r.exchange_change_pct = row.ticker.change_pct;
    r.volume_24h = row.ticker.volume_24h;
    r.quote_volume_24h = row.ticker.quote_volume_24h;
    r.received_ms = row.received_ms;
    p.change = market::rolling_change_numbers(row, r.time_ms);
    return p;
}

record finish(const pending_record& pending) {
    record r = pending.base;
    const market::row_figures figures = market::change_figures(pending.change);
    r.change_24h = figures.change;
    r.change_pct_24h = figures.change_pct;
    r.basis = figures.basis;
    return r;
}

record record_of(const market::ticker_row& row) {
    return finish(capture(row));
}

void append_csv(std::string& out, const record& r) {
    fmt::format_to(std::back_inserter(out), "{},", r.time_ms);
    append_utc_iso8601_ms(out, r.time_ms);
    fmt::format_to(std::back_inserter(out), ",{},{},{},{},{},{},{},{},{},{}\n",
                   to_string(r.exchange), r.market.view(), r.price.text(), r.change_24h.text(),
                   r.change_pct_24h.text(), to_string(r.basis), r.exchange_change_pct.text(),
                   r.volume_24h.text(), r.quote_volume_24h.text(), r.received_ms);
}

std::optional<record> parse_csv_line(std::string_view line) noexcept {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::array<std::string_view, field_count> fields;
    std::size_t count = 0;
    for (std::size_t start = 0;;) {
        const std::size_t comma = line.find(',', start);
        if (count == field_count) return std::nullopt;
        fields[count++] =
            line.substr(start, comma == std::string_view::npos ? comma : comma - start);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (count != field_count) return std::nullopt;

    record r;
    const auto time_ms = parse_int(fields[0]);
    if (!time_ms || *time_ms < 0 || *time_ms > 253'402'300'799'999)
        return std::nullopt;  // < year 10000
    r.time_ms = *time_ms;
    std::string iso;
    append_utc_iso8601_ms(iso, r.time_ms);
    if (fields[1] != iso) return std::nullopt;
    const auto exchange = exchange_from_string(fields[2]);
    if (!exchange || !valid_market(fields[3])) return std::nullopt;
    r.exchange = *exchange;
    r.market.assign(fields[3]);
    if (fields[4].empty() || !parse_decimal(fields[4], r.price)) return std::nullopt;
    if (!parse_decimal(fields[5], r.change_24h) || !parse_decimal(fields[6], r.change_pct_24h))
        return std::nullopt;
    const auto basis = parse_basis(fields[7]);
    if (!basis) return std::nullopt;
    r.basis = *basis;
    if (!parse_decimal(fields[8], r.exchange_change_pct) ||
        !parse_decimal(fields[9], r.volume_24h) || !parse_decimal(fields[10], r.quote_volume_24h))
        return std::nullopt;
    const auto received_ms = parse_int(fields[11]);
    if (!received_ms) return std::nullopt;
    r.received_ms = *received_ms;
    return r;
}

}  // namespace sise::history
