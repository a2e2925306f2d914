#include "sise/io/market_names.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sise/io/http_client.hpp"
#include "sise/io/log.hpp"
#include "sise/io/spawn.hpp"

namespace sise::io {
namespace {

// Binance's exchangeInfo of the TRADING symbols runs to several MB with their filters.
constexpr std::size_t market_list_body_limit = 32 * 1024 * 1024;
constexpr int market_list_attempts = 3;

}  // namespace

market_name_loader::market_name_loader(asio::any_io_executor executor, feed::adapter& adapter,
                                       const feed_config& config, ssl::context* tls,
                                       market::ticker_table& table, std::function<void()> on_loaded)
    : executor_(std::move(executor)),
      adapter_(adapter),
      config_(config),
      tls_(tls),
      table_(table),
      on_loaded_(std::move(on_loaded)),
      pause_(executor_) {}

void market_name_loader::start() {
    asio::co_spawn(executor_, load(),
                   log_escaped_exception{fmt::format("{}: market list", to_string(adapter_.id()))});
}

void market_name_loader::stop() {
    stopping_ = true;
    pause_.cancel();
}

asio::awaitable<void> market_name_loader::load() {
    const exchange_id exchange = adapter_.id();
    const url endpoint = config_.rest_endpoint.with_path(adapter_.market_list_path());
    for (int attempt = 1; attempt <= market_list_attempts && !stopping_; ++attempt) {
        http_response response;
        error_code ec = co_await http_get(endpoint, tls_, config_.rest_timeout,
                                          market_list_body_limit, response);
        std::vector<feed::instrument> instruments;
        if (!ec && response.status == 200)
            adapter_.parse_market_list(response.body, instruments, ec);
        if (!ec && response.status == 200) {
            for (const auto& instrument : instruments)
                table_.set_names(exchange, instrument.market, instrument.name_ko,
                                 instrument.name_en);
            log(log_level::info, "{}: loaded names for {} markets", to_string(exchange),
                instruments.size());
            // A subscription ack does not prove a market exists (binance.md §4): a configured
            // market the exchange does not list will never deliver; say so per market.
            unlisted_.clear();
            for (const std::string& market : config_.markets) {
                const bool listed = std::any_of(instruments.begin(), instruments.end(),
                                                [&](const auto& i) { return i.market == market; });
                table_.set_listed(exchange, market, listed);
                if (listed) continue;
                unlisted_.push_back(market);
                log(log_level::warning, "{}: market {} is not listed by the exchange",
                    to_string(exchange), market);
            }
            on_loaded_();
            co_return;
        }
        log(log_level::warning, "{}: market list attempt {}/{} failed: {}", to_string(exchange),
            attempt, market_list_attempts,
            ec ? ec.message() : "HTTP " + std::to_string(response.status));
        pause_.expires_after(std::chrono::seconds{1 << attempt});
        co_await pause_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (!stopping_)
        log(log_level::warning, "{}: keeping bundled market names", to_string(exchange));
}

}  // namespace sise::io
