#include "sise/cli/http_get.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/error.hpp>

#include "sise/io/http_client.hpp"

namespace sise::cli {

http_result http_get(const url& endpoint, std::chrono::milliseconds timeout) {
    http_result result;
    boost::asio::io_context context;
    io::http_response response;
    bool done = false;
    boost::asio::co_spawn(context, io::http_get(endpoint, nullptr, timeout, max_body_size, response),
                          [&](std::exception_ptr error, boost::system::error_code ec) {
                              done = true;
                              result.error = error ? make_error_code(boost::system::errc::io_error)
                                                   : ec;
                          });
    // One deadline for the whole exchange, whatever step it is in.
    context.run_for(timeout);
    if (!done) {
        result.failure = http_failure::unreachable;
        result.error = make_error_code(boost::system::errc::timed_out);
        return result;
    }
    if (result.error) {
        namespace http = boost::beast::http;
        // Beast's HTTP category means the peer answered with something that is not HTTP we
        // can read; a connection closed before any answer is "unreachable".
        const bool http_error =
            result.error.category() == make_error_code(http::error::end_of_stream).category();
        result.failure = http_error && result.error != http::error::end_of_stream
                             ? http_failure::bad_response
                             : http_failure::unreachable;
        return result;
    }
    result.status = response.status;
    result.body = std::move(response.body);
    return result;
}

}  // namespace sise::cli
