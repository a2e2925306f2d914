#include "sise/io/ws_session.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>

#include "sise/api/router.hpp"
#include "sise/core/version.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/log.hpp"

namespace sise::io {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// A client sending this many bad messages in a row is closed (1008 policy violation).
constexpr int max_bad_messages = 8;

// The ends of a session that are no news: the peer left, we closed it, or shutdown.
bool normal_end(const error_code& ec) {
    return ec == websocket::error::closed || ec == asio::error::operation_aborted ||
           ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor;
}

// The accepted socket, on the room's loop: the same descriptor, handed from the main loop's
// reactor to the room's (no operation is pending on it).
asio::ip::tcp::socket on_loop(asio::ip::tcp::socket&& socket, room& r) {
    if (r.on_main_loop()) return std::move(socket);
    asio::ip::tcp::socket moved(r.context());
    error_code ec;
    const auto protocol = socket.local_endpoint(ec).protocol();
    if (!ec) {
        const auto fd = socket.release(ec);
        // On failure `moved` stays closed: the handshake fails, counted as a client error.
        if (!ec) moved.assign(protocol, fd, ec);
    }
    return moved;
}

}  // namespace

ws_session::ws_session(asio::ip::tcp::socket&& socket, connection_slot slot)
    : room_(slot.owner().next_room()),
      ws_(on_loop(std::move(socket), *room_)),
      slot_(std::move(slot)) {}

ws_session::~ws_session() {
    if (!joined_) return;
    // One reason per session that got as far as subscribing; a slow client is counted in
    // slow_client_disconnects instead (its own label).
    if (end_reason_) ++owner().stats().disconnects[static_cast<std::size_t>(*end_reason_)];
    owner().leave(*this, std::move(slot_));
}

void ws_session::ended(stats::client_disconnect_reason reason) {
    if (!end_reason_ && !slow_) end_reason_ = reason;
}

void ws_session::run(std::shared_ptr<ws_session> self, http::request<http::empty_body> request) {
    if (self->room_->on_main_loop()) return self->start(std::move(request));
    asio::io_context& loop = self->room_->context();
    asio::post(loop, [self = std::move(self), request = std::move(request)]() mutable {
        self->start(std::move(request));
    });
}

void ws_session::start(http::request<http::empty_body> request) {
    const auto& config = owner().config();
    if (config.client_send_buffer_bytes != 0) {
        // Bounds what the kernel holds for a client that stops reading (docs/robustness.md).
        error_code ec;
        beast::get_lowest_layer(ws_).socket().set_option(
            asio::socket_base::send_buffer_size(static_cast<int>(config.client_send_buffer_bytes)),
            ec);
        if (ec) owner().client_error("set SO_SNDBUF", ec);
    }
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = config.http_timeout;
    // Liveness is checked by check_deadlines (ping at half the write timeout, close at all of
    // it), which can close abortively: Beast's own idle timeout would leave the unsent bytes
    // of a dead client in the kernel after the close.
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
        // After the client's close, Beast answers it: no frame of ours may follow.
        if (kind == websocket::frame_type::close)
            closing_ = true;
        else
            heard_from_client();
    });
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
        response.set(http::field::server, std::string("sised/") + sise::version);
    }));
    ws_.read_message_max(config.max_client_message_bytes);
    // Synchronous sends return would_block instead of waiting (ws_session::do_write).
    error_code blocking_ec;
    beast::get_lowest_layer(ws_).socket().non_blocking(true, blocking_ec);
    if (blocking_ec) owner().client_error("set non-blocking", blocking_ec);
    ws_.async_accept(request,
                     beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
}

void ws_session::deliver(const publish::publication& publication) {
    if (queue_.add(publication) && publication.oldest_receipt_ms > 0)
        pending_receipt_ms_ = pending_receipt_ms_ == 0
                                  ? publication.oldest_receipt_ms
                                  : std::min(pending_receipt_ms_, publication.oldest_receipt_ms);
    if (!writing_) do_write();
}

void ws_session::check_deadlines(std::chrono::steady_clock::time_point now) {
    if (closing_) return;
    const auto timeout = owner().config().client_write_timeout;
    const bool stuck = writing_ && now - write_started_ >= timeout;
    if (stuck || now - last_heard_ >= timeout) {
        ++owner().stats().slow_client_disconnects;
        // A stuck write is its own reason; an unanswered ping is the "slow" label's.
        if (stuck) ended(stats::client_disconnect_reason::write_timeout);
        slow_ = true;
        log(log_level::notice, "closing a websocket client that stopped reading ({})",
            stuck ? "write stuck" : "no pong");
        owner().changed();
        return close_now();
    }
    if (!ping_outstanding_ && now - last_heard_ >= timeout / 2) {
        // A client that reads answers with a pong (RFC 6455 §5.5.2); one that stopped cannot.
        ping_outstanding_ = true;
        ws_.async_ping({}, [self = shared_from_this()](error_code ec) {
            if (ec && !normal_end(ec)) self->owner().client_error("websocket ping", ec);
        });
    }
}

