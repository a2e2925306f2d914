// Reconnect delays: exponential with "equal jitter" (half fixed, half random), so the first
// retry comes quickly, a flapping exchange is not hammered, and many daemons restarting at
// once do not reconnect in lockstep. The random source is injected to keep this pure.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace sise::feed {

class backoff {
public:
    using duration = std::chrono::milliseconds;

    backoff(duration initial, duration max) noexcept
        : initial_(std::max(initial, duration{1})), max_(std::max(max, initial_)) {}

    // The delay before the next attempt; `random` is any uniformly distributed value.
    duration next(std::uint64_t random) noexcept {
        duration ceiling = std::min(max_, initial_ * (std::int64_t{1} << std::min(attempts_, 20)));
        ++attempts_;
        auto half = ceiling.count() / 2;
        auto jitter = static_cast<std::int64_t>(random % static_cast<std::uint64_t>(half + 1));
        return duration{ceiling.count() - half + jitter};
    }

    void reset() noexcept { attempts_ = 0; }
    int attempts() const noexcept { return attempts_; }

private:
    duration initial_;
    duration max_;
    int attempts_ = 0;
};

}  // namespace sise::feed
