// Reading this process's environment variables as optional text, and their numbers, for the
// systemd interfaces (NOTIFY_SOCKET, WATCHDOG_*, LISTEN_*), whose pure parsers tell "absent"
// from "empty" and refuse a number with anything around it.
#pragma once

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace sise::io {

inline std::optional<std::string_view> environment_variable(const char* name) {
    const char* value = std::getenv(name);
    if (!value) return std::nullopt;
    return std::string_view(value);
}

// The whole text as a decimal number; nullopt if empty, signed wrongly, out of range or
// followed by anything.
template <typename Number>
std::optional<Number> environment_number(std::string_view text) {
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace sise::io
