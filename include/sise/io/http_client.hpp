// A one-request HTTP/1.1 GET over TCP or TLS, bounded in time and size. Enough for the REST
// calls a feed makes (market names; later, candle backfill).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "sise/core/url.hpp"
#include "sise/io/asio.hpp"

namespace sise::io {

struct http_response {
    unsigned status = 0;
    std::string body;
    std::string budget;  // the value of the requested rate-limit header, when present
};

// `tls` is required for https:// URLs. The whole exchange (resolve to last body byte) is
// bounded by `timeout`; bodies above `body_limit` fail with an error. The value of header
// `budget_header` (the exchange's rate-limit budget, e.g. Upbit's Remaining-Req) lands in
// response.budget when it is not empty.
asio::awaitable<error_code> http_get(const url& endpoint, ssl::context* tls,
                                     std::chrono::milliseconds timeout, std::size_t body_limit,
                                     http_response& response, std::string_view budget_header = {});

}  // namespace sise::io
