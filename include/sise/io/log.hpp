// Logging to stderr with systemd priority prefixes ("<4>..."), so journald keeps levels
// without a logging library. Repeating events go through a rate limiter that reports how
// many it suppressed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace sise::io {

enum class log_level : int { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

void set_log_level(log_level level) noexcept;
bool log_enabled(log_level level) noexcept;
void write_log(log_level level, std::string_view message) noexcept;

template <typename... Args>
void log(log_level level, fmt::format_string<Args...> format, Args&&... args) {
    if (!log_enabled(level)) return;
    write_log(level, fmt::format(format, std::forward<Args>(args)...));
}

// Lets one message through per interval; tells how many were held back in between.
class log_limiter {
public:
    explicit log_limiter(std::chrono::steady_clock::duration interval = std::chrono::seconds{10})
        : interval_(interval) {}

    // Returns true when the caller should log now; `suppressed` is set to the number of
    // events dropped since the last logged one.
    bool allow(std::chrono::steady_clock::time_point now, std::uint64_t& suppressed) noexcept {
        if (logged_once_ && now - last_ < interval_) {
            ++suppressed_;
            return false;
        }
        logged_once_ = true;
        last_ = now;
        suppressed = suppressed_;
        suppressed_ = 0;
        return true;
    }

private:
    std::chrono::steady_clock::duration interval_;
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t suppressed_ = 0;
    bool logged_once_ = false;
};

}  // namespace sise::io
