#include "http_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace sise::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

// An answer larger than this is a broken benchmark, not a load: the connection gives up.
constexpr std::size_t max_answer_bytes = 16 * 1024 * 1024;

bool iequals_prefix(std::string_view text, std::string_view lower_prefix) {
    if (text.size() < lower_prefix.size()) return false;
    for (std::size_t i = 0; i < lower_prefix.size(); ++i)
        if ((text[i] | 0x20) != lower_prefix[i]) return false;
    return true;
}

// The Content-Length of a header section (request line to the blank line), if it has one.
std::optional<std::size_t> content_length(std::string_view header) {
    for (std::size_t at = header.find("\r\n"); at != std::string_view::npos;
         at = header.find("\r\n", at + 2)) {
        const std::string_view line = header.substr(at + 2);
        if (!iequals_prefix(line, "content-length:")) continue;
        std::size_t value = 0;
        bool digits = false;
        for (char c : line.substr(15)) {
            if (c == ' ' || c == '\t') continue;
            if (c < '0' || c > '9') break;
            value = value * 10 + static_cast<std::size_t>(c - '0');
            digits = true;
        }
        if (digits) return value;
    }
    return std::nullopt;
}

struct shared_state {
    const std::string* request = nullptr;
    clock_type::time_point count_from;
    clock_type::time_point stop_at;
    load_result result;
};

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(asio::io_context& context, shared_state& state) : socket_(context), state_(state) {}

    void start(const tcp::endpoint& endpoint) {
        socket_.connect(endpoint);
        socket_.set_option(tcp::no_delay(true));
        buffer_.resize(64 * 1024);
        send();
    }

private:
    void send() {
        if (clock_type::now() >= state_.stop_at) return;  // done: the socket closes with us
        asio::async_write(socket_, asio::buffer(*state_.request),
                          [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->fail();
                              self->read();
                          });
    }

    void read() {
        if (filled_ == buffer_.size()) {
            if (buffer_.size() >= max_answer_bytes) return fail();
            buffer_.resize(buffer_.size() * 2);
        }
        socket_.async_read_some(asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_),
                                [self = shared_from_this()](error_code ec, std::size_t n) {
                                    if (ec) return self->fail();
                                    self->filled_ += n;
                                    self->on_bytes();
                                });
    }

    void on_bytes() {
        const std::string_view data(buffer_.data(), filled_);
        const auto header_end = data.find("\r\n\r\n");
        if (header_end == std::string_view::npos) return read();
        const std::string_view header = data.substr(0, header_end);
        if (header.size() < 12 || !header.starts_with("HTTP/1.")) return fail();
        const unsigned status = static_cast<unsigned>((header[9] - '0') * 100 +
                                                      (header[10] - '0') * 10 + (header[11] - '0'));
        std::size_t body = 0;
        if (status != 304 && status != 204) {
            const auto length = content_length(header);
            if (!length) return fail();  // both servers frame every answer with it
            body = *length;
        }
        const std::size_t whole = header_end + 4 + body;
        if (filled_ < whole) return read();

        // One request in flight: nothing follows the answer in the buffer.
        filled_ = 0;
        const auto now = clock_type::now();
        ++state_.result.all_responses;
        if (now >= state_.count_from && now < state_.stop_at) {
            auto& r = state_.result;
            ++r.responses;
            r.body_bytes += body;
            if (status == 200)
                ++r.ok;
            else if (status == 304)
                ++r.not_modified;
            else
                ++r.other;
        }
        send();
    }

    void fail() {
        ++state_.result.errors;
        error_code ignored;
        socket_.close(ignored);
    }

    tcp::socket socket_;
    shared_state& state_;
    std::vector<char> buffer_;
    std::size_t filled_ = 0;
};

}  // namespace

std::string get_request(const std::string& target, const std::string& if_none_match) {
    std::string out = fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", target);
    if (!if_none_match.empty()) out += fmt::format("If-None-Match: {}\r\n", if_none_match);
    out += "\r\n";
    return out;
}

load_result run_load(std::uint16_t port, const std::string& request, const load_options& options) {
    asio::io_context context;
    shared_state state;
    state.request = &request;
    const auto start = clock_type::now();
    state.count_from = start + options.warmup;
    state.stop_at = state.count_from + options.measure;
    const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port};
    for (std::size_t i = 0; i < options.connections; ++i)
        std::make_shared<connection>(context, state)->start(endpoint);
    // Every connection stops sending at stop_at and ends with its last answer; the bound is
    // for a server that stops answering.
    context.run_for(options.warmup + options.measure + std::chrono::seconds{10});
    state.result.seconds = std::chrono::duration<double>(options.measure).count();
    return state.result;
}

}  // namespace sise::bench
