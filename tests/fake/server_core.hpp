// The generic fake exchange's state: listener, the market stream (walks, pacing, fan-out), REST
// routing, rate limits and the cues; every venue-shaped byte comes from its dialect. One
// io_context, one thread, no mutexes: everything here runs on the fake's thread
// (exchange_server posts into it), sessions included, which is why sessions and the core call
// each other directly. Internal to the fake.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "fake/dialect.hpp"
#include "fake/price_walk.hpp"
#include "fake/exchange_server.hpp"

namespace sise::fake::detail {

class session;

class server_core {
public:
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using response = boost::beast::http::response<boost::beast::http::string_body>;

    // The answer to one plain HTTP request.
    struct rest_reply {
        std::optional<response> res;         // nullopt: leave it unanswered (rest_fault::stall)
        std::chrono::milliseconds delay{0};  // write it this much later (candle_fault::slow)
    };

    server_core(boost::asio::io_context& ioc, server_options options);
    ~server_core();
    server_core(const server_core&) = delete;
    server_core& operator=(const server_core&) = delete;

    // On the caller's thread before the io thread runs: TLS context, bind, listen. Throws.
    void listen();
    // On the io thread: accept loop and pacing timer.
    void start();
    // On the io thread: stop accepting and pacing, drop every connection.
    void shutdown();

    std::uint16_t port() const noexcept { return port_; }
    bool tls() const noexcept { return tls_ != nullptr; }

    // --- for sessions -----------------------------------------------------------------
    const server_options& options() const noexcept { return options_; }
    bool stalled() const noexcept { return stalled_; }
    void note_origin() noexcept { ++origin_headers_; }
    void note_rest_connection() noexcept { ++rest_connections_; }
    void note_websocket(std::string_view target) { last_target_ = target; }
    rest_reply rest_response(const request& req);
    const dialect& speaks() const noexcept { return dialect_; }
    const keepalive_rules& rules() const noexcept { return rules_; }
    void note_pong_timeout() noexcept { ++pong_timeouts_; }
    void note_idle_timeout() noexcept { ++idle_timeouts_; }
    // Applies a client's subscribe action (its codes are consumed).
    void subscribe(session& s, client_action&& req);
    // Unlimited rate: generate frames until `s` has a full write's worth pending.
    void pump(session& s);
    void remove(session* s);
    void count_frame(bool queued) noexcept { ++(queued ? frames_sent_ : frames_dropped_); }

    template <class... Args>
    void log(int priority, fmt::format_string<Args...> format, Args&&... args) const {
        if (options_.log) log_line(priority, fmt::format(format, std::forward<Args>(args)...));
    }

    // --- cues (io thread) --------------------------------------------------------------
    void drop_connections();
    void close_connections(std::uint16_t code);
    void set_stalled(bool stalled);
    void inject(const std::string& payload, bool binary);
    bool send_ticker(const std::string& market, const std::string& price_text);
    void announce_shutdown();
    void skip_sequence();
    void set_rate(double frames_per_second);
    void pause_stream(bool paused);
    void set_rest_fault(rest_fault fault) noexcept { fault_ = fault; }
    void set_candle_fault(candle_fault fault) noexcept;

    // --- observers (io thread, or any thread once the io thread is gone) ---------------
    std::uint64_t connections_accepted() const noexcept { return accepted_ - rest_connections_; }
    std::size_t open_websockets() const;
    std::uint64_t subscriptions() const noexcept { return subscriptions_; }
    const std::vector<std::string>& last_subscribed_codes() const { return last_codes_; }
    const std::string& last_websocket_target() const { return last_target_; }
    std::uint64_t origin_headers_seen() const noexcept { return origin_headers_; }
    std::uint64_t frames_sent() const noexcept { return frames_sent_; }
    std::uint64_t frames_dropped() const noexcept { return frames_dropped_; }
    std::uint64_t rest_requests() const noexcept { return rest_requests_; }
    std::uint64_t candle_requests() const noexcept { return candle_requests_; }
    std::uint64_t candle_requests_rejected() const noexcept { return candle_rejected_; }
    std::uint64_t max_candle_requests_in_one_second() const noexcept {
        return candle_max_in_second_;
    }
    std::string last_price(const std::string& market) const;
    std::uint64_t updates_sent(const std::string& market) const;
    std::uint64_t pong_timeouts() const noexcept { return pong_timeouts_; }
    std::uint64_t idle_timeouts() const noexcept { return idle_timeouts_; }

private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    void schedule_tick();
    void on_tick(boost::system::error_code ec);
    void restart_pacing();

    std::int64_t now_ms() const;
    std::optional<std::size_t> market_index(std::string_view code) const;
    void refresh_wanted();
    std::optional<std::size_t> next_market();
    // Steps and renders up to n realtime frames and queues them; returns how many.
    std::size_t generate(std::size_t n, session* until_full = nullptr);
    // Renders market m into frame_ (payload_ is scratch) and records its last price.
    void render(std::size_t m, stream_type type, std::int64_t now, std::string_view price = {});
    void fan_out(std::size_t m);
    void flush_all();
    // GET of the market list: faults, then the list (fills `res`); false: leave it unanswered.
    bool market_list_response(std::string_view query, response& res);
    // GET /v1/candles/...: rate limit, faults, then the candles (fills `res`).
    std::chrono::milliseconds candle_response(std::string_view path, std::string_view query,
                                              response& res);
    void log_line(int priority, const std::string& line) const;

    boost::asio::io_context& ioc_;
    server_options options_;
    const dialect& dialect_;
    keepalive_rules rules_;
    std::vector<std::uint64_t> updates_sent_;  // per market index
    std::vector<std::int64_t> last_time_;      // per market index: the last frame's time
    std::uint64_t pong_timeouts_ = 0;
    std::uint64_t idle_timeouts_ = 0;
    std::unique_ptr<boost::asio::ssl::context> tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer tick_;
    std::uint16_t port_ = 0;
    bool running_ = false;

    std::vector<price_walk> walks_;
    std::vector<std::string> last_price_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::vector<char> wanted_;  // some realtime subscriber wants market i (per generate())
    std::size_t cursor_ = 0;    // round-robin position over markets
    std::string payload_;
    std::string frame_;
    std::uint64_t ticker_sequence_ = 0;  // ticker frames rendered, for dialects that number them

    std::vector<std::shared_ptr<session>> sessions_;

    double rate_;
    bool paused_ = false;
    bool stalled_ = false;
    rest_fault fault_;
    std::chrono::steady_clock::time_point pacing_epoch_;
    std::uint64_t paced_frames_ = 0;  // generated since pacing_epoch_

    std::uint64_t accepted_ = 0;
    std::uint64_t rest_connections_ = 0;
    std::uint64_t subscriptions_ = 0;
    std::uint64_t origin_headers_ = 0;
    std::uint64_t frames_sent_ = 0;
    std::uint64_t frames_dropped_ = 0;
    std::uint64_t rest_requests_ = 0;

    // The `candle` group (upbit.md §8): one window per second of now_ms().
    candle_fault candle_fault_;
    std::uint64_t candle_fault_count_ = 0;  // admitted requests since the fault was set
    std::int64_t candle_second_ = std::numeric_limits<std::int64_t>::min();  // current window
    std::uint64_t candle_admitted_ = 0;  // in the current window
    std::uint64_t candle_arrived_ = 0;   // in the current window, rejected included
    std::uint64_t candle_max_in_second_ = 0;
    std::uint64_t candle_requests_ = 0;
    std::uint64_t candle_rejected_ = 0;
    std::vector<std::string> last_codes_;
    std::string last_target_;
};

}  // namespace sise::fake::detail
