#include "sise/cli/ticker_message.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <utility>

#include "sise/cli/text_width.hpp"
#include "sise/core/error.hpp"

namespace sise::cli {

// --- parsing -------------------------------------------------------------------------------

namespace od = simdjson::ondemand;

struct message_parser::impl {
    od::parser parser;
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; 3.0.1 has no pad() helper,
    // so the body is copied into a buffer whose capacity covers the padding.
    std::string buffer;
};

namespace {

// A failed read: the code for the caller, the text for the one-line message.
struct failure {
    errc code;
    std::string why;
};
using result = std::optional<failure>;

result fail(errc code, std::string why) {
    return failure{code, std::move(why)};
}

std::string json_error(std::string_view where, simdjson::error_code error) {
    return fmt::format("{}: {}", where, simdjson::error_message(error));
}

result read_string(od::value value, std::string_view where, std::string& out) {
    std::string_view text;
    if (auto error = value.get_string().get(text))
        return fail(errc::malformed_frame, error == simdjson::INCORRECT_TYPE
                                               ? fmt::format("{}: expected a string", where)
                                               : json_error(where, error));
    out.assign(text);
    return std::nullopt;
}

// The value's JSON type, with a null checked to be a valid `null` literal.
result read_type(od::value value, std::string_view where, od::json_type& type) {
    if (auto error = value.type().get(type))
        return fail(errc::malformed_frame, json_error(where, error));
    if (type != od::json_type::null) return std::nullopt;
    bool is_null = false;
    if (auto error = value.is_null().get(is_null); error || !is_null)
        return fail(errc::malformed_frame, fmt::format("{}: not a valid null", where));
    return std::nullopt;
}

// A decimal field: a string holding a plain decimal, or null.
result read_decimal(od::value value, std::string_view where, std::optional<std::string>& out) {
    od::json_type type;
    if (auto failed = read_type(value, where, type)) return failed;
    if (type == od::json_type::null) {
        out.reset();
        return std::nullopt;
    }
    if (type != od::json_type::string)
        return fail(errc::bad_number, fmt::format("{}: expected a decimal string or null", where));
    std::string text;
    if (auto failed = read_string(value, where, text)) return failed;
    if (!is_plain_decimal(text))
        return fail(errc::bad_number, fmt::format("{}: not a plain decimal number", where));
    out = std::move(text);
    return std::nullopt;
}

result read_time(od::value value, std::string_view where, std::int64_t& out) {
    if (auto error = value.get_int64().get(out))
        return fail(errc::malformed_frame, error == simdjson::INCORRECT_TYPE
                                               ? fmt::format("{}: expected an integer", where)
                                               : json_error(where, error));
    return std::nullopt;
}

// An integer field that may be null.
result read_optional_time(od::value value, std::string_view where,
                          std::optional<std::int64_t>& out) {
    od::json_type type;
    if (auto failed = read_type(value, where, type)) return failed;
    if (type == od::json_type::null) {
        out.reset();
        return std::nullopt;
    }
    std::int64_t time = 0;
    if (auto failed = read_time(value, where, time)) return failed;
    out = time;
    return std::nullopt;
}

// A string field that may be null ("" then).
result read_optional_string(od::value value, std::string_view where, std::string& out) {
    od::json_type type;
    if (auto failed = read_type(value, where, type)) return failed;
    out.clear();
    if (type == od::json_type::null) return std::nullopt;
    return read_string(value, where, out);
}

result read_bool(od::value value, std::string_view where, bool& out) {
    if (auto error = value.get_bool().get(out))
        return fail(errc::malformed_frame, error == simdjson::INCORRECT_TYPE
                                               ? fmt::format("{}: expected true or false", where)
                                               : json_error(where, error));
    return std::nullopt;
}

// An array of objects, each read field by field with `read_field(key, value, where, item)`.
template <typename Item, typename ReadField>
result read_objects(od::value value, std::string_view where, std::vector<Item>& out,
                    ReadField read_field) {
    od::array array;
    if (auto error = value.get_array().get(array))
        return fail(errc::malformed_frame, error == simdjson::INCORRECT_TYPE
                                               ? fmt::format("{}: expected an array", where)
                                               : json_error(where, error));
    out.clear();
    for (auto element : array) {
        const std::string at = fmt::format("{}[{}]", where, out.size());
        od::object object;
        if (auto error = std::move(element).get_object().get(object))
            return fail(errc::malformed_frame, fmt::format("{}: expected an object", at));
        Item item;
        for (auto member : object) {
            od::field field;
            std::string_view key;
            if (auto error = std::move(member).get(field))
                return fail(errc::malformed_frame, json_error(at, error));
            if (auto error = field.unescaped_key().get(key))
                return fail(errc::malformed_frame, json_error(at, error));
            if (auto failed = read_field(key, field.value(), fmt::format("{}.{}", at, key), item))
                return failed;
        }
        out.push_back(std::move(item));
    }
    return std::nullopt;
}

// The fields every FX figure has: its basis, the USDT-as-USD label, a null's reason.
template <typename Item>
std::optional<result> read_fx_label(std::string_view key, od::value v, const std::string& where,
                                    Item& item) {
    if (key == "basis") return read_optional_string(v, where, item.basis);
    if (key == "usdt_as_usd") return read_bool(v, where, item.usdt_as_usd);
    if (key == "reason") return read_string(v, where, item.reason);
    return std::nullopt;
}

result read_krw_field(std::string_view key, od::value v, const std::string& where,
                      krw_conversion& item) {
    if (auto label = read_fx_label(key, v, where, item)) return *label;
    if (key == "pair") return read_string(v, where, item.pair);
    if (key == "source") return read_string(v, where, item.source);
    if (key == "rate") return read_decimal(v, where, item.rate);
    if (key == "value") return read_decimal(v, where, item.value);
    return std::nullopt;
}

result read_premium_field(std::string_view key, od::value v, const std::string& where,
                          premium_figure& item) {
    if (auto label = read_fx_label(key, v, where, item)) return *label;
    if (key == "vs") return read_string(v, where, item.vs);
    if (key == "percent") return read_decimal(v, where, item.percent);
    return std::nullopt;
}

result read_row(od::value value, std::size_t index, ticker_row& row) {
    const std::string at = fmt::format("tickers[{}]", index);
    od::object object;
    if (auto error = value.get_object().get(object))
        return fail(errc::malformed_frame, error == simdjson::INCORRECT_TYPE
                                               ? fmt::format("{}: expected an object", at)
                                               : json_error(at, error));

    // Fields are matched as they come, in one pass: any order, unknown fields skipped.
    enum : unsigned { f_exchange = 1, f_market = 2, f_base = 4, f_quote = 8, f_status = 16 };
    unsigned seen = 0;
    for (auto member : object) {
        od::field field;
        std::string_view key;
        if (auto error = std::move(member).get(field))
            return fail(errc::malformed_frame, json_error(at, error));
        if (auto error = field.unescaped_key().get(key))
            return fail(errc::malformed_frame, json_error(at, error));
        const std::string where = fmt::format("{}.{}", at, key);
        od::value v = field.value();
        result failed;
        if (key == "exchange") {
            seen |= f_exchange;
            failed = read_string(v, where, row.exchange);
        } else if (key == "market") {
            seen |= f_market;
            failed = read_string(v, where, row.market);
        } else if (key == "base") {
            seen |= f_base;
            failed = read_string(v, where, row.base);
        } else if (key == "quote") {
            seen |= f_quote;
            failed = read_string(v, where, row.quote);
        } else if (key == "status") {
            seen |= f_status;
            failed = read_string(v, where, row.status);
        } else if (key == "name_ko") {
            failed = read_string(v, where, row.name_ko);
        } else if (key == "name_en") {
            failed = read_string(v, where, row.name_en);
        } else if (key == "price") {
            failed = read_decimal(v, where, row.price);
        } else if (key == "exchange_change_pct") {
            failed = read_decimal(v, where, row.exchange_change_pct);
        } else if (key == "exchange_change_basis") {
            failed = read_string(v, where, row.exchange_change_basis);
        } else if (key == "change_pct_24h") {
            failed = read_decimal(v, where, row.change_pct_24h);
        } else if (key == "basis") {
            failed = read_string(v, where, row.basis);
        } else if (key == "high_24h") {
            failed = read_decimal(v, where, row.high_24h);
        } else if (key == "low_24h") {
            failed = read_decimal(v, where, row.low_24h);
        } else if (key == "volume_24h") {
            failed = read_decimal(v, where, row.volume_24h);
        } else if (key == "covered_24h_ms") {
            failed = read_time(v, where, row.covered_24h_ms);
        } else if (key == "received_time") {
            failed = read_optional_time(v, where, row.received_time_ms);
        } else if (key == "krw") {
            failed = read_objects(v, where, row.krw, read_krw_field);
        } else if (key == "premium") {
            failed = read_objects(v, where, row.premium, read_premium_field);
        }
        if (failed) return failed;
    }

    constexpr std::array<std::pair<unsigned, std::string_view>, 5> required{
        {{f_exchange, "exchange"},
         {f_market, "market"},
         {f_base, "base"},
         {f_quote, "quote"},
         {f_status, "status"}}};
    for (const auto& [flag, name] : required)
        if ((seen & flag) == 0)
            return fail(errc::missing_field, fmt::format("{}: missing \"{}\"", at, name));
    return std::nullopt;
}

result read_message(od::document& doc, ticker_message& out) {
    od::object root;
    if (auto error = doc.get_object().get(root))
        return fail(errc::malformed_frame, error == simdjson::INCORRECT_TYPE
                                               ? std::string("not a JSON object")
                                               : json_error("not JSON", error));
    bool seen_type = false;
    bool seen_tickers = false;
    for (auto member : root) {
        od::field field;
        std::string_view key;
        if (auto error = std::move(member).get(field))
            return fail(errc::malformed_frame, json_error("body", error));
        if (auto error = field.unescaped_key().get(key))
            return fail(errc::malformed_frame, json_error("body", error));
        od::value v = field.value();
        if (key == "type") {
            std::string type;
            if (auto failed = read_string(v, "type", type)) return failed;
            if (type == "snapshot")
                out.kind = message_kind::snapshot;
            else if (type == "update")
                out.kind = message_kind::update;
            else
                return fail(errc::malformed_frame,
                            fmt::format("type \"{}\" is not \"snapshot\" or \"update\"",
                                        sanitize_for_terminal(type)));
            seen_type = true;
        } else if (key == "seq") {
            if (auto error = v.get_uint64().get(out.seq))
                return fail(errc::malformed_frame, json_error("seq", error));
        } else if (key == "time") {
            if (auto error = v.get_int64().get(out.time_ms))
                return fail(errc::malformed_frame, json_error("time", error));
        } else if (key == "tickers") {
            od::array tickers;
            if (auto error = v.get_array().get(tickers))
                return fail(errc::malformed_frame, error == simdjson::INCORRECT_TYPE
                                                       ? std::string("tickers: expected an array")
                                                       : json_error("tickers", error));
            out.rows.clear();
            for (auto element : tickers) {
                od::value item;
                if (auto error = std::move(element).get(item))
                    return fail(errc::malformed_frame, json_error("tickers", error));
                ticker_row row;
                if (auto failed = read_row(item, out.rows.size(), row)) return failed;
                out.rows.push_back(std::move(row));
            }
            seen_tickers = true;
        }
    }
    if (!seen_type) return fail(errc::missing_field, "missing \"type\"");
    if (!seen_tickers) return fail(errc::missing_field, "missing \"tickers\"");
    // On-Demand stops where the caller stops reading: check nothing follows the object.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
        return fail(errc::malformed_frame, "content after the JSON object");
    return std::nullopt;
}

}  // namespace

message_parser::message_parser() : impl_(std::make_unique<impl>()) {}
message_parser::~message_parser() = default;
message_parser::message_parser(message_parser&&) noexcept = default;
message_parser& message_parser::operator=(message_parser&&) noexcept = default;

boost::system::error_code message_parser::parse(std::string_view body, ticker_message& out,
                                                std::string& why) {
    std::string& buffer = impl_->buffer;
    buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(body);

    out = ticker_message{};
    od::document doc;
    if (auto error =
            impl_->parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc)) {
        why = json_error("not JSON", error);
        return errc::malformed_frame;
    }
    if (auto failed = read_message(doc, out)) {
        why = std::move(failed->why);
        out = ticker_message{};
        return failed->code;
    }
    return {};
}

boost::system::error_code message_parser::parse_snapshot(std::string_view body, snapshot& out,
                                                         std::string& why) {
    if (auto ec = parse(body, out, why)) return ec;
    if (out.kind == message_kind::snapshot) return {};
    out = ticker_message{};
    why = "type is \"update\", not \"snapshot\"";
    return errc::malformed_frame;
}

}  // namespace sise::cli
