#include "support/raw_server.hpp"

#include <poll.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include <openssl/evp.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace sise::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// How often a blocked script looks at the stop flag.
constexpr auto stop_check_interval = 20ms;

bool would_block(const error_code& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

}  // namespace

// --- raw_connection -------------------------------------------------------------------------

raw_connection::raw_connection(tcp::socket& socket, std::uint64_t index, clock::time_point accepted,
                               const std::atomic<bool>& stopping)
    : socket_(socket), index_(index), accepted_(accepted), stopping_(stopping) {
    error_code ignored;
    socket_.non_blocking(true, ignored);
}

bool raw_connection::wait(short events, clock::time_point deadline) const {
    for (;;) {
        if (stopping()) return false;
        const auto now = clock::now();
        if (now >= deadline) return false;
        const auto slice = std::min<clock::duration>(stop_check_interval, deadline - now);
        pollfd fd{socket_.native_handle(), events, 0};
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(slice).count();
        const int ready = ::poll(&fd, 1, static_cast<int>(std::max<long long>(1, ms)));
        if (ready > 0) return true;  // readable/writable, or POLLHUP/POLLERR: let I/O say which
    }
}

std::optional<std::string> raw_connection::read_until(std::string_view delimiter,
                                                      std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    std::string received;
    std::array<char, 4096> chunk{};
    while (received.find(delimiter) == std::string::npos) {
        if (!wait(POLLIN, deadline)) return std::nullopt;
        error_code ec;
        const std::size_t n = socket_.read_some(asio::buffer(chunk), ec);
        if (would_block(ec)) continue;
        if (ec || n == 0) return std::nullopt;
        received.append(chunk.data(), n);
    }
    return received;
}

bool raw_connection::write(std::string_view bytes, std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    while (!bytes.empty()) {
        error_code ec;
        const std::size_t n = socket_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
        if (would_block(ec)) {
            if (!wait(POLLOUT, deadline)) return false;
            continue;
        }
        if (ec) return false;
        bytes.remove_prefix(n);
    }
    return true;
}

bool raw_connection::pause(std::chrono::milliseconds duration) {
    const auto deadline = clock::now() + duration;
    while (clock::now() < deadline) {
        if (stopping()) return false;
        std::this_thread::sleep_for(
            std::min<clock::duration>(stop_check_interval, deadline - clock::now()));
    }
    return !stopping();
}

bool raw_connection::peer_closed() {
    std::array<char, 4096> chunk{};
    for (;;) {
        error_code ec;
        const std::size_t n = socket_.read_some(asio::buffer(chunk), ec);
        if (would_block(ec)) return false;
        if (ec || n == 0) return true;  // EOF, reset, or a socket that is gone
    }
}

bool raw_connection::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    for (;;) {
        if (peer_closed()) return true;
        if (!wait(POLLIN, deadline)) return false;
    }
}

void raw_connection::set_no_delay() {
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
}

void raw_connection::reset() {
    error_code ignored;
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
}

bool raw_connection::relay(std::uint16_t port) {
    tcp::socket upstream(socket_.get_executor());
    error_code ec;
    upstream.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port), ec);
    if (ec) return false;
    upstream.non_blocking(true, ec);
    std::array<char, 64 * 1024> chunk{};
    // Forwards what `from` has; false when the relay is over (EOF, error, stuck writer).
    auto forward = [&chunk, this](tcp::socket& from, tcp::socket& to) {
        for (;;) {
            error_code read_ec;
            const std::size_t n = from.read_some(asio::buffer(chunk), read_ec);
            if (would_block(read_ec)) return true;
            if (read_ec || n == 0) return false;
            std::string_view pending(chunk.data(), n);
            const auto deadline = clock::now() + 5s;
            while (!pending.empty()) {
                error_code write_ec;
                const std::size_t sent =
                    to.write_some(asio::buffer(pending.data(), pending.size()), write_ec);
                if (would_block(write_ec)) {
                    pollfd fd{to.native_handle(), POLLOUT, 0};
                    ::poll(&fd, 1, 20);
                    if (stopping() || clock::now() > deadline) return false;
                    continue;
                }
                if (write_ec) return false;
                pending.remove_prefix(sent);
            }
        }
    };
    while (!stopping()) {
        std::array<pollfd, 2> fds{pollfd{socket_.native_handle(), POLLIN, 0},
                                  pollfd{upstream.native_handle(), POLLIN, 0}};
        const int ready =
            ::poll(fds.data(), fds.size(), static_cast<int>(stop_check_interval.count()));
        if (ready <= 0) continue;
        if (fds[0].revents != 0 && !forward(socket_, upstream)) break;
        if (fds[1].revents != 0 && !forward(upstream, socket_)) break;
    }
    upstream.close(ec);
    return true;
}

