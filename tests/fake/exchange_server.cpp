// exchange_server: the thread and the thread-safe face of the fake; all work is done by
// detail::server_core on the fake's own io_context thread.
#include "fake/exchange_server.hpp"

#include <cstdio>
#include <exception>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "fake/server_core.hpp"

namespace sise::fake {

namespace net = boost::asio;

struct exchange_server::impl {
    net::io_context ioc{1};
    detail::server_core core;  // after ioc: its sockets and timers must go first
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::thread thread;
    bool started = false;

    explicit impl(server_options options) : core(ioc, std::move(options)) {}

    // Runs f on the fake's thread and waits for it; inline when that thread is not running
    // (before start, after stop) or when already on it.
    template <class F>
    std::invoke_result_t<F&> call(F f) {
        if (!thread.joinable() || std::this_thread::get_id() == thread.get_id()) return f();
        std::packaged_task<std::invoke_result_t<F&>()> task(std::move(f));
        auto done = task.get_future();
        net::post(ioc, [&task] { task(); });
        return done.get();
    }
};

exchange_server::exchange_server(server_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

exchange_server::~exchange_server() { stop(); }

void exchange_server::start() {
    if (impl_->started) throw std::logic_error("exchange_server: start() called twice");
    impl_->core.listen();
    impl_->started = true;
    impl_->work.emplace(net::make_work_guard(impl_->ioc));
    net::post(impl_->ioc, [this] { impl_->core.start(); });
    impl_->thread = std::thread([this] {
        for (;;) {
            try {
                impl_->ioc.run();
                return;
            } catch (const std::exception& e) {  // handlers use error codes; this is a bug
                fmt::print(stderr, "<3>sise-fake-{}: unexpected exception: {}\n",
                           impl_->core.speaks().name(), e.what());
            }
        }
    });
}

void exchange_server::stop() {
    if (!impl_->thread.joinable()) return;
    net::post(impl_->ioc, [this] { impl_->core.shutdown(); });
    impl_->work.reset();  // run() returns once the dropped sessions' handlers have run
    impl_->thread.join();
}

std::uint16_t exchange_server::port() const noexcept { return impl_->core.port(); }
bool exchange_server::tls() const noexcept { return impl_->core.tls(); }

std::string exchange_server::websocket_url() const {
    return fmt::format("{}://{}:{}{}", tls() ? "wss" : "ws", impl_->core.options().bind_address,
                       port(), impl_->core.speaks().websocket_path());
}

std::string exchange_server::rest_url() const {
    return fmt::format("{}://{}:{}", tls() ? "https" : "http", impl_->core.options().bind_address,
                       port());
}

void exchange_server::drop_connections() {
    impl_->call([this] { impl_->core.drop_connections(); });
}

void exchange_server::close_connections(std::uint16_t code) {
    impl_->call([this, code] { impl_->core.close_connections(code); });
}

void exchange_server::set_stalled(bool stalled) {
    impl_->call([this, stalled] { impl_->core.set_stalled(stalled); });
}

void exchange_server::inject(std::string payload, bool binary) {
    impl_->call([this, &payload, binary] { impl_->core.inject(payload, binary); });
}

void exchange_server::announce_shutdown() {
    impl_->call([this] { impl_->core.announce_shutdown(); });
}

void exchange_server::skip_sequence() {
    impl_->call([this] { impl_->core.skip_sequence(); });
}

std::uint64_t exchange_server::updates_sent(const std::string& market) const {
    return impl_->call([&] { return impl_->core.updates_sent(market); });
}

std::uint64_t exchange_server::pong_timeouts() const {
    return impl_->call([this] { return impl_->core.pong_timeouts(); });
}

std::uint64_t exchange_server::idle_timeouts() const {
    return impl_->call([this] { return impl_->core.idle_timeouts(); });
}

bool exchange_server::send_ticker(const std::string& market, const std::string& price_text) {
    return impl_->call([&] { return impl_->core.send_ticker(market, price_text); });
}

void exchange_server::set_rate(double frames_per_second) {
    impl_->call([this, frames_per_second] { impl_->core.set_rate(frames_per_second); });
}

void exchange_server::pause_stream(bool paused) {
    impl_->call([this, paused] { impl_->core.pause_stream(paused); });
}

void exchange_server::set_rest_fault(rest_fault fault) {
    impl_->call([this, fault] { impl_->core.set_rest_fault(fault); });
}

void exchange_server::set_candle_fault(candle_fault fault) {
    impl_->call([this, fault] { impl_->core.set_candle_fault(fault); });
}

std::uint64_t exchange_server::connections_accepted() const {
    return impl_->call([this] { return impl_->core.connections_accepted(); });
}

std::size_t exchange_server::open_websockets() const {
    return impl_->call([this] { return impl_->core.open_websockets(); });
}

std::uint64_t exchange_server::subscriptions() const {
    return impl_->call([this] { return impl_->core.subscriptions(); });
}

std::vector<std::string> exchange_server::last_subscribed_codes() const {
    return impl_->call([this] { return impl_->core.last_subscribed_codes(); });
}

std::string exchange_server::last_websocket_target() const {
    return impl_->call([this] { return impl_->core.last_websocket_target(); });
}

std::uint64_t exchange_server::origin_headers_seen() const {
    return impl_->call([this] { return impl_->core.origin_headers_seen(); });
}

std::uint64_t exchange_server::frames_sent() const {
    return impl_->call([this] { return impl_->core.frames_sent(); });
}

std::uint64_t exchange_server::frames_dropped() const {
    return impl_->call([this] { return impl_->core.frames_dropped(); });
}

std::uint64_t exchange_server::rest_requests() const {
    return impl_->call([this] { return impl_->core.rest_requests(); });
}

std::uint64_t exchange_server::candle_requests() const {
    return impl_->call([this] { return impl_->core.candle_requests(); });
}

std::uint64_t exchange_server::candle_requests_rejected() const {
    return impl_->call([this] { return impl_->core.candle_requests_rejected(); });
}

std::uint64_t exchange_server::max_candle_requests_in_one_second() const {
    return impl_->call([this] { return impl_->core.max_candle_requests_in_one_second(); });
}

std::string exchange_server::last_price(const std::string& market) const {
    return impl_->call([&] { return impl_->core.last_price(market); });
}

}  // namespace sise::fake
