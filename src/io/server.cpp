#include "sise/io/server.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "sise/core/version.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/log.hpp"
#include "sise/publish/http_target.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::io {
namespace {

using publish::error_json;

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr std::size_t max_request_header_bytes = 8 * 1024;
// A client sending this many bad messages in a row is closed (1008 policy violation).
constexpr int max_bad_messages = 8;

bool origin_allowed(const server_config& config, std::string_view origin) {
    // Non-browser clients send no Origin; browsers always do, so only they are restricted.
    if (origin.empty()) return true;
    return std::any_of(
        config.allowed_origins.begin(), config.allowed_origins.end(),
        [&](const std::string& allowed) { return allowed == "*" || allowed == origin; });
}

}  // namespace

class ws_session;

struct server::impl : std::enable_shared_from_this<server::impl> {
    impl(asio::io_context& context, const server_config& cfg, server_backend& be)
        : config(cfg),
          backend(be),
          acceptor(asio::make_strand(context)),
          accept_retry(context),
          housekeeping(context) {}

    void listen();
    void do_accept();
    void on_accept(error_code ec, tcp::socket socket);
    void schedule_housekeeping();
    void stop();

    server_config config;
    server_backend& backend;
    tcp::acceptor acceptor;
    asio::steady_timer accept_retry;
    asio::steady_timer housekeeping;
    std::uint16_t port = 0;
    server_stats stats;
    std::unordered_set<ws_session*> subscribers;
    publish::client_message_parser client_parser;
    log_limiter client_log;
    bool stopping = false;
};

namespace {

// Counts an open connection for as long as some session holds it.
class connection_slot {
public:
    explicit connection_slot(std::shared_ptr<server::impl> owner) : owner_(std::move(owner)) {
        ++owner_->stats.open_connections;
    }
    connection_slot(connection_slot&& other) noexcept = default;
    connection_slot& operator=(connection_slot&&) = delete;
    ~connection_slot() {
        if (owner_) --owner_->stats.open_connections;
    }
    server::impl& owner() const noexcept { return *owner_; }

private:
    std::shared_ptr<server::impl> owner_;
};

}  // namespace

// A websocket subscriber: snapshot on connect, then coalesced updates; at most one write in
// flight, everything else is pending rows in its subscriber_queue.
class ws_session : public std::enable_shared_from_this<ws_session> {
public:
    ws_session(tcp::socket&& socket, connection_slot slot)
        : ws_(std::move(socket)), slot_(std::move(slot)) {}

    ~ws_session() {
        hub().subscribers.erase(this);
        hub().stats.subscribers = hub().subscribers.size();
    }

    void run(http::request<http::empty_body> request) {
        auto& config = hub().config;
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = config.http_timeout;
        timeouts.idle_timeout = std::chrono::seconds{60};
        timeouts.keep_alive_pings = true;
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
            response.set(http::field::server, std::string("sised/") + sise::version);
        }));
        ws_.read_message_max(config.max_client_message_bytes);
        ws_.async_accept(request, beast::bind_front_handler(&ws_session::on_accept,
                                                            shared_from_this()));
    }

    // A publication arrived: remember what this subscriber wants of it, send if idle.
    void deliver(const publish::publication& publication) {
        queue_.add(publication);
        if (!writing_) do_write();
    }

    // Called once a second: a write stuck this long means the client is not reading.
    void check_write_deadline(steady::time_point now) {
        if (!writing_ || now - write_started_ < hub().config.client_write_timeout) return;
        ++hub().stats.slow_client_disconnects;
        log(log_level::notice, "closing a websocket client that stopped reading");
        close_now();
    }

    void go_away() {
        if (writing_) return close_now();
        closing_ = true;
        ws_.async_close(websocket::close_code::going_away,
                        [self = shared_from_this()](error_code) {});
    }

