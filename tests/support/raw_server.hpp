// A tiny scripted TCP server on loopback, for upstream faults the fake Upbit cannot produce at
// the byte level: resets, silence, trickled handshakes, frames split into single bytes. One
// thread runs the io_context and serves connections one at a time with a blocking script.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace sise::test {

using namespace std::chrono_literals;

// One accepted connection as a script sees it. Every operation is bounded by its timeout and
// by the server stopping (checked at least every 20 ms), so a script can never hang the
// server's destructor.
class raw_connection {
public:
    using clock = std::chrono::steady_clock;
    using tcp = boost::asio::ip::tcp;

    raw_connection(tcp::socket& socket, std::uint64_t index, clock::time_point accepted,
                   const std::atomic<bool>& stopping);

    tcp::socket& socket() noexcept { return socket_; }
    std::uint64_t index() const noexcept { return index_; }  // 0 for the first connection
    clock::time_point accepted_at() const noexcept { return accepted_; }
    bool stopping() const noexcept { return stopping_.load(); }

    // Reads until `delimiter` has arrived; everything read so far, or nullopt on timeout,
    // EOF, error or stop.
    std::optional<std::string> read_until(std::string_view delimiter,
                                          std::chrono::milliseconds timeout);
    // Writes all of `bytes`; false on timeout, error or stop.
    bool write(std::string_view bytes, std::chrono::milliseconds timeout = 2s);
    // Sleeps in slices; false if the server is stopping.
    bool pause(std::chrono::milliseconds duration);
    // Discards what the peer sends until it closes (EOF or reset); false on timeout or stop.
    bool wait_closed(std::chrono::milliseconds timeout);
    // True once the peer has closed its side (reads and discards what is pending).
    bool peer_closed();
    void set_no_delay();
    // Closes with SO_LINGER {1, 0}: the peer gets a TCP RST instead of a FIN.
    void reset();
    // Pipes bytes both ways to 127.0.0.1:`port` until either side closes or the server stops.
    // False if the upstream connection could not be made.
    bool relay(std::uint16_t port);

private:
    // poll() for `events` until the deadline; false on timeout or stop.
    bool wait(short events, clock::time_point deadline) const;

    tcp::socket& socket_;
    std::uint64_t index_;
    clock::time_point accepted_;
    const std::atomic<bool>& stopping_;
};

// base64(SHA-1(key + RFC 6455 GUID)): the Sec-WebSocket-Accept answering `key`.
std::string websocket_accept(std::string_view key);
// The "101 Switching Protocols" answering a raw HTTP upgrade request; empty if the request
// carries no Sec-WebSocket-Key.
std::string upgrade_response(std::string_view request);
// One complete, unmasked server-to-client frame with FIN set (RFC 6455 §5.2).
std::string server_frame(std::uint8_t opcode, std::string_view payload);

class raw_server {
public:
    using clock = std::chrono::steady_clock;
    using script = std::function<void(raw_connection&)>;

    // Binds 127.0.0.1 on a free port and starts serving; the socket is closed after `serve`
    // returns (unless the script closed it itself).
    explicit raw_server(script serve);
    ~raw_server();  // stop()
    raw_server(const raw_server&) = delete;
    raw_server& operator=(const raw_server&) = delete;

    // Stops accepting, tells the running script to finish, joins the thread. Idempotent.
    void stop();

    std::uint16_t port() const noexcept;
    // "<scheme>://127.0.0.1:<port><target>"
    std::string url(std::string_view scheme, std::string_view target = "/websocket/v1") const;
    std::uint64_t connections_accepted() const;
    std::vector<clock::time_point> accept_times() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sise::test