// --- helpers ---------------------------------------------------------------------------------

std::string websocket_accept(std::string_view key) {
    const std::string input = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr) !=
        1)
        return {};
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};
    const int length =
        EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest_size));
    return std::string(reinterpret_cast<const char*>(encoded.data()),
                       static_cast<std::size_t>(std::max(length, 0)));
}

std::string upgrade_response(std::string_view request) {
    std::string lower(request);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    constexpr std::string_view name = "\r\nsec-websocket-key:";
    const auto at = lower.find(name);
    if (at == std::string::npos) return {};
    auto begin = at + name.size();
    const auto end = request.find("\r\n", begin);
    if (end == std::string_view::npos) return {};
    std::string_view key = request.substr(begin, end - begin);
    while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
    if (key.empty()) return {};
    return "HTTP/1.1 101 Switching Protocols\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           websocket_accept(key) + "\r\n\r\n";
}

std::string server_frame(std::uint8_t opcode, std::string_view payload) {
    std::string out;
    out += static_cast<char>(0x80 | (opcode & 0x0F));
    const std::uint64_t size = payload.size();
    if (size < 126) {
        out += static_cast<char>(size);
    } else if (size <= 0xFFFF) {
        out += static_cast<char>(126);
        out += static_cast<char>((size >> 8) & 0xFF);
        out += static_cast<char>(size & 0xFF);
    } else {
        out += static_cast<char>(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += static_cast<char>((size >> shift) & 0xFF);
    }
    out += payload;
    return out;
}

// --- raw_server ------------------------------------------------------------------------------

struct raw_server::impl {
    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    script serve;
    std::atomic<bool> stopping{false};
    std::uint16_t port = 0;
    std::thread thread;
    mutable std::mutex mutex;  // guards accepted
    std::vector<clock::time_point> accepted;

    void do_accept() {
        acceptor.async_accept(
            [this](error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
    }

    void on_accept(error_code ec, tcp::socket socket) {
        if (ec || stopping) return;  // the acceptor was closed: run() returns
        const auto now = clock::now();
        std::uint64_t index = 0;
        {
            std::lock_guard lock(mutex);
            index = accepted.size();
            accepted.push_back(now);
        }
        raw_connection connection(socket, index, now, stopping);
        try {
            serve(connection);
        } catch (const std::exception& e) {  // a test bug; keep serving
            std::fprintf(stderr, "raw_server: script threw: %s\n", e.what());
        }
        error_code ignored;
        socket.close(ignored);
        do_accept();
    }
};

raw_server::raw_server(script serve) : impl_(std::make_unique<impl>()) {
    impl_->serve = std::move(serve);
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->do_accept();
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

raw_server::~raw_server() { stop(); }

void raw_server::stop() {
    if (!impl_->thread.joinable()) return;
    impl_->stopping = true;
    asio::post(impl_->ioc, [this] {
        error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->thread.join();
}

std::uint16_t raw_server::port() const noexcept { return impl_->port; }

std::string raw_server::url(std::string_view scheme, std::string_view target) const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(impl_->port) +
           std::string(target);
}

std::uint64_t raw_server::connections_accepted() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->accepted.size();
}

std::vector<raw_server::clock::time_point> raw_server::accept_times() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->accepted;
}

}  // namespace sise::test
