// The history writer: the event loop hands it records (never blocking: a bounded lock-free
// queue, drops counted when full) and one thread of its own appends them to the day files,
// fsyncs on a schedule, rotates at UTC midnight, compresses closed days and applies
// retention. It also appends coverage lines (coverage.hpp) to their own day files, with the same
// torn-line cut, fsync schedule and retention (never compressed). Disk trouble (full, missing or unwritable directory) is reported, counted and
// retried; it never reaches the loop. Layout and guarantees: docs/history.md.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "sise/core/spsc_ring.hpp"
#include "sise/history/coverage.hpp"
#include "sise/history/record.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::history {

struct writer_options {
    std::filesystem::path dir;
    // fdatasync the files written since the last sync at most this often; 0 = after every
    // write. What was fsynced survives a power loss; what was written survives a crash.
    std::int64_t fsync_interval_ms = 1'000;
    int keep_days = 30;     // delete day files older than this many days; 0 = keep all
    bool compress = true;   // gzip day files older than yesterday
    std::size_t queue_records = 8'192;
    std::size_t queue_coverage = 4'096;  // coverage lines waiting for the thread
    // Bytes held per file while the disk refuses them; records beyond are dropped and counted.
    std::size_t max_held_bytes = 1 << 20;
    // UTC epoch ms: decides "today" for compression and retention. Tests inject it.
    std::function<std::int64_t()> clock;
    // Problems and notable events, one line each, from the writer thread; already
    // rate-limited (at most one problem line per 10 s, with the number held back).
    std::function<void(std::string_view line)> on_problem;
    std::function<void(std::string_view line)> on_notice;
};

class writer {
public:
    // Starts the thread. Does not touch the disk on the caller's thread.
    explicit writer(writer_options options);
    // Writes and syncs everything queued, then joins.
    ~writer();
    // The same, earlier: afterwards stats() holds the final counts and nothing may be pushed.
    void finish();
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    // Producer (the event loop) only. False: the queue was full and the record is dropped.
    bool push(const record& r) noexcept;

    // Producer only: sised watched `market` over `span` (within one UTC day). False: the
    // queue was full and the line is dropped (counted; those minutes stay unknown).
    bool push_coverage(exchange_id exchange, std::string_view market,
                       const coverage_span& span) noexcept;

    // Any thread.
    stats::history_writer_stats stats() const;

private:
    class worker;  // the thread's side: files, buffers, syncs, maintenance
    friend class worker;

    void run();

    struct counters {
        std::atomic<std::uint64_t> records_written{0}, records_synced{0}, dropped_queue_full{0},
            dropped_write_failed{0}, write_errors{0}, torn_lines_cut{0}, files_compressed{0},
            files_removed{0}, coverage_written{0}, coverage_dropped{0};
        std::atomic<bool> failing{false};
    };

    writer_options options_;
    struct coverage_item {
        exchange_id exchange{};
        market_code market;
        coverage_span span;
    };

    spsc_ring<record> queue_;
    spsc_ring<coverage_item> coverage_queue_;
    counters counters_;
    mutable std::mutex error_mutex_;  // last_error_ only: the error path and /healthz
    std::string last_error_;
    std::atomic<bool> stop_{false};
    std::mutex wake_mutex_;  // only to sleep and be woken at stop; never taken by push()
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace sise::history