void ws_session::resubscribe() {
    if (closing_) return;
    queue_.subscribe(owner().current(), queue_.filter(), &owner().filter_groups());
    if (!writing_) do_write();
}

void ws_session::heard_from_client() {
    last_heard_ = std::chrono::steady_clock::now();
    ping_outstanding_ = false;
}

void ws_session::go_away() {
    ended(stats::client_disconnect_reason::shutdown);
    if (writing_) return close_now();
    closing_ = true;
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](error_code ec) {
        if (ec && !normal_end(ec)) self->owner().client_error("websocket close", ec);
    });
}

void ws_session::close_now() {
    closing_ = true;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    error_code ec;
    // Abortive close: a client that stopped reading would otherwise keep what is queued for it
    // in the kernel (an orphaned socket) until TCP gives up on it, minutes later.
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    if (ec) owner().client_error("set SO_LINGER", ec);
    socket.close(ec);
    if (ec) owner().client_error("close", ec);
}

void ws_session::on_accept(error_code ec) {
    if (ec) return owner().client_error("websocket handshake", ec);
    ++owner().stats().websocket_sessions;
    owner().join(*this);
    joined_ = true;
    heard_from_client();
    queue_.subscribe(owner().current(), publish::subscription{});
    do_write();
    do_read();
}

void ws_session::do_read() {
    ws_.async_read(read_buffer_,
                   beast::bind_front_handler(&ws_session::on_read, shared_from_this()));
}

void ws_session::on_read(error_code ec, std::size_t) {
    if (ec) {
        // Closed, too big or not UTF-8: the session ends.
        closing_ = true;
        if (!normal_end(ec)) {
            owner().client_error("websocket read", ec);
            ended(stats::client_disconnect_reason::error);
        }
        ended(stats::client_disconnect_reason::client_closed);
        return;
    }
    heard_from_client();
    auto data = read_buffer_.cdata();
    std::string_view message{static_cast<const char*>(data.data()), data.size()};
    publish::client_request request;
    error_code parse_ec;
    owner().client_parser().parse(message, request, parse_ec);
    read_buffer_.clear();
    if (parse_ec) {
        ++owner().stats().bad_client_messages;
        owner().changed();
        if (++bad_messages_ >= max_bad_messages) {
            ended(stats::client_disconnect_reason::bad_messages);
            closing_ = true;
            ws_.async_close(websocket::close_code::policy_error,
                            [self = shared_from_this()](error_code close_ec) {
                                if (close_ec && !normal_end(close_ec))
                                    self->owner().client_error("websocket close", close_ec);
                            });
            return;
        }
        notice_ = publish::shared_frame::copy_of(api::bad_subscribe_json());
    } else {
        bad_messages_ = 0;
        queue_.subscribe(owner().current(), std::move(request.filter), &owner().filter_groups());
    }
    if (!writing_) do_write();
    do_read();
}

void ws_session::do_write() {
    if (closing_) return;
    publish::shared_frame message = std::exchange(notice_, {});
    if (!message) message = queue_.take(owner().current());
    if (!message) return;
    writing_ = true;
    in_flight_ = std::move(message);
    in_flight_receipt_ms_ = std::exchange(pending_receipt_ms_, 0);
    const auto bytes = in_flight_.bytes();
    // Most writes fit the socket's send buffer: sent at once, nothing to wait for.
    error_code ec;
    const std::size_t sent =
        ws_.next_layer().write_frame_now(asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec != asio::error::would_block && (ec || sent == bytes.size())) return on_write(ec, sent);
    // The rest when the client has read enough; check_deadlines watches how long that takes.
    write_started_ = std::chrono::steady_clock::now();
    ws_.next_layer().async_write_frame(
        asio::buffer(bytes.data() + sent, bytes.size() - sent),
        beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
}

void ws_session::on_write(error_code ec, std::size_t) {
    writing_ = false;
    in_flight_ = {};
    if (ec) {
        if (!normal_end(ec) && !closing_) {
            owner().client_error("websocket write", ec);
            ended(stats::client_disconnect_reason::error);
        }
        ended(stats::client_disconnect_reason::client_closed);
        return close_now();
    }
    if (in_flight_receipt_ms_ > 0) {
        owner().stats().delivery_latency.observe((now_ms() - in_flight_receipt_ms_) * 1000);
        owner().changed();
    }
    do_write();
}

}  // namespace sise::io
