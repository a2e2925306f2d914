// The local server: HTTP (/v1/snapshot, /v1/history, /healthz) and the websocket stream
// (/v1/stream) on one port, default 127.0.0.1:8765. It owns a listener and the hub; what each
// request gets is decided by api::route (api/router.hpp), the sessions only move bytes. Every
// client is bounded: connection count, request and message sizes, read and write time, its
// socket send buffer, and one message in flight per subscriber (publish/fanout.hpp).
// Subscribers are spread over server.threads rooms (io/room.hpp), each on an io_context and
// thread of its own, joined at destruction; with one thread, the one room is on the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/market/table.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/publish/http_target.hpp"
#include "sise/publish/publication_sink.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::io {

class hub;
class listener;

// What the server needs from the daemon.
class server_backend {
public:
    virtual ~server_backend() = default;
    virtual const market::ticker_table& table() const = 0;
    virtual const publish::publisher& publisher() const = 0;
    // Every counter at this instant (the server fills in its own part).
    virtual stats::snapshot stats_snapshot() const = 0;
    // GET /v1/history: answered later, on the loop (the files are read on another thread).
    virtual void history_query(const publish::request_target& target,
                               std::function<void(unsigned status, std::string body)> answer) = 0;
};

using stats::server_stats;  // part of the daemon's one stats model (stats/snapshot.hpp)

class server final : public publish::publication_sink {
public:
    // Binds at once, or adopts `listen_fd` (a listening TCP socket passed by systemd, see
    // io/listen_fds.hpp); throws boost::system::system_error if it cannot.
    server(asio::io_context& context, const server_config& config, server_backend& backend,
           std::optional<int> listen_fd = std::nullopt);
    ~server();

    std::uint16_t port() const noexcept;
    const std::string& address() const noexcept;  // the address it listens on
    // Every room's counters as last reported to the main loop, with the hub's.
    server_stats stats() const;

    // Hands a publication to every subscriber (those mid-write keep it as pending rows).
    void on_publication(const publish::publication& publication) override;

    // Stops accepting and closes every session (websocket close 1001 "going away").
    void stop();

    // A reload (hub::reconfigure, hub::resnapshot).
    void reconfigure(const server_config& config);
    void resnapshot();

private:
    using work_guard = asio::executor_work_guard<asio::io_context::executor_type>;

    // The rooms' own loops, declared before the hub so that they outlive its use here.
    std::vector<std::unique_ptr<asio::io_context>> contexts_;
    std::vector<work_guard> guards_;
    std::vector<std::thread> threads_;
    std::shared_ptr<hub> hub_;  // shared with the sessions, which may outlive this
    std::shared_ptr<listener> listener_;
};

}  // namespace sise::io
