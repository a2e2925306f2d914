#include "sise/history/reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <system_error>

#include "sise/history/layout.hpp"

namespace sise::history {
namespace {

// Bytes asked of zlib per read; a day file of one busy market is a few tens of MiB.
constexpr unsigned read_chunk = 64 * 1024;
// A record line is a few hundred bytes; anything longer is damage, not data.
constexpr std::size_t max_line = 64 * 1024;

struct day_files {
    bool plain = false;
    bool compressed = false;
};

// The day files of a market directory that can hold records of [from_day, to_day], by day.
// A directory that does not exist holds no history; one that cannot be listed is a read error.
std::map<std::int64_t, day_files> list_days(const std::filesystem::path& dir,
                                            std::int64_t from_day, std::int64_t to_day,
                                            read_stats& stats) {
    std::map<std::int64_t, day_files> days;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        if (ec != std::errc::no_such_file_or_directory) ++stats.read_errors;
        return days;
    }
    for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
        const auto name = parse_day_file_name(it->path().filename().native());
        if (!name || name->day < from_day || name->day > to_day) continue;
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) continue;
        day_files& files = days[name->day];
        (name->compressed ? files.compressed : files.plain) = true;
    }
    if (ec) ++stats.read_errors;  // listing cut short: what was listed is still read
    return days;
}

// Reads one file, plain or gzipped (gzread passes plain files through), line by line; on_line
// returns false to stop. Returns false when it stopped.
bool read_lines(const std::filesystem::path& path, read_stats& stats,
                const std::function<bool(std::string_view line)>& on_line) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (file == nullptr) {
        ++stats.read_errors;
        return true;
    }
    ++stats.files;
    gzbuffer(file, read_chunk);
    std::string buffer;
    std::size_t kept = 0;  // an unfinished line carried over from the previous chunk
    bool overlong = false;
    bool stopped = false;
    for (;;) {
        buffer.resize(kept + read_chunk);
        const int got = gzread(file, buffer.data() + kept, read_chunk);
        if (got <= 0) {
            // End of file, or an error; a gzip stream cut short reads as an end of file
            // that zlib flags with Z_BUF_ERROR.
            int error = Z_OK;
            gzerror(file, &error);
            if (got < 0 || error != Z_OK) ++stats.read_errors;
            break;
        }
        std::string_view data(buffer.data(), kept + static_cast<std::size_t>(got));
        if (overlong) {  // the rest of a line already counted bad
            const std::size_t end = data.find('\n');
            overlong = end == std::string_view::npos;
            data.remove_prefix(overlong ? data.size() : end + 1);
        }
        const std::size_t used = for_each_line(data, [&](std::string_view line) {
            if (stopped) return;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            stopped = !on_line(line);
        });
        if (stopped) break;
        kept = data.size() - used;
        // No record is anywhere near this long: a file without newlines is not buffered
        // whole, its line is counted bad once and skipped.
        if (kept >= max_line) {
            ++stats.bad_lines;
            overlong = true;
            kept = 0;
        }
        std::memmove(buffer.data(), data.data() + data.size() - kept, kept);
    }
    gzclose(file);
    // The unterminated rest at the end of a file is a line torn by a crash.
    if (!stopped && kept > 0) ++stats.bad_lines;
    return !stopped;
}

// The record lines of one market's files: parsed, filtered to the query, counted.
class record_filter {
public:
    record_filter(const read_query& query, const std::function<bool(const record&)>& on_record,
                  read_stats& stats)
        : query_(query), on_record_(on_record), stats_(stats) {}

    bool on_line(std::string_view line) {
        if (line == csv_header) return true;
        const auto r = parse_csv_line(line);
        if (!r) {
            ++stats_.bad_lines;
            return true;
        }
        if (r->exchange != query_.exchange || r->market.view() != query_.market) {
            ++stats_.foreign_lines;
            return true;
        }
        if (r->time_ms < query_.from_ms || r->time_ms >= query_.to_ms) return true;
        if (query_.max_records != 0 && stats_.records == query_.max_records) return stop();
        ++stats_.records;
        return on_record_(*r) || stop();
    }

private:
    bool stop() {
        stats_.truncated = true;
        return false;
    }

    const read_query& query_;
    const std::function<bool(const record&)>& on_record_;
    read_stats& stats_;
};

}  // namespace

std::size_t for_each_line(std::string_view buffer,
                          const std::function<void(std::string_view line)>& on_line) {
    std::size_t consumed = 0;
    for (std::size_t end; (end = buffer.find('\n', consumed)) != std::string_view::npos;) {
        on_line(buffer.substr(consumed, end - consumed));
        consumed = end + 1;
    }
    return consumed;
}

read_stats read_records(const std::filesystem::path& root, const read_query& query,
                        const std::function<bool(const record&)>& on_record) {
    read_stats stats;
    if (query.to_ms <= query.from_ms) return stats;
    const auto dir = market_directory(root, query.exchange, query.market);
    record_filter filter(query, on_record, stats);
    const std::function<bool(std::string_view)> on_line = [&](std::string_view line) {
        return filter.on_line(line);
    };
    for (const auto& [day, files] : list_days(dir, day_of(query.from_ms), day_of(query.to_ms - 1),
                                              stats)) {
        // Both files for one day: lines that arrived after the day was compressed (the writer
        // merges them at its next compression); the compressed ones are older.
        if (files.compressed && !read_lines(compressed_day_file(dir, day), stats, on_line)) break;
        if (files.plain && !read_lines(day_file(dir, day), stats, on_line)) break;
    }
    return stats;
}

read_stats read_coverage(const std::filesystem::path& root, const read_query& query,
                         std::vector<coverage_span>& out) {
    read_stats stats;
    if (query.to_ms <= query.from_ms) return stats;
    const auto dir = market_directory(root, query.exchange, query.market);
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        if (ec != std::errc::no_such_file_or_directory) ++stats.read_errors;
        return stats;
    }
    std::vector<std::int64_t> days;
    for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
        const auto day = parse_coverage_file_name(it->path().filename().native());
        if (day && *day >= day_of(query.from_ms) && *day <= day_of(query.to_ms - 1))
            days.push_back(*day);
    }
    if (ec) ++stats.read_errors;
    const std::size_t first = out.size();
    for (const std::int64_t day : days)
        read_lines(coverage_file(dir, day), stats, [&](std::string_view line) {
            if (line == coverage_header) return true;
            const auto span = parse_coverage_line(line);
            if (!span) {
                ++stats.bad_lines;
                return true;
            }
            const coverage_span clipped{std::max(span->from_ms, query.from_ms),
                                        std::min(span->to_ms, query.to_ms)};
            if (clipped.to_ms <= clipped.from_ms) return true;
            ++stats.records;
            out.push_back(clipped);
            return true;
        });
    std::vector<coverage_span> mine(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    merge_spans(mine);
    out.resize(first);
    out.insert(out.end(), mine.begin(), mine.end());
    return stats;
}

}  // namespace sise::history
