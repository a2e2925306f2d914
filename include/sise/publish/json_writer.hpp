// Minimal JSON text helpers for the messages sise emits. Writing is all sise does with JSON
// output, so a few appenders beat a DOM library.
#pragma once

#include <string>
#include <string_view>

namespace sise::publish {

// Appends `text` as a JSON string literal, escaping quotes, backslashes and control
// characters. Input is expected to be UTF-8 (simdjson validated it on the way in).
void append_json_string(std::string& out, std::string_view text);

}  // namespace sise::publish
