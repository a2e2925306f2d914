#include "sise/io/backfill.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sise/core/utc_time.hpp"
#include "sise/feed/backoff.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/http_client.hpp"
#include "sise/io/log.hpp"
#include "sise/io/spawn.hpp"

namespace sise::io {
namespace {

constexpr std::size_t candle_body_limit = 4 * 1024 * 1024;
// 24 h is 1441 minutes: 8 full pages. More than this means the exchange keeps answering
// without ever reaching the reference minute; stop and stay "partial".
constexpr int max_pages = 12;

}  // namespace

backfiller::backfiller(asio::any_io_executor executor, feed::adapter& adapter,
                       const feed_config& config, ssl::context* tls,
                       market::ticker_table& table, std::function<void()> on_progress)
    : executor_(std::move(executor)),
      adapter_(adapter),
      config_(config),
      table_(table),
      on_progress_(std::move(on_progress)),
      tls_(tls),
      pacing_(adapter.rest_policy()) {}

backfiller::~backfiller() = default;

void backfiller::start(std::int64_t live_from_ms) {
    stop();
    const auto generation = ++generation_;
    stats_.markets = 0;
    stats_.markets_complete = 0;
    const auto rows = table_.rows();
    // Pages cover the minutes before the one the feed connected in; that minute's own
    // candle is fetched once it has ended (see fill()).
    const std::int64_t to_ms = floor_to_minute(live_from_ms);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].exchange != adapter_.id() || rows[i].retired) continue;
        ++stats_.markets;
        asio::co_spawn(executor_, fill(static_cast<market::row_id>(i), generation, to_ms),
                       log_escaped_exception{fmt::format("{}: backfill of {}",
                                                         to_string(adapter_.id()),
                                                         rows[i].instrument.market)});
    }
}

void backfiller::stop() {
    ++generation_;
    for (auto& timer : timers_)
        if (timer) timer->cancel();
}

std::chrono::milliseconds backfiller::next_slot() {
    // One shared pace for every market of this exchange.
    const auto now = std::chrono::steady_clock::now();
    const auto slot = std::max(next_request_, now);
    next_request_ = slot + pacing_.request_spacing;
    return std::chrono::duration_cast<std::chrono::milliseconds>(slot - now);
}

