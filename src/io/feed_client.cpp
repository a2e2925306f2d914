#include "sise/io/feed_client.hpp"

#include <cstring>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "sise/core/error.hpp"
#include "sise/core/version.hpp"
#include "sise/feed/backoff.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/spawn.hpp"
#include "transport.hpp"

namespace sise::io {

namespace websocket = boost::beast::websocket;
using detail::use_tuple;

namespace {

// How long a connection must have stayed up before the backoff starts over; shorter-lived
// connections keep growing the delay, so an exchange that accepts and then drops us at once
// is not hammered (Upbit allows 5 connects/s per IP, upbit.md §8).
constexpr std::chrono::seconds stable_connection{10};

// Websocket messages beyond this are refused by Beast itself and cost a reconnect; smaller
// ones above max_frame_bytes are read through and discarded without buffering.
constexpr std::uint64_t hard_message_limit = 256ull * 1024 * 1024;

// Sends the adapter's application ping every `interval` until the timer is cancelled or a
// write fails. Holds the stream, not the feed_client: it may outlive a session by one wait.
template <typename WsStream>
asio::awaitable<void> app_ping_loop(std::shared_ptr<WsStream> ws,
                                    std::shared_ptr<asio::steady_timer> timer, std::string text,
                                    std::chrono::milliseconds interval, std::uint64_t& sent) {
    for (;;) {
        timer->expires_after(interval);
        auto [wait_ec] = co_await timer->async_wait(use_tuple);
        if (wait_ec) co_return;
        auto [write_ec, written] = co_await ws->async_write(asio::buffer(text), use_tuple);
        (void)written;
        if (write_ec) co_return;  // the read loop sees the broken connection
        ++sent;
    }
}

}  // namespace

feed_client::feed_client(asio::any_io_executor executor, std::unique_ptr<feed::adapter> adapter,
                         feed_config config, ssl::context* tls, feed_sink& sink)
    : executor_(std::move(executor)),
      adapter_(std::move(adapter)),
      config_(std::move(config)),
      sink_(sink),
      tls_(tls),
      backoff_timer_(executor_) {}

feed_client::~feed_client() = default;

void feed_client::start() {
    asio::co_spawn(executor_, run(),
                   log_escaped_exception{fmt::format("{}: feed", to_string(exchange())),
                                         [this] { stats_.state = feed_state::stopped; }});
}

void feed_client::stop() {
    stopping_ = true;
    backoff_timer_.cancel();
    if (cancel_session_) cancel_session_();
}

asio::awaitable<void> feed_client::run() {
    const url& endpoint = config_.websocket_endpoint;
    feed::backoff delays(config_.reconnect_initial, config_.reconnect_max);
    std::minstd_rand random(std::random_device{}());

    while (!stopping_) {
        stats_.state = feed_state::connecting;
        ++stats_.connect_attempts;
        const auto started = std::chrono::steady_clock::now();
        error_code ec = endpoint.tls() ? co_await run_session<detail::tls_stream>()
                                       : co_await run_session<detail::plain_stream>();
        const bool was_live = stats_.state == feed_state::live;
        if (was_live) sink_.on_feed_connected(exchange(), false);
        if (stopping_) break;

        stats_.last_error = close_detail_.empty() ? ec.message() : std::exchange(close_detail_, {});
        const bool stable = std::chrono::steady_clock::now() - started >= stable_connection;
        if (stable) delays.reset();
        // Asked to reconnect by a connection that had been up a while: at once. A short one
        // asking again keeps the backoff growing.
        auto delay = std::exchange(reconnect_now_, false) && stable ? std::chrono::milliseconds{0}
                                                                   : delays.next(random());
        stats_.state = feed_state::backoff;
        log(was_live ? log_level::warning : log_level::notice,
            "{}: connection {}: {}; reconnecting in {} ms", to_string(exchange()),
            was_live ? "lost" : "failed", stats_.last_error, delay.count());
        backoff_timer_.expires_after(delay);
        co_await backoff_timer_.async_wait(use_tuple);
    }
    stats_.state = feed_state::stopped;
}

template <typename Stream>
asio::awaitable<error_code> feed_client::run_session() {
    const url& endpoint = config_.websocket_endpoint;
    using ws_stream = websocket::stream<Stream>;
    std::shared_ptr<ws_stream> ws;
    if constexpr (std::is_same_v<Stream, detail::tls_stream>) {
        if (!tls_) co_return asio::error::no_protocol_option;  // feed_unit always gives one
        ws = std::make_shared<ws_stream>(executor_, *tls_);
    } else {
        ws = std::make_shared<ws_stream>(executor_);
    }
    // A weak handle: nothing in this frame's destruction may touch `this`, since an
    // io_context destroyed with the frame still pending outlives the feed_client.
    auto ping_timer = std::make_shared<asio::steady_timer>(executor_);
    cancel_session_ = [weak = std::weak_ptr<ws_stream>(ws), ping_timer] {
        ping_timer->cancel();
        if (auto stream = weak.lock()) boost::beast::get_lowest_layer(*stream).cancel();
    };
    // The ping loop ends with the session, however the session ends.
    struct stop_pings {
        std::shared_ptr<asio::steady_timer> timer;
        ~stop_pings() { timer->cancel(); }
    } stop_pings_on_exit{ping_timer};

    if (auto ec = co_await detail::open_stream(ws->next_layer(), endpoint, config_.connect_timeout))
        co_return ec;
    if (stopping_) co_return asio::error::operation_aborted;

    // Beast's websocket timeouts replace the stream's own once the handshake starts: pings
    // go out after half the idle timeout without data; no data or pong by the full timeout
    // closes the connection (Beast's client default has no idle timeout at all).
    boost::beast::get_lowest_layer(*ws).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = config_.connect_timeout;
    timeouts.idle_timeout = config_.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws->set_option(timeouts);
    // No Origin header: Upbit throttles requests that carry one to 1 per 10 s (upbit.md §8).
    ws->set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
        request.set(boost::beast::http::field::user_agent, std::string("sise/") + sise::version);
    }));
    ws->read_message_max(hard_message_limit);
    ws->auto_fragment(false);

    auto [handshake_ec] = co_await ws->async_handshake(endpoint.host_header(), endpoint.target,
                                                       use_tuple);
    if (handshake_ec) co_return handshake_ec;

    ws->text(true);
    for (const std::string& frame : adapter_->subscribe_frames(config_.markets)) {
        auto [write_ec, written] = co_await ws->async_write(asio::buffer(frame), use_tuple);
        (void)written;
        if (write_ec) co_return write_ec;
    }

    stats_.state = feed_state::live;
    stats_.connected_since_ms = now_ms();
    ++stats_.connections;
    sink_.on_feed_connected(exchange(), true);
    log(log_level::info, "{}: connected to {}, subscribed to {} markets", to_string(exchange()),
        config_.websocket_url, config_.markets.size());
    // [feeds.x] app_ping_interval_ms overrides the adapter's period; 0 turns the ping off.
    const auto keepalive = adapter_->keepalive();
    const auto app_ping_interval = config_.app_ping_interval.value_or(keepalive.app_ping_interval);
    if (!keepalive.app_ping_text.empty() && app_ping_interval.count() > 0) {
        asio::co_spawn(executor_,
                       app_ping_loop(ws, ping_timer, keepalive.app_ping_text, app_ping_interval,
                                     stats_.app_pings),
                       log_escaped_exception{fmt::format("{}: app ping", to_string(exchange()))});
    }

    boost::beast::flat_buffer buffer;
    bool discarding = false;
    for (;;) {
        // Read in bounded chunks: a frame larger than max_frame_bytes is consumed and dropped
        // without ever being held in memory whole.
        auto chunk = buffer.prepare(std::min<std::size_t>(64 * 1024, config_.max_frame_bytes + 1));
        auto [read_ec, bytes] = co_await ws->async_read_some(chunk, use_tuple);
        if (read_ec == websocket::error::closed) {
            // Keep the exchange's close code: 1008 or 1013 mean something else than 1000.
            const auto& reason = ws->reason();
            close_detail_ = fmt::format("closed by the exchange with code {}{}{}",
                                        static_cast<unsigned>(reason.code),
                                        reason.reason.empty() ? "" : ": ", reason.reason.c_str());
        }
        if (read_ec) co_return read_ec;
        // A busy stream completes reads from Beast's buffer without touching the socket, so
        // a cancelled socket alone would not end this loop.
        if (stopping_) co_return asio::error::operation_aborted;
        buffer.commit(bytes);
        if (buffer.size() > config_.max_frame_bytes) {
            discarding = true;
            buffer.clear();
        }
        if (!ws->is_message_done()) continue;
        if (discarding) {
            ++stats_.oversized_frames;
            count_bad_frame(errc::frame_too_large, "frame");
            discarding = false;
        } else {
            // Zeroed padding after the frame lets the adapter parse it in place (no copy).
            auto padding = buffer.prepare(feed::frame_padding);
            std::memset(padding.data(), 0, padding.size());
            const auto data = buffer.cdata();
            if (!handle_frame({static_cast<const char*>(data.data()), data.size()})) {
                reconnect_now_ = true;
                co_return make_error_code(errc::exchange_error);
            }
        }
        buffer.clear();
    }
}

