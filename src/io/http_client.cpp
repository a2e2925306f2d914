#include "sise/io/http_client.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include "sise/core/version.hpp"
#include "transport.hpp"

namespace sise::io {
namespace {

namespace http = boost::beast::http;
using detail::use_tuple;

template <typename Stream>
asio::awaitable<error_code> exchange(Stream& stream, const url& endpoint,
                                     std::chrono::milliseconds timeout, std::size_t body_limit,
                                     http_response& response, std::string_view budget_header) {
    if (auto ec = co_await detail::open_stream(stream, endpoint, timeout)) co_return ec;

    http::request<http::empty_body> request{http::verb::get, endpoint.target, 11};
    request.set(http::field::host, endpoint.host_header());
    request.set(http::field::user_agent, std::string("sise/") + sise::version);
    request.set(http::field::accept, "application/json");
    // No Origin header (Upbit throttles requests with one, upbit.md §8).

    auto& lowest = boost::beast::get_lowest_layer(stream);
    lowest.expires_after(timeout);
    if (auto [ec, n] = co_await http::async_write(stream, request, use_tuple); ec) co_return ec;

    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple); ec)
        co_return ec;

    auto& message = parser.get();
    response.status = message.result_int();
    if (!budget_header.empty()) response.budget = std::string(message[budget_header]);
    response.body = std::move(message.body());
    co_return error_code{};
}

}  // namespace

asio::awaitable<error_code> http_get(const url& endpoint, ssl::context* tls,
                                     std::chrono::milliseconds timeout, std::size_t body_limit,
                                     http_response& response, std::string_view budget_header) {
    auto executor = co_await asio::this_coro::executor;
    if (endpoint.tls()) {
        if (!tls) co_return asio::error::no_protocol_option;
        detail::tls_stream stream(executor, *tls);
        co_return co_await exchange(stream, endpoint, timeout, body_limit, response, budget_header);
    }
    detail::plain_stream stream(executor);
    co_return co_await exchange(stream, endpoint, timeout, body_limit, response, budget_header);
}

}  // namespace sise::io