asio::awaitable<bool> backfiller::wait(asio::steady_timer& timer, std::chrono::milliseconds delay,
                                       std::uint64_t generation) {
    if (delay.count() > 0) {
        timer.expires_after(delay);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return generation == generation_;
}

asio::awaitable<std::optional<std::vector<feed::minute_candle>>> backfiller::fetch(
    const std::string& market, std::int64_t to_ms, std::size_t count, std::uint64_t generation,
    asio::steady_timer& timer) {
    const url& base = config_.rest_endpoint;
    feed::backoff delays(pacing_.retry_initial, pacing_.retry_max);
    std::minstd_rand random(std::random_device{}());
    for (;;) {
        if (!co_await wait(timer, next_slot(), generation)) co_return std::nullopt;
        const url endpoint = base.with_path(adapter_.candles_path(market, to_ms, count));
        http_response response;
        ++stats_.requests;
        error_code ec = co_await http_get(endpoint, tls_, config_.rest_timeout,
                                          candle_body_limit, response, pacing_.budget_header);
        if (generation != generation_) co_return std::nullopt;
        std::vector<feed::minute_candle> candles;
        if (!ec && response.status == 200) adapter_.parse_candles(response.body, candles, ec);
        if (!ec && response.status == 200) {
            if (adapter_.budget_spent(response.budget)) {
                // The exchange says this second's budget is spent: the next request waits
                // for the next second.
                next_request_ = std::max(next_request_, std::chrono::steady_clock::now() +
                                                            std::chrono::seconds{1});
            }
            co_return candles;
        }
        ++stats_.failures;
        stats_.last_error = ec ? ec.message() : "HTTP " + std::to_string(response.status);
        if (response.status == 429 || response.status == 418) ++stats_.rate_limited;
        if (!ec && response.status >= 400 && response.status < 500 && response.status != 429 &&
            response.status != 418) {
            // The request itself is wrong for this exchange (unknown market, no such endpoint
            // on a mirror): retrying cannot help.
            log(log_level::warning, "{}: backfill of {} refused ({}); window stays partial",
                to_string(adapter_.id()), market, stats_.last_error);
            co_return std::nullopt;
        }
        auto delay = delays.next(random());
        log(log_level::warning, "{}: backfill of {} failed ({}); retrying in {} ms",
            to_string(adapter_.id()), market, stats_.last_error, delay.count());
        if (!co_await wait(timer, delay, generation)) co_return std::nullopt;
    }
}

asio::awaitable<void> backfiller::fill(market::row_id row, std::uint64_t generation,
                                       std::int64_t connect_minute) {
    // One timer per market, reused by every run: a run from before a reconnect only checks
    // its generation after a wait and never touches the timer again.
    if (timers_.size() <= row) timers_.resize(row + 1);
    if (!timers_[row]) timers_[row] = std::make_unique<asio::steady_timer>(executor_);
    auto& timer = *timers_[row];
    const std::string market = table_.row(row).instrument.market;
    auto complete = [&] {
        auto figures = table_.row(row).window.figures(now_ms());
        return figures && figures->complete;
    };
    auto apply = [&](const std::vector<feed::minute_candle>& candles) {
        for (const auto& candle : candles)
            table_.add_candle(row, candle.start_ms, candle.open, candle.high, candle.low,
                              candle.close.to_double(), candle.close.text(),
                              candle.last_trade_ms);
    };

    // Pages: the minutes before the one the feed connected in, newest first, until the
    // window reaches its reference minute or the exchange has no older history.
    const std::size_t count = adapter_.max_candles_per_request();
    std::int64_t to_ms = connect_minute;
    int pages = 0;
    while (!complete() && pages < max_pages) {
        auto candles = co_await fetch(market, to_ms, count, generation, timer);
        if (!candles) co_return;
        ++pages;
        apply(*candles);
        std::int64_t oldest = to_ms;
        for (const auto& candle : *candles) oldest = std::min(oldest, candle.start_ms);
        // Minutes between the candles had no trades: the page's whole span is known. A short
        // page means there is no older history at all, unless the venue's candles only reach
        // so far back (then the window stays partial beyond its reach).
        const bool exhausted = candles->size() < count;
        const auto reach = adapter_.candle_reach();
        const bool capped = reach.count() > 0;
        table_.mark_covered(row, exhausted && !capped ? to_ms - 2 * market::window_ms : oldest,
                            to_ms);
        const bool beyond_reach =
            capped && (oldest >= to_ms || oldest <= now_ms() - reach.count() + ms_per_minute);
        to_ms = oldest;
        on_progress_();
        if (exhausted || beyond_reach) break;
    }

    if (complete()) {
        ++stats_.markets_complete;
        log(log_level::info, "{}: 24 h window of {} complete ({} pages; {}/{} markets)",
            to_string(adapter_.id()), market, pages, stats_.markets_complete, stats_.markets);
    } else {
        log(log_level::warning, "{}: 24 h window of {} still partial after {} pages",
            to_string(adapter_.id()), market, pages);
    }

    // The connect minute holds trades from before the connection (its high and low matter).
    // Its candle is asked for once the minute has ended, since an exchange may leave a
    // running minute out; live trades after the connection are in the window already and
    // merge by time.
    const auto tail_wait =
        std::chrono::milliseconds{connect_minute + ms_per_minute + 1'000 - now_ms()};
    if (!co_await wait(timer, tail_wait, generation)) co_return;
    auto last = co_await fetch(market, connect_minute + ms_per_minute, 1, generation, timer);
    if (!last) co_return;
    apply(*last);
    table_.mark_covered(row, connect_minute, connect_minute + ms_per_minute);
    on_progress_();
}

}  // namespace sise::io
