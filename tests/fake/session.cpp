// One client connection of the fake Upbit (see session.hpp): the protocol half in
// `session`, the I/O half in `stream_session<Stream>` for plain TCP and for TLS.
#include "fake/session.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "fake/server_core.hpp"

namespace sise::fake::detail {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

constexpr auto handshake_timeout = std::chrono::seconds(10);
constexpr auto request_timeout = std::chrono::seconds(30);  // also the REST keep-alive idle
constexpr auto close_timeout = std::chrono::seconds(5);
constexpr std::size_t read_chunk = 16 * 1024;
constexpr std::uint32_t header_limit = 8 * 1024;
constexpr std::size_t max_frame_header = 14;

std::size_t input_limit(const server_options& o) {
    return std::max(o.max_client_message_bytes + max_frame_header,
                    o.max_http_request_bytes + header_limit) +
           read_chunk;
}

bool quiet_error(const error_code& ec) {
    return ec == net::error::operation_aborted || ec == net::error::eof ||
           ec == http::error::end_of_stream || ec == net::error::connection_reset ||
           ec == beast::error::timeout;
}

}  // namespace

// --- protocol half ---------------------------------------------------------------------------

session::session(server_core& core, const net::any_io_executor& executor)
    : core_(core),
      in_(input_limit(core.options())),
      close_timer_(executor),
      reply_timer_(executor),
      protocol_(core.speaks().connect()),
      ping_timer_(executor),
      idle_timer_(executor),
      lifetime_timer_(executor),
      subscribe_timer_(executor),
      heartbeat_timer_(executor),
      heartbeats_timer_(executor) {}

void session::start_rules() {
    const keepalive_rules& rules = core_.rules();
    if (rules.server_ping_interval.count() > 0) schedule_ping();
    if (rules.client_idle_limit.count() > 0) {
        last_heard_ = std::chrono::steady_clock::now();
        schedule_idle_check();
    }
    enforce(subscribe_timer_, rules.subscribe_deadline, &session::subscribed_,
            "client did not subscribe in time");
    enforce(heartbeats_timer_, rules.heartbeats_deadline, &session::heartbeats_,
            "client did not subscribe to heartbeats in time");
    if (rules.connection_lifetime.count() > 0) {
        lifetime_timer_.expires_after(rules.connection_lifetime);
        lifetime_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->announce_shutdown();
        });
    }
}

void session::schedule_ping() {
    // Checked every ping interval: an unanswered ping older than the deadline drops the client
    // (binance.md §6: ping every 20 s, no pong within a minute = disconnect).
    ping_timer_.expires_after(core_.rules().server_ping_interval);
    ping_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (ec || !self->open()) return;
        const auto now = std::chrono::steady_clock::now();
        if (self->core_.stalled()) return self->schedule_ping();
        if (self->pong_due_) {
            if (now - self->ping_sent_ >= self->core_.rules().pong_deadline) {
                self->core_.note_pong_timeout();
                self->core_.log(5, "client missed its pong deadline");
                return self->drop();
            }
        } else {
            self->pong_due_ = true;
            self->ping_sent_ = now;
            self->queue_control(ws_opcode::ping, "sise-fake");
        }
        self->schedule_ping();
    });
}

void session::schedule_idle_check() {
    // A client that sent no frame at all (data, PING text, ping or pong) for the limit is
    // dropped (bithumb.md/upbit.md §6: idle timeout ~120 s). While the fake is stalled it reads
    // nothing, so the silence it cannot hear does not count: the clock restarts after a stall.
    idle_timer_.expires_at(last_heard_ + core_.rules().client_idle_limit);
    idle_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (ec || !self->open()) return;
        const auto now = std::chrono::steady_clock::now();
        if (self->core_.stalled()) {
            self->last_heard_ = now;
        } else if (now - self->last_heard_ >= self->core_.rules().client_idle_limit) {
            self->core_.note_idle_timeout();
            self->core_.log(5, "client silent for its idle limit");
            return self->drop();
        }
        self->schedule_idle_check();
    });
}

