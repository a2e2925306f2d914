// Many websocket subscribers of sised's /v1/stream held at once from one io_context, as the
// client tests and the clients benchmark drive them: open each (connect, upgrade, a full
// snapshot, every step bounded), then read everything without parsing it, until closed by us.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace sise::test {

using ws_stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

// How many times `needle` occurs in `text`.
std::size_t count_of(std::string_view text, std::string_view needle);

// Connects, upgrades and reads the first message, each step bounded by `step_timeout`; the
// first message must be a snapshot of `rows` rows. Returns "" or what failed.
boost::asio::awaitable<std::string> open_stream(
    ws_stream& ws, boost::beast::flat_buffer& buffer, boost::asio::ip::tcp::endpoint endpoint,
    std::size_t rows, std::chrono::steady_clock::duration step_timeout = std::chrono::seconds{10});

// Counts sised's update messages in bytes read raw from the socket, from wherever the reading
// starts (Beast may have read past the snapshot): a marker may be split between two reads.
class update_counter {
public:
    static constexpr std::string_view marker = R"("type":"update")";
    void feed(std::string_view bytes);
    std::uint64_t updates() const noexcept { return updates_; }

private:
    std::uint64_t updates_ = 0;
    std::array<char, marker.size() - 1> tail_{};  // the last bytes read, up to its size
    std::size_t tail_size_ = 0;
};

// A subscriber that, once it has its snapshot, reads everything the server sends without
// parsing it (one thread must keep up with thousands of them), counting updates.
struct held_subscriber {
    explicit held_subscriber(boost::asio::io_context& context) : ws(context) {}
    ws_stream ws;
    boost::beast::flat_buffer buffer;
    bool snapshot = false;
    bool finished = false;    // its coroutine has returned
    bool closing = false;     // we are closing it: an error now is not a failure
    std::string error;        // why it ended, if not by us
    std::uint64_t bytes = 0;  // received after the snapshot
    update_counter messages;  // received after the snapshot
};

struct held_group {
    held_group(boost::asio::io_context& context, std::size_t count);

    boost::asio::io_context& context;  // the clients' (a retried client is made anew on it)

    std::vector<std::unique_ptr<held_subscriber>> clients;
    std::size_t next = 0;
    std::size_t snapshots = 0;
    std::size_t failures = 0;     // could not be opened (its retries too)
    // A client whose opening failed (a loaded server may time a connect out) is made anew and
    // opened again, up to this many more times; `retried` counts clients that needed it.
    int retries = 0;
    std::size_t retried = 0;
    std::size_t disconnects = 0;  // opened, then ended by the server or the network
    std::size_t running = 0;      // coroutines not yet returned
    std::chrono::steady_clock::duration step_timeout = std::chrono::seconds{10};
    // When set, each client sends subscribe(i) after its first snapshot and waits for the
    // snapshot of that selection, `subscribed_rows` rows ("markets" selector lists).
    std::function<std::string(std::size_t client)> subscribe;
    std::size_t subscribed_rows = 0;
    std::array<char, 65536> scratch{};  // shared: one thread, contents unused

    // Every client opened or failed to.
    std::size_t settled() const { return snapshots + failures; }
    // The first client's error, or "".
    std::string first_error() const;
};

// Spawns `in_flight` workers on `context` that open the group's clients in turn, each opened
// client then draining on its own coroutine.
void open_held(boost::asio::io_context& context, held_group& group,
               boost::asio::ip::tcp::endpoint endpoint, std::size_t rows, int in_flight);

// Closes every client (not a failure) and runs `context` until their coroutines return or
// `timeout` passes; false on timeout.
bool close_all(boost::asio::io_context& context, held_group& group,
               std::chrono::milliseconds timeout);

}  // namespace sise::test
