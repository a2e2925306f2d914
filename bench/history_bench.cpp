// History costs (issue 5): what recording costs the event loop per update and per record,
// and how many records per second the writer thread sustains to disk.
//   sise_bench_history [DIR]   (default: a fresh directory under /tmp, removed afterwards)
// Loop side: sampler decision per update (1 s sampling, most updates held), and per record
// record_of(row) + push onto the queue. Writer side: records/s from the first push until
// the last one is written, with fsync every 1 s (the default) and after every write.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "sise/history/record.hpp"
#include "sise/history/sampler.hpp"
#include "sise/history/writer.hpp"
#include "sise/market/table.hpp"

using namespace sise;
using bench_clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t t0 = 1'764'288'000'000;
constexpr int market_count = 12;

double ns_per(bench_clock::duration d, std::size_t n) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) /
           static_cast<double>(n);
}

// A table like the sidebar's, each row with a ticker and a window of trades.
market::ticker_table make_table() {
    market::ticker_table table;
    for (int i = 0; i < market_count; ++i) {
        feed::instrument instrument;
        instrument.market = fmt::format("KRW-C{:02}", i);
        table.add(exchange_id::upbit, instrument, change_basis::prev_close_utc0);
    }
    return table;
}

ticker_update make_update(int market, std::int64_t time_ms, std::int64_t price) {
    ticker_update u;
    u.market.assign(fmt::format("KRW-C{:02}", market));
    u.price = *decimal::from_json_number(std::to_string(price));
    u.change_pct = *decimal::from_json_number("-2.95");
    u.volume_24h = *decimal::from_json_number("1234.56789012");
    u.quote_volume_24h = *decimal::from_json_number("185000000000.123");
    u.exchange_time_ms = time_ms;
    return u;
}

double writer_rate(const fs::path& dir, std::int64_t fsync_interval_ms, std::size_t count,
                   const history::record& sample) {
    history::writer_options options;
    options.dir = dir;
    options.fsync_interval_ms = fsync_interval_ms;
    options.queue_records = 1 << 16;
    options.compress = false;
    history::writer writer(options);
    history::record r = sample;
    const auto start = bench_clock::now();
    std::size_t pushed = 0;
    while (pushed < count) {
        r.time_ms = t0 + static_cast<std::int64_t>(pushed);
        r.market.assign(pushed % 2 == 0 ? "KRW-BTC" : "KRW-ETH");
        if (writer.push(r))
            ++pushed;
        else
            std::this_thread::yield();  // queue full: let the writer drain (not a drop here)
    }
    while (writer.stats().records_written < count)
        std::this_thread::sleep_for(std::chrono::microseconds{200});
    const double seconds = std::chrono::duration<double>(bench_clock::now() - start).count();
    return static_cast<double>(count) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
    const bool own_dir = argc < 2;
    const fs::path dir =
        own_dir ? fs::temp_directory_path() / fmt::format("sise-bench-history-{}", ::getpid())
                : fs::path(argv[1]);

    // Loop side.
    auto table = make_table();
    std::mt19937_64 rng(1);
    std::vector<ticker_update> updates;
    constexpr std::size_t update_count = 2'000'000;
    std::int64_t price = 150'000'000;
    for (std::size_t i = 0; i < update_count; ++i) {
        price += static_cast<std::int64_t>(rng() % 5) * 1000 - 2000;
        // 20,000 updates a second across the markets.
        updates.push_back(make_update(static_cast<int>(i % market_count),
                                      t0 + static_cast<std::int64_t>(i / 20), price));
    }
    history::sampler sampler(1'000);
    std::size_t sampled = 0;
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < update_count; ++i) {
        const auto d = sampler.on_update(i % market_count, updates[i].exchange_time_ms);
        sampled += d.write_previous + d.write_this;
    }
    const double sampler_ns = ns_per(bench_clock::now() - start, update_count);

    for (const auto& u : updates) table.apply(exchange_id::upbit, u, u.exchange_time_ms + 20);
    constexpr std::size_t record_count = 200'000;
    std::vector<history::record> records;
    records.reserve(record_count);
    start = bench_clock::now();
    for (std::size_t i = 0; i < record_count; ++i)
        records.push_back(
            history::record_of(table.row(static_cast<market::row_id>(i % market_count))));
    const double record_ns = ns_per(bench_clock::now() - start, record_count);

    spsc_ring<history::record> queue(1 << 18);
    start = bench_clock::now();
    for (const auto& r : records) queue.push(r);
    const double push_ns = ns_per(bench_clock::now() - start, record_count);

    // Writer side.
    std::error_code ec;
    fs::create_directories(dir, ec);
    const double rate_default = writer_rate(dir / "fsync-1s", 1'000, 1'000'000, records.front());
    const double rate_sync_each = writer_rate(dir / "fsync-each", 0, 200'000, records.front());
    if (own_dir) fs::remove_all(dir, ec);

    std::string line;
    history::append_csv(line, records.front());
    fmt::print("history, {} markets, {} updates at 20,000/s of trade time\n", market_count,
               update_count);
    fmt::print(
        "  loop: sampler decision        {:8.1f} ns per update ({} records kept of {} updates at 1 "
        "s sampling)\n",
        sampler_ns, sampled, update_count);
    fmt::print("  loop: record_of(row)          {:8.1f} ns per record\n", record_ns);
    fmt::print("  loop: queue push              {:8.1f} ns per record ({} bytes per record)\n",
               push_ns, sizeof(history::record));
    fmt::print("  writer: fsync every 1 s       {:10.0f} records/s ({} bytes per line)\n",
               rate_default, line.size());
    fmt::print("  writer: fsync after each write{:10.0f} records/s\n", rate_sync_each);
    return 0;
}
