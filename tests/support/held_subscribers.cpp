#include "support/held_subscribers.hpp"

#include <fmt/format.h>

#include <string.h>  // memmem (GNU)

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "support/wait.hpp"

namespace sise::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// `running` was counted by the spawner.
asio::awaitable<void> drain(held_group& group, held_subscriber& s) {
    for (;;) {
        auto [ec, size] = co_await beast::get_lowest_layer(s.ws).socket().async_read_some(
            asio::buffer(group.scratch), nothrow);
        if (ec) {
            if (!s.closing) {
                s.error = "disconnected: " + ec.message();
                ++group.disconnects;
            }
            break;
        }
        s.bytes += size;
        s.messages.feed({group.scratch.data(), size});
    }
    s.finished = true;
    --group.running;
}

// Sends `request` and reads the snapshot it asks for, `rows` rows, skipping updates before it.
asio::awaitable<std::string> resubscribe(ws_stream& ws, beast::flat_buffer& buffer,
                                         std::string request, std::size_t rows,
                                         std::chrono::steady_clock::duration step_timeout) {
    auto& socket_layer = beast::get_lowest_layer(ws);
    socket_layer.expires_after(step_timeout);
    auto [write_ec, written] = co_await ws.async_write(asio::buffer(request), nothrow);
    if (write_ec) co_return "subscribe: " + write_ec.message();
    for (;;) {
        auto [read_ec, size] = co_await ws.async_read(buffer, nothrow);
        if (read_ec) {
            socket_layer.expires_never();
            co_return "subscribed snapshot: " + read_ec.message();
        }
        const std::string text = beast::buffers_to_string(buffer.cdata());
        buffer.consume(size);
        if (text.rfind(R"({"type":"snapshot")", 0) != 0) continue;
        socket_layer.expires_never();
        if (count_of(text, R"("market":)") != rows)
            co_return "subscribed snapshot has the wrong rows: " + text.substr(0, 80);
        co_return "";
    }
}

// One of the workers that open the group's clients in turn. `running` was counted by the
// spawner.
asio::awaitable<void> open_worker(held_group& group, tcp::endpoint endpoint, std::size_t rows) {
    while (group.next < group.clients.size()) {
        const std::size_t index = group.next++;
        std::string error;
        for (int attempt = 0; attempt <= group.retries; ++attempt) {
            if (attempt == 1) ++group.retried;
            if (attempt > 0) group.clients[index] = std::make_unique<held_subscriber>(group.context);
            held_subscriber& s = *group.clients[index];
            error = co_await open_stream(s.ws, s.buffer, endpoint, rows, group.step_timeout);
            if (error.empty() && group.subscribe)
                error = co_await resubscribe(s.ws, s.buffer, group.subscribe(index),
                                             group.subscribed_rows, group.step_timeout);
            if (error.empty()) break;
        }
        held_subscriber& s = *group.clients[index];
        s.error = error;
        if (!s.error.empty()) {
            ++group.failures;
            s.finished = true;
            continue;
        }
        s.snapshot = true;
        ++group.snapshots;
        ++group.running;
        asio::co_spawn(co_await asio::this_coro::executor, drain(group, s), asio::detached);
    }
    --group.running;
}

}  // namespace

void update_counter::feed(std::string_view bytes) {
    // Markers straddling the previous read and this one: neither part holds a whole one.
    constexpr std::size_t keep = marker.size() - 1;
    const std::size_t head = std::min(bytes.size(), keep);
    std::array<char, 2 * keep> joined{};
    std::copy_n(tail_.data(), tail_size_, joined.data());
    std::copy_n(bytes.data(), head, joined.data() + tail_size_);
    updates_ += count_of({joined.data(), tail_size_ + head}, marker) + count_of(bytes, marker);
    // The new tail: the last `keep` bytes of the old tail and these bytes together.
    const std::size_t total = tail_size_ + head;
    if (bytes.size() >= keep) {
        std::copy_n(bytes.data() + bytes.size() - keep, keep, tail_.data());
        tail_size_ = keep;
    } else {
        const std::size_t from = total > keep ? total - keep : 0;
        std::copy(joined.data() + from, joined.data() + total, tail_.data());
        tail_size_ = total - from;
    }
}

std::size_t count_of(std::string_view text, std::string_view needle) {
    // memmem, not string_view::find: JSON is full of the needle's first character ('"'), which
    // find would stop at every few bytes; thousands of clients' reads go through here.
    std::size_t count = 0;
    const char* at = text.data();
    const char* const end = text.data() + text.size();
    while (static_cast<std::size_t>(end - at) >= needle.size()) {
        const void* found =
            ::memmem(at, static_cast<std::size_t>(end - at), needle.data(), needle.size());
        if (!found) break;
        ++count;
        at = static_cast<const char*>(found) + 1;
    }
    return count;
}

asio::awaitable<std::string> open_stream(ws_stream& ws, beast::flat_buffer& buffer,
                                         tcp::endpoint endpoint, std::size_t rows,
                                         std::chrono::steady_clock::duration step_timeout) {
    auto& socket_layer = beast::get_lowest_layer(ws);
    socket_layer.expires_after(step_timeout);
    auto [connect_ec] = co_await socket_layer.async_connect(endpoint, nothrow);
    if (connect_ec) co_return "connect: " + connect_ec.message();
    socket_layer.expires_after(step_timeout);
    auto [handshake_ec] = co_await ws.async_handshake(fmt::format("127.0.0.1:{}", endpoint.port()),
                                                      "/v1/stream", nothrow);
    if (handshake_ec) co_return "handshake: " + handshake_ec.message();
    socket_layer.expires_after(step_timeout);
    auto [read_ec, size] = co_await ws.async_read(buffer, nothrow);
    socket_layer.expires_never();
    if (read_ec) co_return "snapshot: " + read_ec.message();
    const std::string text = beast::buffers_to_string(buffer.cdata());
    buffer.consume(size);
    if (text.rfind(R"({"type":"snapshot")", 0) != 0 || count_of(text, R"("market":)") != rows)
        co_return "first message is not a full snapshot: " + text.substr(0, 80);
    co_return "";
}

held_group::held_group(asio::io_context& io, std::size_t count) : context(io) {
    clients.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        clients.push_back(std::make_unique<held_subscriber>(io));
}

std::string held_group::first_error() const {
    for (const auto& c : clients)
        if (!c->error.empty()) return c->error;
    return "";
}

void open_held(asio::io_context& context, held_group& group, tcp::endpoint endpoint,
               std::size_t rows, int in_flight) {
    for (int worker = 0; worker < in_flight; ++worker) {
        ++group.running;
        asio::co_spawn(context, open_worker(group, endpoint, rows), asio::detached);
    }
}

bool close_all(asio::io_context& context, held_group& group, std::chrono::milliseconds timeout) {
    for (auto& c : group.clients) {
        c->closing = true;
        boost::system::error_code ignored;
        beast::get_lowest_layer(c->ws).socket().close(ignored);
    }
    return drive(context, timeout, [&] { return group.running == 0; });
}

}  // namespace sise::test
