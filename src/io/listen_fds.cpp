#include "sise/io/listen_fds.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "sise/io/environment.hpp"

namespace sise::io {

std::optional<std::vector<listen_fd>> parse_listen_fds(std::optional<std::string_view> listen_pid,
                                                       std::optional<std::string_view> listen_fds,
                                                       std::optional<std::string_view> fd_names,
                                                       pid_t self) {
    std::vector<listen_fd> out;
    if (!listen_pid || !listen_fds) return out;
    const auto pid = environment_number<long>(*listen_pid);
    if (!pid) return {};
    if (*pid != self) return out;  // inherited from a parent that was activated: not ours
    const auto count = environment_number<long>(*listen_fds);
    if (!count || *count < 0 || *count > max_listen_fds) return {};
    for (long i = 0; i < *count; ++i)
        out.push_back({first_listen_fd + static_cast<int>(i), "unknown"});
    if (fd_names && !out.empty()) {
        std::size_t index = 0;
        std::string_view rest = *fd_names;
        while (true) {
            const auto colon = rest.find(':');
            if (index == out.size()) return {};
            out[index++].name = std::string(rest.substr(0, colon));
            if (colon == std::string_view::npos) break;
            rest.remove_prefix(colon + 1);
        }
        if (index != out.size()) return {};
    }
    return out;
}

std::vector<listen_fd> take_listen_fds() {
    auto fds =
        parse_listen_fds(environment_variable("LISTEN_PID"), environment_variable("LISTEN_FDS"),
                         environment_variable("LISTEN_FDNAMES"), ::getpid());
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
    if (!fds) throw std::runtime_error("LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES are malformed");
    for (const auto& passed : *fds) {
        const int flags = ::fcntl(passed.fd, F_GETFD);
        if (flags < 0 || ::fcntl(passed.fd, F_SETFD, flags | FD_CLOEXEC) < 0)
            throw std::runtime_error("LISTEN_FDS: fd " + std::to_string(passed.fd) +
                                     " is not open");
    }
    return *fds;
}

std::string listening_tcp_problem(int fd) {
    int value = 0;
    socklen_t length = sizeof(value);
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &length) != 0)
        return "is not a socket (or not open)";
    if (value != SOCK_STREAM) return "is not a stream socket";
    length = sizeof(value);
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &value, &length) != 0 ||
        (value != AF_INET && value != AF_INET6))
        return "is not a TCP socket (IPv4 or IPv6)";
    length = sizeof(value);
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) != 0 || value != 1)
        return "is not listening";
    return {};
}

}  // namespace sise::io
