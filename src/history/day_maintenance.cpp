// Once a day the writer's thread tidies closed days: it finishes compressions a crash cut
// short, deletes days past retention and gzips days older than yesterday (docs/history.md).
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "writer_worker.hpp"

namespace sise::history {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t copy_chunk = 64 * 1024;
constexpr std::string_view temporary_suffix = ".tmp";

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
                           entry.second.day == day && entry.second.market_dir == market.path();
                });
                if (!open) compress(market.path(), day);
            }
        }
    }
}

}  // namespace sise::history
