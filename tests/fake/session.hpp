// One client connection of the fake exchange: optional TLS, one HTTP request, then either a
// websocket upgrade (Beast does the handshake; afterwards the session frames messages itself
// with ws_frame.hpp and owns the socket with a single writer) or REST answers on keep-alive.
// Internal to the fake; runs on the fake's io thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include "fake/dialect.hpp"
#include "fake/ws_frame.hpp"

namespace sise::fake::detail {

class server_core;

// The protocol half of a session (framing, messages, pending bytes); the I/O half is the
// stream-typed subclass in session.cpp.
class session : public std::enable_shared_from_this<session> {
public:
    session(server_core& core, const boost::asio::any_io_executor& executor);
    virtual ~session() = default;
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    virtual void start() = 0;
    virtual void resume() = 0;  // the stall ended: continue where the session parked

    // Abrupt close of the TCP socket; the session leaves the core. Idempotent.
    void drop();
    // Websocket close frame with `code`, then wait (bounded) for the client's close.
    void close(std::uint16_t code);
    // The dialect's shutdown notice now, the close (1000) after the rules' shutdown grace.
    void announce_shutdown();
    // Starts writing the pending bytes unless a write is in flight or the fake is stalled.
    void flush();

    // Appends one encoded data frame unless the pending bound is hit (then false).
    bool queue(std::string_view encoded);

    // Subscription, set by the core: one flag per market index of the core.
    void subscribe(std::vector<char> wants, bool realtime);
    bool streaming() const noexcept { return subscribed_ && open(); }
    bool realtime() const noexcept { return realtime_; }
    bool wants(std::size_t market) const noexcept {
        return market < wants_.size() && wants_[market] != 0;
    }
    bool websocket() const noexcept { return phase_ == phase::websocket; }
    bool idle() const noexcept { return !writing_ && pending_.empty(); }
    // The next message number of this connection skips one (a venue dropping a message).
    void skip_sequence() noexcept { ++next_sequence_; }
    std::size_t pending_bytes() const noexcept { return pending_.size(); }

protected:
    enum class phase { handshake, http, websocket, finished };

    bool open() const noexcept { return phase_ == phase::websocket && !close_sent_; }

    // Decodes and handles the complete client frames buffered in in_. Returns false when
    // the session must stop reading (close handshake, protocol error).
    bool process_input();
    void on_write_done(boost::system::error_code ec);
    void fail(boost::system::error_code ec, std::string_view what);
    void finish();

    virtual void start_write() = 0;   // async write of inflight_
    virtual void close_socket() = 0;  // close the TCP socket, no goodbye

    server_core& core_;
    phase phase_ = phase::handshake;
    boost::beast::flat_buffer in_;
    std::string pending_;   // encoded frames not yet handed to the socket
    std::string inflight_;  // the bytes of the write in flight
    bool writing_ = false;
    bool close_sent_ = false;                // our close frame is queued or sent
    bool close_after_write_ = false;         // finish once pending_ and inflight_ are written
    boost::asio::steady_timer close_timer_;  // bounds the wait for the client's close frame
    boost::asio::steady_timer reply_timer_;  // holds back a REST answer (candle_fault::slow)
    // Starts the keepalive rules once the websocket is up: server pings with a pong deadline,
    // the client idle limit, and the scheduled disconnect at the connection lifetime.
    void start_rules();

private:
    bool handle_frame(const client_frame& frame);
    void handle_message(std::string_view payload);
    void send_close(std::uint16_t code, bool then_finish);
    void queue_control(ws_opcode opcode, std::string_view payload);

    std::string message_;  // a fragmented message being assembled
    bool in_message_ = false;
    bool subscribed_ = false;
    bool realtime_ = false;
    std::vector<char> wants_;
    std::unique_ptr<client_protocol> protocol_;  // the dialect's per-connection state
    void schedule_ping();
    // Wakes at the moment the client would have been silent for the idle limit.
    void schedule_idle_check();
    boost::asio::steady_timer ping_timer_;
    boost::asio::steady_timer idle_timer_;
    std::chrono::steady_clock::time_point last_heard_;  // the client's last frame (any opcode)
    boost::asio::steady_timer lifetime_timer_;
    // Drops the client at `deadline` unless `kept` (a subscription or the heartbeats one).
    void enforce(boost::asio::steady_timer& timer, std::chrono::milliseconds deadline,
                 bool session::*kept, std::string_view what);
    void schedule_heartbeat();
    // Writes this connection's next message number into the dialect's placeholder in the
    // message starting at bytes[from] (nothing when the venue numbers none).
    void stamp_sequence(std::string& bytes, std::size_t from);
    boost::asio::steady_timer subscribe_timer_;
    boost::asio::steady_timer heartbeat_timer_;
    boost::asio::steady_timer heartbeats_timer_;
    bool heartbeats_ = false;  // subscribed to the venue's heartbeats
    std::uint64_t heartbeat_count_ = 0;
    std::uint64_t next_sequence_ = 0;
    bool pong_due_ = false;  // a ping went out and its pong has not come back
    std::chrono::steady_clock::time_point ping_sent_;
};

std::shared_ptr<session> make_session(server_core& core, boost::asio::ip::tcp::socket socket,
                                      boost::asio::ssl::context* tls);

}  // namespace sise::fake::detail
