// One thread for blocking work the event loop must not do (reading history files). Jobs run
// one at a time, in order; the queue is bounded, so a flood of requests is refused instead of
// growing memory. A job hands its result back to the loop itself (asio::post).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace sise::io {

class blocking_worker {
public:
    // A job gets a flag that turns true when the worker is being destroyed: long jobs check
    // it and return early.
    using job = std::function<void(const std::atomic<bool>& stopping)>;

    explicit blocking_worker(std::size_t max_queued);
    // Drops the queued jobs, tells the running one to stop, and joins.
    ~blocking_worker();
    blocking_worker(const blocking_worker&) = delete;
    blocking_worker& operator=(const blocking_worker&) = delete;

    // False when max_queued jobs are already waiting.
    bool submit(job work);

private:
    void run();

    std::size_t max_queued_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<job> jobs_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace sise::io
