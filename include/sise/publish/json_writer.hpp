// Minimal JSON text helpers for the messages sise emits. Writing is all sise does with JSON
// output, so a few appenders beat a DOM library.
#pragma once

#include <string>
#include <string_view>

#include "sise/core/decimal.hpp"

namespace sise::publish {

// Appends `text` as a JSON string literal, escaping quotes, backslashes and control
// characters. Input is expected to be UTF-8 (simdjson validated it on the way in).
void append_json_string(std::string& out, std::string_view text);

// ,"key":"1.25" with the decimal's exact text, or ,"key":null when it is empty.
void append_json_decimal(std::string& out, std::string_view key, const decimal& value);

// {"type":"error","error":code,"message":message}: every error answer to a local client.
std::string error_json(std::string_view code, std::string_view message);

}  // namespace sise::publish
