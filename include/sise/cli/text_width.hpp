// Text helpers for the terminal views: display width of UTF-8 (Hangul and CJK take two
// columns), and formatting of decimal text for people (thousands separators, percent
// rounding) done on the digits themselves, never through a double.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sise::cli {

// Terminal columns taken by one code point: 2 for East Asian wide and fullwidth
// characters, 0 for combining marks, zero-width and control characters, 1 otherwise.
// A small wcwidth: the tables cover what coin names use, not all of Unicode.
int codepoint_width(char32_t cp) noexcept;

// Columns taken by UTF-8 text. A byte that is not part of valid UTF-8 counts 1, as a
// terminal shows it as one replacement character.
std::size_t display_width(std::string_view utf8) noexcept;

// Text that came from the network, made safe to print: control characters (C0, DEL, C1)
// become '?', so a name cannot carry escape sequences into the terminal; bytes that are
// not valid UTF-8 become U+FFFD.
std::string sanitize_for_terminal(std::string_view text);

// The longest prefix of `utf8` (whole code points) whose display width is at most `width`.
// When text has to be cut, the last column shows '~' to say so.
std::string truncate_to_width(std::string_view utf8, std::size_t width);

// True for the plain decimal text the daemon publishes: -?[0-9]+(\.[0-9]+)?
bool is_plain_decimal(std::string_view text) noexcept;

// Thousands separators in the integer part; sign and fraction kept as they are.
// "-1234567.50" -> "-1,234,567.50". nullopt if `text` is not a plain decimal.
std::optional<std::string> group_thousands(std::string_view text);

// A price for people: trailing fractional zeros trimmed, then grouped.
// "31883000.00000000" -> "31,883,000", "612.50" -> "612.5", "-0.0" -> "0".
std::optional<std::string> format_price(std::string_view text);

// A percentage with its sign and two decimals, rounded half away from zero on the text:
// "1.26713295" -> "+1.27%", "-2.945" -> "-2.95%", "9.995" -> "+10.00%", "-0.004" -> "0.00%"
// (a figure that rounds to zero carries no sign). nullopt if `text` is not a plain decimal.
std::optional<std::string> format_percent(std::string_view text);

}  // namespace sise::cli
