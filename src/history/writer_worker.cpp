#include "writer_worker.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace sise::history {
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto retry_pause = std::chrono::seconds{1};
constexpr auto problem_log_interval = std::chrono::seconds{10};

std::string errno_text(int error) {
    return std::strerror(error);
}

bool write_all(int fd, const char* data, std::size_t size, int& error) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = errno;
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Length of the file up to and including its last '\n' (0 if none).
bool whole_lines_length(int fd, off_t size, off_t& out, int& error) {
    char buffer[4096];
    off_t end = size;
    while (end > 0) {
        const off_t start = std::max<off_t>(0, end - static_cast<off_t>(sizeof buffer));
        const auto want = static_cast<std::size_t>(end - start);
        const ssize_t n = ::pread(fd, buffer, want, start);
        if (n != static_cast<ssize_t>(want)) {
            error = n < 0 ? errno : EIO;
            return false;
        }
        for (std::size_t i = want; i-- > 0;)
            if (buffer[i] == '\n') {
                out = start + static_cast<off_t>(i) + 1;
                return true;
            }
        end = start;
    }
    out = 0;
    return true;
}

}  // namespace

void sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

void writer::worker::problem(const std::string& line) {
    {
        std::lock_guard lock(owner_.error_mutex_);
        owner_.last_error_ = line;
    }
    const auto now = steady::now();
    if (problem_logged_ && now - last_problem_log_ < problem_log_interval) {
        ++problems_held_back_;
    } else {
        if (options_.on_problem)
            options_.on_problem(problems_held_back_ == 0 ? line
                                                         : fmt::format("{} ({} similar held back)",
                                                                       line, problems_held_back_));
        problem_logged_ = true;
        last_problem_log_ = now;
        problems_held_back_ = 0;
    }
    count(owner_.counters_.write_errors);  // last: whoever sees the count sees the report
}

void writer::worker::notice(const std::string& line) {
    if (options_.on_notice) options_.on_notice(line);
}

// Opens the day file for appending: creates directories and the header, and cuts a torn last
// line left by a crash (or a full disk) so that every line in the file stays whole.
bool writer::worker::open_day(open_file& f) {
    std::error_code ec;
    fs::create_directories(f.market_dir, ec);
    if (ec) {
        problem(fmt::format("history: cannot create {}: {}", f.market_dir.string(), ec.message()));
        return false;
    }
    const fs::path path = f.path();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        problem(fmt::format("history: cannot open {}: {}", path.string(), errno_text(errno)));
        return false;
    }
    struct stat info {};
    int error = 0;
    off_t whole = 0;
    if (::fstat(fd, &info) != 0 || !whole_lines_length(fd, info.st_size, whole, error)) {
        problem(fmt::format("history: cannot read {}: {}", path.string(),
                            errno_text(error != 0 ? error : errno)));
        ::close(fd);
        return false;
    }
    if (whole != info.st_size) {
        if (::ftruncate(fd, whole) != 0) {
            problem(fmt::format("history: cannot cut the torn last line of {}: {}", path.string(),
                                errno_text(errno)));
            ::close(fd);
            return false;
        }
        count(owner_.counters_.torn_lines_cut);
        notice(fmt::format("history: cut a torn last line ({} bytes) from {}", info.st_size - whole,
                           path.string()));
    }
    // A new (or emptied) file starts with the header; held lines that failed before keep
    // the one they already have.
    if (whole == 0 && !f.held.starts_with(f.header())) {
        f.held.insert(0, std::string(f.header()) + '\n');
        sync_directory(f.market_dir);
    }
    f.fd = fd;
    f.good_size = whole;
    return true;
}

void writer::worker::close_file(open_file& f) {
    if (f.fd < 0) return;
    if (f.dirty && ::fdatasync(f.fd) != 0)
        problem(
            fmt::format("history: sync of {} failed: {}", f.path().string(), errno_text(errno)));
    ::close(f.fd);
    f.fd = -1;
    f.dirty = false;
}

void writer::worker::drop_held(open_file& f) {
    count(f.coverage ? owner_.counters_.coverage_dropped : owner_.counters_.dropped_write_failed,
          f.held_records);
    f.held.clear();
    f.held_records = 0;
}