void session::enforce(net::steady_timer& timer, std::chrono::milliseconds deadline,
                      bool session::*kept, std::string_view what) {
    if (deadline.count() <= 0) return;
    timer.expires_after(deadline);
    timer.async_wait([self = shared_from_this(), kept, what](error_code ec) {
        if (ec || !self->open() || (*self).*kept) return;
        self->core_.note_idle_timeout();
        self->core_.log(5, "{}", what);
        self->drop();
    });
}

void session::schedule_heartbeat() {
    // coinbase.md A6: one heartbeat a second per connection, counting up. Not sent while the
    // fake is stalled (nothing is).
    heartbeat_timer_.expires_after(core_.rules().heartbeat_interval);
    heartbeat_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (ec || !self->open()) return;
        if (!self->core_.stalled()) {
            const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
            const std::string beat = self->core_.speaks().heartbeat(now, ++self->heartbeat_count_);
            if (!beat.empty()) self->queue_control(ws_opcode::text, beat);
        }
        self->schedule_heartbeat();
    });
}

void session::stamp_sequence(std::string& bytes, std::size_t from) {
    const std::string_view key = core_.speaks().sequence_key();
    if (key.empty()) return;
    const auto at = bytes.find(key, from);
    if (at == std::string::npos || at + key.size() + sequence_width > bytes.size()) return;
    char digits[sequence_width];
    const auto [end, ec] = std::to_chars(digits, digits + sequence_width, next_sequence_++);
    (void)ec;  // 20 characters hold any uint64
    bytes.replace(at + key.size(), static_cast<std::size_t>(end - digits), digits,
                  static_cast<std::size_t>(end - digits));
}

void session::announce_shutdown() {
    if (!open()) return;
    const std::string notice = core_.speaks().shutdown_notice(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
    if (!notice.empty())
        queue_control(core_.speaks().binary_data() ? ws_opcode::binary : ws_opcode::text, notice);
    lifetime_timer_.expires_after(core_.rules().shutdown_grace);
    lifetime_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->close(1000);
    });
}

void session::drop() { finish(); }

void session::close(std::uint16_t code) {
    if (!open()) return;
    send_close(code, false);
    // RFC 6455 §7.1.1: the server closes TCP after the client's close frame; bound the wait.
    close_timer_.expires_after(close_timeout);
    close_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->finish();
    });
}

void session::flush() {
    if (writing_ || pending_.empty() || core_.stalled() || phase_ == phase::finished) return;
    inflight_.swap(pending_);
    pending_.clear();
    writing_ = true;
    start_write();
}

bool session::queue(std::string_view encoded) {
    if (!open()) return false;
    if (!pending_.empty() && pending_.size() + encoded.size() > core_.options().max_pending_bytes) {
        return false;
    }
    const std::size_t from = pending_.size();
    pending_.append(encoded);
    stamp_sequence(pending_, from);
    return true;
}

void session::subscribe(std::vector<char> wants, bool realtime) {
    wants_ = std::move(wants);
    realtime_ = realtime;
    subscribed_ = true;
}

void session::queue_control(ws_opcode opcode, std::string_view payload) {
    if (!open()) return;
    if ((opcode == ws_opcode::text || opcode == ws_opcode::binary) &&
        !core_.speaks().sequence_key().empty()) {
        std::string numbered(payload);
        stamp_sequence(numbered, 0);
        append_frame(pending_, opcode, numbered);
    } else {
        append_frame(pending_, opcode, payload);  // tiny; not subject to max_pending_bytes
    }
    flush();
}

void session::send_close(std::uint16_t code, bool then_finish) {
    if (close_sent_) {
        if (then_finish) finish();
        return;
    }
    close_sent_ = true;
    pending_.clear();  // unsent data is abandoned: the close frame goes next
    append_close_frame(pending_, code);
    close_after_write_ = then_finish;
    flush();
}

