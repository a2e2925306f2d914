// A test's view of sised as a local client sees it: a websocket subscriber with timeouts on
// every step, and a one-shot HTTP GET. Each client owns its io_context and runs it only
// inside its calls, so a test stays single-threaded and deterministic.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/system/error_code.hpp>

namespace sise::test {

using namespace std::chrono_literals;

class stream_client {
public:
    // Connects to ws://127.0.0.1:port/v1/stream; `origin` empty sends no Origin header.
    explicit stream_client(std::uint16_t port, std::string origin = "",
                           std::string target = "/v1/stream");
    ~stream_client();

    // The handshake's error, if it failed (e.g. a 403 for a refused Origin).
    const boost::system::error_code& connect_error() const noexcept;
    bool connected() const noexcept { return !connect_error(); }

    // The next message, or nullopt on timeout (the read stays pending for the next call) or
    // on error (the connection is then unusable).
    std::optional<std::string> read(std::chrono::milliseconds timeout = 5s);
    bool send(const std::string& text, std::chrono::milliseconds timeout = 5s);
    // Sets the socket's receive buffer small (call before reading nothing, to make the
    // server's send path fill up quickly).
    void shrink_receive_buffer();
    // True once the server has closed the connection (reads until EOF or timeout).
    bool closed_by_server(std::chrono::milliseconds timeout = 5s);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

struct http_result {
    boost::system::error_code error;
    unsigned status = 0;
    std::string body;
    std::string header(const std::string& name) const;
    std::string raw_headers;
};

http_result http_get(std::uint16_t port, const std::string& target, const std::string& origin = "",
                     std::chrono::milliseconds timeout = 5s);

}  // namespace sise::test
