// The Upbit-style websocket v1 protocol shared by Upbit and Bithumb (docs/exchanges/upbit.md;
// bithumb.md says where Bithumb mirrors it): ticker frames to normalized updates with simdjson
// On-Demand, the subscribe request, market lists and minute candles. Prices keep the exact
// digits the venue sent (raw number tokens -> sise::decimal).
#include "sise/feed/upbit_style.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "sise/core/error.hpp"
#include "sise/core/utc_time.hpp"
#include "sise/feed/json_fields.hpp"
#include "sise/feed/market_code.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::feed {
namespace {

namespace od = simdjson::ondemand;
using json::is_null;
using json::number_token;

// /v1/market/all is ~100 KB for a few hundred markets; this only bounds a runaway body.
constexpr std::size_t max_market_list_bytes = 16 * 1024 * 1024;

// The keys we read, DEFAULT and SIMPLE spellings folded together (upbit.md §3).
enum class key : unsigned char {
    unknown,
    type,
    code,
    trade_price,
    signed_change_price,
    signed_change_rate,
    high_price,
    low_price,
    acc_trade_volume_24h,
    acc_trade_price_24h,
    trade_timestamp,
    timestamp,
    status,  // {"status":"UP"} heartbeat, §6
    error,   // {"error":{"name":..}}, §7
    method,  // {"method":"LIST_SUBSCRIPTIONS",..}, §2
};

// One switch on the length, then a few comparisons: cheap for the ~33 keys of a ticker.
key classify(std::string_view k) noexcept {
    switch (k.size()) {
        case 2:
            if (k == "tp") return key::trade_price;
            if (k == "cd") return key::code;
            if (k == "ty") return key::type;
            if (k == "hp") return key::high_price;
            if (k == "lp") return key::low_price;
            break;
        case 3:
            if (k == "scp") return key::signed_change_price;
            if (k == "scr") return key::signed_change_rate;
            if (k == "tms") return key::timestamp;
            break;
        case 4:
            if (k == "type") return key::type;
            if (k == "code") return key::code;
            if (k == "ttms") return key::trade_timestamp;
            break;
        case 5:
            if (k == "error") return key::error;
            break;
        case 6:
            if (k == "atv24h") return key::acc_trade_volume_24h;
            if (k == "atp24h") return key::acc_trade_price_24h;
            if (k == "status") return key::status;
            if (k == "method") return key::method;
            break;
        case 9:
            if (k == "low_price") return key::low_price;
            if (k == "timestamp") return key::timestamp;
            break;
        case 10:
            if (k == "high_price") return key::high_price;
            break;
        case 11:
            if (k == "trade_price") return key::trade_price;
            break;
        case 15:
            if (k == "trade_timestamp") return key::trade_timestamp;
            break;
        case 18:
            if (k == "signed_change_rate") return key::signed_change_rate;
            break;
        case 19:
            if (k == "signed_change_price") return key::signed_change_price;
            if (k == "acc_trade_price_24h") return key::acc_trade_price_24h;
            break;
        case 20:
            if (k == "acc_trade_volume_24h") return key::acc_trade_volume_24h;
            break;
        default: break;
    }
    return key::unknown;
}

// What one object said, as views into the scratch buffer or the parser's string buffer;
// both stay valid until the next iterate(). Empty number views mean "absent or null".
struct fields {
    std::optional<std::string_view> type;
    std::optional<std::string_view> code;  // nullopt when absent or null
    std::string_view trade_price;
    std::string_view change;
    std::string_view change_rate;
    std::string_view high;
    std::string_view low;
    std::string_view volume_24h;
    std::string_view quote_volume_24h;
    std::string_view trade_timestamp;
    std::string_view timestamp;
    std::optional<std::string_view> status;
    std::optional<std::string_view> error_name;  // "" when the error object has no name
    bool has_method = false;
};

errc read_error_object(od::value& value, fields& f) noexcept {
    od::object object;
    if (value.get_object().get(object)) return errc::malformed_frame;
    f.error_name = std::string_view{};
    for (auto field : object) {
        std::string_view k;
        if (field.unescaped_key().get(k)) return errc::malformed_frame;
        if (k == "name") {
            std::string_view name;
            if (field.value().get_string().get(name)) return errc::malformed_frame;
            f.error_name = name;
        }
    }
    return errc::ok;
}

// One pass over the object's fields in the order Upbit sends them; order does not matter.
errc read_fields(od::object& object, fields& f) noexcept {
    for (auto field : object) {
        std::string_view k;
        od::value* in_place = json::field_parts(field, k);
        if (!in_place) return errc::malformed_frame;
        od::value& value = *in_place;
        switch (classify(k)) {
            case key::type: {
                std::string_view s;
                if (!json::read_string(value, s)) return errc::malformed_frame;
                f.type = s;
                break;
            }
            case key::code:  // null is reported as missing below
                if (errc e = json::read_optional_string(value, f.code); e != errc::ok) return e;
                break;
            case key::trade_price: f.trade_price = number_token(value); break;
            case key::signed_change_price: f.change = number_token(value); break;
            case key::signed_change_rate: f.change_rate = number_token(value); break;
            case key::high_price: f.high = number_token(value); break;
            case key::low_price: f.low = number_token(value); break;
            case key::acc_trade_volume_24h: f.volume_24h = number_token(value); break;
            case key::acc_trade_price_24h: f.quote_volume_24h = number_token(value); break;
            case key::trade_timestamp: f.trade_timestamp = number_token(value); break;
            case key::timestamp: f.timestamp = number_token(value); break;
            case key::status: {
                std::string_view s;
                if (!json::read_string(value, s)) return errc::malformed_frame;
                f.status = s;
                break;
            }
            case key::error:
                if (errc e = read_error_object(value, f); e != errc::ok) return e;
                break;
            case key::method: f.has_method = true; break;
            case key::unknown: break;  // upbit.md §3: ignore unknown keys
        }
    }
    return errc::ok;
}

// Optional number: absent/null -> stays empty; present but not a plain JSON number -> error.
bool optional_decimal(std::string_view token, decimal& out) noexcept {
    return token.empty() || out.assign_json_number(token);
}

errc build_ticker(const fields& f, ticker_update& t) noexcept {
    if (!f.code || f.code->empty()) return errc::missing_field;
    if (!t.market.assign(*f.code)) return errc::malformed_frame;  // longer than market_code
    if (f.trade_price.empty()) return errc::missing_field;
    if (!t.price.assign_json_number(f.trade_price)) return errc::bad_number;
    if (!optional_decimal(f.change, t.change) || !optional_decimal(f.high, t.day_high) ||
        !optional_decimal(f.low, t.day_low) || !optional_decimal(f.volume_24h, t.volume_24h) ||
        !optional_decimal(f.quote_volume_24h, t.quote_volume_24h)) {
        return errc::bad_number;
    }
    if (!f.change_rate.empty()) {
        // upbit.md §12.5: rates are fractions; percent is the same digits, point moved by 2.
        decimal rate;
        if (!rate.assign_json_number(f.change_rate)) return errc::bad_number;
        auto pct = rate.shifted(2);
        if (!pct) return errc::bad_number;
        t.change_pct = *pct;
    }
    // Prefer the trade time; the message time stands in when a frame lacks it.
    const std::string_view time = !f.trade_timestamp.empty() ? f.trade_timestamp : f.timestamp;
    if (!time.empty() && !json::parse_epoch_ms(time, t.exchange_time_ms)) return errc::bad_number;
    return errc::ok;
}

// Classifies one object (upbit.md §12.3: dispatch on type/ty; objects without one are
// heartbeats, errors or LIST_SUBSCRIPTIONS replies) and appends it when it is a ticker.
// Not noexcept: only the caller's push_back can throw (bad_alloc), and that should propagate.
errc handle_object(od::object& object, std::vector<ticker_update>& out, frame_kind& kind,
                   std::string_view& error_name) {
    fields f;
    if (errc e = read_fields(object, f); e != errc::ok) return e;
    if (f.type) {
        if (*f.type != "ticker") {
            kind = frame_kind::ignored;  // trade, orderbook, candle...: not ours
            return errc::ok;
        }
        // Built in place: copying a finished update cost a store-forwarding stall per frame.
        // After an error the caller's rollback removes the slot.
        if (errc e = build_ticker(f, out.emplace_back()); e != errc::ok) return e;
        kind = frame_kind::tickers;
        return errc::ok;
    }
    if (f.error_name) {
        kind = frame_kind::exchange_error;
        error_name = *f.error_name;
    } else if (f.has_method) {
        kind = frame_kind::ack;
    } else if (f.status) {
        // §6: "UP" is the keepalive reply; any other status is not documented.
        kind = *f.status == "UP" ? frame_kind::heartbeat : frame_kind::ignored;
    } else {
        kind = frame_kind::ignored;
    }
    return errc::ok;
}

}  // namespace

