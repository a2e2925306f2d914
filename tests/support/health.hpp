// GET /healthz as tests and benchmarks read it: one request, the body parsed once, fields
// read by JSON pointer ("/server/subscribers", "/feeds/0/state"), and the figures they watch
// (server, first feed) read into one value. Header-only: it uses simdjson, which the test and
// benchmark programs already link through sise_core.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/local_client.hpp"

namespace sise::test {

class healthz {
public:
    explicit healthz(std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::seconds{5})
        : response_(http_get(port, "/healthz", "", timeout)) {
        parsed_ = !response_.error && !parser_.parse(response_.body).get(root_);
    }
    healthz(const healthz&) = delete;
    healthz& operator=(const healthz&) = delete;

    // The HTTP exchange: its error if it failed, else the status and body.
    const http_result& response() const noexcept { return response_; }
    // Answered with a JSON body.
    bool parsed() const noexcept { return parsed_; }
    // The body has a value at `pointer` (RFC 6901, e.g. "/feeds/0").
    bool has(std::string_view pointer) const {
        simdjson::dom::element ignored;
        return parsed_ && !root_.at_pointer(pointer).get(ignored);
    }
    // The unsigned number at `pointer`; 0 if absent or not one.
    std::uint64_t number(std::string_view pointer) const {
        std::uint64_t value = 0;
        if (!parsed_ || root_.at_pointer(pointer).get(value)) return 0;
        return value;
    }
    // The string at `pointer`; "" if absent or not a string.
    std::string text(std::string_view pointer) const {
        std::string_view value;
        if (!parsed_ || root_.at_pointer(pointer).get(value)) return "";
        return std::string(value);
    }

private:
    http_result response_;
    simdjson::dom::parser parser_;
    simdjson::dom::element root_;
    bool parsed_ = false;
};

// What tests and benchmarks watch in /healthz: the server's counters and the first feed's.
struct daemon_health {
    bool answered = false;  // answered with a body holding /server and /feeds/0
    unsigned status = 0;
    std::string failure;  // why answered is false: the HTTP error or the body
    std::uint64_t seq = 0;
    std::uint64_t open_connections = 0;  // includes the /healthz request itself
    std::uint64_t subscribers = 0;
    std::uint64_t http_requests = 0;
    std::uint64_t rejected_connections = 0;
    std::uint64_t bad_client_messages = 0;
    std::uint64_t slow_client_disconnects = 0;
    std::string feed_state;
    std::string last_error;
    std::uint64_t connect_attempts = 0;
    std::uint64_t feed_connections = 0;
    std::uint64_t frames = 0;
    std::uint64_t tickers = 0;
    std::uint64_t bad_frames = 0;
    std::uint64_t oversized_frames = 0;
};

inline daemon_health read_health(std::uint16_t port,
                                 std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    daemon_health out;
    const healthz health(port, timeout);
    if (health.response().error) {
        out.failure = "GET /healthz: " + health.response().error.message();
        return out;
    }
    out.status = health.response().status;
    if (!health.has("/server") || !health.has("/feeds/0")) {
        out.failure = "unparsable /healthz body: " + health.response().body;
        return out;
    }
    out.seq = health.number("/seq");
    out.open_connections = health.number("/server/open_connections");
    out.subscribers = health.number("/server/subscribers");
    out.http_requests = health.number("/server/http_requests");
    out.rejected_connections = health.number("/server/rejected_connections");
    out.bad_client_messages = health.number("/server/bad_client_messages");
    out.slow_client_disconnects = health.number("/server/slow_client_disconnects");
    out.feed_state = health.text("/feeds/0/state");
    out.last_error = health.text("/feeds/0/last_error");
    out.connect_attempts = health.number("/feeds/0/connect_attempts");
    out.feed_connections = health.number("/feeds/0/connections");
    out.frames = health.number("/feeds/0/frames");
    out.tickers = health.number("/feeds/0/tickers");
    out.bad_frames = health.number("/feeds/0/bad_frames");
    out.oversized_frames = health.number("/feeds/0/oversized_frames");
    out.answered = true;
    return out;
}

}  // namespace sise::test
