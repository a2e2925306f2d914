// Fills each market's 24 h window from the exchange's REST minute candles, beside the live
// stream: from the minute the feed (re)connected backwards, a page of candles a request,
// until the window reaches its reference minute. All markets of an exchange share one request
// pace, the adapter's rest_pacing; its budget header is honoured and 429/5xx/timeouts back
// off with jitter. Until a market is complete its rows say basis "partial".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "sise/feed/adapter.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/market/table.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::io {

using stats::backfill_stats;  // part of the daemon's one stats model (stats/snapshot.hpp)

class backfiller {
public:
    // `tls` (the feed's one TLS context; null for http://) must outlive the backfiller.
    backfiller(asio::any_io_executor executor, feed::adapter& adapter, const feed_config& config,
               ssl::context* tls, market::ticker_table& table, std::function<void()> on_progress);
    ~backfiller();

    // (Re)starts the backfill of every market of this feed, with live coverage beginning at
    // `live_from_ms`. A run still going is abandoned.
    void start(std::int64_t live_from_ms);
    void stop();
    const backfill_stats& stats() const noexcept { return stats_; }

private:
    asio::awaitable<void> fill(market::row_id row, std::uint64_t generation,
                               std::int64_t connect_minute);
    // One request, retried with backoff; nullopt when abandoned (stopped, or refused).
    asio::awaitable<std::optional<std::vector<feed::minute_candle>>> fetch(
        const std::string& market, std::int64_t to_ms, std::size_t count, std::uint64_t generation,
        asio::steady_timer& timer);
    asio::awaitable<bool> wait(asio::steady_timer& timer, std::chrono::milliseconds delay,
                               std::uint64_t generation);
    std::chrono::milliseconds next_slot();

    asio::any_io_executor executor_;
    feed::adapter& adapter_;
    const feed_config& config_;
    market::ticker_table& table_;
    std::function<void()> on_progress_;
    ssl::context* tls_;
    feed::rest_pacing pacing_;
    std::vector<std::unique_ptr<asio::steady_timer>> timers_;
    std::chrono::steady_clock::time_point next_request_{};
    backfill_stats stats_;
    std::uint64_t generation_ = 0;
};

}  // namespace sise::io
