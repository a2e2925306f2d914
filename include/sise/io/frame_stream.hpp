// The stream under a subscriber's websocket: Beast's own writes (handshake, pings, pongs,
// close) pass through it, and whole frames encoded once per publication (publish/ws_frame.hpp)
// go from it straight to the socket, never re-framed or copied. The two never interleave:
// while one side writes, the other's next write waits here (each keeps one write in flight).
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "sise/io/asio.hpp"

namespace sise::io {

class frame_stream {
public:
    using next_layer_type = boost::beast::tcp_stream;
    using executor_type = next_layer_type::executor_type;
    using write_handler = asio::any_completion_handler<void(error_code, std::size_t)>;

    explicit frame_stream(asio::ip::tcp::socket&& socket) : next_(std::move(socket)) {}

    executor_type get_executor() noexcept { return next_.get_executor(); }
    next_layer_type& next_layer() noexcept { return next_; }
    const next_layer_type& next_layer() const noexcept { return next_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return next_.async_read_some(buffers, std::forward<Token>(token));
    }

    // Beast's writes: at once, or when the frame being written is out.
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& pieces) {
                if (frame_writing_) {
                    held_buffers_.assign(asio::buffer_sequence_begin(pieces),
                                         asio::buffer_sequence_end(pieces));
                    held_write_.emplace(std::move(handler));
                    return;
                }
                write_through(pieces, std::move(handler));
            },
            token, buffers);
    }

    // Sends what the socket takes of `frame` now, without waiting (the socket is non-blocking):
    // would_block when a write is in flight here or nothing could be sent.
    std::size_t write_frame_now(asio::const_buffer frame, error_code& ec) {
        if (beast_writing_ || frame_writing_) {
            ec = asio::error::would_block;
            return 0;
        }
        return next_.socket().write_some(frame, ec);
    }

    // Writes one whole frame encoded elsewhere, then calls handler(ec, bytes). One frame at a
    // time; `frame` must stay valid until the handler runs.
    void async_write_frame(asio::const_buffer frame, write_handler handler) {
        frame_ = frame;
        if (beast_writing_) {
            frame_handler_.emplace(std::move(handler));
            return;
        }
        start_frame(std::move(handler));
    }

private:
    template <class ConstBuffers, class Handler>
    void write_through(const ConstBuffers& buffers, Handler&& handler) {
        beast_writing_ = true;
        next_.async_write_some(buffers, [this, h = std::forward<Handler>(handler)](
                                            error_code ec, std::size_t n) mutable {
            beast_writing_ = false;
            // Calling `h` may let go of the last hold on the session, and so of this stream:
            // after it, `this` is touched only when a frame waits, whose handler holds the
            // session (TSan saw the use after free when this was read unconditionally).
            const bool frame_waiting = frame_handler_.has_value();
            // Beast goes on with the rest of its frame from here, or is done with it.
            std::move(h)(ec, n);
            if (!frame_waiting) return;
            if (!beast_writing_ && frame_handler_) {
                write_handler waiting(std::move(*frame_handler_));
                frame_handler_.reset();
                start_frame(std::move(waiting));
            }
        });
    }

    // `done` (the session's handler) rides with the write: it keeps the session alive.
    void start_frame(write_handler done) {
        frame_writing_ = true;
        asio::async_write(next_.socket(), frame_,
                          [this, done = std::move(done)](error_code ec, std::size_t n) mutable {
                              frame_writing_ = false;
                              if (held_write_) {
                                  write_handler held(std::move(*held_write_));
                                  held_write_.reset();
                                  write_through(held_buffers_, std::move(held));
                              }
                              std::move(done)(ec, n);
                          });
    }

    next_layer_type next_;
    asio::const_buffer frame_;
    // Held in optionals: Boost 1.81's any_completion_handler move assignment wraps the handler
    // in itself (endless recursion); only its move constructor is safe.
    std::optional<write_handler> frame_handler_;  // a frame waiting for Beast's write to end
    std::optional<write_handler> held_write_;     // Beast's write waiting for the frame
    std::vector<asio::const_buffer> held_buffers_;
    bool frame_writing_ = false;
    bool beast_writing_ = false;
};

// Closing the websocket closes the socket underneath (Beast finds these by ADL).
inline void teardown(boost::beast::role_type role, frame_stream& stream, error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, frame_stream& stream, TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace sise::io