upbit_style_adapter::upbit_style_adapter(std::size_t max_frame_bytes) : frames_(max_frame_bytes) {}

std::vector<std::string> upbit_style_adapter::default_markets() const {
    // The sidebar's markets, in display order (the bundled names).
    std::vector<std::string> markets;
    for (const auto& item : fallback_instruments()) markets.push_back(item.market);
    return markets;
}

std::vector<instrument> upbit_style_adapter::named_instruments(
    std::span<const bundled_name> names) const {
    std::vector<instrument> result;
    result.reserve(names.size());
    for (const auto& e : names) {
        instrument item = describe(e.market);
        item.name_ko = e.name_ko;
        item.name_en = e.name_en;
        result.push_back(std::move(item));
    }
    return result;
}

std::optional<std::string> upbit_style_adapter::normalize_market(std::string_view market) const {
    // upbit.md §2, §9: <QUOTE>-<BASE>, upper case, exactly one dash.
    auto code = normalize_code(market, "-");
    if (!code || std::count(code->begin(), code->end(), '-') != 1) return std::nullopt;
    return code;
}

instrument upbit_style_adapter::describe(std::string_view market) const {
    // upbit.md §9: codes are <QUOTE>-<BASE>, quote first.
    return split_code(market, '-', pair_order::quote_first);
}

