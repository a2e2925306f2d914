// The history writer's thread side (writer::worker): the open day files, the lines held for
// them while the disk refuses, syncs, and the once-a-day maintenance of closed days. Private to
// src/history: writer_worker.cpp holds the file side, day_maintenance.cpp compression and
// retention; only writer.cpp creates one, on the writer's thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "sise/history/layout.hpp"
#include "sise/history/writer.hpp"

namespace sise::history {

// Syncs a directory, so that a new or renamed file's entry in it survives a power loss.
void sync_directory(const std::filesystem::path& dir);

class writer::worker {
public:
    explicit worker(writer& owner) : owner_(owner), options_(owner.options_) {}

    void append(const record& r);
    void append(exchange_id exchange, std::string_view market, const coverage_span& span);
    void write_all_held();
    void sync_if_due(bool force);
    void maintain();
    void finish();
    bool any_failing() const;

private:
    struct open_file {
        bool coverage = false;  // a coverage file, not a records file
        std::filesystem::path market_dir;
        std::int64_t day = 0;
        int fd = -1;
        off_t good_size = 0;  // bytes of whole lines in the file
        std::string held;     // lines not yet written
        std::uint64_t held_records = 0;
        bool dirty = false;  // written since the last sync
        bool failing = false;
        std::chrono::steady_clock::time_point retry_at{};

        std::filesystem::path path() const {
            return coverage ? coverage_file(market_dir, day) : day_file(market_dir, day);
        }
        std::string_view header() const { return coverage ? coverage_header : csv_header; }
    };
    // (exchange, market, coverage)
    using file_key = std::tuple<exchange_id, std::string, bool>;

    open_file& file_for(exchange_id exchange, std::string_view market, bool coverage,
                        std::int64_t day);
    bool open_day(open_file& f);
    void write_held(open_file& f);
    void close_file(open_file& f);
    void drop_held(open_file& f);
    void recover_temporary(const std::filesystem::path& tmp);
    void compress(const std::filesystem::path& market_dir, std::int64_t day);
    void problem(const std::string& line);
    void notice(const std::string& line);
    void count(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
        counter.fetch_add(n, std::memory_order_relaxed);
    }

    writer& owner_;
    const writer_options& options_;
    std::map<file_key, open_file> files_;
    std::uint64_t written_unsynced_ = 0;  // records
    std::chrono::steady_clock::time_point last_sync_ = std::chrono::steady_clock::now();
    std::int64_t maintained_day_ = INT64_MIN;
    std::chrono::steady_clock::time_point last_problem_log_{};
    bool problem_logged_ = false;
    std::uint64_t problems_held_back_ = 0;
};

}  // namespace sise::history
