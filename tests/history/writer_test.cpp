#include "sise/history/writer.hpp"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <mutex>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sise/history/layout.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using namespace sise;
using namespace sise::history;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t day0 = 20'420;  // 2025-11-28
constexpr std::int64_t t0 = day0 * day_ms;

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("sise-writer-test-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

record make_record(std::int64_t time_ms, std::string_view market = "KRW-BTC",
                   std::string_view price = "150139000") {
    record r;
    r.time_ms = time_ms;
    r.exchange = exchange_id::upbit;
    r.market.assign(market);
    r.price = *decimal::from_json_number(price);
    r.change_24h = *decimal::from_json_number("-4563000");
    r.change_pct_24h = *decimal::from_json_number("-2.9500");
    r.basis = window_basis::rolling_24h;
    r.volume_24h = *decimal::from_json_number("1234.56789");
    r.received_ms = time_ms + 25;
    return r;
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string read_gz(const fs::path& path) {
    gzFile in = gzopen(path.c_str(), "rb");
    REQUIRE(in != nullptr);
    std::string out;
    char buffer[4096];
    int n = 0;
    while ((n = gzread(in, buffer, sizeof buffer)) > 0)
        out.append(buffer, static_cast<std::size_t>(n));
    gzclose(in);
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string csv_of(const std::vector<record>& records, bool header = true) {
    std::string out = header ? std::string(csv_header) + '\n' : "";
    for (const auto& r : records) append_csv(out, r);
    return out;
}

fs::path btc_dir(const temp_dir& dir) {
    return market_directory(dir.path, exchange_id::upbit, "KRW-BTC");
}

writer_options options_for(const temp_dir& dir, std::int64_t today = t0) {
    writer_options o;
    o.dir = dir.path;
    o.fsync_interval_ms = 0;
    o.clock = [today] { return today; };
    return o;
}

bool wait_written(const writer& w, std::uint64_t n, std::chrono::milliseconds timeout = 5s) {
    return test::eventually([&] { return w.stats().records_written >= n; }, timeout);
}

// A soft RLIMIT_FSIZE for this process while it lives (or until lift()): writes past it fail
// with EFBIG, as on a full disk, instead of raising SIGXFSZ. The hard limit is untouched.
class file_size_limit {
public:
    explicit file_size_limit(rlim_t bytes) : previous_handler_(std::signal(SIGXFSZ, SIG_IGN)) {
        REQUIRE(getrlimit(RLIMIT_FSIZE, &saved_) == 0);
        rlimit tight = saved_;
        tight.rlim_cur = bytes;
        REQUIRE(setrlimit(RLIMIT_FSIZE, &tight) == 0);
    }
    ~file_size_limit() { lift(); }
    void lift() {
        if (lifted_) return;
        lifted_ = true;
        setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, previous_handler_);
    }

private:
    rlimit saved_{};
    void (*previous_handler_)(int);
    bool lifted_ = false;
};

}  // namespace

TEST_SUITE_BEGIN("history");

TEST_CASE("history writer: records land whole in the market's day file, header first") {
    temp_dir dir;
    std::vector<record> btc{make_record(t0 + 1'000),
                            make_record(t0 + 2'000, "KRW-BTC", "150140000")};
    const record eth = make_record(t0 + 1'500, "KRW-ETH", "4512000");
    {
        writer w(options_for(dir));
        CHECK(w.push(btc[0]));
        CHECK(w.push(eth));
        CHECK(w.push(btc[1]));
        REQUIRE(wait_written(w, 3));
    }
    CHECK(read_all(day_file(btc_dir(dir), day0)) == csv_of(btc));
    CHECK(read_all(day_file(market_directory(dir.path, exchange_id::upbit, "KRW-ETH"), day0)) ==
          csv_of({eth}));
}

TEST_CASE("history writer: stopping writes and syncs everything queued") {
    temp_dir dir;
    std::vector<record> records;
    for (int i = 0; i < 5'000; ++i) records.push_back(make_record(t0 + i));
    stats::history_writer_stats stats;
    {
        auto options = options_for(dir);
        options.fsync_interval_ms = 60'000;  // only the final sync
        options.queue_records = 8'192;
        writer w(options);
        for (const auto& r : records) REQUIRE(w.push(r));
        // Destroyed at once: the queue is drained first.
    }
    CHECK(read_all(day_file(btc_dir(dir), day0)) == csv_of(records));
}

TEST_CASE("history writer: finish writes and syncs everything queued and keeps the counts") {
    temp_dir dir;
    auto options = options_for(dir);
    options.fsync_interval_ms = 60'000;  // only the final sync
    writer w(options);
    for (int i = 0; i < 100; ++i) REQUIRE(w.push(make_record(t0 + i)));
    w.finish();
    CHECK(w.stats().records_written == 100);
    CHECK(w.stats().records_synced == 100);
    CHECK(w.stats().queue_depth == 0);
    w.finish();  // twice is harmless, and so is the destructor after it
}

TEST_CASE("history writer: rotation at UTC midnight, by the record's time") {
    temp_dir dir;
    const record before = make_record(t0 + day_ms - 1);  // 23:59:59.999
    const record after = make_record(t0 + day_ms);        // 00:00:00.000 next day
    {
        writer w(options_for(dir, t0 + day_ms));
        w.push(before);
        w.push(after);
        REQUIRE(wait_written(w, 2));
    }
    CHECK(read_all(day_file(btc_dir(dir), day0)) == csv_of({before}));
    CHECK(read_all(day_file(btc_dir(dir), day0 + 1)) == csv_of({after}));
}

TEST_CASE("history writer: a torn last line left by a crash is cut before appending") {
    temp_dir dir;
    const record old = make_record(t0 + 1'000);
    fs::create_directories(btc_dir(dir));
    std::string torn = csv_of({old});
    std::string half;
    append_csv(half, make_record(t0 + 2'000));
    torn += half.substr(0, half.size() / 2);  // no newline: the crash hit mid-line
    std::ofstream(day_file(btc_dir(dir), day0), std::ios::binary) << torn;

    const record next = make_record(t0 + 3'000);
    stats::history_writer_stats stats;
    {
        writer w(options_for(dir));
        w.push(next);
        REQUIRE(wait_written(w, 1));
        stats = w.stats();
    }
    CHECK(stats.torn_lines_cut == 1);
    CHECK(read_all(day_file(btc_dir(dir), day0)) == csv_of({old, next}));
}

TEST_CASE("history writer: retention deletes old days, days before yesterday are gzipped") {
    temp_dir dir;
    const auto market = btc_dir(dir);
    fs::create_directories(market);
    auto plant = [&](std::int64_t day) {
        const record r = make_record(day * day_ms + 5'000);
        std::ofstream(day_file(market, day), std::ios::binary) << csv_of({r});
        return r;
    };
    plant(day0 - 31);
    const record kept_old = plant(day0 - 30);
    const record five_days = plant(day0 - 5);
    plant(day0 - 1);
    plant(day0);
    // A day compressed earlier that got a late record afterwards: merged into one gzip file.
    const record early = make_record((day0 - 3) * day_ms + 1'000);
    const record late = make_record((day0 - 3) * day_ms + 2'000);
    std::ofstream(day_file(market, day0 - 3), std::ios::binary) << csv_of({late});
    {
        gzFile gz = gzopen(compressed_day_file(market, day0 - 3).c_str(), "wb");
        const std::string text = csv_of({early});
        gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
        gzclose(gz);
    }
    stats::history_writer_stats stats;
    {
        auto options = options_for(dir);
        options.keep_days = 30;
        writer w(options);
        REQUIRE(test::eventually([&] { return w.stats().files_compressed >= 3; }, 5s));
        stats = w.stats();
    }
    CHECK(stats.files_removed == 1);
    CHECK_FALSE(fs::exists(day_file(market, day0 - 31)));
    CHECK(read_gz(compressed_day_file(market, day0 - 30)) == csv_of({kept_old}));
    CHECK(read_gz(compressed_day_file(market, day0 - 5)) == csv_of({five_days}));
    CHECK(read_gz(compressed_day_file(market, day0 - 3)) == csv_of({early, late}));
    for (auto day : {day0 - 30, day0 - 5, day0 - 3}) CHECK_FALSE(fs::exists(day_file(market, day)));
    CHECK(fs::exists(day_file(market, day0 - 1)));  // yesterday stays plain
    CHECK(fs::exists(day_file(market, day0)));
    for (const auto& entry : fs::directory_iterator(market))
        CHECK_FALSE(entry.path().string().ends_with(".tmp"));
}

TEST_CASE("history writer: a compression cut short by a crash is finished or redone") {
    temp_dir dir;
    const auto market = btc_dir(dir);
    fs::create_directories(market);
    const record a = make_record((day0 - 10) * day_ms);
    const record b = make_record((day0 - 9) * day_ms);
    auto gz_text = [](const std::string& text, const fs::path& path) {
        gzFile gz = gzopen(path.c_str(), "wb");
        gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
        gzclose(gz);
    };
    // Day -10: the plain file was already unlinked, so the temporary is complete.
    gz_text(csv_of({a}), fs::path(compressed_day_file(market, day0 - 10)) += ".tmp");
    // Day -9: the plain file still exists, so the temporary may be partial: redone.
    std::ofstream(day_file(market, day0 - 9), std::ios::binary) << csv_of({b});
    std::ofstream(fs::path(compressed_day_file(market, day0 - 9)) += ".tmp", std::ios::binary)
        << "partial";
    {
        writer w(options_for(dir));
        REQUIRE(test::eventually([&] { return w.stats().files_compressed >= 1; }, 5s));
    }
    CHECK(read_gz(compressed_day_file(market, day0 - 10)) == csv_of({a}));
    CHECK(read_gz(compressed_day_file(market, day0 - 9)) == csv_of({b}));
    CHECK_FALSE(fs::exists(day_file(market, day0 - 9)));
}

TEST_CASE("history writer: a full queue drops records and counts them, the producer never waits") {
    temp_dir dir;
    auto options = options_for(dir);
    options.queue_records = 16;
    std::uint64_t pushed = 0, refused = 0;
    stats::history_writer_stats stats;
    {
        writer w(options);
        for (int i = 0; i < 100'000; ++i) (w.push(make_record(t0 + i)) ? pushed : refused) += 1;
        REQUIRE(test::eventually([&] { return w.stats().records_written == pushed; }, 10s));
        stats = w.stats();
    }
    CHECK(refused > 0);
    CHECK(stats.dropped_queue_full == refused);
    CHECK(lines_of(read_all(day_file(btc_dir(dir), day0))).size() == pushed + 1);
}

TEST_CASE("history writer: an unusable directory is reported and retried until it works") {
    temp_dir dir;
    // A regular file where the exchange directory should be: creating directories fails
    // with ENOTDIR even for root.
    const fs::path blocker = dir.path / "upbit";
    std::ofstream(blocker) << "in the way";
    std::mutex problems_mutex;
    std::vector<std::string> problems;
    auto options = options_for(dir);
    options.on_problem = [&](std::string_view line) {
        std::lock_guard lock(problems_mutex);
        problems.emplace_back(line);
    };
    const record first = make_record(t0 + 1'000);
    const record second = make_record(t0 + 2'000);
    writer w(options);
    w.push(first);
    REQUIRE(test::eventually([&] { return w.stats().write_errors >= 1; }, 5s));
    auto stats = w.stats();
    CHECK(stats.failing);
    CHECK(stats.records_written == 0);
    CHECK(stats.last_error.find("cannot create") != std::string::npos);
    {
        std::lock_guard lock(problems_mutex);
        REQUIRE(!problems.empty());  // reported before the error was counted
        CHECK(problems.front().find((dir.path / "upbit").string()) != std::string::npos);
    }

    fs::remove(blocker);
    w.push(second);
    REQUIRE(wait_written(w, 2, 5s));  // retried within ~1 s, nothing lost in between
    CHECK_FALSE(w.stats().failing);
    CHECK(read_all(day_file(btc_dir(dir), day0)) == csv_of({first, second}));
}

TEST_CASE("history writer: a full disk (file size limit) keeps files whole and recovers") {
    temp_dir dir;
    file_size_limit limit(16 * 1024);

    auto options = options_for(dir);
    options.max_held_bytes = 16 * 1024;
    writer w(options);
    std::uint64_t pushed = 0;
    auto push_many = [&](int from, int count) {
        for (int i = from; i < from + count; ++i) pushed += w.push(make_record(t0 + i)) ? 1U : 0U;
    };
    push_many(0, 100);  // ~13 KB: fits under the limit
    const bool fitted = wait_written(w, 100);
    push_many(100, 300);  // does not fit: held up to max_held_bytes, the rest dropped
    const bool failed = test::eventually(
        [&] { return w.stats().write_errors >= 1 && w.stats().queue_depth == 0; }, 5s);
    const auto during = w.stats();
    limit.lift();
    REQUIRE(fitted);
    REQUIRE(failed);
    CHECK(during.failing);
    // The first 100, and as many of the next as the writer's batches fitted under the limit
    // (TSan's slower writer takes smaller batches: 119 seen).
    CHECK(during.records_written >= 100);
    CHECK(during.dropped_write_failed > 0);
    CHECK(during.last_error.find("File too large") != std::string::npos);
    // Only whole lines on disk while the limit holds, one per record counted as written.
    const std::string text_during = read_all(day_file(btc_dir(dir), day0));
    CHECK(text_during.size() <= 16 * 1024);
    CHECK(text_during.back() == '\n');
    CHECK(static_cast<std::uint64_t>(std::count(text_during.begin(), text_during.end(), '\n')) ==
          during.records_written + 1);  // + the header

    // Space again: the held lines go out by themselves (retried every second); each record
    // was written or counted as dropped.
    REQUIRE(test::eventually(
        [&] {
            const auto s = w.stats();
            return s.records_written + s.dropped_write_failed == pushed && !s.failing;
        },
        5s));
    CHECK(w.stats().records_written > 100);
    const record after = make_record(t0 + 10'000);
    const auto written_before = w.stats().records_written;
    w.push(after);
    REQUIRE(wait_written(w, written_before + 1));
    const auto lines = lines_of(read_all(day_file(btc_dir(dir), day0)));
    CHECK(lines.size() == w.stats().records_written + 1);
    MESSAGE("file size limit 16 KiB: "
            << during.write_errors << " failed writes, " << during.dropped_write_failed
            << " records dropped over the 16 KiB held, " << w.stats().records_written << " of "
            << pushed << " written in all once it was lifted");
    for (std::size_t i = 1; i < lines.size(); ++i) CHECK(parse_csv_line(lines[i]).has_value());
    CHECK(parse_csv_line(lines.back()) == after);
}

TEST_CASE("history writer: a new file whose first write fails gets one header when it succeeds") {
    temp_dir dir;
    file_size_limit limit(100);  // less than the header: the very first write fails part-way
    writer w(options_for(dir));
    const record first = make_record(t0 + 1'000);
    w.push(first);
    const bool failed =
        test::eventually([&] { return w.stats().write_errors >= 2; }, 5s);  // retried
    limit.lift();
    REQUIRE(failed);
    REQUIRE(wait_written(w, 1));
    CHECK(read_all(day_file(btc_dir(dir), day0)) == csv_of({first}));
}

TEST_CASE("history writer: coverage lines go to the market's own coverage file, header first") {
    temp_dir dir;
    stats::history_writer_stats stats;
    {
        writer w(options_for(dir));
        CHECK(w.push_coverage(exchange_id::upbit, "KRW-BTC", {t0 + 1'000, t0 + 61'000}));
        CHECK(w.push_coverage(exchange_id::upbit, "KRW-BTC", {t0 + 61'000, t0 + 121'000}));
        CHECK(w.push_coverage(exchange_id::upbit, "KRW-BTC", {t0 - 5'000, t0 - 1'000}));
        w.push(make_record(t0 + 2'000));
        REQUIRE(test::eventually([&] { return w.stats().coverage_written >= 3; }, 5s));
        stats = w.stats();
    }
    CHECK(stats.records_written == 1);  // coverage is not counted as records
    CHECK(stats.coverage_written == 3);
    CHECK(read_all(coverage_file(btc_dir(dir), day0)) ==
          "from_ms,to_ms\n1764288001000,1764288061000\n1764288061000,1764288121000\n");
    CHECK(read_all(coverage_file(btc_dir(dir), day0 - 1)) ==
          "from_ms,to_ms\n1764287995000,1764287999000\n");
    CHECK(read_all(day_file(btc_dir(dir), day0)) == csv_of({make_record(t0 + 2'000)}));
}

TEST_CASE("history writer: a torn coverage line is cut, old coverage files are not gzipped") {
    temp_dir dir;
    fs::create_directories(btc_dir(dir));
    std::ofstream(coverage_file(btc_dir(dir), day0), std::ios::binary)
        << "from_ms,to_ms\n1764288001000,1764288061000\n17642880610";
    std::ofstream(coverage_file(btc_dir(dir), day0 - 5), std::ios::binary)
        << "from_ms,to_ms\n1763856001000,1763856061000\n";
    std::ofstream(coverage_file(btc_dir(dir), day0 - 31), std::ios::binary) << "from_ms,to_ms\n";
    stats::history_writer_stats stats;
    {
        auto options = options_for(dir);
        options.keep_days = 30;
        writer w(options);
        w.push_coverage(exchange_id::upbit, "KRW-BTC", {t0 + 70'000, t0 + 80'000});
        REQUIRE(test::eventually(
            [&] { return w.stats().coverage_written >= 1 && w.stats().files_removed >= 1; }, 5s));
        stats = w.stats();
    }
    CHECK(stats.torn_lines_cut == 1);
    CHECK(read_all(coverage_file(btc_dir(dir), day0)) ==
          "from_ms,to_ms\n1764288001000,1764288061000\n1764288070000,1764288080000\n");
    CHECK(fs::exists(coverage_file(btc_dir(dir), day0 - 5)));  // kept, plain
    CHECK_FALSE(fs::exists(coverage_file(btc_dir(dir), day0 - 31)));  // past retention
    CHECK(stats.files_removed == 1);
}

TEST_SUITE_END();