private:
    server::impl& hub() const noexcept { return slot_.owner(); }

    void close_now() {
        closing_ = true;
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    void on_accept(error_code ec) {
        if (ec) return;
        ++hub().stats.websocket_sessions;
        hub().subscribers.insert(this);
        hub().stats.subscribers = hub().subscribers.size();
        queue_.subscribe(hub().backend.table(), publish::subscription{});
        do_write();
        do_read();
    }

    void do_read() {
        ws_.async_read(read_buffer_,
                       beast::bind_front_handler(&ws_session::on_read, shared_from_this()));
    }

    void on_read(error_code ec, std::size_t) {
        if (ec) return;  // closed, timed out, too big or not UTF-8: the session ends
        auto data = read_buffer_.cdata();
        std::string_view message{static_cast<const char*>(data.data()), data.size()};
        publish::client_request request;
        error_code parse_ec;
        hub().client_parser.parse(message, request, parse_ec);
        read_buffer_.clear();
        if (parse_ec) {
            ++hub().stats.bad_client_messages;
            if (++bad_messages_ >= max_bad_messages) {
                ws_.async_close(websocket::close_code::policy_error,
                                [self = shared_from_this()](error_code) {});
                return;
            }
            notice_ = std::make_shared<const std::string>(
                error_json("bad_request", "expected {\"type\":\"subscribe\",\"markets\":[...]}"));
        } else {
            bad_messages_ = 0;
            queue_.subscribe(hub().backend.table(), std::move(request.filter));
        }
        if (!writing_) do_write();
        do_read();
    }

    void do_write() {
        if (closing_) return;
        publish::shared_text message = std::exchange(notice_, nullptr);
        if (!message) message = queue_.take(hub().backend.publisher());
        if (!message) return;
        writing_ = true;
        write_started_ = steady::now();
        in_flight_ = std::move(message);
        ws_.text(true);
        ws_.async_write(asio::buffer(*in_flight_),
                        beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
    }

    void on_write(error_code ec, std::size_t) {
        writing_ = false;
        in_flight_.reset();
        if (ec) return close_now();
        do_write();
    }

    websocket::stream<beast::tcp_stream> ws_;
    connection_slot slot_;
    beast::flat_buffer read_buffer_;
    publish::subscriber_queue queue_;
    publish::shared_text in_flight_;
    publish::shared_text notice_;
    steady::time_point write_started_{};
    int bad_messages_ = 0;
    bool writing_ = false;
    bool closing_ = false;
};

// Plain HTTP: requests on a keep-alive connection until it upgrades to a websocket.
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, connection_slot slot)
        : stream_(std::move(socket)), slot_(std::move(slot)) {}

    void run() { do_read(); }

private:
    server::impl& hub() const noexcept { return slot_.owner(); }

    void do_read() {
        parser_.emplace();
        parser_->header_limit(max_request_header_bytes);
        parser_->body_limit(0);
        // The whole request must arrive within the timeout: a slowloris client is cut off.
        stream_.expires_after(hub().config.http_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    }

    void on_read(error_code ec, std::size_t) {
        if (ec) return;  // end of stream, timeout or a malformed request: drop the connection
        ++hub().stats.http_requests;
        auto& request = parser_->get();
        const std::string_view origin = request[http::field::origin];
        if (!origin_allowed(hub().config, origin)) {
            ++hub().stats.rejected_origins;
            return respond(http::status::forbidden,
                           error_json("origin_not_allowed", "this Origin is not allowed"), origin);
        }
        auto target = publish::parse_target(request.target());
        if (!target) return respond(http::status::bad_request,
                                    error_json("bad_target", "malformed request target"), origin);

        if (websocket::is_upgrade(request)) {
            if (target->path != "/v1/stream")
                return respond(http::status::not_found,
                               error_json("not_found", "websocket endpoint is /v1/stream"), origin);
            stream_.expires_never();
            std::make_shared<ws_session>(stream_.release_socket(), std::move(slot_))
                ->run(parser_->release());
            return;
        }
        if (request.method() != http::verb::get && request.method() != http::verb::head)
            return respond(http::status::method_not_allowed,
                           error_json("method_not_allowed", "only GET is supported"), origin);

        if (target->path == "/v1/snapshot") {
            auto selection =
                publish::parse_selector_list(target->parameter("markets").value_or(""));
            if (!selection)
                return respond(http::status::bad_request,
                               error_json("bad_markets", "markets= takes codes like KRW-BTC or "
                                                         "upbit:KRW-BTC, comma-separated"),
                               origin);
            const auto rows = hub().backend.table().rows();
            std::vector<market::row_id> ids;
            for (std::size_t i = 0; i < rows.size(); ++i)
                if (selection->matches(rows[i])) ids.push_back(static_cast<market::row_id>(i));
            auto body = hub().backend.publisher().compose(publish::message_kind::snapshot, ids);
            return respond(http::status::ok, *body, origin);
        }
        if (target->path == "/v1/history") {
            // Answered when the worker thread has read the files; nothing is read from this
            // connection meanwhile (one request at a time, as HTTP/1.1 without pipelining).
            return hub().backend.history_query(
                *target, [self = shared_from_this(), origin = std::string(origin)](
                             unsigned status, std::string body) {
                    self->respond(static_cast<http::status>(status), std::move(body), origin);
                });
        }
        if (target->path == "/healthz") {
            bool healthy = false;
            auto body = hub().backend.health_json(healthy);
            return respond(healthy ? http::status::ok : http::status::service_unavailable, body,
                           origin);
        }
        respond(http::status::not_found, error_json("not_found", "no such endpoint"), origin);
    }

    void respond(http::status status, std::string body, std::string_view origin) {
        const auto& request = parser_->get();
        auto response = std::make_shared<http::response<http::string_body>>(status,
                                                                             request.version());
        response->set(http::field::server, std::string("sised/") + sise::version);
        response->set(http::field::content_type, "application/json; charset=utf-8");
        response->set(http::field::cache_control, "no-store");
        if (!origin.empty()) {
            // Only reached for allowed origins (others get 403 above, without this header).
            response->set(http::field::access_control_allow_origin, origin);
            response->set(http::field::vary, "Origin");
        }
        response->keep_alive(request.keep_alive());
        const bool head = request.method() == http::verb::head;
        response->body() = std::move(body);
        response->prepare_payload();
        if (head) response->body().clear();
        http::async_write(stream_, *response,
                          [self = shared_from_this(), response](error_code ec, std::size_t) {
                              self->on_write(ec, response->keep_alive());
                          });
    }

    void on_write(error_code ec, bool keep_alive) {
        if (ec) return;
        if (!keep_alive) {
            stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
            return;
        }
        do_read();
    }

    beast::tcp_stream stream_;
    connection_slot slot_;
    beast::flat_buffer buffer_{max_request_header_bytes};
    std::optional<http::request_parser<http::empty_body>> parser_;
};

