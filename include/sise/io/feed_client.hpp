// One exchange's live connection: a websocket (TLS or plain) kept open for as long as the
// daemon runs. Connects, subscribes through the adapter, parses every frame, reports tickers
// to the sink, sends the adapter's application ping on a timer, and reconnects after any
// failure with jittered exponential backoff (at once when the exchange asks for it). A silent
// connection (no data, no pong) is dropped after the idle timeout.
#pragma once

#include <cstdint>
#include <functional>
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
    template <typename Stream>
    asio::awaitable<error_code> run_session();
    asio::awaitable<void> run();
    // False when the frame asks for a reconnect (the reason is in close_detail_).
    bool handle_frame(std::string_view frame);
    void count_bad_frame(const error_code& ec, std::string_view what);

    asio::any_io_executor executor_;
    std::unique_ptr<feed::adapter> adapter_;
    feed_config config_;
    feed_sink& sink_;
    ssl::context* tls_;
    feed_stats stats_;
    std::vector<ticker_update> updates_;
    std::function<void()> cancel_session_;
    std::string close_detail_;  // the exchange's close code or reconnect request
    bool reconnect_now_ = false;  // the last session ended on the exchange's request
    asio::steady_timer backoff_timer_;
    log_limiter bad_frame_log_;
    bool stopping_ = false;
};

}  // namespace sise::io
