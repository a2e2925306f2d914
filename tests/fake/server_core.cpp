// The fake Upbit's io-thread state: accept loop, market stream and cues (see server_core.hpp).
#include "fake/server_core.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "fake/session.hpp"
#include "fake/ws_frame.hpp"

namespace sise::fake::detail {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using std::chrono::steady_clock;

// Unlimited rate: a session is refilled up to this many pending bytes (~280 frames), so the
// socket sees few, large writes.
constexpr std::size_t pump_bytes = 256 * 1024;
constexpr std::size_t pump_max_frames = 4096;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

server_core::server_core(net::io_context& ioc, server_options options)
    : ioc_(ioc),
      options_(std::move(options)),
      dialect_(dialect_for(options_.exchange)),
      rules_(options_.keepalive.value_or(dialect_.keepalive())),
      acceptor_(ioc),
      tick_(ioc),
      rate_(std::max(0.0, options_.frames_per_second)),
      fault_(options_.market_list_fault),
      candle_fault_(options_.candles_fault) {
    const std::int64_t now = now_ms();
    for (const auto& code : options_.markets) {
        if (index_.contains(code)) continue;
        index_.emplace(code, walks_.size());
        walks_.emplace_back(describe_market(code), options_.seed, now);
        last_price_.emplace_back();
        updates_sent_.push_back(0);
        last_time_.push_back(0);
    }
    wanted_.assign(walks_.size(), 0);
}

server_core::~server_core() = default;

void server_core::listen() {
    if (options_.cert_file.empty() != options_.key_file.empty()) {
        throw std::invalid_argument("fake exchange: cert_file and key_file must be given together");
    }
    if (!options_.cert_file.empty()) {
        tls_ = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
        tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                          net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                          net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
        tls_->use_certificate_chain_file(options_.cert_file);
        tls_->use_private_key_file(options_.key_file, net::ssl::context::pem);
    }
    const tcp::endpoint endpoint{net::ip::make_address(options_.bind_address), options_.port};
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

void server_core::start() {
    running_ = true;
    restart_pacing();
    do_accept();
    schedule_tick();
}

void server_core::shutdown() {
    running_ = false;
    error_code ignored;
    acceptor_.close(ignored);
    tick_.cancel();
    const auto all = sessions_;
    for (const auto& s : all) s->drop();
    sessions_.clear();
}

// --- accepting -------------------------------------------------------------------------------

void server_core::do_accept() {
    acceptor_.async_accept(
        [this](error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void server_core::on_accept(error_code ec, tcp::socket socket) {
    if (!running_) return;
    if (ec) {
        log(4, "accept: {}", ec.message());
        return do_accept();
    }
    ++accepted_;
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // 10 fps demo frames go out at once
    auto s = make_session(*this, std::move(socket), tls_.get());
    sessions_.push_back(s);
    s->start();
    do_accept();
}

void server_core::remove(session* s) {
    std::erase_if(sessions_, [s](const auto& p) { return p.get() == s; });
}

std::size_t server_core::open_websockets() const {
    return static_cast<std::size_t>(std::count_if(sessions_.begin(), sessions_.end(),
                                                  [](const auto& s) { return s->websocket(); }));
}

// --- the market stream -----------------------------------------------------------------------

std::int64_t server_core::now_ms() const {
    if (options_.clock_ms) return options_.clock_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::size_t> server_core::market_index(std::string_view code) const {
    const auto it = index_.find(code);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

void server_core::restart_pacing() {
    pacing_epoch_ = steady_clock::now();
    paced_frames_ = 0;
}

void server_core::schedule_tick() {
    // 1 ms batches keep 20,000 frames/s smooth; slow demo rates need fewer wake-ups.
    const auto period =
        rate_ >= 1000 ? std::chrono::milliseconds(1) : std::chrono::milliseconds(10);
    tick_.expires_at(std::max(tick_.expiry() + period, steady_clock::now()));
    tick_.async_wait([this](error_code ec) { on_tick(ec); });
}

void server_core::on_tick(error_code ec) {
    if (ec || !running_) return;
    if (paused_ || stalled_) {
        restart_pacing();
    } else if (rate_ > 0) {
        const std::chrono::duration<double> elapsed = steady_clock::now() - pacing_epoch_;
        const auto due = static_cast<std::uint64_t>(elapsed.count() * rate_);
        if (due > paced_frames_) {
            std::uint64_t n = due - paced_frames_;
            // Behind by more than 50 ms worth (a hiccup, or a rate above what the fake can
            // render): skip ahead rather than burst.
            const auto burst = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(rate_ / 20));
            if (n > burst) {
                paced_frames_ += n - burst;
                n = burst;
            }
            // Counted even when nobody is subscribed, so a new subscriber gets no burst.
            paced_frames_ += n;
            if (generate(static_cast<std::size_t>(n)) > 0) flush_all();
        }
    } else {
        // Unlimited: write completions refill sessions; this catches idle ones (after a
        // pause or a stall ended with nothing pending).
        const auto all = sessions_;
        for (const auto& s : all) {
            if (s->idle()) pump(*s);
        }
    }
    schedule_tick();
}

void server_core::refresh_wanted() {
    std::fill(wanted_.begin(), wanted_.end(), 0);
    for (const auto& s : sessions_) {
        if (!s->streaming() || !s->realtime()) continue;
        for (std::size_t i = 0; i < wanted_.size(); ++i) {
            if (s->wants(i)) wanted_[i] = 1;
        }
    }
}

std::optional<std::size_t> server_core::next_market() {
    const std::size_t n = wanted_.size();
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = cursor_++ % n;
        if (wanted_[i] != 0) return i;
    }
    return std::nullopt;
}

std::size_t server_core::generate(std::size_t n, session* until_full) {
    refresh_wanted();
    const std::int64_t now = now_ms();
    std::size_t made = 0;
    for (; made < n; ++made) {
        if (until_full != nullptr && until_full->pending_bytes() >= pump_bytes) break;
        const auto m = next_market();
        if (!m) break;
        walks_[*m].step(now);
        render(*m, stream_type::realtime, now);
        fan_out(*m);
    }
    return made;
}

void server_core::render(std::size_t m, stream_type type, std::int64_t now,
                         std::string_view price) {
    // A venue stamps no two updates of one market with the same time (Binance: one per second);
    // frames generated in one burst would, so each market's times strictly increase.
    now = std::max(now, last_time_[m] + 1);
    last_time_[m] = now;
    payload_.clear();
    dialect_.render_ticker(payload_, walks_[m], type, now, price, ++ticker_sequence_);
    frame_.clear();
    append_frame(frame_, dialect_.binary_data() ? ws_opcode::binary : ws_opcode::text, payload_);
    last_price_[m].assign(price.empty() ? walks_[m].price_text() : price);
}

void server_core::fan_out(std::size_t m) {
    bool sent = false;
    for (const auto& s : sessions_) {
        if (!s->streaming() || !s->realtime() || !s->wants(m)) continue;
        const bool queued = s->queue(frame_);
        count_frame(queued);
        sent = sent || queued;
    }
    if (sent) ++updates_sent_[m];
}

void server_core::flush_all() {
    const auto all = sessions_;
    for (const auto& s : all) s->flush();
}

void server_core::pump(session& s) {
    if (rate_ != 0 || paused_ || stalled_ || !running_) return;
    if (!s.streaming() || !s.realtime() || s.pending_bytes() >= pump_bytes) return;
    if (generate(pump_max_frames, &s) > 0) flush_all();
}

void server_core::subscribe(session& s, client_action&& req) {
    ++subscriptions_;
    std::vector<char> wants(walks_.size(), 0);
    for (const auto& code : req.codes) {
        if (const auto i = market_index(code)) wants[*i] = 1;
    }
    s.subscribe(std::move(wants), req.realtime);
    log(6, "subscribe: {}", req.note);
    for (std::size_t c = 0; c < req.codes.size() && c < req.code_replies.size(); ++c) {
        const auto& [listed, unlisted] = req.code_replies[c];
        frame_.clear();
        append_frame(frame_, req.reply_binary ? ws_opcode::binary : ws_opcode::text,
                     market_index(req.codes[c]) ? listed : unlisted);
        s.queue(frame_);
    }
    if (options_.snapshot_on_subscribe && req.snapshot) {
        const std::int64_t now = now_ms();
        for (const auto& code : req.codes) {
            const auto i = market_index(code);
            if (!i) continue;  // unlisted codes are silently ignored
            render(*i, stream_type::snapshot, now);
            count_frame(s.queue(frame_));
        }
    }
    last_codes_ = std::move(req.codes);
    s.flush();
    pump(s);
}

// --- REST ------------------------------------------------------------------------------------

server_core::rest_reply server_core::rest_response(const request& req) {
    ++rest_requests_;
    const std::string_view target = req.target();
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

    response res{http::status::ok, req.version()};
    res.set(http::field::server, dialect_.server_header());
    res.set(http::field::content_type, "application/json;charset=UTF-8");
    res.keep_alive(req.keep_alive());
    const rest_route route =
        req.method() == http::verb::get ? dialect_.route(path) : rest_route::unknown;
    std::chrono::milliseconds delay{0};
    switch (route) {
        case rest_route::candles:
            delay = candle_response(path, query, res);
            break;
        case rest_route::market_list:
            if (!market_list_response(query, res)) return {};
            break;
        case rest_route::unknown:
            dialect_.error(res, http::status::not_found, "not_found", "Not Found");
            break;
    }
    res.prepare_payload();
    return {std::move(res), delay};
}

bool server_core::market_list_response(std::string_view query, response& res) {
    // The budget of a fresh client less this request (upbit.md §8: 10 per second).
    dialect_.budget(res, rest_route::market_list, 9);
    switch (fault_) {
        case rest_fault::stall:
            log(5, "market list: stalling (fault)");
            return false;
        case rest_fault::too_many_requests:
            dialect_.rate_limited(res, rest_route::market_list);
            break;
        case rest_fault::server_error:
            dialect_.error(res, http::status::internal_server_error, "server_error",
                           "Internal Server Error");
            break;
        case rest_fault::garbage:
            dialect_.garbage(res, rest_route::market_list);
            break;
        case rest_fault::none:
            dialect_.market_list(res, walks_, query);
            break;
    }
    return true;
}

std::chrono::milliseconds server_core::candle_response(std::string_view path,
                                                       std::string_view query, response& res) {
    ++candle_requests_;
    const std::int64_t now = now_ms();

    // Rate limit (Upbit's `candle` group, upbit.md §8): fixed windows of one second of the
    // fake's clock; requests beyond the budget are answered 429 and use none of it.
    const std::int64_t second = floor_div(now, 1'000);
    if (second != candle_second_) {
        candle_second_ = second;
        candle_admitted_ = 0;
        candle_arrived_ = 0;
    }
    ++candle_arrived_;
    candle_max_in_second_ = std::max(candle_max_in_second_, candle_arrived_);
    const std::uint64_t limit =
        options_.candle_rate_limit.value_or(dialect_.candle_rate_limit());
    if (limit != 0 && candle_admitted_ >= limit) {
        ++candle_rejected_;
        log(5, "candles: rate limit, {} requests this second", candle_arrived_);
        dialect_.rate_limited(res, rest_route::candles);
        return {};
    }
    ++candle_admitted_;
    // What is left of this second's budget after this request; unlimited reports the full
    // budget (10) less this one.
    dialect_.budget(res, rest_route::candles, limit == 0 ? 9 : limit - candle_admitted_);

    std::chrono::milliseconds delay{0};
    const bool nth = ++candle_fault_count_ % candle_fault_period == 0;
    switch (candle_fault_) {
        case candle_fault::none:
            break;
        case candle_fault::every_nth_429:
            if (!nth) break;
            log(5, "candles: 429 (fault)");
            dialect_.rate_limited(res, rest_route::candles);
            return delay;
        case candle_fault::every_nth_500:
            if (!nth) break;
            log(5, "candles: 500 (fault)");
            dialect_.error(res, http::status::internal_server_error, "server_error",
                           "Internal Server Error");
            return delay;
        case candle_fault::garbage:
            if (!nth) break;
            log(5, "candles: garbage (fault)");
            dialect_.garbage(res, rest_route::candles);
            return delay;
        case candle_fault::slow:
            delay = std::chrono::milliseconds(std::max<std::int64_t>(0, options_.candle_delay_ms));
            break;
    }

    candle_query q;
    if (!dialect_.parse_candles(res, path, query, q)) return delay;
    if (!market_index(q.market)) {
        dialect_.unknown_market(res);
        return delay;
    }
    // `to` is exclusive, "candles before it" (upbit.md §10). The fake's rule: the minutes m
    // whose start is strictly before `to` floored to the minute, m * 60000 < floor(to / 60000)
    // * 60000, which is the same as: the candles that have ended by `to`, (m + 1) * 60000 <=
    // to. So to = 05:00:00 gives 04:59 first, and so does to = 05:00:59.999. The minute in
    // progress at now_ms() has not ended either and is never served, nor any later one.
    const std::int64_t to = q.to_ms.value_or(now);
    const std::int64_t end_minute = std::min(floor_div(to, minute_ms), floor_div(now, minute_ms));
    dialect_.candles(res, q, end_minute, options_.candle_close);
    return delay;
}

// --- cues ------------------------------------------------------------------------------------

void server_core::set_candle_fault(candle_fault fault) noexcept {
    candle_fault_ = fault;
    candle_fault_count_ = 0;
}

void server_core::drop_connections() {
    log(5, "cue: drop {} connections", sessions_.size());
    const auto all = sessions_;
    for (const auto& s : all) s->drop();
}

void server_core::close_connections(std::uint16_t code) {
    log(5, "cue: close websockets with {}", code);
    const auto all = sessions_;
    for (const auto& s : all) s->close(code);
}

void server_core::set_stalled(bool stalled) {
    if (stalled_ == stalled) return;
    log(5, "cue: stalled {}", stalled);
    stalled_ = stalled;
    restart_pacing();
    if (stalled) return;
    const auto all = sessions_;
    for (const auto& s : all) s->resume();
}

void server_core::inject(const std::string& payload, bool binary) {
    frame_.clear();
    append_frame(frame_, binary ? ws_opcode::binary : ws_opcode::text, payload);
    for (const auto& s : sessions_) {
        if (s->streaming()) count_frame(s->queue(frame_));
    }
    flush_all();
}

void server_core::skip_sequence() {
    log(5, "cue: skip a message number on {} connections", sessions_.size());
    for (const auto& s : sessions_) s->skip_sequence();
}

bool server_core::send_ticker(const std::string& market, const std::string& price_text) {
    const auto i = market_index(market);
    if (!i) return false;
    const std::int64_t now = now_ms();
    if (const auto price = parse_price(price_text)) walks_[*i].trade_at(*price, now);
    render(*i, stream_type::realtime, now, price_text);
    fan_out(*i);
    flush_all();
    return true;
}

void server_core::set_rate(double frames_per_second) {
    rate_ = std::max(0.0, frames_per_second);
    restart_pacing();
}

void server_core::pause_stream(bool paused) {
    paused_ = paused;
    restart_pacing();
}

void server_core::announce_shutdown() {
    log(5, "cue: scheduled disconnect");
    const auto all = sessions_;
    for (const auto& s : all) s->announce_shutdown();
}

std::uint64_t server_core::updates_sent(const std::string& market) const {
    const auto i = market_index(market);
    return i ? updates_sent_[*i] : 0;
}

std::string server_core::last_price(const std::string& market) const {
    const auto i = market_index(market);
    return i ? last_price_[*i] : std::string();
}

void server_core::log_line(int priority, const std::string& line) const {
    fmt::print(stderr, "<{}>sise-fake-{}: {}\n", priority, dialect_.name(), line);
}

}  // namespace sise::fake::detail
