#include "sise/io/blocking_worker.hpp"

namespace sise::io {

blocking_worker::blocking_worker(std::size_t max_queued)
    : max_queued_(max_queued), thread_([this] { run(); }) {}

blocking_worker::~blocking_worker() {
    {
        std::lock_guard lock(mutex_);
        stopping_.store(true);
        jobs_.clear();
    }
    wake_.notify_one();
    thread_.join();
}

bool blocking_worker::submit(job work) {
    {
        std::lock_guard lock(mutex_);
        if (jobs_.size() >= max_queued_ || stopping_.load()) return false;
        jobs_.push_back(std::move(work));
    }
    wake_.notify_one();
    return true;
}

void blocking_worker::run() {
    for (;;) {
        job next;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_.load() || !jobs_.empty(); });
            if (stopping_.load()) return;
            next = std::move(jobs_.front());
            jobs_.pop_front();
        }
        next(stopping_);
    }
}

}  // namespace sise::io
