// Reading day files back: plain and gzipped, torn and foreign lines, the time range across
// days, limits. The files are written by hand, byte for byte.
#include "sise/history/reader.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "history/test_files.hpp"
#include "sise/history/layout.hpp"

using namespace sise;
using namespace sise::history;
using namespace sise::history::testing;

namespace {

struct result {
    read_stats stats;
    std::vector<record> records;
};

result read_all(const temp_dir& dir, std::int64_t from_ms, std::int64_t to_ms,
                std::size_t max_records = 0, std::string_view market = "KRW-BTC") {
    result out;
    const read_query query{exchange_id::upbit, std::string(market), from_ms, to_ms, max_records};
    out.stats = read_records(dir.path(), query, [&out](const record& r) {
        out.records.push_back(r);
        return true;
    });
    return out;
}

std::vector<std::int64_t> times_of(const std::vector<record>& records) {
    std::vector<std::int64_t> times;
    for (const record& r : records) times.push_back(r.time_ms);
    return times;
}

// Records every `step` ms from `first`, prices counting up from 100.
std::vector<record> series(std::int64_t first, std::int64_t step, int count) {
    std::vector<record> records;
    for (int i = 0; i < count; ++i)
        records.push_back(make_record(first + i * step, std::to_string(100 + i)));
    return records;
}

}  // namespace

