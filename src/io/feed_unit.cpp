#include "sise/io/feed_unit.hpp"

#include "sise/feed/registry.hpp"
#include "sise/io/tls.hpp"

namespace sise::io {
namespace {

std::unique_ptr<ssl::context> make_tls(const feed_config& settings) {
    if (!settings.websocket_endpoint.tls() && !settings.rest_endpoint.tls()) return nullptr;
    return std::make_unique<ssl::context>(make_client_tls_context(settings.ca_file));
}

// The adapter, with the exchange's rows added to the table first.
std::unique_ptr<feed::adapter> make_adapter_and_rows(const feed_config& settings,
                                                     market::ticker_table& table) {
    auto adapter = feed::make_adapter(settings.exchange, {settings.max_frame_bytes});
    const auto fallback = adapter->fallback_instruments();
    for (const std::string& market : settings.markets) {
        feed::instrument instrument = adapter->describe(market);
        for (const auto& known : fallback)
            if (known.market == market) {
                instrument.name_ko = known.name_ko;
                instrument.name_en = known.name_en;
            }
        table.add(settings.exchange, std::move(instrument), adapter->basis());
    }
    return adapter;
}

}  // namespace

feed_unit::feed_unit(asio::any_io_executor executor, feed_config settings, feed_sink& sink,
                     market::ticker_table& table, const std::function<void()>& on_change)
    : config(std::move(settings)),
      tls(make_tls(config)),
      client(executor, make_adapter_and_rows(config, table), config, tls.get(), sink),
      backfill(config.backfill ? std::make_unique<backfiller>(executor, client.adapter(), config,
                                                              tls.get(), table, on_change)
                               : nullptr),
      names(executor, client.adapter(), config, tls.get(), table, on_change) {}

void feed_unit::start() {
    client.start();
    names.start();
}

void feed_unit::stop() {
    names.stop();
    if (backfill) backfill->stop();
    client.stop();
}

void feed_unit::on_connected() {
    if (backfill) backfill->start(client.stats().connected_since_ms);
}

}  // namespace sise::io
