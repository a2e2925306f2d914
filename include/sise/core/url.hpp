// Endpoint URLs from the config: ws://, wss://, http://, https://. Pure parsing, so a bad URL
// is reported at start-up with the key that holds it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sise {

struct url {
    std::string scheme;  // "ws", "wss", "http" or "https"
    std::string host;    // without brackets for IPv6 literals
    std::string port;    // explicit or the scheme's default
    std::string target;  // path and query, at least "/"

    bool tls() const noexcept { return scheme == "wss" || scheme == "https"; }
    bool websocket() const noexcept { return scheme == "ws" || scheme == "wss"; }
    bool default_port() const noexcept { return port == (tls() ? "443" : "80"); }
    // The Host header value: host, plus ":port" when not the default.
    std::string host_header() const;
    // This URL with `path` (which may carry a query) appended to its target.
    url with_path(std::string_view path) const;

    bool operator==(const url&) const = default;
};

// nullopt for anything we cannot connect to: other schemes, userinfo, empty host, bad port.
std::optional<url> parse_url(std::string_view text);

}  // namespace sise
