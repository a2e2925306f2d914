#include "sise/history/writer.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <utility>

#include "writer_worker.hpp"

namespace sise::history {

namespace {

constexpr std::size_t batch_records = 4'096;
constexpr auto idle_poll = std::chrono::milliseconds{20};

}  // namespace

// --- writer ---------------------------------------------------------------------------------

writer::writer(writer_options options)
    : options_(std::move(options)),
      queue_(options_.queue_records),
      coverage_queue_(options_.queue_coverage) {
    if (!options_.clock)
        options_.clock = [] {
            using namespace std::chrono;
            return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
        };
    thread_ = std::thread([this] { run(); });
}

writer::~writer() {
    finish();
}

void writer::finish() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(wake_mutex_);
        stop_.store(true, std::memory_order_release);
    }
    wake_.notify_one();
    thread_.join();
}

bool writer::push(const record& r) noexcept {
    if (queue_.push(r)) return true;
    counters_.dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
    return false;
}

bool writer::push_coverage(exchange_id exchange, std::string_view market,
                           const coverage_span& span) noexcept {
    coverage_item item;
    item.exchange = exchange;
    item.market.assign(market);
    item.span = span;
    if (coverage_queue_.push(item)) return true;
    counters_.coverage_dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
}

stats::history_writer_stats writer::stats() const {
    stats::history_writer_stats s;
    s.records_written = counters_.records_written.load(std::memory_order_relaxed);
    s.records_synced = counters_.records_synced.load(std::memory_order_relaxed);
    s.dropped_queue_full = counters_.dropped_queue_full.load(std::memory_order_relaxed);
    s.dropped_write_failed = counters_.dropped_write_failed.load(std::memory_order_relaxed);
    s.write_errors = counters_.write_errors.load(std::memory_order_relaxed);
    s.torn_lines_cut = counters_.torn_lines_cut.load(std::memory_order_relaxed);
    s.files_compressed = counters_.files_compressed.load(std::memory_order_relaxed);
    s.files_removed = counters_.files_removed.load(std::memory_order_relaxed);
    s.failing = counters_.failing.load(std::memory_order_relaxed);
    s.coverage_written = counters_.coverage_written.load(std::memory_order_relaxed);
    s.coverage_dropped = counters_.coverage_dropped.load(std::memory_order_relaxed);
    s.queue_depth = queue_.size();
    std::lock_guard lock(error_mutex_);
    s.last_error = last_error_;
    return s;
}

void writer::run() {
    worker work(*this);
    for (;;) {
        const bool stopping = stop_.load(std::memory_order_acquire);
        // A coverage line says the records of its span were handed over: every record pushed
        // before it is taken first (coverage counted before records, the reverse of push order).
        const std::size_t coverage_waiting = coverage_queue_.size();
        const std::size_t records_waiting = queue_.size();
        std::size_t taken = queue_.consume(std::max(batch_records, records_waiting),
                                           [&](const record& r) { work.append(r); });
        taken += coverage_queue_.consume(coverage_waiting, [&](const coverage_item& c) {
            work.append(c.exchange, c.market.view(), c.span);
        });
        work.write_all_held();
        counters_.failing.store(work.any_failing(), std::memory_order_relaxed);
        work.sync_if_due(false);
        work.maintain();
        if (stopping && queue_.size() == 0 && coverage_queue_.size() == 0) break;
        if (taken == 0) {
            std::unique_lock lock(wake_mutex_);
            wake_.wait_for(lock, idle_poll,
                           [this] { return stop_.load(std::memory_order_acquire); });
        }
    }
    work.finish();
}

}  // namespace sise::history