void session::on_write_done(error_code ec) {
    writing_ = false;
    inflight_.clear();
    if (phase_ == phase::finished) return;
    if (ec) return fail(ec, "write");
    if (close_after_write_ && pending_.empty()) return finish();
    flush();
    // With a write in flight and nothing pending, render the next batch now (rate 0).
    if (pending_.empty()) core_.pump(*this);
}

bool session::process_input() {
    while (phase_ == phase::websocket) {
        const auto data = in_.data();
        const std::span<char> bytes(static_cast<char*>(data.data()), data.size());
        client_frame frame;
        std::size_t used = 0;
        switch (decode_client_frame(bytes, core_.options().max_client_message_bytes, frame, used)) {
            case decode_status::need_more:
                return true;
            case decode_status::protocol_error:
                core_.log(5, "websocket protocol error from client");
                send_close(close_protocol_error, true);
                return false;
            case decode_status::too_big:
                core_.log(5, "client frame above {} bytes",
                          core_.options().max_client_message_bytes);
                send_close(close_too_big, true);
                return false;
            case decode_status::frame:
                break;
        }
        const bool go_on = handle_frame(frame);
        in_.consume(used);
        if (!go_on) return false;
    }
    return false;
}

bool session::handle_frame(const client_frame& frame) {
    last_heard_ = std::chrono::steady_clock::now();
    switch (frame.opcode) {
        case ws_opcode::ping:
            queue_control(ws_opcode::pong, frame.payload);
            return true;
        case ws_opcode::pong:
            pong_due_ = false;
            return true;
        case ws_opcode::close: {
            if (close_sent_) {  // the answer to our close frame
                finish();
                return false;
            }
            // Echo the client's status code (§5.5.1), then close TCP once it is written.
            close_sent_ = true;
            pending_.clear();
            if (frame.payload.size() >= 2) {
                const auto hi = static_cast<unsigned char>(frame.payload[0]);
                const auto lo = static_cast<unsigned char>(frame.payload[1]);
                append_close_frame(pending_, static_cast<std::uint16_t>((hi << 8) | lo));
            } else {
                append_frame(pending_, ws_opcode::close, {});
            }
            close_after_write_ = true;
            flush();
            return false;
        }
        case ws_opcode::text:
        case ws_opcode::binary:
            if (in_message_) break;  // a new message inside a fragmented one
            if (frame.fin) {
                handle_message(frame.payload);
                return phase_ == phase::websocket;
            }
            message_.assign(frame.payload);
            in_message_ = true;
            return true;
        case ws_opcode::continuation:
            if (!in_message_) break;
            if (message_.size() + frame.payload.size() > core_.options().max_client_message_bytes) {
                send_close(close_too_big, true);
                return false;
            }
            message_.append(frame.payload);
            if (frame.fin) {
                in_message_ = false;
                handle_message(message_);
                message_.clear();
            }
            return phase_ == phase::websocket;
    }
    send_close(close_protocol_error, true);
    return false;
}

void session::handle_message(std::string_view payload) {
    if (!open()) return;
    client_action action = protocol_->on_message(payload);
    if (action.heartbeats && !heartbeats_) {
        heartbeats_ = true;
        if (core_.rules().heartbeat_interval.count() > 0) schedule_heartbeat();
    }
    switch (action.what) {
        case client_action::kind::ignore:
            return;
        case client_action::kind::reply:
            return queue_control(action.reply_binary ? ws_opcode::binary : ws_opcode::text,
                                 action.reply);
        case client_action::kind::reject:
            core_.log(5, "rejected request ({}): {:.120}", action.note, payload);
            return queue_control(action.reply_binary ? ws_opcode::binary : ws_opcode::text,
                                 action.reply);
        case client_action::kind::subscribe: {
            const std::size_t limit = core_.rules().max_streams;
            if (limit != 0 && action.codes.size() > limit) {
                core_.log(5, "rejected subscription of {} streams (limit {})", action.codes.size(),
                          limit);
                return queue_control(core_.speaks().binary_data() ? ws_opcode::binary
                                                                  : ws_opcode::text,
                                     core_.speaks().stream_limit_error(limit));
            }
            if (!action.reply.empty())
                queue_control(action.reply_binary ? ws_opcode::binary : ws_opcode::text,
                              action.reply);
            return core_.subscribe(*this, std::move(action));
        }
    }
}

