// The local server: HTTP (/v1/snapshot, /v1/history, /healthz) and the websocket stream
// (/v1/stream) on one port, default 127.0.0.1:8765. It owns a listener and the hub; what each
// request gets is decided by api::route (api/router.hpp), the sessions only move bytes. Every
// client is bounded: connection count, request and message sizes, read and write time, its
// socket send buffer, and one message in flight per subscriber (publish/fanout.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/market/table.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/publish/http_target.hpp"

namespace sise::io {

class hub;
class listener;

// What the server needs from the daemon.
class server_backend {
public:
    virtual ~server_backend() = default;
    virtual const market::ticker_table& table() const = 0;
    virtual const publish::publisher& publisher() const = 0;
    // Body of /healthz; `healthy` selects 200 or 503.
    virtual std::string health_json(bool& healthy) const = 0;
    // GET /v1/history: answered later, on the loop (the files are read on another thread).
    virtual void history_query(const publish::request_target& target,
                               std::function<void(unsigned status, std::string body)> answer) = 0;
};

struct server_stats {
    std::uint64_t http_requests = 0;
    std::uint64_t websocket_sessions = 0;    // accepted over the lifetime
    std::uint64_t rejected_connections = 0;  // over max_clients
    std::uint64_t rejected_origins = 0;
    std::uint64_t bad_client_messages = 0;
    std::uint64_t slow_client_disconnects = 0;  // stuck write or unanswered ping
    std::uint64_t refused_requests = 0;         // 400/413/414/431 that close the connection
    std::uint64_t client_errors = 0;            // unexpected I/O errors on client connections
    std::size_t open_connections = 0;
    std::size_t subscribers = 0;
};

class server {
public:
    // Binds at once; throws boost::system::system_error if the address cannot be bound.
    server(asio::io_context& context, const server_config& config, server_backend& backend);
    ~server();

    std::uint16_t port() const noexcept;
    const server_stats& stats() const noexcept;

    // Hands a publication to every subscriber (those mid-write keep it as pending rows).
    void broadcast(const publish::publication& publication);

    // Stops accepting and closes every session (websocket close 1001 "going away").
    void stop();

private:
    std::shared_ptr<hub> hub_;  // shared with the sessions, which may outlive this
    std::shared_ptr<listener> listener_;
};

}  // namespace sise::io