void server::impl::listen() {
    auto address = asio::ip::make_address(config.address);
    tcp::endpoint endpoint{address, config.port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    port = acceptor.local_endpoint().port();
}

void server::impl::do_accept() {
    acceptor.async_accept(asio::make_strand(acceptor.get_executor()),
                          beast::bind_front_handler(&impl::on_accept, shared_from_this()));
}

void server::impl::on_accept(error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (ec) {
        std::uint64_t suppressed = 0;
        if (client_log.allow(steady::now(), suppressed))
            log(log_level::warning, "accept failed: {} ({} similar suppressed)", ec.message(),
                suppressed);
        // Out of file descriptors, typically: retry after a pause instead of spinning.
        accept_retry.expires_after(std::chrono::milliseconds{100});
        accept_retry.async_wait([self = shared_from_this()](error_code wait_ec) {
            if (!wait_ec && !self->stopping) self->do_accept();
        });
        return;
    } else if (stats.open_connections >= config.max_clients) {
        ++stats.rejected_connections;
        socket.close(ec);
    } else {
        std::make_shared<http_session>(std::move(socket), connection_slot(shared_from_this()))
            ->run();
    }
    do_accept();
}

void server::impl::schedule_housekeeping() {
    housekeeping.expires_after(std::chrono::seconds{1});
    housekeeping.async_wait([self = shared_from_this()](error_code ec) {
        if (ec || self->stopping) return;
        const auto now = steady::now();
        // Copy: a check may close a session, which erases itself from the set.
        std::vector<ws_session*> sessions(self->subscribers.begin(), self->subscribers.end());
        for (auto* session : sessions) session->check_write_deadline(now);
        self->stats.subscribers = self->subscribers.size();
        self->schedule_housekeeping();
    });
}

void server::impl::stop() {
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    housekeeping.cancel();
    std::vector<ws_session*> sessions(subscribers.begin(), subscribers.end());
    for (auto* session : sessions) session->go_away();
}

server::server(asio::io_context& context, const server_config& config, server_backend& backend)
    : impl_(std::make_shared<impl>(context, config, backend)) {
    impl_->listen();
    impl_->do_accept();
    impl_->schedule_housekeeping();
}

server::~server() {
    if (!impl_->stopping) impl_->stop();
}

std::uint16_t server::port() const noexcept { return impl_->port; }

const server_stats& server::stats() const noexcept { return impl_->stats; }

void server::broadcast(const publish::publication& publication) {
    std::vector<ws_session*> sessions(impl_->subscribers.begin(), impl_->subscribers.end());
    for (auto* session : sessions) session->deliver(publication);
}

void server::stop() { impl_->stop(); }

}  // namespace sise::io