TEST_SUITE("history") {
    TEST_CASE("for_each_line hands over terminated lines and leaves the unterminated rest") {
        std::vector<std::string> lines;
        auto collect = [&lines](std::string_view line) { lines.emplace_back(line); };
        CHECK(for_each_line("a\nbc\n\nd", collect) == 6);
        CHECK(lines == std::vector<std::string>{"a", "bc", ""});
        lines.clear();
        CHECK(for_each_line("", collect) == 0);
        CHECK(for_each_line("no newline", collect) == 0);
        CHECK(lines.empty());
        CHECK(for_each_line("x\r\n", collect) == 3);
        CHECK(lines == std::vector<std::string>{"x\r"});
    }

    TEST_CASE("a day file, plain or gzipped, is read in line order, its header not bad") {
        temp_dir dir;
        const auto records = series(t0 + 5, 25'000, 3000);  // several read chunks
        const std::string text = csv_file(records);
        SUBCASE("plain") { write_file(day_file(dir.market(), day_of(t0)), text); }
        SUBCASE("gzipped") { write_gzip_file(compressed_day_file(dir.market(), day_of(t0)), text); }
        const result got = read_all(dir, t0, t0 + day_ms);
        CHECK(got.records == records);
        CHECK(got.stats.files == 1);
        CHECK(got.stats.records == records.size());
        CHECK(got.stats.bad_lines == 0);
        CHECK(got.stats.foreign_lines == 0);
        CHECK(got.stats.read_errors == 0);
        CHECK_FALSE(got.stats.truncated);
    }

    TEST_CASE("lines split across read chunks are put back together") {
        temp_dir dir;
        const auto records = series(t0, 10, 8000);  // about 700 KiB: eleven 64 KiB chunks
        const std::string text = csv_file(records);
        REQUIRE(text.size() > 10 * 64 * 1024);
        write_file(day_file(dir.market(), day_of(t0)), text);
        const result got = read_all(dir, t0, t0 + day_ms);
        CHECK(got.records == records);
        CHECK(got.stats.bad_lines == 0);
    }

    TEST_CASE("a torn last line is counted bad and the lines before it are read") {
        temp_dir dir;
        const auto records = series(t0, 1000, 3);
        std::string torn_line;
        append_csv(torn_line, make_record(t0 + 3000, "103"));
        const std::string text = csv_file(records) + torn_line.substr(0, 30);
        SUBCASE("plain") { write_file(day_file(dir.market(), day_of(t0)), text); }
        SUBCASE("gzipped") { write_gzip_file(compressed_day_file(dir.market(), day_of(t0)), text); }
        const result got = read_all(dir, t0, t0 + day_ms);
        CHECK(got.records == records);
        CHECK(got.stats.bad_lines == 1);
        CHECK(got.stats.read_errors == 0);
    }

    TEST_CASE("damaged lines in the middle are skipped and counted, CRLF lines are read") {
        temp_dir dir;
        const auto records = series(t0, 1000, 3);
        std::string text = csv_file(records);
        text.insert(text.find('\n') + 1, "garbage\n\n");  // after the header
        std::string crlf;
        append_csv(crlf, make_record(t0 + 5000, "200"));
        crlf.insert(crlf.size() - 1, "\r");
        text += crlf;
        write_file(day_file(dir.market(), day_of(t0)), text);
        const result got = read_all(dir, t0, t0 + day_ms);
        CHECK(times_of(got.records) ==
              std::vector<std::int64_t>{t0, t0 + 1000, t0 + 2000, t0 + 5000});
        CHECK(got.stats.bad_lines == 2);
    }

    TEST_CASE("a line far longer than any record is counted once and not buffered whole") {
        temp_dir dir;
        const auto records = series(t0, 1000, 2);
        const std::string text = std::string(300'000, 'x') + "\n" + csv_file(records) +
                                 std::string(200'000, 'y');
        write_file(day_file(dir.market(), day_of(t0)), text);
        const result got = read_all(dir, t0, t0 + day_ms);
        CHECK(got.records == records);
        CHECK(got.stats.bad_lines == 2);  // the x line and the unterminated y tail
    }

    TEST_CASE("lines of another market or exchange are skipped as foreign") {
        temp_dir dir;
        std::vector<record> mixed = series(t0, 1000, 2);
        mixed.push_back(make_record(t0 + 2500, "1", "KRW-ETH"));
        mixed.push_back(make_record(t0 + 2600, "1", "KRW-BTC", exchange_id::bithumb));
        mixed.push_back(make_record(t0 + 3000, "103"));
        write_file(day_file(dir.market(), day_of(t0)), csv_file(mixed));
        const result got = read_all(dir, t0, t0 + day_ms);
        CHECK(times_of(got.records) == std::vector<std::int64_t>{t0, t0 + 1000, t0 + 3000});
        CHECK(got.stats.foreign_lines == 2);
        CHECK(got.stats.bad_lines == 0);
    }

    TEST_CASE("the range from (inclusive) to (exclusive) spans day files, read in date order") {
        temp_dir dir;
        const auto market = dir.market();
        // Four days, records at 00:00, 12:00 and 23:59:59.999 of each; written out of order.
        std::vector<std::int64_t> all;
        for (int d : {3, 1, 0, 2}) {
            const std::int64_t start = t0 + d * day_ms;
            std::vector<record> day{make_record(start, "1"), make_record(start + day_ms / 2, "2"),
                                    make_record(start + day_ms - 1, "3")};
            if (d == 2)
                write_gzip_file(compressed_day_file(market, day_of(start)), csv_file(day));
            else
                write_file(day_file(market, day_of(start)), csv_file(day));
        }
        write_file(market / "2025-11-29.csv.tmp", "not a day file\n");
        write_file(market / "notes.txt", "not a day file\n");

        const result got = read_all(dir, t0 + day_ms / 2, t0 + 2 * day_ms + day_ms / 2);
        CHECK(times_of(got.records) ==
              std::vector<std::int64_t>{t0 + day_ms / 2, t0 + day_ms - 1, t0 + day_ms,
                                        t0 + day_ms + day_ms / 2, t0 + 2 * day_ms - 1,
                                        t0 + 2 * day_ms});
        CHECK(got.stats.files == 3);  // days 0, 1 and 2; day 3 is not opened
        CHECK(got.stats.bad_lines == 0);

        // `to` is exclusive: ending exactly at midnight does not open the next day.
        const result to_midnight = read_all(dir, t0, t0 + day_ms);
        CHECK(to_midnight.stats.files == 1);
        CHECK(to_midnight.records.size() == 3);

        CHECK(read_all(dir, t0 + 5, t0 + 5).stats.files == 0);  // empty range
        CHECK(read_all(dir, t0 + 5, t0).stats.files == 0);
    }

    TEST_CASE("when a day has both a gzipped and a plain file, both are read, gzipped first") {
        temp_dir dir;
        const auto market = dir.market();
        const auto compressed = series(t0, 1000, 2);
        const auto late = series(t0 + 5000, 1000, 3);  // arrived after the day was compressed
        write_gzip_file(compressed_day_file(market, day_of(t0)), csv_file(compressed));
        write_file(day_file(market, day_of(t0)), csv_file(late));
        const result got = read_all(dir, t0, t0 + day_ms);
        auto expected = compressed;
        expected.insert(expected.end(), late.begin(), late.end());
        CHECK(got.records == expected);
        CHECK(got.stats.files == 2);
    }

    TEST_CASE("a missing market directory is no history, not an error") {
        temp_dir dir;
        const result got = read_all(dir, t0, t0 + day_ms, 0, "KRW-NONE");
        CHECK(got.records.empty());
        CHECK(got.stats.files == 0);
        CHECK(got.stats.read_errors == 0);
        temp_dir gone;
        const auto root = gone.path() / "never-created";
        const read_stats stats = read_records(root, read_query{exchange_id::upbit, "KRW-BTC", t0,
                                                               t0 + day_ms, 0},
                                              [](const record&) { return true; });
        CHECK(stats.files == 0);
        CHECK(stats.read_errors == 0);
    }

    TEST_CASE("a gzip stream cut short is a read error, and the lines before the cut are read") {
        temp_dir dir;
        const auto market = dir.market();
        const auto records = series(t0, 1000, 2000);
        const auto path = compressed_day_file(market, day_of(t0));
        write_gzip_file(path, csv_file(records));
        std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
        const result got = read_all(dir, t0, t0 + day_ms);
        CHECK(got.stats.read_errors == 1);
        CHECK(got.stats.files == 1);
        CHECK(got.records.size() > 0);
        CHECK(got.records.size() < records.size());
        for (std::size_t i = 0; i < got.records.size(); ++i) CHECK(got.records[i] == records[i]);
    }

    TEST_CASE("a directory named like a day file is passed over and the other days read") {
        temp_dir dir;
        const auto market = dir.market();
        std::filesystem::create_directories(day_file(market, day_of(t0)));  // not a file
        const auto next = series(t0 + day_ms, 1000, 2);
        write_file(day_file(market, day_of(t0) + 1), csv_file(next));
        const result got = read_all(dir, t0, t0 + 2 * day_ms);
        CHECK(got.records == next);
        CHECK(got.stats.files == 1);
    }

    TEST_CASE("max_records stops the reading and says so") {
        temp_dir dir;
        const auto market = dir.market();
        const auto first = series(t0, 1000, 3);
        const auto second = series(t0 + day_ms, 1000, 3);
        write_file(day_file(market, day_of(t0)), csv_file(first));
        write_file(day_file(market, day_of(t0) + 1), csv_file(second));

        const result four = read_all(dir, t0, t0 + 2 * day_ms, 4);
        CHECK(four.records.size() == 4);
        CHECK(four.stats.records == 4);
        CHECK(four.stats.truncated);

        // Exactly as many records as the limit: nothing was left out.
        const result six = read_all(dir, t0, t0 + 2 * day_ms, 6);
        CHECK(six.records.size() == 6);
        CHECK_FALSE(six.stats.truncated);

        const result none_left = read_all(dir, t0, t0 + day_ms, 3);
        CHECK_FALSE(none_left.stats.truncated);
    }

    TEST_CASE("on_record returning false stops the reading") {
        temp_dir dir;
        write_file(day_file(dir.market(), day_of(t0)), csv_file(series(t0, 1000, 5)));
        std::size_t seen = 0;
        const read_stats stats =
            read_records(dir.path(), read_query{exchange_id::upbit, "KRW-BTC", t0, t0 + day_ms, 0},
                         [&seen](const record&) { return ++seen < 2; });
        CHECK(seen == 2);
        CHECK(stats.records == 2);
        CHECK(stats.truncated);
        CHECK(stats.bad_lines == 0);
    }
}

TEST_SUITE("history") {
    TEST_CASE("coverage is read across day files, merged, clipped, torn and bad lines skipped") {
        temp_dir dir;
        const auto market = dir.market();
        write_file(coverage_file(market, day_of(t0) - 1),
                   "from_ms,to_ms\n1764287000000,1764287900000\n1764287900000,1764288000000\n");
        write_file(coverage_file(market, day_of(t0)),
                   "from_ms,to_ms\n1764288000000,1764288060000\nnonsense\n"
                   "1764288120000,1764288180000\n17642881");  // torn by a crash
        write_file(coverage_file(market, day_of(t0) + 1),
                   "from_ms,to_ms\n1764374400000,1764374460000\n");
        std::vector<coverage_span> spans;
        const read_query query{exchange_id::upbit, "KRW-BTC", t0 - 500'000, t0 + 150'000, 0};
        const read_stats stats = read_coverage(dir.path(), query, spans);
        CHECK(spans == std::vector<coverage_span>{{t0 - 500'000, t0 + 60'000},
                                                  {t0 + 120'000, t0 + 150'000}});
        CHECK(stats.files == 2);
        CHECK(stats.records == 4);
        CHECK(stats.bad_lines == 2);
    }

    TEST_CASE("a market without coverage files has no coverage, and records are not coverage") {
        temp_dir dir;
        write_file(day_file(dir.market(), day_of(t0)), csv_file(series(t0, minute, 3)));
        std::vector<coverage_span> spans;
        const read_query query{exchange_id::upbit, "KRW-BTC", t0 - day_ms, t0 + day_ms, 0};
        const read_stats stats = read_coverage(dir.path(), query, spans);
        CHECK(spans.empty());
        CHECK(stats.files == 0);
        CHECK(stats.read_errors == 0);
        CHECK(read_all(dir, t0, t0 + day_ms).records.size() == 3);
    }
}
