// A redis-server of the test's own, on a free loopback port and without persistence (never a
// system instance): started, killed and started again on the same port, queried with
// redis-cli. Killed when it goes out of scope.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/daemon.hpp"

namespace sise::test {

class redis_server {
public:
    // `password` empty: no AUTH required. `extra` are more redis-server arguments.
    explicit redis_server(std::string password = "", std::vector<std::string> extra = {});
    ~redis_server();
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    // redis://127.0.0.1:<port>/0, without the password.
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
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace sise::test
