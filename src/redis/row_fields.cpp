#include "sise/redis/row_fields.hpp"

#include <simdjson.h>

#include <charconv>

#include "sise/fx/premium.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::redis {
namespace {

namespace od = simdjson::ondemand;

const std::string* find(std::span<const field> fields, std::string_view name) {
    for (const field& f : fields)
        if (f.first == name) return &f.second;
    return nullptr;
}

std::string_view text_of(std::span<const field> fields, std::string_view name) {
    const std::string* value = find(fields, name);
    return value ? std::string_view(*value) : std::string_view{};
}

// "" (JSON null) is an empty decimal; anything else must be a number.
bool read_decimal(std::span<const field> fields, std::string_view name, decimal& out) {
    const std::string_view text = text_of(fields, name);
    if (text.empty()) {
        out = decimal{};
        return true;
    }
    return out.assign_json_number(text);
}

std::optional<change_basis> change_basis_from_string(std::string_view name) noexcept {
    for (auto basis : {change_basis::none, change_basis::prev_close_utc0, change_basis::rolling_24h,
                       change_basis::prev_close_kst0})
        if (to_string(basis) == name) return basis;
    return std::nullopt;
}

bool read_integer(std::string_view text, std::int64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

// An FX member: absent (empty) or a whole, valid JSON array, since the relay splices its text
// into the rows it serves.
bool read_json_array(std::span<const field> fields, std::string_view name, std::string& out) {
    out = text_of(fields, name);
    if (out.empty()) return true;
    thread_local simdjson::dom::parser parser;
    simdjson::dom::array array;
    return !parser.parse(out).get(array);
}

// Reasons fx::premium_pct gives before it looks at the KRW row's liveness: they stay.
bool precedes_krw_row_stale(std::string_view why) {
    using fx::reason;
    for (reason r : {reason::fx_absent, reason::fx_stale, reason::no_basis,
                     reason::krw_price_missing, reason::foreign_price_missing})
        if (fx::to_string(r) == why) return true;
    return false;
}

}  // namespace

boost::system::error_code row_fields(std::string_view row_json, std::vector<field>& out) {
    out.clear();
    // Rows are small; a padded copy keeps simdjson's reads inside the buffer.
    thread_local od::parser parser;
    const simdjson::padded_string padded(row_json);
    od::document document;
    od::object object;
    if (parser.iterate(padded).get(document) || document.get_object().get(object))
        return make_error_code(errc::malformed_frame);
    for (auto member : object) {
        std::string_view key;
        od::value value;
        if (member.unescaped_key().get(key) || member.value().get(value))
            return make_error_code(errc::malformed_frame);
        od::json_type type;
        if (value.type().get(type)) return make_error_code(errc::malformed_frame);
        std::string text;
        switch (type) {
            case od::json_type::string: {
                std::string_view s;
                if (value.get_string().get(s)) return make_error_code(errc::malformed_frame);
                text = s;
                break;
            }
            case od::json_type::null:
                break;
            case od::json_type::array: {
                od::array array;
                std::string_view raw;
                if (value.get_array().get(array) || array.raw_json().get(raw))
                    return make_error_code(errc::malformed_frame);
                text = raw;
                break;
            }
            case od::json_type::object: {
                od::object inner;
                std::string_view raw;
                if (value.get_object().get(inner) || inner.raw_json().get(raw))
                    return make_error_code(errc::malformed_frame);
                text = raw;
                break;
            }
            default:  // numbers and booleans: their token as written
                text = value.raw_json_token();
                while (!text.empty() && (text.back() == ' ' || text.back() == '\n'))
                    text.pop_back();
                break;
        }
        out.emplace_back(std::string(key), std::move(text));
    }
    return {};
}

std::optional<relayed_row> decode_row(std::span<const field> fields) {
    relayed_row out;
    const auto exchange = exchange_from_string(text_of(fields, "exchange"));
    const auto status = market::row_status_from_string(text_of(fields, "status"));
    const auto basis = change_basis_from_string(text_of(fields, "exchange_change_basis"));
    const auto window = market::window_basis_from_string(text_of(fields, "basis"));
    const std::string_view market = text_of(fields, "market");
    if (!exchange || !status || !basis || !window || market.empty()) return std::nullopt;
    out.exchange = *exchange;
    out.exchange_basis = *basis;
    out.instrument.market = market;
    out.instrument.base = text_of(fields, "base");
    out.instrument.quote = text_of(fields, "quote");
    out.instrument.name_ko = text_of(fields, "name_ko");
    out.instrument.name_en = text_of(fields, "name_en");
    market::finished_row& row = out.row;
    row.status = *status;
    if (!read_json_array(fields, "krw", row.fx.krw) ||
        !read_json_array(fields, "premium", row.fx.premium))
        return std::nullopt;

    market::row_figures& figures = row.figures;
    figures.basis = *window;
    if (!read_decimal(fields, "change_24h", figures.change) ||
        !read_decimal(fields, "change_pct_24h", figures.change_pct) ||
        !read_decimal(fields, "ref_price_24h", figures.ref_price) ||
        !read_decimal(fields, "high_24h", figures.high) ||
        !read_decimal(fields, "low_24h", figures.low))
        return std::nullopt;
    const std::string_view ref_time = text_of(fields, "ref_time_24h");
    if (!ref_time.empty() && !read_integer(ref_time, figures.ref_minute_start_ms))
        return std::nullopt;
    if (!read_integer(text_of(fields, "covered_24h_ms"), figures.covered_ms)) return std::nullopt;

    // A row without data has a null price and null times; one with data has all three.
    const std::string_view exchange_time = text_of(fields, "exchange_time");
    if (exchange_time.empty()) return out;
    ticker_update ticker;
    if (!ticker.market.assign(market)) return std::nullopt;
    if (!read_integer(exchange_time, ticker.exchange_time_ms) ||
        !read_integer(text_of(fields, "received_time"), row.received_ms) ||
        text_of(fields, "price").empty() || !read_decimal(fields, "price", ticker.price) ||
        !read_decimal(fields, "exchange_change", ticker.change) ||
        !read_decimal(fields, "exchange_change_pct", ticker.change_pct) ||
        !read_decimal(fields, "day_high", ticker.day_high) ||
        !read_decimal(fields, "day_low", ticker.day_low) ||
        !read_decimal(fields, "volume_24h", ticker.volume_24h) ||
        !read_decimal(fields, "quote_volume_24h", ticker.quote_volume_24h))
        return std::nullopt;
    row.ticker = ticker;
    return out;
}

std::string premium_when_stale(std::string_view premium) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::array entries;
    if (parser.parse(premium.data(), premium.size()).get(entries)) return std::string(premium);
    std::string out = "[";
    for (simdjson::dom::element entry : entries) {
        if (out.size() > 1) out += ',';
        simdjson::dom::object members;
        if (entry.get(members)) return std::string(premium);  // not ours: shown as it came
        std::string_view why;
        const bool keeps =
            entry["percent"].is_null() && !entry["reason"].get(why) && precedes_krw_row_stale(why);
        out += '{';
        bool first = true;
        for (auto [key, value] : members) {
            if (key == "reason" || (key == "percent" && !keeps)) continue;
            if (!first) out += ',';
            first = false;
            publish::append_json_string(out, key);
            out += ':';
            out += simdjson::minify(value);
        }
        if (keeps) {
            out += ",\"reason\":";
            publish::append_json_string(out, why);
        } else {
            out += ",\"percent\":null,\"reason\":\"krw_row_stale\"";
        }
        out += '}';
    }
    out += ']';
    return out;
}

}  // namespace sise::redis
