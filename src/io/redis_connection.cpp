#include "sise/io/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <openssl/x509.h>

#include <fmt/format.h>
#include <boost/asio/write.hpp>

#include "transport.hpp"

namespace sise::io {

using detail::use_tuple;

namespace {

class redis_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "redis"; }
    std::string message(int value) const override {
        switch (static_cast<redis_errc>(value)) {
            case redis_errc::server_error:
                return "Redis replied with an error";
            case redis_errc::auth_failed:
                return "Redis authentication failed";
            case redis_errc::bad_reply:
                return "unreadable Redis reply";
            case redis_errc::reply_too_large:
                return "Redis reply too large";
            case redis_errc::tls_refused:
                return "TLS handshake with Redis failed";
        }
        return "unknown Redis error";
    }
};

}  // namespace

error_code make_error_code(redis_errc e) noexcept {
    static const redis_category category;
    return {static_cast<int>(e), category};
}

void reply_deleter::operator()(redisReply* reply) const noexcept {
    freeReplyObject(reply);
}

void append_command(std::string& out, std::span<const std::string_view> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (std::string_view arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    // The sds variant: redisFormatCommandArgv prints every length with sprintf, which cost a
    // third of a feed daemon's CPU with the sink on (callgrind, docs/performance.md).
    sds command = nullptr;
    const int length = redisFormatSdsCommandArgv(&command, static_cast<int>(args.size()),
                                                 argv.data(), lengths.data());
    if (length < 0 || !command) throw std::bad_alloc();  // hiredis fails only on allocation
    out.append(command, static_cast<std::size_t>(length));
    redisFreeSdsCommand(command);
}

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
    append_command(out, std::span<const std::string_view>(args.begin(), args.size()));
}

bool is_error(const redisReply& reply) noexcept {
    return reply.type == REDIS_REPLY_ERROR;
}

std::string_view reply_text(const redisReply& reply) noexcept {
    if (reply.type != REDIS_REPLY_STRING && reply.type != REDIS_REPLY_STATUS &&
        reply.type != REDIS_REPLY_ERROR)
        return {};
    return {reply.str, reply.len};
}

std::span<redisReply* const> reply_elements(const redisReply& reply) noexcept {
    if (reply.type != REDIS_REPLY_ARRAY || !reply.element) return {};
    return {reply.element, reply.elements};
}

struct redis_connection::streams {
    std::optional<detail::plain_stream> plain;
    std::optional<detail::tls_stream> tls;
    detail::plain_stream& lowest() { return tls ? boost::beast::get_lowest_layer(*tls) : *plain; }
};

redis_connection::redis_connection(asio::any_io_executor executor, redis_options options,
                                   ssl::context* tls)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      tls_(tls),
      timer_(executor_),
      chunk_(16 * 1024) {}

redis_connection::~redis_connection() {
    if (reader_) redisReaderFree(reader_);
}

bool redis_connection::is_open() const noexcept {
    return streams_ && const_cast<streams&>(*streams_).lowest().socket().is_open();
}

void redis_connection::close() noexcept {
    if (!streams_) return;
    error_code ignored;
    streams_->lowest().socket().close(ignored);
}