void upbit_style_adapter::parse_market_list(std::string_view body, std::vector<instrument>& out,
                                      boost::system::error_code& ec) {
    std::vector<instrument> parsed;
    const errc e = frames_.walk_array(body, max_market_list_bytes, [&](od::object& object) {
        std::string_view market_text;
        std::string_view name_ko;
        std::string_view name_en;
        for (auto field : object) {
            std::string_view k;
            od::value value;
            if (field.unescaped_key().get(k) || field.value().get(value))
                return errc::malformed_frame;
            std::string_view* target = nullptr;
            if (k == "market") {
                target = &market_text;
            } else if (k == "korean_name") {
                target = &name_ko;
            } else if (k == "english_name") {
                target = &name_en;
            } else {
                continue;  // market_event, market_warning (§9), anything newer
            }
            if (is_null(value)) continue;
            if (value.get_string().get(*target)) return errc::malformed_frame;
        }
        if (market_text.empty()) return errc::missing_field;
        instrument item = describe(market_text);
        item.name_ko = std::string(name_ko);
        item.name_en = std::string(name_en);
        parsed.push_back(std::move(item));
        return errc::ok;
    });
    ec = e;
    if (e != errc::ok) return;
    out.insert(out.end(), std::make_move_iterator(parsed.begin()),
               std::make_move_iterator(parsed.end()));
}

void upbit_style_adapter::parse_candles(std::string_view body, std::vector<minute_candle>& out,
                                  boost::system::error_code& ec) {
    std::vector<minute_candle> parsed;
    auto number = [](od::value& value, double& target) {
        auto d = decimal::from_json_number(number_token(value));
        if (!d) return false;
        target = d->to_double();
        return true;
    };
    const errc e = frames_.walk_array(body, max_market_list_bytes, [&](od::object& object) {
        minute_candle candle;
        bool has_start = false, has_close = false;
        for (auto field : object) {
            std::string_view k;
            od::value value;
            bool ok = !field.unescaped_key().get(k) && !field.value().get(value);
            if (!ok) return errc::malformed_frame;
            if (k == "candle_date_time_utc") {
                std::string_view text;
                auto start = value.get_string().get(text) ? std::nullopt : parse_utc_iso8601(text);
                ok = start.has_value();
                if (ok) candle.start_ms = *start;
                has_start = ok;
            } else if (k == "opening_price") {
                ok = number(value, candle.open);
            } else if (k == "high_price") {
                ok = number(value, candle.high);
            } else if (k == "low_price") {
                ok = number(value, candle.low);
            } else if (k == "trade_price") {
                auto close = decimal::from_json_number(number_token(value));
                ok = close.has_value();
                if (ok) candle.close = *close;
                has_close = ok;
            } else if (k == "timestamp") {
                std::int64_t t = 0;
                ok = !value.get_int64().get(t);
                if (ok) candle.last_trade_ms = t;
            }
            if (!ok) return errc::malformed_frame;
        }
        if (!has_start || !has_close) return errc::missing_field;
        parsed.push_back(candle);
        return errc::ok;
    });
    ec = e;
    if (e != errc::ok) return;
    out.insert(out.end(), parsed.begin(), parsed.end());
}

