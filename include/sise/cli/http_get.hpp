// A one-shot HTTP/1.1 GET against sised, bounded by one deadline (resolve, connect, send
// and receive together), on top of sise_io's REST client.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "sise/core/url.hpp"

namespace sise::cli {

enum class http_failure {
    none,
    unreachable,   // no answer: resolve or connect failed, the deadline passed, connection dropped
    bad_response,  // the peer answered, but not with HTTP we could read
};

struct http_result {
    http_failure failure = http_failure::none;
    // Why, when failure != none. A passed deadline is boost::system::errc::timed_out.
    boost::system::error_code error;
    unsigned status = 0;  // HTTP status code
    std::string body;
};

// Bodies larger than this are refused: a snapshot is a few hundred bytes per market.
inline constexpr std::size_t max_body_size = 16 * 1024 * 1024;

// Plain http:// only: sised serves HTTP on a local port.
http_result http_get(const url& endpoint, std::chrono::milliseconds timeout);

}  // namespace sise::cli