asio::awaitable<error_code> redis_connection::open() {
    close();
    streams_ = std::make_unique<streams>();
    if (reader_) redisReaderFree(reader_);
    reader_ = redisReaderCreate();
    if (!reader_) throw std::bad_alloc();
    server_error_.clear();
    const redis::endpoint& at = options_.endpoint;
    // transport.hpp wants a url: the same host and port, a scheme only naming the stream.
    url target{options_.endpoint.tls ? "https" : "http", at.host, at.port, "/"};
    error_code ec;
    if (tls_) {
        streams_->tls.emplace(executor_, *tls_);
        ec = co_await detail::open_stream(*streams_->tls, target, options_.connect_timeout);
        if (ec.category() == asio::error::get_ssl_category()) {
            // Never retried without TLS. Say why: the certificate check's own words when it
            // was the certificate (unknown CA, wrong host), else OpenSSL's.
            // The chain checked out but transport.hpp's host name check (asio's
            // host_name_verification) refused: OpenSSL calls that "unspecified".
            const long verify = SSL_get_verify_result(streams_->tls->native_handle());
            if (verify == X509_V_ERR_UNSPECIFIED)
                server_error_ = fmt::format(
                    "certificate verify failed: the certificate does not name {}", at.host);
            else if (verify != X509_V_OK)
                server_error_ = fmt::format("certificate verify failed: {}",
                                            X509_verify_cert_error_string(verify));
            else
                server_error_ = ec.message();
            co_return redis_errc::tls_refused;
        }
    } else {
        streams_->plain.emplace(executor_);
        ec = co_await detail::open_stream(*streams_->plain, target, options_.connect_timeout);
    }
    if (ec) co_return ec;
    streams_->lowest().expires_never();

    // AUTH, SELECT and a PING, pipelined: one round trip. The PING's answer tells whether
    // Redis wants a password we do not have (NOAUTH).
    std::string login;
    int replies = 0;
    if (!at.password.empty()) {
        if (at.username.empty())
            append_command(login, {"AUTH", at.password});
        else
            append_command(login, {"AUTH", at.username, at.password});
        ++replies;
    }
    const std::string db = std::to_string(at.db);
    if (at.db != 0) {
        append_command(login, {"SELECT", db});
        ++replies;
    }
    append_command(login, {"PING"});
    ++replies;
    if (auto write_ec = co_await write(login)) co_return write_ec;
    error_code first_error;
    for (int i = 0; i < replies; ++i) {
        redis_reply reply;
        if (auto read_ec = co_await read(reply, options_.connect_timeout)) co_return read_ec;
        if (!is_error(*reply) || first_error) continue;
        server_error_ = reply_text(*reply);
        const bool auth = (i == 0 && !at.password.empty()) || server_error_.starts_with("NOAUTH") ||
                          server_error_.starts_with("WRONGPASS");
        first_error = auth ? redis_errc::auth_failed : redis_errc::server_error;
    }
    co_return first_error;
}

asio::awaitable<error_code> redis_connection::write(std::string_view bytes) {
    if (!streams_) co_return asio::error::not_connected;
    // A write that cannot finish in time closes the socket (Beast's timeout).
    streams_->lowest().expires_after(options_.io_timeout);
    error_code ec;
    std::size_t written = 0;
    if (streams_->tls)
        std::tie(ec, written) =
            co_await asio::async_write(*streams_->tls, asio::buffer(bytes), use_tuple);
    else
        std::tie(ec, written) =
            co_await asio::async_write(*streams_->plain, asio::buffer(bytes), use_tuple);
    if (streams_) streams_->lowest().expires_never();
    co_return ec;
}

asio::awaitable<error_code> redis_connection::read_some(std::size_t& read) {
    error_code ec;
    if (streams_->tls)
        std::tie(ec, read) =
            co_await streams_->tls->async_read_some(asio::buffer(chunk_), use_tuple);
    else
        std::tie(ec, read) =
            co_await streams_->plain->async_read_some(asio::buffer(chunk_), use_tuple);
    co_return ec;
}

asio::awaitable<error_code> redis_connection::read(
    redis_reply& out, std::optional<std::chrono::milliseconds> timeout) {
    if (!streams_ || !reader_) co_return asio::error::not_connected;
    for (;;) {
        void* parsed = nullptr;
        if (redisReaderGetReply(reader_, &parsed) != REDIS_OK) co_return redis_errc::bad_reply;
        if (parsed) {
            out.reset(static_cast<redisReply*>(parsed));
            co_return error_code{};
        }
        if (reader_->len - reader_->pos > options_.max_reply_bytes)
            co_return redis_errc::reply_too_large;
        // Our own timer, not the stream's expiry: a soft timeout leaves the socket open (the
        // relay pings on a quiet subscription instead of reconnecting).
        const std::uint64_t generation = ++read_generation_;
        timed_out_ = false;
        timer_.expires_after(timeout.value_or(options_.io_timeout));
        timer_.async_wait([this, generation](error_code ec) {
            if (ec || generation != read_generation_ || !streams_) return;
            timed_out_ = true;
            error_code ignored;
            streams_->lowest().socket().cancel(ignored);
        });
        std::size_t n = 0;
        const error_code ec = co_await read_some(n);
        ++read_generation_;
        timer_.cancel();
        // Bytes that arrived as the timer fired are kept: they are the reply's start.
        if (ec) co_return timed_out_ ? error_code(asio::error::timed_out) : ec;
        if (redisReaderFeed(reader_, chunk_.data(), n) != REDIS_OK) co_return redis_errc::bad_reply;
    }
}

asio::awaitable<error_code> redis_connection::call(std::string_view command, redis_reply& out) {
    if (auto ec = co_await write(command)) co_return ec;
    if (auto ec = co_await read(out)) co_return ec;
    if (is_error(*out)) {
        server_error_ = reply_text(*out);
        co_return redis_errc::server_error;
    }
    co_return error_code{};
}

}  // namespace sise::io
