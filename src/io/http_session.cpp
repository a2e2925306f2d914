#include "sise/io/http_session.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/websocket.hpp>

#include "sise/core/version.hpp"
#include "sise/io/ws_session.hpp"

namespace sise::io {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// After a refusal that closes the connection, what the client still sends is read and dropped
// (at most this much, for at most this long) so that closing does not reset the connection
// before the client has read the answer (RFC 9112 §9.6).
constexpr std::size_t max_drain_bytes = 1024 * 1024;
constexpr auto drain_time = std::chrono::seconds{1};

// The Server field, made once.
const std::string server_name = std::string("sised/") + sise::version;

bool normal_end(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == beast::error::timeout ||
           ec == asio::error::operation_aborted || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

// Formats into `scratch` only for a max-age the config sets; the rest are constants.
std::string_view cache_control(const api::response& response, std::span<char, 48> scratch) {
    if (response.cache == api::cache_policy::public_max_age) {
        const auto end = fmt::format_to_n(scratch.data(), scratch.size(), "public, max-age={}",
                                          response.max_age_s);
        return {scratch.data(), static_cast<std::size_t>(end.out - scratch.data())};
    }
    switch (response.cache) {
        case api::cache_policy::no_store: break;
        case api::cache_policy::revalidate: return "no-cache";
        case api::cache_policy::public_short: return "public, max-age=300";
        case api::cache_policy::public_max_age: break;
    }
    return "no-store";
}

// One response on its way out: the message and what its body points into (the shared
// snapshot, or the response's own text), kept alive together until the write completes.
struct outgoing {
    http::response<http::span_body<const char>> message;
    std::string owned;
    publish::shared_text shared;
};

// Reads and discards what a refused client still sends, then closes; owns itself meanwhile.
class drain : public std::enable_shared_from_this<drain> {
public:
    drain(beast::tcp_stream&& stream, connection_slot slot)
        : stream_(std::move(stream)), slot_(std::move(slot)) {}

    void run() {
        stream_.expires_after(drain_time);
        do_read();
    }

private:
    void do_read() {
        stream_.async_read_some(asio::buffer(scratch_),
                                [self = shared_from_this()](error_code ec, std::size_t n) {
                                    self->drained_ += n;
                                    if (!ec && self->drained_ < max_drain_bytes) self->do_read();
                                });
    }

    beast::tcp_stream stream_;
    connection_slot slot_;
    std::array<char, 4096> scratch_{};
    std::size_t drained_ = 0;
};

}  // namespace

http_session::http_session(tcp::socket&& socket, connection_slot slot)
    : stream_(std::move(socket)), slot_(std::move(slot)), buffer_(max_request_header_bytes) {}

void http_session::do_read() {
    parser_.emplace();
    parser_->header_limit(max_request_header_bytes);
    // No body limit: the body is never read; route() refuses any request announcing one.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // The whole header section must arrive within the timeout: a slowloris client is cut off.
    // Only the header is read: requests have no body (a request announcing one is refused).
    stream_.expires_after(owner().config().http_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(error_code ec, std::size_t) {
    if (ec) return on_unparsable(ec);
    ++owner().stats().http_requests;
    auto& request = parser_->get();
    api::request_headers headers;
    headers.origin = request[http::field::origin];
    headers.transfer_encoding = request[http::field::transfer_encoding];
    headers.content_length = request[http::field::content_length];
    headers.if_none_match = request[http::field::if_none_match];
    headers.websocket_upgrade = websocket::is_upgrade(request);
    api::response response =
        api::route(request.method_string(), request.target(), headers, owner());
    if (response.status == 403) ++owner().stats().rejected_origins;
    if (response.close) ++owner().stats().refused_requests;

    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    const bool head = request.method() == http::verb::head;
    switch (response.what) {
        case api::action::respond:
            return send(std::move(response), version, keep_alive, head);
        case api::action::upgrade:
            stream_.expires_never();
            ws_session::run(std::make_shared<ws_session>(stream_.release_socket(), std::move(slot_)),
                            parser_->release());
            return;
        case api::action::history: {
            // Answered when the worker thread has read the files; nothing is read from this
            // connection meanwhile (one request at a time, as HTTP/1.1 without pipelining).
            auto target = std::move(*response.target);
            response.target.reset();
            return owner().backend().history_query(
                target, [self = shared_from_this(), pending = std::move(response), version,
                         keep_alive, head](unsigned status, std::string body) mutable {
                    pending.what = api::action::respond;
                    pending.status = status;
                    pending.body = std::move(body);
                    self->send(std::move(pending), version, keep_alive, head);
                });
        }
    }
}

void http_session::on_unparsable(error_code ec) {
    if (normal_end(ec)) return;  // the client left, or sent nothing whole in time
    api::framing_failure failure = api::framing_failure::malformed;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
        // The parser fills in the target once the request line is whole.
        failure = parser_->get().target().empty() ? api::framing_failure::request_line_too_long
                                                  : api::framing_failure::header_too_large;
    } else if (ec.category() != http::make_error_code(http::error::bad_target).category()) {
        return owner().client_error("http read", ec);
    }
    ++owner().stats().refused_requests;
    send(api::refuse(failure), 11, false, false);
}

void http_session::send(api::response response, unsigned version, bool keep_alive, bool head) {
    auto out = std::make_shared<outgoing>();
    out->owned = std::move(response.body);
    out->shared = std::move(response.shared_body);
    const std::string_view payload = out->shared ? std::string_view(*out->shared) : out->owned;
    auto& message = out->message;
    message.result(static_cast<http::status>(response.status));
    message.version(version);
    message.set(http::field::server, server_name);
    std::array<char, 48> scratch{};
    message.set(http::field::cache_control, cache_control(response, scratch));
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.keep_alive(keep_alive && !response.close);
    if (response.status == 304) {
        // RFC 9110 §15.4.5: no content, and no Content-Length or Content-Type, which would
        // describe an empty representation rather than the one the client holds (§8.6).
    } else {
        message.set(http::field::content_type, response.content_type);
        message.content_length(payload.size());
        // HEAD: the header fields of the GET, Content-Length included, and no body.
        if (!head) message.body() = {payload.data(), payload.size()};
    }
    stream_.expires_after(owner().config().http_timeout);
    http::async_write(stream_, out->message,
                      [self = shared_from_this(), out](error_code ec, std::size_t) {
                          self->on_write(ec, out->message.keep_alive());
                      });
}

void http_session::on_write(error_code ec, bool keep_alive) {
    if (ec) {
        if (!normal_end(ec)) owner().client_error("http write", ec);
        return;
    }
    if (!keep_alive) {
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return owner().client_error("http shutdown", ec);
        return std::make_shared<drain>(std::move(stream_), std::move(slot_))->run();
    }
    do_read();
}

}  // namespace sise::io