std::vector<std::string> upbit_style_adapter::subscribe_frames(std::span<const std::string> markets) {
    // upbit.md §7: an empty codes list only earns an INVALID_PARAM error; send nothing.
    if (markets.empty()) return {};
    // upbit.md §2: one text message, [ticket, ticker type object, format]. The ticket only has
    // to be unique per request; a counter keeps the adapter free of clocks and randomness.
    std::string frame = R"([{"ticket":"sise-)";
    frame += std::to_string(++next_ticket_);
    frame += R"("},{"type":"ticker","codes":[)";
    bool first = true;
    for (const auto& market : markets) {
        if (!first) frame += ',';
        first = false;
        // §2: codes must be upper-case (the config normalized them already).
        publish::append_json_string(frame, upper_ascii(market));
    }
    frame += R"(]},{"format":"DEFAULT"}])";
    return {std::move(frame)};
}

frame_result upbit_style_adapter::parse(std::string_view frame, std::vector<ticker_update>& out,
                                  boost::system::error_code& ec) {
    const std::string_view padded = frames_.pad(frame, ec);
    if (ec) return {};
    return parse_padded(padded, out, ec);
}

frame_result upbit_style_adapter::parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                         boost::system::error_code& ec) {
    ec.clear();
    // upbit.md §5: data arrives in binary frames, keepalive replies maybe in text frames;
    // both are UTF-8 JSON and reach us here as bytes.
    ticker_rollback rollback(out);
    frame_kind kind = frame_kind::tickers;
    std::string_view error_name;
    auto fail = [&](errc e) { return rollback.fail(e, ec); };

    od::document doc;
    od::json_type type{};
    if (errc e = frames_.iterate_padded(frame, doc); e != errc::ok) return fail(e);
    if (doc.type().get(type)) return fail(errc::malformed_frame);
    if (type == od::json_type::object) {
        od::object object;
        if (doc.get_object().get(object)) return fail(errc::malformed_frame);
        if (errc e = handle_object(object, out, kind, error_name); e != errc::ok) return fail(e);
    } else if (type == od::json_type::array) {
        // §2: JSON_LIST / SIMPLE_LIST wrap objects in an array of unspecified length.
        // The frame is `tickers` if it carried any; otherwise it takes its first element's
        // kind (an empty array is zero tickers).
        od::array array;
        if (doc.get_array().get(array)) return fail(errc::malformed_frame);
        bool first = true;
        for (auto element : array) {
            od::object object;
            if (element.get_object().get(object)) return fail(errc::malformed_frame);
            frame_kind element_kind = frame_kind::ignored;
            std::string_view element_error;
            if (errc e = handle_object(object, out, element_kind, element_error); e != errc::ok) {
                return fail(e);
            }
            if (first) {
                kind = element_kind;
                error_name = element_error;
                first = false;
            }
        }
        if (rollback.appended()) kind = frame_kind::tickers;
    } else {
        return fail(errc::malformed_frame);  // e.g. a bare PING or a number
    }
    if (!json::at_document_end(doc)) return fail(errc::malformed_frame);

    frame_result result;
    result.kind = kind;
    if (kind == frame_kind::exchange_error) {
        // An error frame is valid input: ec stays clear, the feed client decides (§7).
        detail_.assign(error_name);
        result.detail = detail_;
    }
    return result;
}

}  // namespace sise::feed
