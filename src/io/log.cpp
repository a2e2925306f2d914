#include "sise/io/log.hpp"

#include <atomic>
#include <cstdio>
#include <string>

namespace sise::io {
namespace {
std::atomic<int> current_level{static_cast<int>(log_level::info)};
}

void set_log_level(log_level level) noexcept { current_level = static_cast<int>(level); }

bool log_enabled(log_level level) noexcept { return static_cast<int>(level) <= current_level; }

void write_log(log_level level, std::string_view message) noexcept {
    // One fwrite per line keeps lines whole when stderr is shared.
    std::string line = fmt::format("<{}>{}\n", static_cast<int>(level), message);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace sise::io
