#include "sise/publish/json_writer.hpp"

namespace sise::publish {

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (byte < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[byte >> 4]);
                    out.push_back(hex[byte & 0xF]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

void append_json_decimal(std::string& out, std::string_view key, const decimal& value) {
    out += ",\"";
    out += key;
    out += "\":";
    if (value.empty())
        out += "null";
    else
        append_json_string(out, value.text());
}

std::string error_json(std::string_view code, std::string_view message) {
    std::string out = "{\"type\":\"error\",\"error\":";
    append_json_string(out, code);
    out += ",\"message\":";
    append_json_string(out, message);
    out += "}";
    return out;
}

}  // namespace sise::publish
