// The terminal while `sise watch` runs full screen: raw input, the alternate screen, the
// hidden cursor, and their restoration on every way out: normal exit, q, SIGINT, SIGTERM,
// SIGHUP, a crash signal or std::terminate (and around Ctrl-Z). Also the signals that
// matter to a full-screen view (SIGWINCH) and bounded reads and writes. One per process.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sise::cli {

class screen_terminal {
public:
    // Takes over the terminal on `out_fd` (keys from `in_fd` when it is a terminal too).
    // nullptr, with `why`, when it cannot (not a terminal, another one is open).
    static std::unique_ptr<screen_terminal> open(int in_fd, int out_fd, std::string& why);
    ~screen_terminal();  // restores
    screen_terminal(const screen_terminal&) = delete;
    screen_terminal& operator=(const screen_terminal&) = delete;

    // The signal that asked us to stop (SIGINT, SIGTERM, SIGHUP), or 0.
    int stop_signal() const noexcept;
    // True once after the window changed size or the process came back from Ctrl-Z: the
    // whole screen must be repainted.
    bool take_repaint() noexcept;

    struct size {
        std::size_t columns = 80;
        std::size_t rows = 24;
    };
    size window_size() const;

    // All of `bytes`; false when the terminal is gone.
    bool write(std::string_view bytes);
    // Key bytes available within `wait` (empty if none, or when keys are not read).
    std::string read_input(std::chrono::milliseconds wait);

private:
    screen_terminal(int in_fd, int out_fd, bool keys);
    int in_fd_;
    int out_fd_;
    bool keys_;
};

}  // namespace sise::cli
