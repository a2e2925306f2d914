#include "websocket_client.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>

#include "sise/core/error.hpp"
#include "sise/core/websocket_frame.hpp"
#include "sise/feed/adapter.hpp"
#include "sise/io/spawn.hpp"

namespace sise::io::detail {

namespace {

namespace http = beast::http;
namespace websocket = beast::websocket;
namespace wf = websocket_frame;

constexpr std::size_t read_chunk = 64 * 1024;  // one socket read at most
constexpr std::size_t padding = feed::frame_padding;
constexpr std::size_t max_response_header = 16 * 1024;

std::string base64(const unsigned char* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    return out;
}

// Sec-WebSocket-Accept for `key` (RFC 6455 §4.2.2).
std::string accept_for(std::string_view key) {
    const std::string text = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return base64(digest.data(), digest.size());
}

// Whether the comma-separated header value `list` holds `token` (case-insensitive).
bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (beast::iequals(item, token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

template <typename Stream>
asio::awaitable<error_code> websocket_client<Stream>::handshake(const url& endpoint,
                                                                std::string_view user_agent,
                                                                std::chrono::milliseconds timeout) {
    std::array<unsigned char, 16> nonce{};
    for (auto& byte : nonce) byte = static_cast<unsigned char>(next_mask());
    const std::string key = base64(nonce.data(), nonce.size());
    http::request<http::empty_body> request{http::verb::get, endpoint.target, 11};
    request.set(http::field::host, endpoint.host_header());
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::sec_websocket_key, key);
    request.set(http::field::sec_websocket_version, "13");
    request.set(http::field::user_agent, user_agent);

    beast::get_lowest_layer(stream_).expires_after(timeout);  // the write and the response
    auto [write_ec, written] = co_await http::async_write(stream_, request, use_tuple);
    (void)written;
    if (write_ec) co_return write_ec;
    beast::flat_buffer response_buffer(max_response_header);
    http::response_parser<http::string_body> parser;
    parser.header_limit(max_response_header);
    parser.body_limit(max_response_header);  // a refusal's text, if any
    auto [read_ec, read] = co_await http::async_read(stream_, response_buffer, parser, use_tuple);
    (void)read;
    if (read_ec) co_return read_ec;
    beast::get_lowest_layer(stream_).expires_never();  // from here on the keepalive decides

    const auto& response = parser.get();
    if (response.result() != http::status::switching_protocols)
        co_return websocket::error::upgrade_declined;
    if (!beast::iequals(response[http::field::upgrade], "websocket"))
        co_return websocket::error::no_upgrade_websocket;
    if (!has_token(response[http::field::connection], "upgrade"))
        co_return websocket::error::no_connection_upgrade;
    if (response[http::field::sec_websocket_accept] != accept_for(key))
        co_return websocket::error::bad_sec_accept;

    // Frames the server sent right behind its response came with it.
    const auto early = response_buffer.cdata();
    buffer_.assign(std::max(read_chunk, early.size()) + padding, '\0');
    std::memcpy(buffer_.data(), early.data(), early.size());
    begin_ = 0;
    end_ = early.size();
    co_return error_code{};
}

template <typename Stream>
asio::awaitable<error_code> websocket_client<Stream>::write_text(std::string_view text) {
    std::string frame;
    wf::append_client_frame(frame, wf::opcode::text, text, next_mask());
    auto [ec, written] = co_await asio::async_write(stream_, asio::buffer(frame), use_tuple);
    (void)written;
    co_return ec;
}

template <typename Stream>
bool websocket_client<Stream>::send_text(std::string_view text) {
    if (failed_ || queued_.size() + text.size() + 14 > limits_.max_queued_write_bytes)
        return false;
    queue_frame(static_cast<std::uint8_t>(wf::opcode::text), text);
    return true;
}

template <typename Stream>
void websocket_client<Stream>::queue_frame(std::uint8_t op, std::string_view payload) {
    if (failed_) return;
    wf::append_client_frame(queued_, static_cast<wf::opcode>(op), payload, next_mask());
    if (writer_running_) return;
    writer_running_ = true;
    asio::co_spawn(stream_.get_executor(), write_queued(this->shared_from_this()),
                   log_escaped_exception{"websocket write"});
}

// `self` keeps the connection alive while the write is under way.
template <typename Stream>
asio::awaitable<void> websocket_client<Stream>::write_queued(
    [[maybe_unused]] std::shared_ptr<websocket_client> self) {
    while (!queued_.empty() && !failed_) {
        writing_.swap(queued_);
        auto [ec, written] = co_await asio::async_write(stream_, asio::buffer(writing_), use_tuple);
        (void)written;
        writing_.clear();
        if (ec) {
            failed_ = true;  // the read loop sees the broken connection
            write_ec_ = ec;
            beast::get_lowest_layer(stream_).cancel();
        }
    }
    queued_.clear();
    writer_running_ = false;
}

template <typename Stream>
asio::awaitable<void> websocket_client<Stream>::keepalive(
    [[maybe_unused]] std::shared_ptr<websocket_client> self) {
    const auto half = limits_.idle_timeout / 2;
    std::uint64_t seen = reads_;
    bool pinged = false;
    for (;;) {
        keepalive_timer_.expires_after(half);
        auto [ec] = co_await keepalive_timer_.async_wait(use_tuple);
        if (ec || failed_) co_return;
        if (reads_ != seen) {
            seen = reads_;
            pinged = false;
        } else if (!pinged) {
            queue_frame(static_cast<std::uint8_t>(wf::opcode::ping), {});
            pinged = true;
        } else {
            timed_out_ = true;  // no data and no pong for the whole idle timeout
            beast::get_lowest_layer(stream_).cancel();
            co_return;
        }
    }
}

template <typename Stream>
void websocket_client<Stream>::cancel() {
    failed_ = true;
    keepalive_timer_.cancel();
    beast::get_lowest_layer(stream_).cancel();
}

template <typename Stream>
void websocket_client<Stream>::deliver(const message_handler& on_message, char* data,
                                       std::size_t size) {
    // The next frame's first bytes may lie where the padding goes: keep them aside.
    std::array<char, padding> after{};
    std::memcpy(after.data(), data + size, padding);
    std::memset(data + size, 0, padding);
    on_message({data, size});
    std::memcpy(data + size, after.data(), padding);
}

template <typename Stream>
bool websocket_client<Stream>::take_frames(const message_handler& on_message,
                                           const std::function<void()>& on_oversized,
                                           error_code& ec) {
    while (!failed_) {
        if (skip_bytes_ > 0) {
            const auto dropped = std::min<std::uint64_t>(skip_bytes_, end_ - begin_);
            begin_ += static_cast<std::size_t>(dropped);
            skip_bytes_ -= dropped;
            if (skip_bytes_ > 0) return true;
            continue;
        }
        wf::header frame;
        const std::string_view rest(buffer_.data() + begin_, end_ - begin_);
        const auto status = wf::read_header(rest, frame);
        if (status == wf::read_status::need_more) return true;
        if (status == wf::read_status::malformed) {
            ec = errc::websocket_protocol;
            return false;
        }
        const bool data = !wf::is_control(frame.op);
        if (data && (frame.op == wf::opcode::continuation) != fragmented_) {
            ec = errc::websocket_protocol;  // a continuation of nothing, or a message inside one
            return false;
        }
        const std::uint64_t so_far = fragmented_ ? fragments_.size() : 0;
        if (data && (skipping_message_ || frame.payload_size > limits_.max_message_bytes - so_far)) {
            // Too large: its bytes are dropped as they come, never held.
            begin_ += frame.header_size;
            skip_bytes_ = frame.payload_size;
            skipping_message_ = !frame.fin;
            fragmented_ = !frame.fin;
            fragments_.clear();
            if (frame.fin) on_oversized();
            continue;
        }
        if (rest.size() - frame.header_size < frame.payload_size) return true;
        char* payload = buffer_.data() + begin_ + frame.header_size;
        const auto size = static_cast<std::size_t>(frame.payload_size);
        begin_ += frame.header_size + size;
        switch (frame.op) {
            case wf::opcode::ping:
                queue_frame(static_cast<std::uint8_t>(wf::opcode::pong), {payload, size});
                break;
            case wf::opcode::pong:
                break;
            case wf::opcode::close: {
                const auto reason = wf::read_close_payload({payload, size});
                close_code_ = reason.code;
                close_text_ = std::string(reason.reason);
                // Echo the code (best effort: the connection ends here).
                const std::array<char, 2> code{static_cast<char>(close_code_ >> 8),
                                               static_cast<char>(close_code_ & 0xFF)};
                queue_frame(static_cast<std::uint8_t>(wf::opcode::close),
                            close_code_ == 1005 ? std::string_view{}
                                                : std::string_view(code.data(), code.size()));
                ec = websocket::error::closed;
                return false;
            }
            case wf::opcode::text:
            case wf::opcode::binary:
                if (frame.fin) {
                    deliver(on_message, payload, size);
                } else {
                    fragmented_ = true;
                    fragments_.assign(payload, size);
                }
                break;
            case wf::opcode::continuation:
                fragments_.append(payload, size);
                if (frame.fin) {
                    fragmented_ = false;
                    fragments_.append(padding, '\0');
                    deliver(on_message, fragments_.data(), fragments_.size() - padding);
                    fragments_.clear();
                }
                break;
        }
    }
    ec = write_ec_ ? write_ec_ : error_code(asio::error::operation_aborted);
    return false;
}

template <typename Stream>
asio::awaitable<error_code> websocket_client<Stream>::read(
    const message_handler& on_message, const std::function<void()>& on_oversized) {
    if (buffer_.empty()) buffer_.assign(read_chunk + padding, '\0');
    if (limits_.idle_timeout.count() > 0)
        asio::co_spawn(stream_.get_executor(), keepalive(this->shared_from_this()),
                       log_escaped_exception{"websocket keepalive"});
    for (;;) {
        error_code ec;
        if (!take_frames(on_message, on_oversized, ec)) co_return ec;
        // Room for the next read: unread bytes move to the front; a frame larger than the
        // buffer grows it (up to the message limit; larger ones are skipped, never held).
        if (begin_ == end_) {
            begin_ = end_ = 0;
        } else if (begin_ > 0) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        const std::size_t capacity = buffer_.size() - padding;
        wf::header frame;
        if (wf::read_header({buffer_.data(), end_}, frame) == wf::read_status::complete &&
            skip_bytes_ == 0) {
            const std::uint64_t whole = frame.header_size + frame.payload_size;
            if (whole > capacity && frame.payload_size <= limits_.max_message_bytes)
                buffer_.resize(static_cast<std::size_t>(whole) + padding);
        }
        const std::size_t room = buffer_.size() - padding - end_;
        auto [read_ec, bytes] =
            co_await stream_.async_read_some(asio::buffer(buffer_.data() + end_, room), use_tuple);
        if (write_ec_) co_return write_ec_;
        if (failed_ && !timed_out_) co_return asio::error::operation_aborted;
        if (read_ec) co_return timed_out_ ? error_code(beast::error::timeout) : read_ec;
        end_ += bytes;
        ++reads_;
    }
}

template class websocket_client<plain_stream>;
template class websocket_client<tls_stream>;

}  // namespace sise::io::detail
