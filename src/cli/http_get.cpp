#include "sise/cli/http_get.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/errc.hpp>
#include <memory>
#include <optional>
#include <utility>

#include "sise/core/version.hpp"

namespace sise::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

// The HTTP parser's own errors mean the peer did answer, with something we cannot read.
// A connection closed before the first byte of a response is an unreachable daemon.
bool is_protocol_error(const error_code& ec) {
    return ec.category() == make_error_code(http::error::bad_version).category() &&
           ec != http::error::end_of_stream;
}

// Shaped after Beast's http_client_async example: the session owns itself through
// shared_from_this, one do/on pair per step. One deadline bounds everything: a timer for
// the resolve (the resolver has no timeout of its own), then the stream's expiry, set once,
// so connect, write and read share what is left of it.
class get_session : public std::enable_shared_from_this<get_session> {
public:
    get_session(net::io_context& ioc, const http_url& url, std::string_view target,
                net::steady_timer::time_point deadline, http_result& result)
        : strand_(net::make_strand(ioc)),
          resolver_(strand_),
          timer_(strand_),
          stream_(strand_),
          url_(url),
          deadline_(deadline),
          result_(result) {
        request_.version(11);
        request_.method(http::verb::get);
        request_.target(std::string(target));
        request_.set(http::field::host, url_.host_header);
        request_.set(http::field::user_agent, std::string("sise/") + sise::version);
        request_.set(http::field::accept, "application/json");
        request_.keep_alive(false);
        parser_.emplace();
        parser_->body_limit(max_body_size);
    }

    void run() {
        timer_.expires_at(deadline_);
        timer_.async_wait(beast::bind_front_handler(&get_session::on_deadline, shared_from_this()));
        resolver_.async_resolve(
            url_.host, url_.port,
            beast::bind_front_handler(&get_session::on_resolve, shared_from_this()));
    }

private:
    void on_deadline(error_code ec) {
        if (ec) return;  // cancelled: the resolve finished in time
        timed_out_ = true;
        resolver_.cancel();
    }

    void on_resolve(error_code ec, tcp::resolver::results_type endpoints) {
        timer_.cancel();
        if (ec)
            return fail(timed_out_ ? make_error_code(boost::system::errc::timed_out) : ec, false);
        stream_.expires_at(deadline_);
        stream_.async_connect(
            endpoints, beast::bind_front_handler(&get_session::on_connect, shared_from_this()));
    }

    void on_connect(error_code ec, const tcp::endpoint&) {
        if (ec) return fail(ec, false);
        http::async_write(stream_, request_,
                          beast::bind_front_handler(&get_session::on_write, shared_from_this()));
    }

    void on_write(error_code ec, std::size_t) {
        if (ec) return fail(ec, false);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&get_session::on_read, shared_from_this()));
    }

    void on_read(error_code ec, std::size_t) {
        if (ec) return fail(ec, is_protocol_error(ec));
        auto response = parser_->release();
        result_.status = response.result_int();
        result_.reason = std::string(response.reason());
        result_.body = std::move(response.body());
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    // `answered`: the peer sent something that is not HTTP (or too large a body), which is a
    // bad response rather than an unreachable daemon.
    void fail(error_code ec, bool answered) {
        if (ec == beast::error::timeout) ec = make_error_code(boost::system::errc::timed_out);
        result_.failure = answered ? http_failure::bad_response : http_failure::unreachable;
        result_.error = ec;
    }

    net::strand<net::io_context::executor_type> strand_;
    tcp::resolver resolver_;
    net::steady_timer timer_;
    beast::tcp_stream stream_;
    http_url url_;
    net::steady_timer::time_point deadline_;
    http::request<http::empty_body> request_;
    beast::flat_buffer buffer_;
    std::optional<http::response_parser<http::string_body>> parser_;
    http_result& result_;
    bool timed_out_ = false;
};

}  // namespace

http_result http_get(const http_url& url, std::string_view target,
                     std::chrono::milliseconds timeout) {
    http_result result;
    net::io_context ioc{1};
    std::make_shared<get_session>(ioc, url, target, net::steady_timer::clock_type::now() + timeout,
                                  result)
        ->run();
    ioc.run();
    return result;
}

}  // namespace sise::cli
