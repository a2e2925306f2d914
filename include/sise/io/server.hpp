// The local server: HTTP (/v1/snapshot, /healthz) and the websocket stream (/v1/stream) on
// one port, default 127.0.0.1:8765. One io_context, one thread: sessions and the hub share
// state without locks. Every client is bounded: connection count, request and message sizes,
// read and write time, and one message in flight per subscriber (publish/fanout.hpp).
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
    std::uint64_t websocket_sessions = 0;  // accepted over the lifetime
    std::uint64_t rejected_connections = 0;  // over max_clients
    std::uint64_t rejected_origins = 0;
    std::uint64_t bad_client_messages = 0;
    std::uint64_t slow_client_disconnects = 0;
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

    struct impl;  // opaque; shared with the sessions, which outlive calls into server

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace sise::io
