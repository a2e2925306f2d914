// Starts sised the way systemd's socket activation does (sd_listen_fds(3)): a socket the test
// made is passed as fd 3, with LISTEN_FDS=1 and LISTEN_PID set to the child's own pid, which
// only the child knows, so it is written in after fork without allocating. Header-only: the
// test support library's source list stays as it is.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/daemon.hpp"

extern char** environ;

namespace sise::test {

class activated_daemon {
public:
    // Starts sised with this config and `socket_fd` as its fd 3; returns at once (wait for
    // the log or the exit). History goes to the run's own directory.
    activated_daemon(const std::string& config_toml, int socket_fd);
    ~activated_daemon();
    activated_daemon(const activated_daemon&) = delete;
    activated_daemon& operator=(const activated_daemon&) = delete;

    pid_t pid() const noexcept { return pid_; }
    std::string log() const;
    bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const;
    // Waits for sised to exit by itself (a start-up failure); its exit code.
    int wait_exit(std::chrono::milliseconds timeout);
    int terminate();  // SIGTERM; its exit code

private:
    temp_dir dir_;
    std::filesystem::path log_path_;
    pid_t pid_ = -1;
};

namespace activation_detail {

inline constexpr std::string_view listen_pid_prefix = "LISTEN_PID=";

// Writes `value` in decimal at `out` (room for 20 digits and a NUL): async-signal-safe.
inline void write_decimal(char* out, long value) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0 && n < 20);
    while (n > 0) *out++ = digits[--n];
    *out = '\0';
}

}  // namespace activation_detail

inline activated_daemon::activated_daemon(const std::string& config_toml, int socket_fd) {
    const auto config = dir_.write("sised.toml", config_toml + "\n[history]\ndir = \"" +
                                                     (dir_.path() / "history").string() + "\"\n");
    log_path_ = dir_.path() / "sised.log";
    // Everything is built before fork (see spawn in daemon.cpp): the child only writes its
    // pid into a buffer that already exists.
    std::vector<std::string> argv{SISE_SISED_PATH, "--config", config.string()};
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    std::string listen_fds = "LISTEN_FDS=1";
    std::string listen_pid(activation_detail::listen_pid_prefix.size() + 24, '\0');
    listen_pid.replace(0, activation_detail::listen_pid_prefix.size(),
                       activation_detail::listen_pid_prefix);
    std::vector<char*> env;
    for (char** variable = environ; *variable; ++variable)
        if (std::strncmp(*variable, "LISTEN_", 7) != 0) env.push_back(*variable);
    env.push_back(listen_fds.data());
    env.push_back(listen_pid.data());
    env.push_back(nullptr);
    const std::string output = log_path_.string();

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        // Only async-signal-safe calls from here to execve.
        activation_detail::write_decimal(
            listen_pid.data() + activation_detail::listen_pid_prefix.size(),
            static_cast<long>(::getpid()));
        const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        // dup2 clears close-on-exec on fd 3; the same fd needs it cleared by hand.
        if (socket_fd == 3)
            ::fcntl(3, F_SETFD, 0);
        else
            ::dup2(socket_fd, 3);
        // Nothing else of the test process (see spawn in daemon.cpp).
        ::close_range(4, ~0U, 0);
        ::execve(args[0], args.data(), env.data());
        ::_exit(127);
    }
}

inline activated_daemon::~activated_daemon() {
    if (pid_ > 0) terminate();
}

inline std::string activated_daemon::log() const {
    std::ifstream in(log_path_, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline bool activated_daemon::wait_for_log(const std::string& text,
                                           std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        if (log().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

inline int activated_daemon::wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    const int code = wait_for_exit(pid_, timeout);
    pid_ = -1;
    return code;
}

inline int activated_daemon::terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    return wait_exit(std::chrono::seconds{10});
}

}  // namespace sise::test