// Hands a file's held lines to the kernel. On failure the partial write is cut off again and
// the lines stay held, to be retried after a pause.
void writer::worker::write_held(open_file& f) {
    if (f.held.empty()) return;
    const auto now = steady::now();
    if (f.failing && now < f.retry_at) return;
    int error = 0;
    if (f.fd < 0 && !open_day(f)) {
        f.failing = true;
        f.retry_at = now + retry_pause;
        return;
    }
    if (!write_all(f.fd, f.held.data(), f.held.size(), error)) {
        const bool cut = ::ftruncate(f.fd, f.good_size) == 0;
        problem(fmt::format("history: write to {} failed: {}{}", f.path().string(),
                            errno_text(error), cut ? "" : " (the partial line could not be cut)"));
        f.failing = true;
        f.retry_at = now + retry_pause;
        close_file(f);  // reopened on retry: the directory may have been replaced
        return;
    }
    if (f.failing) notice(fmt::format("history: writing to {} again", f.path().string()));
    f.failing = false;
    f.good_size += static_cast<off_t>(f.held.size());
    f.held.clear();
    f.dirty = true;
    if (f.coverage) {
        count(owner_.counters_.coverage_written, f.held_records);
        f.held_records = 0;
        // A coverage file gets a few lines a minute: synced and closed at once, so it holds
        // no descriptor between writes.
        close_file(f);
        return;
    }
    count(owner_.counters_.records_written, f.held_records);
    written_unsynced_ += f.held_records;
    f.held_records = 0;
}

// The file one line of (exchange, market) goes to, rotated to `day`.
writer::worker::open_file& writer::worker::file_for(exchange_id exchange, std::string_view market,
                                                    bool coverage, std::int64_t day) {
    auto [it, fresh] = files_.try_emplace({exchange, std::string(market), coverage});
    open_file& f = it->second;
    if (fresh) {
        f.coverage = coverage;
        f.market_dir = market_directory(options_.dir, exchange, market);
        f.day = day;
    } else if (day != f.day) {
        // Rotation: the old day's last lines go to its file, then the new day starts.
        f.failing = false;
        write_held(f);
        if (!f.held.empty()) drop_held(f);
        close_file(f);
        f.day = day;
    }
    return f;
}

void writer::worker::append(const record& r) {
    open_file& f = file_for(r.exchange, r.market.view(), false, day_of(r.time_ms));
    if (f.held.size() >= options_.max_held_bytes) {
        count(owner_.counters_.dropped_write_failed);
        return;
    }
    append_csv(f.held, r);
    ++f.held_records;
}

void writer::worker::append(exchange_id exchange, std::string_view market,
                            const coverage_span& span) {
    open_file& f = file_for(exchange, market, true, day_of(span.from_ms));
    if (f.held.size() >= options_.max_held_bytes) {
        count(owner_.counters_.coverage_dropped);
        return;
    }
    append_coverage_csv(f.held, span);
    ++f.held_records;
}

void writer::worker::write_all_held() {
    for (auto& entry : files_) write_held(entry.second);
}

bool writer::worker::any_failing() const {
    return std::any_of(files_.begin(), files_.end(),
                       [](const auto& entry) { return entry.second.failing; });
}

void writer::worker::sync_if_due(bool force) {
    if (written_unsynced_ == 0) return;
    if (!force && options_.fsync_interval_ms > 0 &&
        steady::now() - last_sync_ < std::chrono::milliseconds{options_.fsync_interval_ms})
        return;
    bool synced = true;
    for (auto& entry : files_) {
        open_file& f = entry.second;
        if (f.fd < 0 || !f.dirty) continue;
        if (::fdatasync(f.fd) != 0) {
            synced = false;
            problem(fmt::format("history: sync of {} failed: {}", f.path().string(),
                                errno_text(errno)));
        }
        f.dirty = false;
    }
    // Only what is known to be on stable storage is reported as synced.
    if (synced) count(owner_.counters_.records_synced, written_unsynced_);
    written_unsynced_ = 0;
    last_sync_ = steady::now();
}

void writer::worker::finish() {
    // Last chance for held lines (the disk may have recovered), then everything is synced.
    for (auto& entry : files_) {
        open_file& f = entry.second;
        f.failing = false;
        write_held(f);
        if (!f.held.empty()) drop_held(f);
    }
    sync_if_due(true);
    for (auto& entry : files_) close_file(entry.second);
}

}  // namespace sise::history
