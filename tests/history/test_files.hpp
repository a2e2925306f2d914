// Shared by the history tests: records built from a few fields, scratch directories under
// /tmp, and day files written by hand (plain and gzipped), so the readers are tested against
// bytes on disk that no writer produced.
#pragma once

#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "sise/history/layout.hpp"
#include "sise/history/record.hpp"

namespace sise::history::testing {

inline constexpr std::int64_t t0 = 1'764'288'000'000;  // 2025-11-28T00:00:00Z
inline constexpr std::int64_t minute = 60'000;

inline record make_record(std::int64_t time_ms, std::string_view price,
                          std::string_view market = "KRW-BTC",
                          exchange_id exchange = exchange_id::upbit) {
    record r;
    r.time_ms = time_ms;
    r.exchange = exchange;
    r.market.assign(market);
    r.price = *decimal::from_json_number(price);
    r.volume_24h = *decimal::from_json_number("1234.5");
    r.received_ms = time_ms + 7;
    return r;
}

// The file a writer would leave: the header, then one line per record.
inline std::string csv_file(std::span<const record> records) {
    std::string text(csv_header);
    text += '\n';
    for (const record& r : records) append_csv(text, r);
    return text;
}

// A fresh directory, removed with everything in it at the end of the test.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::path("/tmp") /
                ("sise-history-test-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // The directory of one market, created.
    std::filesystem::path market(std::string_view code = "KRW-BTC",
                                 exchange_id exchange = exchange_id::upbit) const {
        auto dir = market_directory(path_, exchange, code);
        std::filesystem::create_directories(dir);
        return dir;
    }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
}

inline void write_gzip_file(const std::filesystem::path& path, std::string_view content) {
    gzFile file = gzopen(path.c_str(), "wb");
    REQUIRE(file != nullptr);
    if (!content.empty())
        CHECK(gzwrite(file, content.data(), static_cast<unsigned>(content.size())) ==
              static_cast<int>(content.size()));
    REQUIRE(gzclose(file) == Z_OK);
}

}  // namespace sise::history::testing
