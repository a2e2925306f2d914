// The Redis bus, edge side ([source.redis], docs/deployment.md): relay mode builds the table
// from Redis instead of exchanges. On every connect it subscribes to the rows' channels and the
// feed daemon's heartbeat, reads the snapshot from the rows' hashes (SCAN + HGETALL, on a
// second connection), then applies live rows as they come. Rows are taken as published
// (exchange times, bases, 24 h figures); they show `stale` while the feed daemon's heartbeat
// is missing or Redis is away, as a direct feed's rows do while its exchange is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sise/io/config.hpp"
#include "sise/io/redis_client.hpp"
#include "sise/market/table.hpp"
#include "sise/redis/keys.hpp"
#include "sise/redis/row_fields.hpp"

namespace sise::io {

class redis_source {
public:
    // Called after rows changed; `rows_added` when the table gained rows (subscribers then
    // need a new snapshot).
    using changed_fn = std::function<void(bool rows_added)>;
    // Called for each ticker put into the table (the tick sinks: history).
    using ticker_fn = std::function<void(market::row_id, const ticker_update&, std::int64_t)>;

    redis_source(asio::any_io_executor executor, const redis_config& settings,
                 market::ticker_table& table, changed_fn changed, ticker_fn tickers);

    void start() { client_.start(); }
    void stop() { client_.stop(); }
    bool stopped() const noexcept { return client_.stopped(); }
    // From the app's once-a-second housekeeping: rows turn stale when the heartbeat is late.
    void tick();

    const stats::redis_stats& stats() const noexcept { return client_.stats(); }

    // The most rows a relay takes (the table is bounded like every buffer); more are counted
    // as bad messages.
    static constexpr std::size_t max_rows = 10'000;

private:
    asio::awaitable<error_code> session(redis_connection& subscriber);
    asio::awaitable<error_code> read_snapshot();
    void on_message(const redisReply& reply);
    // Takes one published row; false when it is not one (counted by the caller).
    bool apply(std::span<const redis::field> fields);
    void show(market::row_id id);
    void heard_heartbeat();
    void set_upstream(bool fresh);

    market::ticker_table& table_;
    redis::key_names keys_;
    changed_fn changed_;
    ticker_fn tickers_;
    redis_client client_;
    std::vector<std::optional<market::finished_row>> published_;  // by row id, as published
    std::vector<redis::field> fields_;
    bool upstream_fresh_ = false;  // the feed daemon's heartbeat is recent
    bool rows_added_ = false;
    std::chrono::steady_clock::time_point last_heartbeat_{};
};

}  // namespace sise::io
