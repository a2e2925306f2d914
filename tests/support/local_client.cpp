#include "support/local_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sise::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Runs the context until `done` or the timeout; on timeout cancels `socket`'s work.
bool run_until(asio::io_context& context, const bool& done, std::chrono::milliseconds timeout,
               tcp::socket& socket) {
    context.restart();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline)
        context.run_one_for(deadline - std::chrono::steady_clock::now());
    if (done) return true;
    error_code ignored;
    socket.close(ignored);
    context.restart();
    context.run_for(1s);
    return false;
}

}  // namespace

std::string http_result::header(const std::string& name) const {
    std::string lower_headers = raw_headers;
    std::string lower_name = name + ":";
    for (auto* s : {&lower_headers, &lower_name})
        for (auto& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto at = lower_headers.find("\n" + lower_name);
    if (at == std::string::npos) return "";
    auto start = at + 1 + lower_name.size();
    auto end = raw_headers.find('\r', start);
    auto value = raw_headers.substr(start, end - start);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
}

http_result http_get(std::uint16_t port, const std::string& target, const std::string& origin,
                     std::chrono::milliseconds timeout) {
    http_result result;
    asio::io_context context;
    tcp::socket socket(context);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), result.error);
    if (result.error) return result;
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!origin.empty()) request.set(http::field::origin, origin);
    http::response<http::string_body> response;
    beast::flat_buffer buffer;
    bool done = false;
    http::async_write(socket, request, [&](error_code ec, std::size_t) {
        if (ec) {
            result.error = ec;
            done = true;
            return;
        }
        http::async_read(socket, buffer, response, [&](error_code read_ec, std::size_t) {
            result.error = read_ec;
            done = true;
        });
    });
    if (!run_until(context, done, timeout, socket)) result.error = asio::error::timed_out;
    if (result.error) return result;
    result.status = response.result_int();
    result.body = response.body();
    std::ostringstream headers;
    headers << "\n" << response.base();
    result.raw_headers = headers.str();
    return result;
}

}  // namespace sise::test
