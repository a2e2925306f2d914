// Loads one exchange's market list over REST at start-up and puts the names into the table
// (the bundled names stay when every attempt fails). A few attempts with growing pauses; the
// feed streams meanwhile, so a slow or failing REST API never holds prices back.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "sise/feed/adapter.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/market/table.hpp"

namespace sise::io {

class market_name_loader {
public:
    // `tls` (the feed's one TLS context; null for http://) must outlive the loader.
    market_name_loader(asio::any_io_executor executor, feed::adapter& adapter,
                       const feed_config& config, ssl::context* tls, market::ticker_table& table,
                       std::function<void()> on_loaded);

    void start();
    void stop();
    // Configured markets missing from the exchange's list (empty until the list loaded).
    const std::vector<std::string>& unlisted() const noexcept { return unlisted_; }

private:
    asio::awaitable<void> load();

    asio::any_io_executor executor_;
    feed::adapter& adapter_;
    const feed_config& config_;
    ssl::context* tls_;
    market::ticker_table& table_;
    std::function<void()> on_loaded_;
    asio::steady_timer pause_;
    bool stopping_ = false;
    std::vector<std::string> unlisted_;
};

}  // namespace sise::io
