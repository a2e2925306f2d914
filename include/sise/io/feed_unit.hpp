// Everything one configured exchange runs in the daemon, in one place: its settings, its one
// TLS context, the live feed client, the REST backfill and the market-name loader. Creating
// it adds the exchange's rows to the table (named from the bundled list until the REST list
// loads).
#pragma once

#include <functional>
#include <memory>

#include "sise/io/asio.hpp"
#include "sise/io/backfill.hpp"
#include "sise/io/config.hpp"
#include "sise/io/feed_client.hpp"
#include "sise/io/market_names.hpp"
#include "sise/market/table.hpp"

namespace sise::io {

struct feed_unit {
    // Throws on start-up failures (CA file, allocation). `on_change` runs whenever the table
    // changed outside the sink (names, backfill).
    feed_unit(asio::any_io_executor executor, feed_config settings, feed_sink& sink,
              market::ticker_table& table, const std::function<void()>& on_change);
    feed_unit(const feed_unit&) = delete;
    feed_unit& operator=(const feed_unit&) = delete;

    void start();  // connect and load names
    void stop();
    // The feed (re)connected: backfill from the moment it did.
    void on_connected();

    const feed_config config;
    const std::unique_ptr<ssl::context> tls;  // null when no endpoint is TLS
    feed_client client;
    const std::unique_ptr<backfiller> backfill;  // null when backfill is off
    market_name_loader names;
};

}  // namespace sise::io
