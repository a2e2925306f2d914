// A redis-server of the test's own, on a free loopback port and without persistence (never a
// system instance), plain or TLS only (its port then speaks nothing else): started, killed and
// started again on the same port, queried with redis-cli. Killed when it goes out of scope.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/daemon.hpp"

namespace sise::test {

// The server's TLS material (support/test_ca makes it). Clients are not asked for certificates.
struct redis_tls {
    std::string cert_file;
    std::string key_file;
    std::string ca_file;  // the CA that signed cert_file
};

class redis_server {
public:
    // `password` empty: no AUTH required. `extra` are more redis-server arguments. With `tls`
    // the port speaks TLS only (--port 0 --tls-port N).
    explicit redis_server(std::string password = "", std::vector<std::string> extra = {},
                          std::optional<redis_tls> tls = std::nullopt);
    ~redis_server();
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    // redis://127.0.0.1:<port>/0 (rediss:// with TLS), without the password.
    std::string url() const;
    // SIGKILL, like a crash: everything in it is gone (no persistence).
    void kill();
    // Starts it again on the same port and waits until it answers PING (throws if it does not).
    void start();
    // redis-cli's answer to `args` (its stdout and stderr, without the trailing newline).
    std::string cli(const std::vector<std::string>& args) const;

private:
    temp_dir dir_;
    std::string password_;
    std::vector<std::string> extra_;
    std::optional<redis_tls> tls_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace sise::test
