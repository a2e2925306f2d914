// A client of sised's websocket stream (/v1/stream): connect, read one message at a time,
// send a subscription, close. Every step is bounded by a timeout; the client owns its own
// io_context and runs it only inside its calls, so a caller (`sise watch`, a test) stays
// single-threaded and can poll: a read that times out stays pending for the next call.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sise::client {

class stream_client {
public:
    // Resolves `host`, connects and does the websocket handshake for `target`, all within
    // `timeout`. `origin` empty sends no Origin header. The outcome is connect_error().
    stream_client(const std::string& host, const std::string& port, const std::string& target,
                  const std::string& origin = "",
                  std::chrono::milliseconds timeout = std::chrono::seconds{5});
    ~stream_client();
    stream_client(const stream_client&) = delete;
    stream_client& operator=(const stream_client&) = delete;

    // The connect or handshake error, if it failed (e.g. a 403 for a refused Origin; a
    // passed deadline is boost::asio::error::timed_out).
    const boost::system::error_code& connect_error() const noexcept;
    bool connected() const noexcept { return !connect_error(); }

    // The next message, or nullopt on timeout (the read stays pending for the next call) or
    // on error (the connection is then unusable: read_error() says why).
    std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds{5});
    // The error that ended the last read; empty while the connection is usable.
    const boost::system::error_code& read_error() const noexcept;

    bool send(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds{5});
    // Pings the server after `idle` / 2 without traffic and ends the connection (read_error()
    // timeout) after `idle` without any: a daemon that hangs is noticed. Off by default (a
    // test may want to be the idle client).
    void keep_alive(std::chrono::seconds idle);
    // Sets the socket's receive buffer small (call before reading nothing, to make the
    // server's send path fill up quickly).
    void shrink_receive_buffer();
    // True once the server has closed the connection (reads until EOF or timeout).
    bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds{5});
    // A websocket close (1000), waiting at most `timeout` for the server's answer.
    void close(std::chrono::milliseconds timeout = std::chrono::milliseconds{500});

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sise::client
