// The HTTP benchmark's load generator: N keep-alive HTTP/1.1 connections on one thread, each
// with one request in flight, sending the same request again as soon as the answer is whole,
// for a fixed time. The same client measures sised and nginx. It reads just enough HTTP for
// their answers (Content-Length framing, or no body for a 304) and nothing else.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sise::bench {

struct load_result {
    std::uint64_t all_responses = 0;  // warm-up included (for CPU per answer)
    std::uint64_t responses = 0;      // whole answers within the measured time
    std::uint64_t ok = 0;             // 200
    std::uint64_t not_modified = 0;   // 304
    std::uint64_t other = 0;          // any other status
    std::uint64_t body_bytes = 0;
    std::uint64_t errors = 0;  // connections lost or answers that did not parse
    double seconds = 0;

    double per_second() const { return seconds > 0 ? static_cast<double>(responses) / seconds : 0; }
};

struct load_options {
    std::size_t connections = 32;
    std::chrono::milliseconds warmup{1'000};   // answers not counted
    std::chrono::milliseconds measure{5'000};  // answers counted
};

// `request` is the whole request text, sent as is on every turn (it must keep the connection
// alive: HTTP/1.1 without "Connection: close").
load_result run_load(std::uint16_t port, const std::string& request, const load_options& options);

// "GET <target> HTTP/1.1" with Host and, when `if_none_match` is not empty, If-None-Match.
std::string get_request(const std::string& target, const std::string& if_none_match = "");

}  // namespace sise::bench