void session::fail(error_code ec, std::string_view what) {
    if (phase_ == phase::finished) return;
    if (!quiet_error(ec)) core_.log(7, "{}: {}", what, ec.message());
    finish();
}

void session::finish() {
    if (phase_ == phase::finished) return;
    const auto self = shared_from_this();  // the core may hold the last reference
    phase_ = phase::finished;
    close_timer_.cancel();
    reply_timer_.cancel();
    ping_timer_.cancel();
    idle_timer_.cancel();
    lifetime_timer_.cancel();
    subscribe_timer_.cancel();
    heartbeat_timer_.cancel();
    heartbeats_timer_.cancel();
    close_socket();
    core_.remove(this);
}

// --- I/O half --------------------------------------------------------------------------------

namespace {

template <class Stream>
class stream_session final : public session {
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
    stream_session(server_core& core, tcp::socket&& socket) requires(!is_tls)
        : session(core, socket.get_executor()), ws_(std::move(socket)) {}

    stream_session(server_core& core, tcp::socket&& socket, net::ssl::context& tls) requires(is_tls)
        : session(core, socket.get_executor()), ws_(std::move(socket), tls) {}

    void start() override {
        if (core_.stalled()) return park(step::begin);
        begin();
    }

    void resume() override {
        switch (std::exchange(parked_, step::none)) {
            case step::none:
                break;
            case step::begin:
                begin();
                break;
            case step::read_request:
                do_read_request();
                break;
            case step::request:
                on_request();
                break;
            case step::respond:
                do_write_response();
                break;
            case step::frames:
                do_read_frames();
                break;
        }
        flush();
    }

private:
    // Where a session waits while the fake is stalled (no I/O is pending then; the core's
    // registry keeps the session alive).
    enum class step { none, begin, read_request, request, respond, frames };

    std::shared_ptr<stream_session> self() {
        return std::static_pointer_cast<stream_session>(shared_from_this());
    }
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(ws_); }
    Stream& stream() { return ws_.next_layer(); }
    void park(step s) { parked_ = s; }

    void begin() {
        if constexpr (is_tls) {
            lowest().expires_after(handshake_timeout);
            stream().async_handshake(
                net::ssl::stream_base::server,
                beast::bind_front_handler(&stream_session::on_tls_handshake, self()));
        } else {
            do_read_request();
        }
    }

    void on_tls_handshake(error_code ec) {
        if (ec) return fail(ec, "tls handshake");
        if (core_.stalled()) return park(step::read_request);
        do_read_request();
    }

    void do_read_request() {
        if (phase_ == phase::finished) return;
        phase_ = phase::http;
        parser_.emplace();
        parser_->header_limit(header_limit);
        parser_->body_limit(core_.options().max_http_request_bytes);
        lowest().expires_after(request_timeout);
        http::async_read(stream(), in_, *parser_,
                         beast::bind_front_handler(&stream_session::on_read_request, self()));
    }

    void on_read_request(error_code ec, std::size_t) {
        if (ec) return fail(ec, "read request");
        lowest().expires_never();
        if (core_.stalled()) return park(step::request);
        on_request();
    }

