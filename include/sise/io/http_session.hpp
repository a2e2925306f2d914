// One plain HTTP connection: reads a request's header section (requests carry no body), asks
// api::route what to answer and writes it, until the connection closes or upgrades to a
// ws_session. Bounded: header size, the time a request may take to arrive, one at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "sise/api/router.hpp"
#include "sise/io/connection_slot.hpp"

namespace sise::io {

class http_session : public std::enable_shared_from_this<http_session> {
public:
    // Header section limit (request line included); larger requests get 414 or 431.
    static constexpr std::size_t max_request_header_bytes = 8 * 1024;

    http_session(asio::ip::tcp::socket&& socket, connection_slot slot);

    void run() { do_read(); }

private:
    hub& owner() const noexcept { return slot_.owner(); }
    void do_read();
    void on_read(error_code ec, std::size_t);
    void on_unparsable(error_code ec);
    void send(api::response response, unsigned version, bool keep_alive, bool head);
    void on_write(error_code ec, bool keep_alive);

    boost::beast::tcp_stream stream_;
    connection_slot slot_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> parser_;
};

}  // namespace sise::io
