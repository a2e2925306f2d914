// What the commands ask of the terminal on stdout: whether it takes colour (NO_COLOR, TERM)
// and how wide it is. The full-screen control of `sise watch` is in screen_terminal.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace sise::cli {

enum class color_mode { automatic, always, never };
inline constexpr std::array<std::pair<std::string_view, color_mode>, 3> color_mode_names{
    {{"auto", color_mode::automatic},
     {"always", color_mode::always},
     {"never", color_mode::never}}};

// NO_COLOR (no-color.org): set and not empty turns colour off. A TERM that is unset, empty
// or "dumb" cannot be trusted with escape sequences. `automatic`: only on a terminal.
bool use_color(color_mode mode);

// NO_COLOR set and not empty.
bool no_color_requested();

// Columns of the terminal on stdout; 0 (no limit) when piped.
std::size_t terminal_width();

}  // namespace sise::cli
