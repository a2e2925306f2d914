// GET /healthz as tests and benchmarks read it: one request, the body parsed once, fields
// read by JSON pointer ("/server/subscribers", "/feeds/0/state"). Header-only: it uses
// simdjson, which the test and benchmark programs already link through sise_core.
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

}  // namespace sise::test