    void on_request() {
        const auto& req = parser_->get();
        if (req.find(http::field::origin) != req.end()) core_.note_origin();
        if (websocket::is_upgrade(req)) {
            // Any target is accepted (the dialect's websocket_path() is the real one); the
            // core notes it.
            core_.note_websocket(req.target());
            ws_.set_option(websocket::stream_base::timeout{handshake_timeout,
                                                           websocket::stream_base::none(), false});
            ws_.set_option(websocket::stream_base::decorator(
                [server = std::string(core_.speaks().server_header())](
                    websocket::response_type& res) { res.set(http::field::server, server); }));
            ws_.async_accept(req, beast::bind_front_handler(&stream_session::on_accept, self()));
            return;
        }
        if (!rest_seen_) {
            rest_seen_ = true;
            core_.note_rest_connection();
        }
        auto reply = core_.rest_response(req);
        if (!reply.res) return do_drain();
        res_ = std::move(*reply.res);
        if (reply.delay.count() <= 0) return do_write_response();
        // A slow answer: the timer keeps the fake's thread free for everyone else. The
        // client's bytes are not read meanwhile (HTTP/1.1 answers go in order anyway).
        reply_timer_.expires_after(reply.delay);
        reply_timer_.async_wait([self = self()](error_code ec) {
            if (ec || self->phase_ == phase::finished) return;
            if (self->core_.stalled()) return self->park(step::respond);
            self->do_write_response();
        });
    }

    void do_write_response() {
        http::async_write(stream(), res_,
                          beast::bind_front_handler(&stream_session::on_write_response, self()));
    }

    void on_write_response(error_code ec, std::size_t) {
        if (ec) return fail(ec, "write response");
        if (!res_.keep_alive()) {
            error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
            return finish();
        }
        if (core_.stalled()) return park(step::read_request);
        do_read_request();
    }

    // rest_fault::stall: the request is never answered; reading on only notices the client
    // giving up.
    void do_drain() {
        in_.consume(in_.size());
        stream().async_read_some(in_.prepare(read_chunk),
                                 [self = self()](error_code ec, std::size_t n) {
                                     if (ec) return self->fail(ec, "stalled request");
                                     self->in_.commit(n);
                                     self->do_drain();
                                 });
    }

    void on_accept(error_code ec) {
        if (ec) return fail(ec, "websocket handshake");
        phase_ = phase::websocket;
        start_rules();
        if (core_.options().log) {
            error_code ignored;
            const auto peer = lowest().socket().remote_endpoint(ignored);
            core_.log(6, "websocket client {}:{} on {}", peer.address().to_string(), peer.port(),
                      std::string_view(parser_->get().target()));
        }
        do_read_frames();
    }

    void do_read_frames() {
        if (phase_ != phase::websocket || reading_) return;
        if (!process_input()) return;
        if (core_.stalled()) return park(step::frames);
        reading_ = true;
        const std::size_t room = std::min(read_chunk, in_.max_size() - in_.size());
        stream().async_read_some(
            in_.prepare(room), beast::bind_front_handler(&stream_session::on_read_frames, self()));
    }

    void on_read_frames(error_code ec, std::size_t n) {
        reading_ = false;
        if (ec) {
            if (close_sent_) return finish();  // gone after (or during) the close handshake
            return fail(ec, "read");
        }
        in_.commit(n);
        // Stalled: keep the bytes unprocessed, so pings get no pong until the stall ends.
        if (core_.stalled()) return park(step::frames);
        do_read_frames();
    }

    void start_write() override {
        net::async_write(stream(), net::buffer(inflight_),
                         [self = self()](error_code ec, std::size_t) { self->on_write_done(ec); });
    }

    void close_socket() override { lowest().close(); }

    websocket::stream<Stream> ws_;  // only for the upgrade handshake; then raw I/O below it
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
    step parked_ = step::none;
    bool reading_ = false;
    bool rest_seen_ = false;
};

}  // namespace

std::shared_ptr<session> make_session(server_core& core, tcp::socket socket,
                                      net::ssl::context* tls) {
    if (tls != nullptr) {
        return std::make_shared<stream_session<beast::ssl_stream<beast::tcp_stream>>>(
            core, std::move(socket), *tls);
    }
    return std::make_shared<stream_session<beast::tcp_stream>>(core, std::move(socket));
}

}  // namespace sise::fake::detail
