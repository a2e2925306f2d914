// Time figures that tests and benchmarks report: durations in whole milliseconds, the UTC
// epoch milliseconds sised stamps into "time", and nearest-rank percentiles of latencies.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

namespace sise::test {

inline long long ms(std::chrono::steady_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// UTC epoch milliseconds, the clock sised stamps into "time".
inline std::int64_t epoch_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Nearest-rank percentile of `values` (sorted here), 0 if empty.
inline long long percentile(std::vector<long long> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

}  // namespace sise::test
