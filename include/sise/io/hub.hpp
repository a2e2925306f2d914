// The local server's shared state (CppCon2018's shared_state): config, backend, counters and
// the rooms of websocket subscribers (io/room.hpp), plus the router's view of the daemon. The
// hub, the listener and the HTTP sessions live on the main loop; subscribers live in rooms,
// one per server thread, and reach the hub only through the main loop.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sise/api/router.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/asset_dir.hpp"
#include "sise/io/config.hpp"
#include "sise/io/log.hpp"
#include "sise/io/server.hpp"

namespace sise::io {

class room;

class hub final : public api::view, public std::enable_shared_from_this<hub> {
public:
    // Reads config.assets_dir, when set (throws std::runtime_error: start-up only).
    hub(asio::io_context& context, const server_config& config, server_backend& backend)
        : context_(context),
          config_(config),
          backend_(backend),
          asset_dir_(config.assets_dir.empty() ? nullptr
                                               : std::make_unique<asset_dir>(config.assets_dir)) {
        if (asset_dir_)
            log(log_level::info, "web assets: {} file(s) from {}, the rest compiled in",
                asset_dir_->overridden(), config.assets_dir);
    }

    // One room per context in `others` (run by their own threads); with none, one room on the
    // main loop.
    void open_rooms(std::span<const std::unique_ptr<asio::io_context>> others);
    // Lets go of the rooms (the server's end, once no thread runs them).
    void close_rooms() { rooms_.clear(); }
    // The room for the next subscriber (round robin).
    std::shared_ptr<room> next_room();
    // The main loop's executor (where rooms send their counters, and slots their releases).
    asio::any_io_executor main_executor() const { return context_.get_executor(); }
    // A room's counters, on the main loop.
    void room_report(std::size_t index, const server_stats& stats) { reports_.at(index) = stats; }
    // The hub's own counters (HTTP, connections) and every room's last report, summed.
    server_stats merged_stats() const;

    const server_config& config() const noexcept { return config_; }
    server_backend& backend() const noexcept { return backend_; }
    server_stats& stats() noexcept { return stats_; }
    const server_stats& stats() const noexcept { return stats_; }
    bool stopping() const noexcept { return stopping_; }

    // Hands the publication to every room: one call (or posted handler) per room.
    void broadcast(const publish::publication& publication);
    // Until stop(), every quarter of client_write_timeout (at most 1 s), in each room: pings
    // silent subscribers and cuts off those that stopped reading.
    void start_housekeeping();
    // Closes every subscriber (1001 going away); nothing new is accepted afterwards.
    void stop();
    // A reload: new origins, publish and client limits apply from the next request or
    // connection on (the address and port never change at run time).
    void reconfigure(const server_config& config);
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
    asio::io_context& context_;
    server_config config_;
    server_backend& backend_;
    std::unique_ptr<asset_dir> asset_dir_;  // null: the compiled-in assets
    server_stats stats_;
    std::vector<std::string> own_origins_;
    std::vector<std::shared_ptr<room>> rooms_;
    std::vector<server_stats> reports_;  // by room
    std::size_t next_room_ = 0;
    mutable publish::snapshot_cache snapshot_bodies_;  // a cache: filled by const requests
    log_limiter client_log_;
    bool stopping_ = false;
};

}  // namespace sise::io
