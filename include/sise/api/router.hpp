// The local server's endpoints as one pure function: (method, target, headers, view) ->
// response. It decides status, content type, cache policy, CORS headers and body; the sessions
// in io/ only move bytes. No sockets, clocks or Beast here. An endpoint is one row of the route
// table in src/api/router.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sise/api/assets.hpp"
#include "sise/market/table.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/publish/http_target.hpp"
#include "sise/publish/snapshot_cache.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::api {

// What the router reads from the daemon. Implemented by io::hub over the server backend.
class view {
public:
    virtual ~view() = default;
    virtual const market::ticker_table& table() const = 0;
    virtual const publish::publisher& publisher() const = 0;
    // Every counter at this instant: /healthz and /metrics are two encodings of it.
    virtual stats::snapshot stats_snapshot() const = 0;
    // server.allowed_origins: exact origins, or "*".
    virtual std::span<const std::string> allowed_origins() const = 0;
    // The daemon's own origins ("http://127.0.0.1:8765", ...): the page it serves itself is
    // always allowed. Fixed strings from the bound address, never the Host header (which a
    // DNS-rebinding page controls).
    virtual std::span<const std::string> own_origins() const = 0;
    // The web assets served at "/" and "/<name>" (api/assets.hpp).
    virtual std::span<const asset> assets() const = 0;
    // The /v1/snapshot bodies of the current publication (encoded at most once each). Mutable
    // through a const view: a cache, not state the answers depend on.
    virtual publish::snapshot_cache& snapshot_bodies() const = 0;
    // server.snapshot_max_age_s: set, snapshots are "public, max-age=N" (behind a CDN);
    // unset, "no-store".
    virtual std::optional<std::uint32_t> snapshot_max_age_s() const = 0;
};

// The request header fields the router decides on (absent fields are empty).
struct request_headers {
    std::string_view origin;
    std::string_view transfer_encoding;
    std::string_view content_length;
    std::string_view if_none_match;
    bool websocket_upgrade = false;  // Connection: upgrade + Upgrade: websocket
};

enum class action {
    respond,  // send this response
    upgrade,  // accept the websocket handshake (status and body unused)
    history,  // /v1/history: answered later by the backend; `target` is set
};

enum class cache_policy {
    no_store,        // live JSON
    revalidate,      // the demo page: "no-cache" (always asks, 304 when unchanged)
    public_short,    // widget.js and its stylesheet: "public, max-age=300"
    public_max_age,  // snapshots behind a CDN: "public, max-age=<response::max_age_s>"
};

struct response {
    action what = action::respond;
    unsigned status = 200;
    std::string_view content_type = "application/json; charset=utf-8";
    cache_policy cache = cache_policy::no_store;
    std::uint32_t max_age_s = 0;  // for cache_policy::public_max_age
    std::string body;
    // A body shared with other answers (a snapshot of the current publication), written as it
    // is; when set, `body` is empty.
    publish::shared_text shared_body;
    // Extra header fields (CORS, Allow); only allowed origins ever get the CORS ones.
    std::vector<std::pair<std::string_view, std::string>> headers;
    bool close = false;  // the connection must be closed after this response
    std::optional<publish::request_target> target;  // for action::history

    std::string_view payload() const noexcept { return shared_body ? *shared_body : body; }
};

// Why a request could not even be parsed (the session maps its parser's error).
enum class framing_failure {
    request_line_too_long,  // 414
    header_too_large,       // 431
    malformed,              // 400
};

// Routes one request whose header section parsed.
response route(std::string_view method, std::string_view target, const request_headers& headers,
               const view& state);

// The answer to a request that did not parse; always closes the connection.
response refuse(framing_failure failure);

// Browsers always send Origin and only they are restricted: an empty origin is allowed.
bool origin_allowed(std::span<const std::string> allowed, std::string_view origin);

// The websocket error text for a subscribe message that does not parse (names the limits).
std::string bad_subscribe_json();

}  // namespace sise::api
