#include "sise/history/writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sise/history/layout.hpp"

namespace sise::history {
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::size_t batch_records = 4'096;
constexpr auto idle_poll = std::chrono::milliseconds{20};
constexpr auto retry_pause = std::chrono::seconds{1};
constexpr auto problem_log_interval = std::chrono::seconds{10};
constexpr std::size_t copy_chunk = 64 * 1024;
constexpr std::string_view temporary_suffix = ".tmp";

std::string errno_text(int error) { return std::strerror(error); }

// A new or renamed file's directory entry survives a power loss only once the directory
// itself is synced.
void sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
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

// Copies a (plain or gzipped) history file's whole lines into `out`, without its header line
// when `skip_header`. False on a read or write error.
bool copy_lines(const fs::path& from, gzFile out, bool skip_header) {
    gzFile in = ::gzopen(from.c_str(), "rb");
    if (in == nullptr) return false;
    std::string pending;
    std::vector<char> chunk(copy_chunk);
    bool ok = true;
    bool first_line = true;
    for (;;) {
        const int n = ::gzread(in, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            ok = false;
            break;
        }
        if (n == 0) break;
        pending.append(chunk.data(), static_cast<std::size_t>(n));
        const std::size_t whole = pending.rfind('\n');
        if (whole == std::string::npos) continue;
        std::string_view lines(pending.data(), whole + 1);
        if (first_line && skip_header && lines.starts_with(csv_header))
            lines.remove_prefix(lines.find('\n') + 1);
        first_line = false;
        if (!lines.empty() &&
            ::gzwrite(out, lines.data(), static_cast<unsigned>(lines.size())) == 0) {
            ok = false;
            break;
        }
        pending.erase(0, whole + 1);
    }
    ::gzclose(in);
    return ok;  // an unterminated tail (a torn line) is left out
}

}  // namespace

// --- the writer thread's side -------------------------------------------------------------

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
        fs::path market_dir;
        std::int64_t day = 0;
        int fd = -1;
        off_t good_size = 0;  // bytes of whole lines in the file
        std::string held;     // lines not yet written
        std::uint64_t held_records = 0;
        bool dirty = false;  // written since the last sync
        bool failing = false;
        steady::time_point retry_at{};

        fs::path path() const {
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
    void recover_temporary(const fs::path& tmp);
    void compress(const fs::path& market_dir, std::int64_t day);
    void problem(const std::string& line);
    void notice(const std::string& line);
    void count(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
        counter.fetch_add(n, std::memory_order_relaxed);
    }

    writer& owner_;
    const writer_options& options_;
    std::map<file_key, open_file> files_;
    std::uint64_t written_unsynced_ = 0;  // records
    steady::time_point last_sync_ = steady::now();
    std::int64_t maintained_day_ = INT64_MIN;
    steady::time_point last_problem_log_{};
    bool problem_logged_ = false;
    std::uint64_t problems_held_back_ = 0;
};

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
            options_.on_problem(problems_held_back_ == 0
                                    ? line
                                    : fmt::format("{} ({} similar held back)", line,
                                                  problems_held_back_));
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
        notice(fmt::format("history: cut a torn last line ({} bytes) from {}",
                           info.st_size - whole, path.string()));
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
        problem(fmt::format("history: sync of {} failed: {}", f.path().string(),
                            errno_text(errno)));
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
                            errno_text(error),
                            cut ? "" : " (the partial line could not be cut)"));
        f.failing = true;
        f.retry_at = now + retry_pause;
        close_file(f);  // reopened on retry: the directory may have been replaced
        return;
    }
    if (f.failing)
        notice(fmt::format("history: writing to {} again", f.path().string()));
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

// A compression cut short: the temporary file is complete once the plain file is gone
// (compress() syncs it before unlinking), incomplete while the plain file still exists.
void writer::worker::recover_temporary(const fs::path& tmp) {
    std::error_code ec;
    const fs::path gz = fs::path(tmp).replace_extension();  // "D.csv.gz.tmp" -> "D.csv.gz"
    const fs::path plain = fs::path(gz).replace_extension();
    if (fs::exists(plain, ec))
        fs::remove(tmp, ec);
    else
        fs::rename(tmp, gz, ec);
    if (ec) problem(fmt::format("history: cannot recover {}: {}", tmp.string(), ec.message()));
}

