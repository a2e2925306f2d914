// The daemon's address as given on the command line ("http://127.0.0.1:8765"), split into
// what an HTTP client needs. Pure, so that bad --url values are caught before any I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sise::cli {

struct http_url {
    std::string host;         // without brackets, for the resolver: "127.0.0.1", "::1"
    std::string port;         // "80" when the URL names none
    std::string host_header;  // as the Host header wants it: "127.0.0.1:8765", "[::1]:8765"
    std::string path_prefix;  // "" or "/base" (no trailing slash): a daemon behind a proxy

    // The request target for `path` ("/v1/snapshot") under the prefix.
    std::string target(std::string_view path) const { return path_prefix + std::string(path); }
};

// Accepts http://host[:port][/prefix], host being a name, an IPv4 address or a bracketed
// IPv6 address; "http://" may be left out. Refuses https (sised serves plain HTTP on a
// local port), user info, queries and fragments. On failure `why` says what was wrong.
std::optional<http_url> parse_http_url(std::string_view text, std::string& why);

}  // namespace sise::cli
