#include "sise/io/backfill.hpp"

#include <charconv>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sise/core/utc_time.hpp"
#include "sise/feed/backoff.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/http_client.hpp"
#include "sise/io/log.hpp"
#include "sise/io/tls.hpp"

namespace sise::io {
namespace {

// Upbit allows 10 candle requests per second per IP (upbit.md §8); staying at 8 leaves room
// for the clock skew between our second and theirs.
constexpr std::chrono::milliseconds request_spacing{125};
constexpr std::size_t candle_body_limit = 4 * 1024 * 1024;
// 24 h is 1441 minutes: 8 full pages. More than this means the exchange keeps answering
// without ever reaching the reference minute; stop and stay "partial".
constexpr int max_pages = 12;

// The `sec` budget of "Remaining-Req: group=candles; min=600; sec=9", or -1.
int remaining_this_second(std::string_view header) {
    auto at = header.find("sec=");
    if (at == std::string_view::npos) return -1;
    int value = -1;
    auto digits = header.substr(at + 4);
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

}  // namespace

backfiller::backfiller(asio::any_io_executor executor, feed::adapter& adapter,
                       const feed_config& config, market::ticker_table& table,
                       std::function<void()> on_progress)
    : executor_(std::move(executor)),
      adapter_(adapter),
      config_(config),
      table_(table),
      on_progress_(std::move(on_progress)) {
    if (parse_url(config_.rest_url).value_or(url{}).tls())
        tls_ = std::make_unique<ssl::context>(make_client_tls_context(config_.ca_file));
}

backfiller::~backfiller() = default;

void backfiller::start(std::int64_t live_from_ms) {
    stop();
    const auto generation = ++generation_;
    stats_.markets = 0;
    stats_.markets_complete = 0;
    const auto rows = table_.rows();
    // Up to and including the minute the feed connected in: its candle holds the trades
    // before the connection; later live trades in it merge by time.
    const std::int64_t to_ms = floor_to_minute(live_from_ms) + ms_per_minute;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].exchange != adapter_.id()) continue;
        ++stats_.markets;
        asio::co_spawn(executor_, fill(static_cast<market::row_id>(i), generation, to_ms),
                       asio::detached);
    }
}

void backfiller::stop() {
    ++generation_;
    for (auto& timer : timers_) timer->cancel();
}

std::chrono::milliseconds backfiller::next_slot() {
    // One shared pace for every market of this exchange.
    const auto now = std::chrono::steady_clock::now();
    const auto slot = std::max(next_request_, now);
    next_request_ = slot + request_spacing;
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

asio::awaitable<void> backfiller::fill(market::row_id row, std::uint64_t generation,
                                       std::int64_t to_ms) {
    auto& timer = *timers_.emplace_back(std::make_unique<asio::steady_timer>(executor_));
    const std::string market = table_.row(row).instrument.market;
    const auto base = parse_url(config_.rest_url).value();
    feed::backoff delays(std::chrono::milliseconds{500}, std::chrono::milliseconds{10'000});
    std::minstd_rand random(std::random_device{}());
    std::vector<feed::minute_candle> candles;
    int pages = 0;

    auto complete = [&] {
        auto figures = table_.row(row).window.figures(now_ms());
        return figures && figures->complete;
    };
    while (!complete() && pages < max_pages) {
        if (!co_await wait(timer, next_slot(), generation)) co_return;
        const auto count = adapter_.max_candles_per_request();
        const url endpoint = base.with_path(adapter_.candles_path(market, to_ms, count));
        http_response response;
        ++stats_.requests;
        error_code ec = co_await http_get(endpoint, tls_.get(), config_.rest_timeout,
                                          candle_body_limit, response);
        if (generation != generation_) co_return;
        candles.clear();
        if (!ec && response.status == 200) adapter_.parse_candles(response.body, candles, ec);
        if (ec || response.status != 200) {
            ++stats_.failures;
            const bool refused = !ec && response.status >= 400 && response.status < 500 &&
                                 response.status != 429 && response.status != 418;
            if (refused) {
                // The request itself is wrong for this exchange (unknown market, no such
                // endpoint on a mirror): retrying cannot help.
                stats_.last_error = "HTTP " + std::to_string(response.status);
                log(log_level::warning, "{}: backfill of {} refused ({}); window stays partial",
                    to_string(adapter_.id()), market, stats_.last_error);
                co_return;
            }
            if (response.status == 429 || response.status == 418) ++stats_.rate_limited;
            stats_.last_error = ec ? ec.message() : "HTTP " + std::to_string(response.status);
            auto delay = delays.next(random());
            log(log_level::warning, "{}: backfill of {} failed ({}); retrying in {} ms",
                to_string(adapter_.id()), market, stats_.last_error, delay.count());
            if (!co_await wait(timer, delay, generation)) co_return;
            continue;
        }
        delays.reset();
        ++pages;
        if (remaining_this_second(response.remaining_req) == 0) {
            // The exchange says this second's budget is spent: the next request waits for
            // the next second.
            next_request_ = std::max(next_request_, std::chrono::steady_clock::now() +
                                                        std::chrono::seconds{1});
        }

        std::int64_t oldest = to_ms;
        for (const auto& candle : candles) {
            table_.add_candle(row, candle.start_ms, candle.open, candle.high, candle.low,
                              candle.close.to_double(), candle.close.text(),
                              candle.last_trade_ms);
            oldest = std::min(oldest, candle.start_ms);
        }
        // Minutes between the candles had no trades: the whole page's span is known. A short
        // page means there is no older history at all.
        const bool exhausted = candles.size() < count;
        table_.mark_covered(row, exhausted ? to_ms - 2 * market::window_ms : oldest, to_ms);
        to_ms = oldest;
        on_progress_();
        if (exhausted) break;
    }
    if (complete()) {
        ++stats_.markets_complete;
        log(log_level::info, "{}: 24 h window of {} complete ({} pages; {}/{} markets)",
            to_string(adapter_.id()), market, pages, stats_.markets_complete, stats_.markets);
    } else {
        log(log_level::warning, "{}: 24 h window of {} still partial after {} pages",
            to_string(adapter_.id()), market, pages);
    }
}

}  // namespace sise::io
