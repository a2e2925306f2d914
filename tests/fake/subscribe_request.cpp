// Subscribe request parsing and Upbit error frames; see subscribe_request.hpp.
#include "fake/subscribe_request.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace sise::fake {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view wrong_format = "WRONG_FORMAT";
constexpr std::string_view no_ticket = "NO_TICKET";
constexpr std::string_view no_type = "NO_TYPE";
constexpr std::string_view no_codes = "NO_CODES";
constexpr std::string_view invalid_param = "INVALID_PARAM";

bool known_format(std::string_view f) {
    return f == "DEFAULT" || f == "SIMPLE" || f == "JSON_LIST" || f == "SIMPLE_LIST";
}

}  // namespace

std::string_view subscribe_parser::parse(std::string_view text, subscribe_request& out) {
    out = subscribe_request{};
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse a padded copy.
    scratch_.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    scratch_.assign(text.data(), text.size());
    const simdjson::padded_string_view json(scratch_.data(), scratch_.size(), scratch_.capacity());
    od::document doc;
    od::array items;
    if (parser_.iterate(json).get(doc) || doc.get_array().get(items)) return wrong_format;

    bool has_ticket = false;
    bool has_type = false;
    bool missing_codes = false;
    bool empty_codes = false;
    for (auto item_result : items) {
        od::object object;
        if (item_result.get_object().get(object)) return wrong_format;
        std::string_view type;
        bool has_codes = false;
        bool only_snapshot = false;
        bool only_realtime = false;
        std::vector<std::string> codes;
        for (auto field : object) {
            std::string_view key;
            od::value value;
            if (field.unescaped_key().get(key) || field.value().get(value)) return wrong_format;
            if (key == "ticket") {
                std::string_view ticket;
                if (value.get_string().get(ticket)) return no_ticket;
                has_ticket = !ticket.empty();
                out.ticket = ticket;
            } else if (key == "type") {
                if (value.get_string().get(type)) return wrong_format;
                type = type.empty() ? std::string_view("?") : type;  // present but empty
            } else if (key == "codes") {
                od::array list;
                if (value.get_array().get(list)) return wrong_format;
                has_codes = true;
                for (auto code_result : list) {
                    std::string_view code;
                    if (code_result.get_string().get(code)) return wrong_format;
                    codes.emplace_back(code);
                }
            } else if (key == "format") {
                std::string_view format;
                if (value.get_string().get(format)) return wrong_format;
                out.format = format;
                if (!known_format(format)) return wrong_format;
            } else if (key == "is_only_snapshot" || key == "isOnlySnapshot") {
                if (value.get_bool().get(only_snapshot)) return wrong_format;
            } else if (key == "is_only_realtime" || key == "isOnlyRealtime") {
                if (value.get_bool().get(only_realtime)) return wrong_format;
            }
            // Other keys (e.g. "method") are skipped by the iterator.
        }
        if (type.empty()) continue;  // the ticket or format object (or codes without a type)
        has_type = true;
        if (!has_codes) {
            missing_codes = true;
        } else if (codes.empty()) {
            empty_codes = true;
        }
        if (type == "ticker") {  // the flags belong to their type object
            out.has_ticker = true;
            out.only_snapshot = only_snapshot;
            out.only_realtime = only_realtime;
            for (auto& code : codes) {
                if (std::find(out.codes.begin(), out.codes.end(), code) == out.codes.end()) {
                    out.codes.push_back(std::move(code));
                }
            }
        }
    }
    if (!has_ticket) return no_ticket;
    if (!has_type) return no_type;
    if (missing_codes) return no_codes;
    if (empty_codes) return invalid_param;
    return {};
}

std::string error_json(std::string_view name, std::string_view message) {
    std::string out = R"({"error":{"name":")";
    out += name;
    out += R"(","message":")";
    for (const char c : message) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
            out += c;
        }
    }
    out += R"("}})";
    return out;
}

std::string upbit_error_json(std::string_view name) {
    // Messages from Upbit's error table (upbit.md §7); clients must match on name only.
    std::string_view message = "Format 이 맞지 않습니다.";
    if (name == no_ticket) message = "티켓이 존재하지 않거나, 유효하지 않습니다.";
    if (name == no_type) message = "type 필드가 존재하지 않습니다.";
    if (name == no_codes) message = "codes 필드가 존재하지 않습니다.";
    if (name == invalid_param) message = "codes 필드가 비어 있습니다.";
    return error_json(name, message);
}

}  // namespace sise::fake
