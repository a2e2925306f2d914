// $NOTIFY_SOCKET's other end for tests: a datagram socket bound to a path in a temp directory
// that collects what sised tells systemd (READY=1, RELOADING=1, WATCHDOG=1, STOPPING=1), and
// a scoped environment variable to hand its path to the daemons a test starts.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "support/daemon.hpp"

namespace sise::test {

class notify_listener {
public:
    explicit notify_listener(const temp_dir& dir) : path_((dir.path() / "notify").string()) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(path_.size() < sizeof(address.sun_path));
        path_.copy(address.sun_path, path_.size());
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    }
    ~notify_listener() { ::close(fd_); }
    notify_listener(const notify_listener&) = delete;
    notify_listener& operator=(const notify_listener&) = delete;
    const std::string& path() const noexcept { return path_; }

    // Every datagram that arrives within `window`.
    std::vector<std::string> receive_for(std::chrono::milliseconds window) {
        std::vector<std::string> out;
        const auto end = std::chrono::steady_clock::now() + window;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                end - std::chrono::steady_clock::now());
            if (left.count() <= 0) return out;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
            char buffer[1024];
            const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n > 0) out.emplace_back(buffer, static_cast<std::size_t>(n));
        }
    }

private:
    std::string path_;
    int fd_ = -1;
};

// Sets an environment variable for the daemons started in a scope (fork + exec inherit it).
class scoped_env {
public:
    scoped_env(const char* name, const std::string& value) : name_(name) {
        ::setenv(name, value.c_str(), 1);
    }
    ~scoped_env() { ::unsetenv(name_); }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
};

// How many of `messages` contain `text`.
inline std::size_t count_containing(const std::vector<std::string>& messages,
                                    std::string_view text) {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.find(text) != std::string::npos;
    return n;
}

}  // namespace sise::test
