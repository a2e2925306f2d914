// One connection to Redis on the event loop: TCP (TLS optional), AUTH and SELECT, commands
// encoded by hiredis's formatter and replies parsed by hiredis's reader. hiredis is used for
// bytes only, never for its sockets, so nothing blocks the loop; every wait is bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "sise/io/asio.hpp"
#include "sise/redis/endpoint.hpp"

struct redisReply;
struct redisReader;

namespace sise::io {

// Failures of the Redis protocol itself, in their own error category ("redis").
enum class redis_errc {
    server_error = 1,  // Redis answered a command with an error reply
    auth_failed,       // Redis refused AUTH (wrong password) or wants one we do not have
    bad_reply,         // a reply hiredis's reader could not parse, or one of the wrong shape
    reply_too_large,   // a reply above max_reply_bytes
    tls_refused,       // the TLS handshake failed (certificate not trusted, wrong host, no TLS)
};
error_code make_error_code(redis_errc e) noexcept;

struct redis_options {
    redis::endpoint endpoint;
    std::chrono::milliseconds connect_timeout{5'000};  // resolve + TCP + TLS + AUTH + SELECT
    std::chrono::milliseconds io_timeout{5'000};       // one write, or one awaited reply
    // Bytes a reply may hold unparsed before the connection is dropped (a reply this large is
    // not ours: rows are hundreds of bytes, a SCAN batch a few kilobytes).
    std::size_t max_reply_bytes = 16 * 1024 * 1024;
};

struct reply_deleter {
    void operator()(redisReply* reply) const noexcept;
};
using redis_reply = std::unique_ptr<redisReply, reply_deleter>;

// Appends one command, RESP-encoded by redisFormatCommandArgv, to `out` (a pipeline).
void append_command(std::string& out, std::span<const std::string_view> args);
void append_command(std::string& out, std::initializer_list<std::string_view> args);

// What a reply holds, for callers that must not include hiredis.
bool is_error(const redisReply& reply) noexcept;
std::string_view reply_text(const redisReply& reply) noexcept;  // string, status or error
std::span<redisReply* const> reply_elements(const redisReply& reply) noexcept;  // arrays

class redis_connection {
public:
    // `tls` must outlive the connection; null for redis:// (plain TCP).
    redis_connection(asio::any_io_executor executor, redis_options options, ssl::context* tls);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    // Connects, authenticates, selects the database and checks the login with PING.
    // redis_errc::auth_failed when AUTH is refused or Redis wants a password we do not have;
    // server_error() then holds Redis's words. redis_errc::tls_refused when the TLS handshake
    // fails; server_error() then says why ("certificate verify failed: ..." or OpenSSL's words).
    asio::awaitable<error_code> open();
    // Writes a pipeline of commands (append_command's output), bounded by io_timeout.
    asio::awaitable<error_code> write(std::string_view bytes);
    // The next reply. Waits at most `timeout` (io_timeout by default); on a timeout the
    // connection stays open and asio::error::timed_out is returned.
    asio::awaitable<error_code> read(redis_reply& out,
                                     std::optional<std::chrono::milliseconds> timeout = {});
    // One command (append_command's output) and its reply; an error reply is
    // redis_errc::server_error (server_error() has it). Encoded by the caller: GCC 12 miscompiles a
    // braced list inside a co_await expression.
    asio::awaitable<error_code> call(std::string_view command, redis_reply& out);

    // Closes the socket: pending operations complete with an error.
    void close() noexcept;
    bool is_open() const noexcept;
    // Redis's error reply, or why the TLS handshake failed.
    const std::string& server_error() const noexcept { return server_error_; }

private:
    struct streams;
    asio::awaitable<error_code> read_some(std::size_t& read);

    asio::any_io_executor executor_;
    redis_options options_;
    ssl::context* tls_;
    std::unique_ptr<streams> streams_;
    redisReader* reader_ = nullptr;
    asio::steady_timer timer_;
    std::uint64_t read_generation_ = 0;
    bool timed_out_ = false;
    std::vector<char> chunk_;
    std::string server_error_;
};

}  // namespace sise::io

template <>
struct boost::system::is_error_code_enum<sise::io::redis_errc> : std::true_type {};
