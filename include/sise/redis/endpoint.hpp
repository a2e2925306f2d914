// Where a Redis server is and how to log in: parsed once at start-up from
// redis://[[user]:password@]host[:port][/db] (rediss:// for TLS), so a bad URL is reported
// with the config key that holds it. Pure: no sockets, no name resolution.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sise::redis {

struct endpoint {
    std::string host;
    std::string port = "6379";
    std::string username;  // empty: AUTH with the password alone (the default user)
    std::string password;  // empty: no AUTH
    int db = 0;            // SELECT when not 0
    bool tls = false;      // rediss://

    bool operator==(const endpoint&) const = default;
};

// nullopt for anything else: another scheme, an empty host, a bad port or database number.
// The password is taken as written (no percent-decoding): one holding '@' or '/' goes in the
// separate `password` config key instead.
std::optional<endpoint> parse_endpoint(std::string_view text);

}  // namespace sise::redis
