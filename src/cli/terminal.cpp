#include "sise/cli/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace sise::cli {

bool no_color_requested() {
    const char* no_color = std::getenv("NO_COLOR");
    return no_color != nullptr && *no_color != '\0';
}

bool use_color(color_mode mode) {
    if (mode != color_mode::automatic) return mode == color_mode::always;
    if (!::isatty(STDOUT_FILENO)) return false;
    if (no_color_requested()) return false;
    const char* term = std::getenv("TERM");
    return term != nullptr && *term != '\0' && std::string_view(term) != "dumb";
}

std::size_t terminal_width() {
    winsize size{};
    if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
        return size.ws_col;
    return 0;
}

}  // namespace sise::cli
