// Upbit adapter: turns Upbit's public WebSocket frames (docs/exchanges/upbit.md) into
// normalized ticker updates with simdjson On-Demand, and builds the subscribe request.
// Prices keep the exact digits Upbit sent (raw number tokens -> sise::decimal).
#include "sise/feed/upbit.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "sise/core/error.hpp"
#include "sise/core/utc_time.hpp"

namespace sise::feed {
namespace {

namespace od = simdjson::ondemand;

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

// raw_json_token() runs up to the next token, so it carries the whitespace in between.
std::string_view trim_token(std::string_view token) noexcept {
    while (!token.empty()) {
        const char c = token.back();
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        token.remove_suffix(1);
    }
    return token;
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

bool is_null(od::value& value) noexcept { return trim_token(value.raw_json_token()) == "null"; }

// The number's raw text without consuming it: the object iterator skips it afterwards.
// `null` reads as absent (delisting_date and deprecated fields are null, upbit.md §12.7).
std::string_view number_token(od::value& value) noexcept {
    const std::string_view token = trim_token(value.raw_json_token());
    return token == "null" ? std::string_view{} : token;
}

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
        od::value value;
        if (field.unescaped_key().get(k) || field.value().get(value)) return errc::malformed_frame;
        switch (classify(k)) {
            case key::type: {
                std::string_view s;
                if (value.get_string().get(s)) return errc::malformed_frame;
                f.type = s;
                break;
            }
            case key::code: {
                if (is_null(value)) {
                    f.code.reset();  // reported as missing below
                    break;
                }
                std::string_view s;
                if (value.get_string().get(s)) return errc::malformed_frame;
                f.code = s;
                break;
            }
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
                if (value.get_string().get(s)) return errc::malformed_frame;
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
    if (token.empty()) return true;
    auto d = decimal::from_json_number(token);
    if (!d) return false;
    out = *d;
    return true;
}

// Epoch milliseconds: any JSON number whose exact value is an integer that fits int64.
bool parse_int64(std::string_view token, std::int64_t& out) noexcept {
    auto d = decimal::from_json_number(token);
    if (!d) return false;
    const std::string_view text = d->text();
    if (text.find('.') != std::string_view::npos) return false;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return false;
    out = value;
    return true;
}

errc build_ticker(const fields& f, ticker_update& t) noexcept {
    if (!f.code || f.code->empty()) return errc::missing_field;
    if (!t.market.assign(*f.code)) return errc::malformed_frame;  // longer than market_code
    if (f.trade_price.empty()) return errc::missing_field;
    auto price = decimal::from_json_number(f.trade_price);
    if (!price) return errc::bad_number;
    t.price = *price;
    if (!optional_decimal(f.change, t.change) || !optional_decimal(f.high, t.day_high) ||
        !optional_decimal(f.low, t.day_low) || !optional_decimal(f.volume_24h, t.volume_24h) ||
        !optional_decimal(f.quote_volume_24h, t.quote_volume_24h)) {
        return errc::bad_number;
    }
    if (!f.change_rate.empty()) {
        // upbit.md §12.5: rates are fractions; percent is the same digits, point moved by 2.
        auto rate = decimal::from_json_number(f.change_rate);
        if (!rate) return errc::bad_number;
        auto pct = rate->shifted(2);
        if (!pct) return errc::bad_number;
        t.change_pct = *pct;
    }
    // Prefer the trade time; the message time stands in when a frame lacks it.
    const std::string_view time = !f.trade_timestamp.empty() ? f.trade_timestamp : f.timestamp;
    if (!time.empty() && !parse_int64(time, t.exchange_time_ms)) return errc::bad_number;
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
        ticker_update t;
        if (errc e = build_ticker(f, t); e != errc::ok) return e;
        out.push_back(t);
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

// On-Demand only validates what it visits; make sure nothing follows the root value
// (e.g. two objects glued together in one frame).
bool at_document_end(od::document& doc) noexcept {
    const char* location = nullptr;
    return doc.current_location().get(location) != simdjson::SUCCESS;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[(static_cast<unsigned char>(c) >> 4) & 0xF];
            out += hex[static_cast<unsigned char>(c) & 0xF];
        } else {
            out += c;
        }
    }
    out += '"';
}

}  // namespace

upbit_adapter::upbit_adapter(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {
    // Size everything once so that parse() does not allocate per frame.
    scratch_.reserve(max_frame_bytes_ + simdjson::SIMDJSON_PADDING);
    if (parser_.allocate(std::max<std::size_t>(max_frame_bytes_, 1)) != simdjson::SUCCESS) {
        throw std::bad_alloc();
    }
}

endpoints upbit_adapter::default_endpoints() const {
    // upbit.md §1: the KRW market; sg-/id-/th-api hosts are Upbit global, not ours.
    return {"wss://api.upbit.com/websocket/v1", "https://api.upbit.com"};
}

keepalive_policy upbit_adapter::keepalive() const {
    // upbit.md §6: the server drops a connection idle ~120 s and answers websocket ping
    // control frames, so we send those. The alternative is the text message "PING", answered
    // by {"status":"UP"} every 10 s; parse() accepts that reply as a heartbeat either way.
    return {std::chrono::seconds{30}, std::string{}};
}

instrument upbit_adapter::describe(std::string_view market) const {
    // upbit.md §9: codes are <QUOTE>-<BASE>, quote first.
    instrument result;
    result.market = std::string(market);
    const auto dash = market.find('-');
    if (dash == std::string_view::npos) {
        result.base = std::string(market);
    } else {
        result.quote = std::string(market.substr(0, dash));
        result.base = std::string(market.substr(dash + 1));
    }
    return result;
}

std::string upbit_adapter::market_list_path() const { return "/v1/market/all?is_details=true"; }

void upbit_adapter::parse_market_list(std::string_view body, std::vector<instrument>& out,
                                      boost::system::error_code& ec) {
    ec.clear();
    if (body.size() > max_market_list_bytes) {
        ec = errc::frame_too_large;
        return;
    }
    // Not the hot path: a padded copy of its own keeps scratch_ sized for frames.
    const simdjson::padded_string padded(body);
    std::vector<instrument> parsed;
    auto fail = [&](errc e) { ec = e; };

    od::document doc;
    od::array array;
    if (parser_.iterate(padded).get(doc) || doc.get_array().get(array)) {
        return fail(errc::malformed_frame);
    }
    for (auto element : array) {
        od::object object;
        if (element.get_object().get(object)) return fail(errc::malformed_frame);
        std::string_view market_text;
        std::string_view name_ko;
        std::string_view name_en;
        for (auto field : object) {
            std::string_view k;
            od::value value;
            if (field.unescaped_key().get(k) || field.value().get(value)) {
                return fail(errc::malformed_frame);
            }
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
            if (value.get_string().get(*target)) return fail(errc::malformed_frame);
        }
        if (market_text.empty()) return fail(errc::missing_field);
        instrument item = describe(market_text);
        item.name_ko = std::string(name_ko);
        item.name_en = std::string(name_en);
        parsed.push_back(std::move(item));
    }
    if (!at_document_end(doc)) return fail(errc::malformed_frame);
    out.insert(out.end(), std::make_move_iterator(parsed.begin()),
               std::make_move_iterator(parsed.end()));
}

std::string upbit_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                       std::size_t count) const {
    // upbit.md §10: `to` is exclusive and UTC; the 'Z' form needs no percent-encoding.
    return fmt::format("/v1/candles/minutes/1?market={}&to={}&count={}", market,
                       format_utc_iso8601(to_ms), count);
}

void upbit_adapter::parse_candles(std::string_view body, std::vector<minute_candle>& out,
                                  boost::system::error_code& ec) {
    ec.clear();
    if (body.size() > max_market_list_bytes) {
        ec = errc::frame_too_large;
        return;
    }
    const simdjson::padded_string padded(body);
    std::vector<minute_candle> parsed;
    od::document doc;
    od::array array;
    if (parser_.iterate(padded).get(doc) || doc.get_array().get(array)) {
        ec = errc::malformed_frame;
        return;
    }
    auto number = [](od::value& value, double& target) {
        auto d = decimal::from_json_number(number_token(value));
        if (!d) return false;
        target = d->to_double();
        return true;
    };
    for (auto element : array) {
        od::object object;
        if (element.get_object().get(object)) {
            ec = errc::malformed_frame;
            return;
        }
        minute_candle candle;
        bool has_start = false, has_close = false;
        bool ok = true;
        for (auto field : object) {
            std::string_view k;
            od::value value;
            if (field.unescaped_key().get(k) || field.value().get(value)) {
                ok = false;
                break;
            }
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
            if (!ok) break;
        }
        if (!ok) {
            ec = errc::malformed_frame;
            return;
        }
        if (!has_start || !has_close) {
            ec = errc::missing_field;
            return;
        }
        parsed.push_back(candle);
    }
    if (!at_document_end(doc)) {
        ec = errc::malformed_frame;
        return;
    }
    out.insert(out.end(), parsed.begin(), parsed.end());
}

std::vector<instrument> upbit_adapter::fallback_instruments() const {
    // upbit.md §9 name table (names change; the REST list wins whenever it loads).
    struct entry {
        const char* market;
        const char* name_ko;
        const char* name_en;
    };
    static constexpr entry entries[] = {
        {"KRW-BTC", "비트코인", "Bitcoin"},
        {"KRW-ETH", "이더리움", "Ethereum"},
        {"KRW-BCH", "비트코인캐시", "Bitcoin Cash"},
        {"KRW-XRP", "엑스알피", "XRP"},
        {"KRW-SOL", "솔라나", "Solana"},
        {"KRW-ADA", "에이다", "Ada"},
        {"KRW-EOS", "이오스", "EOS"},
        {"KRW-TRX", "트론", "TRON"},
        {"KRW-XLM", "스텔라루멘", "Lumen"},
        {"KRW-BSV", "비트코인에스브이", "Bitcoin SV"},
        {"KRW-LINK", "체인링크", "Chainlink"},
        {"KRW-SAND", "샌드박스", "The Sandbox"},
    };
    std::vector<instrument> result;
    result.reserve(std::size(entries));
    for (const auto& e : entries) {
        instrument item = describe(e.market);
        item.name_ko = e.name_ko;
        item.name_en = e.name_en;
        result.push_back(std::move(item));
    }
    return result;
}

std::vector<std::string> upbit_adapter::subscribe_frames(std::span<const std::string> markets) {
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
        std::string upper = market;  // §2: codes must be upper-case
        for (char& c : upper) {
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        append_json_string(frame, upper);
    }
    frame += R"(]},{"format":"DEFAULT"}])";
    return {std::move(frame)};
}

static_assert(simdjson::SIMDJSON_PADDING <= frame_padding);

frame_result upbit_adapter::parse(std::string_view frame, std::vector<ticker_update>& out,
                                  boost::system::error_code& ec) {
    if (frame.size() > max_frame_bytes_) {
        ec = errc::frame_too_large;
        return {};
    }
    // Padding zeroed: simdjson reads past the end, and a stray '}' there would need its slow
    // balance check.
    scratch_.assign(frame);
    scratch_.append(simdjson::SIMDJSON_PADDING, '\0');
    return parse_padded({scratch_.data(), frame.size()}, out, ec);
}

frame_result upbit_adapter::parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                         boost::system::error_code& ec) {
    ec.clear();
    if (frame.size() > max_frame_bytes_) {
        ec = errc::frame_too_large;
        return {};
    }
    // upbit.md §5: data arrives in binary frames, keepalive replies maybe in text frames;
    // both are UTF-8 JSON and reach us here as bytes.
    const std::size_t original_size = out.size();
    frame_kind kind = frame_kind::tickers;
    std::string_view error_name;
    auto fail = [&](errc e) -> frame_result {
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(original_size), out.end());
        ec = e;
        return {};
    };

    od::document doc;
    od::json_type type{};
    if (parser_.iterate(frame.data(), frame.size(), frame.size() + frame_padding).get(doc) ||
        doc.type().get(type)) {
        return fail(errc::malformed_frame);
    }
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
        if (out.size() > original_size) kind = frame_kind::tickers;
    } else {
        return fail(errc::malformed_frame);  // e.g. a bare PING or a number
    }
    if (!at_document_end(doc)) return fail(errc::malformed_frame);

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
