// Private to sise_io: the feed's websocket connection over a plain or TLS stream. It does the
// opening handshake (RFC 6455 §4) with Beast's HTTP parser, then reads in large chunks and hands
// every complete message of a chunk to the caller before it waits again: a burst of frames costs
// one read and one event-loop round instead of one each (Beast's websocket stream reads 1,536
// bytes at a time and completes every message through the loop). Pings are answered, a quiet
// connection is pinged and then closed (the idle timeout), and writes go through one bounded
// queue so the read loop, the keepalive and the application ping never write at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "sise/core/url.hpp"
#include "sise/io/asio.hpp"
#include "transport.hpp"

namespace sise::io::detail {

struct websocket_limits {
    std::size_t max_message_bytes = 1 << 20;  // larger messages are skipped and counted
    // Checked every half of it: a half with no data sends a ping, a second one in a row fails
    // the connection with beast::error::timeout (so after 1× to 1.5× of it). Zero: never.
    std::chrono::milliseconds idle_timeout{0};
    std::size_t max_queued_write_bytes = 256 * 1024;  // beyond it a write is refused
};

template <typename Stream>
class websocket_client : public std::enable_shared_from_this<websocket_client<Stream>> {
public:
    template <typename... StreamArgs>
    explicit websocket_client(const websocket_limits& limits, StreamArgs&&... stream_args)
        : limits_(limits),
          stream_(std::forward<StreamArgs>(stream_args)...),
          keepalive_timer_(stream_.get_executor()),
          mask_source_(std::random_device{}()) {}

    Stream& stream() noexcept { return stream_; }

    // The opening handshake, all of it bounded by `timeout`.
    asio::awaitable<error_code> handshake(const url& endpoint, std::string_view user_agent,
                                          std::chrono::milliseconds timeout);

    // Writes one text message now; only before read() starts (nothing else writes then).
    asio::awaitable<error_code> write_text(std::string_view text);

    // Queues one text message behind what is being written; false when the queue is full or
    // the connection has failed (nothing is queued then).
    bool send_text(std::string_view text);

    // Reads until the connection ends, calling `on_message` with every complete data message
    // (text or binary), readable up to size() + feed::frame_padding with the padding zeroed,
    // and `on_oversized` for every message above max_message_bytes (dropped as it streams by).
    // Returns why it ended: websocket::error::closed after the server's close frame (see
    // close_code/close_text), beast::error::timeout after the idle timeout,
    // errc::websocket_protocol for a frame a server may not send, else the I/O error.
    using message_handler = std::function<void(std::string_view)>;
    asio::awaitable<error_code> read(const message_handler& on_message,
                                     const std::function<void()>& on_oversized);

    // Ends the connection: cancels the socket and the keepalive.
    void cancel();

    std::uint16_t close_code() const noexcept { return close_code_; }
    const std::string& close_text() const noexcept { return close_text_; }

private:
    std::uint32_t next_mask() { return static_cast<std::uint32_t>(mask_source_()); }
    void queue_frame(std::uint8_t op, std::string_view payload);
    asio::awaitable<void> write_queued(std::shared_ptr<websocket_client> self);
    asio::awaitable<void> keepalive(std::shared_ptr<websocket_client> self);
    // Walks the complete frames in buffer_[begin_, end_); false with `ec` when the connection
    // must end.
    bool take_frames(const message_handler& on_message, const std::function<void()>& on_oversized,
                     error_code& ec);
    static void deliver(const message_handler& on_message, char* data, std::size_t size);

    websocket_limits limits_;
    Stream stream_;
    asio::steady_timer keepalive_timer_;
    std::mt19937 mask_source_;  // client frames must be masked (RFC 6455 §5.3)

    // Read side: buffer_ holds [begin_, end_) unread bytes, plus padding room after capacity.
    std::vector<char> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::string fragments_;        // a fragmented message being put together
    bool fragmented_ = false;      // a data frame without FIN came, continuations follow
    bool skipping_message_ = false;  // the message under way is too large: dropped
    std::uint64_t skip_bytes_ = 0;  // payload bytes still to drop of an oversized frame
    std::uint64_t reads_ = 0;      // socket reads that returned data, for the keepalive
    bool timed_out_ = false;
    std::uint16_t close_code_ = 0;
    std::string close_text_;

    // Write side.
    std::string queued_;
    std::string writing_;
    bool writer_running_ = false;
    bool failed_ = false;
    error_code write_ec_;  // why the writer failed
};

extern template class websocket_client<plain_stream>;
extern template class websocket_client<tls_stream>;

}  // namespace sise::io::detail
