// `sise history` against day files written by hand: exact output in each format, the notes
// on stderr, and exit statuses.
#include "sise/cli/history_command.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "history/test_files.hpp"

using namespace sise;
using namespace sise::history;
using namespace sise::history::testing;

namespace {

struct outcome {
    int status = -1;
    std::string out;
    std::string err;
};

std::string slurp(std::FILE* file) {
    std::string text;
    std::rewind(file);
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, file)) > 0;) text.append(chunk, n);
    std::fclose(file);
    return text;
}

outcome run(const std::vector<std::string>& args, const temp_dir* dir) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    REQUIRE(out != nullptr);
    REQUIRE(err != nullptr);
    cli::history_environment env;
    env.out = out;
    env.err = err;
    env.now_ms = t0 + 2 * day_ms + 5;
    env.default_dir = dir != nullptr ? dir->path().string() : "/nonexistent/sise-history";
    const std::vector<std::string_view> views(args.begin(), args.end());
    outcome result;
    result.status = cli::run_history(views, env);
    result.out = slurp(out);
    result.err = slurp(err);
    return result;
}

// Two minutes of KRW-BTC on 2025-11-28 (one with an empty 24 h figure), one record at the
// start of the 29th, gzipped; a torn line at the end of the 28th.
void write_known_files(const temp_dir& dir) {
    const auto market = dir.market();
    std::vector<record> day1{make_record(t0 + 1000, "100.5"), make_record(t0 + 30'000, "101"),
                             make_record(t0 + 61'000, "99.25")};
    day1[1].change_24h = *decimal::from_json_number("-2.5");
    day1[1].basis = window_basis::partial;
    write_file(day_file(market, day_of(t0)), csv_file(day1) + "1764288062000,2025-11-28T00:");
    write_gzip_file(compressed_day_file(market, day_of(t0) + 1),
                    csv_file(std::vector<record>{make_record(t0 + day_ms, "120")}));
}

constexpr std::string_view record_lines =
    "1764288001000,2025-11-28T00:00:01.000Z,upbit,KRW-BTC,100.5,,,none,,1234.5,,1764288001007\n"
    "1764288030000,2025-11-28T00:00:30.000Z,upbit,KRW-BTC,101,-2.5,,partial,,1234.5,,"
    "1764288030007\n"
    "1764288061000,2025-11-28T00:01:01.000Z,upbit,KRW-BTC,99.25,,,none,,1234.5,,1764288061007\n";

constexpr std::string_view torn_note =
    "sise: skipped 1 line that did not parse (a torn last line after a crash, or damage)\n";

}  // namespace

TEST_SUITE("cli") {
    TEST_CASE("sise history prints the header and the records in the range as CSV") {
        temp_dir dir;
        write_known_files(dir);
        const auto got = run({"KRW-BTC", "--from", "2025-11-28", "--to", "2025-11-29"}, &dir);
        CHECK(got.status == 0);
        CHECK(got.out == std::string(csv_header) + "\n" + std::string(record_lines));
        CHECK(got.err == torn_note);
    }

    TEST_CASE("sise history reads gzipped days too and honours exchange:market") {
        temp_dir dir;
        write_known_files(dir);
        const auto got = run({"upbit:KRW-BTC", "--from=2025-11-28T00:00:30Z", "--to", "now",
                              "--dir", dir.path().string()},
                             nullptr);
        CHECK(got.status == 0);
        CHECK(got.out ==
              std::string(csv_header) +
                  "\n1764288030000,2025-11-28T00:00:30.000Z,upbit,KRW-BTC,101,-2.5,,partial,,"
                  "1234.5,,1764288030007\n"
                  "1764288061000,2025-11-28T00:01:01.000Z,upbit,KRW-BTC,99.25,,,none,,1234.5,,"
                  "1764288061007\n"
                  "1764374400000,2025-11-29T00:00:00.000Z,upbit,KRW-BTC,120,,,none,,1234.5,,"
                  "1764374400007\n");
    }

    TEST_CASE("sise history --interval prints OHLC bars") {
        temp_dir dir;
        write_known_files(dir);
        const auto got = run({"KRW-BTC", "--from", "2025-11-28", "--interval", "1m"}, &dir);
        CHECK(got.status == 0);
        CHECK(got.out ==
              "start_ms,start,open,high,low,close,close_time_ms,records\n"
              "1764288000000,2025-11-28T00:00:00.000Z,100.5,101,100.5,101,1764288030000,2\n"
              "1764288060000,2025-11-28T00:01:00.000Z,99.25,99.25,99.25,99.25,1764288061000,1\n"
              "1764374400000,2025-11-29T00:00:00.000Z,120,120,120,120,1764374400000,1\n");
    }

    TEST_CASE("sise history --format json prints one document, records or bars") {
        temp_dir dir;
        write_known_files(dir);
        const auto records =
            run({"KRW-BTC", "--from", "1764288030000", "--to", "1764288061000", "--format", "json"},
                &dir);
        CHECK(records.status == 0);
        CHECK(records.out ==
              "{\"type\":\"history\",\"exchange\":\"upbit\",\"market\":\"KRW-BTC\","
              "\"from\":1764288030000,\"to\":1764288061000,\"interval\":null,\"records\":["
              "{\"time_ms\":1764288030000,\"time\":\"2025-11-28T00:00:30.000Z\",\"price\":\"101\","
              "\"change_24h\":\"-2.5\",\"change_pct_24h\":null,\"basis_24h\":\"partial\","
              "\"exchange_change_pct\":null,\"volume_24h\":\"1234.5\",\"quote_volume_24h\":null,"
              "\"received_ms\":1764288030007}],\"truncated\":false,\"bad_lines\":1}\n");

        const auto bars =
            run({"KRW-BTC", "--from", "2025-11-28", "--to", "2025-11-28T00:01:00Z", "--format",
                 "json", "--interval", "1h"},
                &dir);
        CHECK(bars.status == 0);
        CHECK(
            bars.out ==
            "{\"type\":\"history\",\"exchange\":\"upbit\",\"market\":\"KRW-BTC\","
            "\"from\":1764288000000,\"to\":1764288060000,\"interval\":\"1h\",\"bars\":["
            "{\"start_ms\":1764288000000,\"start\":\"2025-11-28T00:00:00.000Z\",\"open\":\"100.5\","
            "\"high\":\"101\",\"low\":\"100.5\",\"close\":\"101\",\"close_time_ms\":1764288030000,"
            "\"records\":2}],\"truncated\":false,\"bad_lines\":1}\n");
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        CHECK_FALSE(parser.parse(bars.out).get(doc));
    }

    TEST_CASE("no records in the range: the header alone, or an empty list, and exit 0") {
        temp_dir dir;
        write_known_files(dir);
        const auto csv = run({"KRW-BTC", "--from", "2025-11-30", "--to", "2025-12-01"}, &dir);
        CHECK(csv.status == 0);
        CHECK(csv.out == std::string(csv_header) + "\n");
        CHECK(csv.err.empty());
        const auto json = run({"KRW-BTC", "--from", "2025-11-30", "--to", "2025-12-01",
                               "--format", "json", "--interval", "1d"},
                              &dir);
        CHECK(json.status == 0);
        CHECK(json.out ==
              "{\"type\":\"history\",\"exchange\":\"upbit\",\"market\":\"KRW-BTC\","
              "\"from\":1764460800000,\"to\":1764547200000,\"interval\":\"1d\",\"bars\":[],"
              "\"truncated\":false,\"bad_lines\":0}\n");
    }

    TEST_CASE("a market without a history directory is exit 1 with a note") {
        temp_dir dir;
        write_known_files(dir);
        const auto got = run({"KRW-ETH", "--from", "-1d"}, &dir);
        CHECK(got.status == 1);
        CHECK(got.out.empty());
        CHECK(got.err ==
              "sise: no history for upbit KRW-ETH under " + dir.path().string() + "\n");
        const auto other = run({"KRW-BTC", "--exchange", "bithumb", "--from", "-1d"}, &dir);
        CHECK(other.status == 1);
        CHECK(other.err.find("no history for bithumb KRW-BTC") != std::string::npos);
    }

    TEST_CASE("--limit caps the records read and says so on stderr") {
        temp_dir dir;
        write_known_files(dir);
        const auto got = run({"KRW-BTC", "--from", "2025-11-28", "--limit", "2"}, &dir);
        CHECK(got.status == 0);
        CHECK(got.out ==
              std::string(csv_header) + "\n" +
                  std::string(record_lines.substr(0, record_lines.rfind("1764288061000"))));
        CHECK(got.err == "sise: stopped after 2 records (--limit); later records not shown\n");
        const auto exact = run({"KRW-BTC", "--from", "2025-11-28", "--limit", "4"}, &dir);
        CHECK(exact.err == torn_note);
    }

    TEST_CASE("bad command lines are one line naming the option, and exit 2") {
        temp_dir dir;
        write_known_files(dir);
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
            {{"--from", "-1h"}, "missing MARKET"},
            {{"KRW-BTC"}, "'--from' is required"},
            {{"KRW-BTC", "--from"}, "option '--from' needs a value"},
            {{"KRW-BTC", "--from", "yesterday"}, "option '--from': 'yesterday' is not a time"},
            {{"KRW-BTC", "--from", "-1h", "--to", "2025/11/29"}, "option '--to'"},
            {{"KRW-BTC", "--from", "now", "--to", "-1h"}, "option '--to' must be later"},
            {{"KRW-BTC", "--from", "-1h", "--interval", "2m"}, "option '--interval'"},
            {{"KRW-BTC", "--from", "-1h", "--format", "xml"}, "option '--format'"},
            {{"KRW-BTC", "--from", "-1h", "--limit", "0"}, "option '--limit'"},
            {{"KRW-BTC", "--from", "-1h", "--limit", "-5"}, "option '--limit'"},
            {{"KRW-BTC", "--from", "-1h", "--exchange", "mtgox"}, "option '--exchange'"},
            {{"KRW-BTC", "--from", "-1h", "--dir="}, "option '--dir'"},
            {{"KRW-BTC", "--from", "-1h", "--verbose"}, "unknown option '--verbose'"},
            {{"KRW-BTC", "KRW-ETH", "--from", "-1h"}, "unexpected argument 'KRW-ETH'"},
            {{"mtgox:KRW-BTC", "--from", "-1h"}, "MARKET 'mtgox:KRW-BTC'"},
            {{"upbit:", "--from", "-1h"}, "MARKET 'upbit:'"},
            {{"upbit:KRW-BTC", "--exchange", "bithumb", "--from", "-1h"}, "option '--exchange'"},
            {{"KRW-BTC", "--from", "-1h", "--help=yes"}, "option '--help' takes no value"},
        };
        for (const auto& [args, message] : cases) {
            CAPTURE(args.size());
            CAPTURE(message);
            const auto got = run(args, &dir);
            CHECK(got.status == 2);
            CHECK(got.out.empty());
            CHECK(got.err.starts_with("sise: "));
            CHECK(got.err.find(message) != std::string::npos);
            CHECK(std::count(got.err.begin(), got.err.end(), '\n') == 1);
        }
    }

    TEST_CASE("sise history --help prints the usage") {
        const auto got = run({"--help"}, nullptr);
        CHECK(got.status == 0);
        CHECK(got.out.starts_with("usage: sise history MARKET --from T"));
        CHECK(got.err.empty());
    }

    TEST_CASE("output that cannot be written is exit 1") {
        temp_dir dir;
        write_known_files(dir);
        std::FILE* full = std::fopen("/dev/full", "w");
        REQUIRE(full != nullptr);
        cli::history_environment env;
        env.out = full;
        env.err = std::tmpfile();
        env.default_dir = dir.path().string();
        const std::vector<std::string_view> args{"KRW-BTC", "--from", "2025-11-28", "--to",
                                                 "2025-11-30"};
        CHECK(cli::run_history(args, env) == 1);
        std::fclose(full);
        CHECK(slurp(env.err).empty());  // quietly: the reader has gone
    }

    TEST_CASE("the sise binary runs history from $SISE_HISTORY_DIR and exits 1 on a closed pipe") {
        temp_dir dir;
        std::vector<record> many;
        for (int i = 0; i < 40'000; ++i) many.push_back(make_record(t0 + i * 100, "100"));
        write_file(day_file(dir.market(), day_of(t0)), csv_file(many));
        const std::string env = "SISE_HISTORY_DIR='" + dir.path().string() + "' ";
        const std::string command = env + SISE_CLI_PATH " history KRW-BTC --from 2025-11-28";

        const auto listed = dir.path() / "out.csv";
        const int status = std::system((command + " --to 2025-11-28T00:00:00.200Z >'" +
                                        listed.string() + "'")
                                           .c_str());
        CHECK(WEXITSTATUS(status) == 0);
        std::FILE* file = std::fopen(listed.c_str(), "r");
        REQUIRE(file != nullptr);
        CHECK(slurp(file) == std::string(csv_header) + "\n" +
                                 csv_file(std::vector<record>{many[0], many[1]})
                                     .substr(csv_header.size() + 1));

        // `| head -c 100`: head exits, the next write fails with EPIPE; no SIGPIPE death.
        const std::string piped =
            "bash -c \"set -o pipefail; " + command + " 2>/dev/null | head -c 100 >/dev/null\"";
        const int pipe_status = std::system(piped.c_str());
        CHECK(WEXITSTATUS(pipe_status) == 1);
    }
}
