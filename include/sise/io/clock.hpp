// The one place sise_io reads the wall clock: UTC epoch milliseconds. sise_core never reads
// clocks; times are passed in.
#pragma once

#include <chrono>
#include <cstdint>

namespace sise::io {

inline std::int64_t now_ms() noexcept {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sise::io
