#include "sise/fx/rate_field.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "sise/core/error.hpp"

namespace sise::fx {
namespace {

namespace od = simdjson::ondemand;

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                             text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

errc shape_error(simdjson::error_code error) {
    if (error == simdjson::NO_SUCH_FIELD || error == simdjson::INDEX_OUT_OF_BOUNDS)
        return errc::missing_field;
    return errc::malformed_frame;
}

// Moves `value` one segment down the path.
errc step(od::value& value, const std::string& segment) {
    od::json_type type;
    if (value.type().get(type)) return errc::malformed_frame;
    if (type == od::json_type::array && all_digits(segment)) {
        std::size_t index = 0;
        const auto [end, ec] =
            std::from_chars(segment.data(), segment.data() + segment.size(), index);
        if (ec != std::errc{} || end != segment.data() + segment.size()) return errc::missing_field;
        od::array array;
        if (auto error = value.get_array().get(array)) return shape_error(error);
        od::value element;
        if (auto error = array.at(index).get(element)) return shape_error(error);
        value = element;
        return errc::ok;
    }
    if (type != od::json_type::object) return errc::malformed_frame;
    od::object object;
    if (auto error = value.get_object().get(object)) return shape_error(error);
    od::value field;
    if (auto error = object.find_field_unordered(segment).get(field)) return shape_error(error);
    value = field;
    return errc::ok;
}

errc read(od::document& doc, const std::vector<std::string>& path, decimal& rate) {
    od::value value;
    if (doc.get_value().get(value)) return errc::malformed_frame;
    for (const std::string& segment : path)
        if (auto problem = step(value, segment); problem != errc::ok) return problem;
    od::json_type type;
    if (value.type().get(type)) return errc::malformed_frame;
    std::string_view text;
    if (type == od::json_type::string) {
        if (value.get_string().get(text)) return errc::malformed_frame;
    } else if (type == od::json_type::number) {
        text = trim(value.raw_json_token());
    } else {
        return errc::bad_number;
    }
    auto parsed = decimal::from_json_number(text);
    if (!parsed || parsed->negative() || parsed->is_zero()) return errc::bad_number;
    rate = *parsed;
    return errc::ok;
}

}  // namespace

std::optional<std::vector<std::string>> parse_field_path(std::string_view path) {
    std::vector<std::string> segments;
    if (path.empty()) return std::nullopt;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const auto segment = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (segment.empty()) return std::nullopt;
        segments.emplace_back(segment);
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return segments;
}

boost::system::error_code read_rate(std::string_view body, const std::vector<std::string>& path,
                                    decimal& rate) {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end (3.0.1 has no pad() helper).
    // One rate per poll interval: a fresh parser and buffer per call cost nothing here.
    std::string buffer;
    buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(body);
    od::parser parser;
    od::document doc;
    if (parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc))
        return errc::malformed_frame;
    if (auto problem = read(doc, path, rate); problem != errc::ok) return problem;
    return {};
}

}  // namespace sise::fx
