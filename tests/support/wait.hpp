// Bounded waits for tests and benchmarks that observe another process or thread: poll a
// condition until it holds, or run an io_context in slices until a condition holds. Every
// wait has a deadline, so a broken daemon fails a check instead of hanging the suite.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>

namespace sise::test {

// Calls `predicate` every `poll` until it returns true (then true) or `timeout` has passed
// (then false). It is always called at least once.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds{5}) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        if (predicate()) return true;
        std::this_thread::sleep_for(poll);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

// Runs `context` in slices of at most 20 ms until `done()` (called between slices, so it may
// also sample or inject faults) or the timeout; false on timeout. For many clients driven
// asynchronously from the calling thread.
template <typename Predicate>
bool drive(boost::asio::io_context& context, std::chrono::steady_clock::duration timeout,
           Predicate done) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    while (!done()) {
        const auto now = clock::now();
        if (now >= deadline) return false;
        context.restart();
        context.run_for(std::min<clock::duration>(std::chrono::milliseconds{20}, deadline - now));
        // Nothing queued: don't spin.
        if (context.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
    return true;
}

}  // namespace sise::test
