// A websocket subscriber on /v1/stream: snapshot on connect, then coalesced updates. At most
// one write in flight; everything else is pending rows in its subscriber_queue (latest wins),
// and the socket's send buffer is bounded, so a client that stops reading costs O(1) memory and
// is cut off within client_write_timeout (stuck write, or an unanswered keep-alive ping).
// Messages leave as frames encoded once for everyone (permessage-deflate stays off: a
// compressed frame would be one client's own encoding). It lives in a room (io/room.hpp):
// after the handshake request, everything it does runs on its room's thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "sise/io/connection_slot.hpp"
#include "sise/io/frame_stream.hpp"
#include "sise/io/room.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::io {

class ws_session : public std::enable_shared_from_this<ws_session> {
public:
    ws_session(asio::ip::tcp::socket&& socket, connection_slot slot);
    ~ws_session();

    // Accepts the handshake carried by `request` (already routed to action::upgrade), on the
    // room's thread. Takes the only reference: a session on a room's thread must end, and be
    // destroyed, there, never in the caller's hands on the main loop (TSan caught that race).
    static void run(std::shared_ptr<ws_session> self,
                    boost::beast::http::request<boost::beast::http::empty_body> request);

    // A publication arrived: remember what this subscriber wants of it, send if idle.
    void deliver(const publish::publication& publication);

    // Called periodically: a write stuck for client_write_timeout, or nothing heard for that
    // long (a ping goes out at half of it), means the client is not reading: close abortively.
    void check_deadlines(std::chrono::steady_clock::time_point now);

    // Close 1001 "going away" (or at once when a write is stuck in flight).
    void go_away();

    // The table's row set changed: a new snapshot of the same subscription.
    void resubscribe();

private:
    room& owner() const noexcept { return *room_; }
    void start(boost::beast::http::request<boost::beast::http::empty_body> request);
    void close_now();
    // Records why the session ends (the first reason given wins).
    void ended(stats::client_disconnect_reason reason);
    void heard_from_client();
    void on_accept(error_code ec);
    void do_read();
    void on_read(error_code ec, std::size_t);
    void do_write();
    void on_write(error_code ec, std::size_t);

    std::shared_ptr<room> room_;  // before ws_: the socket moves to the room's loop
    boost::beast::websocket::stream<frame_stream> ws_;
    connection_slot slot_;
    boost::beast::flat_buffer read_buffer_;
    publish::subscriber_queue queue_;
    publish::shared_frame in_flight_;  // written as is (io/frame_stream.hpp)
    publish::shared_frame notice_;
    std::chrono::steady_clock::time_point write_started_{};
    std::chrono::steady_clock::time_point last_heard_{};  // a message, ping or pong
    bool ping_outstanding_ = false;
    // Receipt time of the oldest ticker waiting for / in the write (epoch ms, 0: none).
    std::int64_t pending_receipt_ms_ = 0;
    std::int64_t in_flight_receipt_ms_ = 0;
    std::optional<stats::client_disconnect_reason> end_reason_;
    bool slow_ = false;
    int bad_messages_ = 0;
    bool joined_ = false;
    bool writing_ = false;
    bool closing_ = false;
};

}  // namespace sise::io