bool feed_client::handle_frame(std::string_view frame) {
    const auto received = now_ms();
    ++stats_.frames;
    stats_.last_message_ms = received;
    updates_.clear();
    error_code ec;
    auto result = adapter_->parse_padded(frame, updates_, ec);
    if (ec) {
        count_bad_frame(ec, "frame");
        return true;
    }
    switch (result.kind) {
        case feed::frame_kind::tickers:
            stats_.tickers += updates_.size();
            sink_.on_tickers(exchange(), updates_, received);
            break;
        case feed::frame_kind::heartbeat: ++stats_.heartbeats; break;
        case feed::frame_kind::exchange_error:
            ++stats_.exchange_errors;
            stats_.last_error = std::string(result.detail);
            count_bad_frame(errc::exchange_error, result.detail);
            break;
        case feed::frame_kind::reconnect:
            ++stats_.reconnect_requests;
            close_detail_ = fmt::format("the exchange asked to reconnect: {}", result.detail);
            return false;
        case feed::frame_kind::ack:
        case feed::frame_kind::ignored: break;
    }
    return true;
}

void feed_client::count_bad_frame(const error_code& ec, std::string_view what) {
    if (ec != errc::exchange_error) ++stats_.bad_frames;
    std::uint64_t suppressed = 0;
    if (bad_frame_log_.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::warning, "{}: dropped {}: {} ({} similar messages suppressed)",
            to_string(exchange()), what, ec.message(), suppressed);
}

}  // namespace sise::io
