// One exchange's live connection: a websocket (TLS or plain) kept open for as long as the
// daemon runs. Connects, subscribes through the adapter, parses every frame, reports tickers
// to the sink, sends the adapter's application ping on a timer, and reconnects after any
// failure with jittered exponential backoff. A silent connection (no data, no pong) is dropped
// after the idle timeout. Markets are split across connections of at most
// streams_per_connection ("lanes"); a connection that reaches handover_after, or whose exchange
// asks for a reconnect, is replaced by a new one opened beside it and closed only once the new
// one has delivered and the old one has caught up with it, so no update is lost.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "sise/core/ticker.hpp"
#include "sise/feed/adapter.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/io/log.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::io {

// The feed's counters are part of the daemon's one stats model (stats/snapshot.hpp).
using stats::feed_state;
using stats::feed_stats;
using stats::to_string;

class feed_sink {
public:
    virtual ~feed_sink() = default;
    virtual void on_tickers(exchange_id exchange, std::span<const ticker_update> tickers,
                            std::int64_t received_ms) = 0;
    virtual void on_feed_connected(exchange_id exchange, bool connected) = 0;
};

class feed_client {
public:
    // `tls` (the feed's one TLS context) must outlive the client; it may be null for ws://.
    feed_client(asio::any_io_executor executor, std::unique_ptr<feed::adapter> adapter,
                feed_config config, ssl::context* tls, feed_sink& sink);
    ~feed_client();
    feed_client(const feed_client&) = delete;
    feed_client& operator=(const feed_client&) = delete;

    void start();
    void stop();  // closes the connection; the run loop ends by itself

    exchange_id exchange() const noexcept { return adapter_->id(); }
    const feed_stats& stats() const noexcept { return stats_; }
    feed::adapter& adapter() noexcept { return *adapter_; }

private:
    struct link;
    struct connection_lane;

    template <typename Stream>
    asio::awaitable<error_code> run_session(connection_lane& lane, std::shared_ptr<link> self);
    asio::awaitable<void> run_link(connection_lane& lane, std::shared_ptr<link> self);
    asio::awaitable<void> run_lane(connection_lane& lane);
    std::shared_ptr<link> open_link(connection_lane& lane);
    void handle_frame(connection_lane& lane, link& self, std::string_view frame);
    // The tickers of `self` that the other connection of a handover has not passed on yet.
    void drop_overlap(connection_lane& lane, link& self);
    void update_state();
    void count_bad_frame(const error_code& ec, std::string_view what);

    asio::any_io_executor executor_;
    std::unique_ptr<feed::adapter> adapter_;
    feed_config config_;
    feed_sink& sink_;
    ssl::context* tls_;
    feed_stats stats_;
    std::vector<ticker_update> updates_;
    std::vector<std::unique_ptr<connection_lane>> lanes_;
    bool all_live_ = false;
    log_limiter bad_frame_log_;
    bool stopping_ = false;
};

}  // namespace sise::io
