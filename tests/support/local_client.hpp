// A test's view of sised as a local client sees it: the client library's websocket
// subscriber (sise/client/stream_client.hpp) on 127.0.0.1, and a one-shot HTTP GET that keeps
// the raw headers. Each owns its io_context and runs it only inside its calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/system/error_code.hpp>

#include "sise/client/stream_client.hpp"

namespace sise::test {

using namespace std::chrono_literals;

// The client library's stream client, connected to 127.0.0.1:port.
class stream_client : public client::stream_client {
public:
    // Connects to ws://127.0.0.1:port/v1/stream; `origin` empty sends no Origin header.
    explicit stream_client(std::uint16_t port, std::string origin = "",
                           std::string target = "/v1/stream")
        : client::stream_client("127.0.0.1", std::to_string(port), target, origin) {}
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
