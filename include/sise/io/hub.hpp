// The local server's shared state (CppCon2018's shared_state): config, backend, counters and
// the set of websocket subscribers, plus the router's view of the daemon. One io_context, one
// thread: the listener, the sessions and the hub share it without locks.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "sise/api/router.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/asset_dir.hpp"
#include "sise/io/config.hpp"
#include "sise/io/log.hpp"
#include "sise/io/server.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::io {

class ws_session;

class hub final : public api::view, public std::enable_shared_from_this<hub> {
public:
    // Reads config.assets_dir, when set (throws std::runtime_error: start-up only).
    hub(asio::io_context& context, const server_config& config, server_backend& backend)
        : config_(config),
          backend_(backend),
          asset_dir_(config.assets_dir.empty() ? nullptr
                                               : std::make_unique<asset_dir>(config.assets_dir)),
          housekeeping_(context) {
        if (asset_dir_)
            log(log_level::info, "web assets: {} file(s) from {}, the rest compiled in",
                asset_dir_->overridden(), config.assets_dir);
    }

    const server_config& config() const noexcept { return config_; }
    server_backend& backend() const noexcept { return backend_; }
    server_stats& stats() noexcept { return stats_; }
    const server_stats& stats() const noexcept { return stats_; }
    publish::client_message_parser& client_parser() noexcept { return client_parser_; }
    bool stopping() const noexcept { return stopping_; }

    void join(ws_session& session);
    void leave(ws_session& session);
    void broadcast(const publish::publication& publication);
    // Until stop(), every quarter of client_write_timeout (at most 1 s): pings silent
    // subscribers and cuts off those that stopped reading.
    void start_housekeeping();
    // Closes every subscriber (1001 going away); nothing new is accepted afterwards.
    void stop();
    // A reload: new origins, publish and client limits apply from the next request or
    // connection on (the address and port never change at run time).
    void reconfigure(const server_config& config) { config_ = config; }
    // The table's row set changed (a reload): every subscriber gets a fresh snapshot of its
    // subscription, staying connected.
    void resnapshot();

    // A client's connection failed in a way worth knowing (not a normal close): counted in
    // stats().client_errors and logged at most once per 10 s.
    void client_error(std::string_view step, const error_code& ec);

    // api::view
    const market::ticker_table& table() const override { return backend_.table(); }
    const publish::publisher& publisher() const override { return backend_.publisher(); }
    stats::snapshot stats_snapshot() const override { return backend_.stats_snapshot(); }
    std::span<const std::string> allowed_origins() const override {
        return config_.allowed_origins;
    }
    std::span<const std::string> own_origins() const override { return own_origins_; }
    std::span<const api::asset> assets() const override {
        return asset_dir_ ? asset_dir_->assets() : api::builtin_assets();
    }
    publish::snapshot_cache& snapshot_bodies() const override { return snapshot_bodies_; }
    std::optional<std::uint32_t> snapshot_max_age_s() const override {
        return config_.snapshot_max_age_s;
    }
    // Once listening: the origins a page served by this daemon itself has.
    void set_listening(const std::string& address, std::uint16_t port);

private:
    server_config config_;
    server_backend& backend_;
    std::unique_ptr<asset_dir> asset_dir_;  // null: the compiled-in assets
    server_stats stats_;
    std::vector<std::string> own_origins_;
    std::unordered_set<ws_session*> subscribers_;
    publish::client_message_parser client_parser_;
    mutable publish::snapshot_cache snapshot_bodies_;  // a cache: filled by const requests
    log_limiter client_log_;
    asio::steady_timer housekeeping_;
    bool stopping_ = false;
};

}  // namespace sise::io