// D.csv (plus an existing D.csv.gz, for lines that arrived after an earlier compression)
// -> D.csv.gz.tmp, synced; then D.csv is unlinked and the temporary renamed into place.
void writer::worker::compress(const fs::path& market_dir, std::int64_t day) {
    const fs::path plain = day_file(market_dir, day);
    const fs::path gz = compressed_day_file(market_dir, day);
    fs::path tmp = gz;
    tmp += temporary_suffix;
    std::error_code ec;
    const bool merge = fs::exists(gz, ec);

    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int zfd = fd < 0 ? -1 : ::dup(fd);
    gzFile out = zfd < 0 ? nullptr : ::gzdopen(zfd, "wb6");
    bool ok = out != nullptr;
    if (!ok && zfd >= 0) ::close(zfd);
    if (ok && merge) ok = copy_lines(gz, out, false);
    if (ok) ok = copy_lines(plain, out, merge);
    if (out != nullptr && ::gzclose(out) != Z_OK) ok = false;
    if (ok && ::fsync(fd) != 0) ok = false;
    if (fd >= 0) ::close(fd);
    if (!ok) {
        fs::remove(tmp, ec);
        problem(fmt::format("history: cannot compress {}", plain.string()));
        return;
    }
    fs::remove(plain, ec);
    if (!ec) fs::rename(tmp, gz, ec);
    if (ec) {
        problem(fmt::format("history: cannot compress {}: {}", plain.string(), ec.message()));
        return;
    }
    sync_directory(market_dir);
    count(owner_.counters_.files_compressed);
}

// Once per local day (and at start): finish interrupted compressions, delete days past
// retention, compress days older than yesterday. Yesterday stays plain: it is what a restart
// reads back for the 24 h window.
void writer::worker::maintain() {
    const std::int64_t today = day_of(options_.clock());
    if (today == maintained_day_) return;
    maintained_day_ = today;

    // Files of days about to be compressed or removed are closed first; a late record for
    // such a day opens a plain file again, merged at the next maintenance.
    for (auto& entry : files_) {
        open_file& f = entry.second;
        if (f.day < today - 1 && f.held.empty()) close_file(f);
    }

    std::error_code ec;
    for (const auto& exchange : fs::directory_iterator(options_.dir, ec)) {
        if (!exchange.is_directory(ec)) continue;
        for (const auto& market : fs::directory_iterator(exchange.path(), ec)) {
            if (!market.is_directory(ec)) continue;
            std::vector<std::int64_t> to_compress;
            for (const auto& file : fs::directory_iterator(market.path(), ec)) {
                const std::string name = file.path().filename().string();
                if (name.ends_with(temporary_suffix)) {
                    const auto parsed = parse_day_file_name(
                        std::string_view(name).substr(0, name.size() - temporary_suffix.size()));
                    if (parsed && parsed->compressed) recover_temporary(file.path());
                    continue;
                }
                if (const auto day = parse_coverage_file_name(name)) {
                    if (options_.keep_days > 0 && *day < today - options_.keep_days &&
                        fs::remove(file.path(), ec))
                        count(owner_.counters_.files_removed);
                    continue;
                }
                const auto parsed = parse_day_file_name(name);
                if (!parsed) continue;
                if (options_.keep_days > 0 && parsed->day < today - options_.keep_days) {
                    if (fs::remove(file.path(), ec)) count(owner_.counters_.files_removed);
                    continue;
                }
                if (options_.compress && !parsed->compressed && parsed->day < today - 1)
                    to_compress.push_back(parsed->day);
            }
            for (const std::int64_t day : to_compress) {
                const bool open = std::any_of(files_.begin(), files_.end(), [&](const auto& entry) {
                    return !entry.second.coverage && entry.second.fd >= 0 &&
                           entry.second.day == day &&
                           entry.second.market_dir == market.path();
                });
                if (!open) compress(market.path(), day);
            }
        }
    }
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

writer_stats writer::stats() const {
    writer_stats s;
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
