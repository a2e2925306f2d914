// A one-shot HTTP/1.1 GET against sised, bounded by one deadline (resolve, connect, send
// and receive together). Declarations only: Beast stays inside http_get.cpp.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "sise/cli/url.hpp"

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
    std::string reason;   // HTTP reason phrase
    std::string body;
};

// Bodies larger than this are refused: a snapshot is a few hundred bytes per market.
inline constexpr std::size_t max_body_size = 16 * 1024 * 1024;

http_result http_get(const http_url& url, std::string_view target,
                     std::chrono::milliseconds timeout);

}  // namespace sise::cli
