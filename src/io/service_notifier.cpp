#include "sise/io/service_notifier.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "sise/io/environment.hpp"

namespace sise::io {

namespace notify_message {

std::string status(std::string_view text) {
    std::string out = "STATUS=";
    out.append(text.substr(0, max_status_bytes));
    for (std::size_t i = 7; i < out.size(); ++i)
        if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
    return out;
}

std::string reloading(std::int64_t monotonic_usec) {
    return fmt::format("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec);
}

std::string ready_with_status(std::string_view text) {
    return fmt::format("{}\n{}", ready, status(text));
}

}  // namespace notify_message

std::optional<std::chrono::microseconds> watchdog_ping_interval(
    std::optional<std::string_view> watchdog_usec, std::optional<std::string_view> watchdog_pid,
    pid_t self) {
    if (!watchdog_usec) return {};
    if (watchdog_pid) {
        const auto pid = environment_number<pid_t>(*watchdog_pid);
        if (!pid || *pid != self) return {};
    }
    const auto usec = environment_number<std::uint64_t>(*watchdog_usec);
    if (!usec || *usec == 0 || *usec > static_cast<std::uint64_t>(INT64_MAX)) return {};
    return std::chrono::microseconds{static_cast<std::int64_t>(*usec / 2)};
}

std::optional<std::chrono::microseconds> watchdog_ping_interval_from_environment() {
    return watchdog_ping_interval(environment_variable("WATCHDOG_USEC"),
                                  environment_variable("WATCHDOG_PID"), ::getpid());
}

std::optional<notify_address> parse_notify_socket(std::string_view value) {
    notify_address out;
    out.address.sun_family = AF_UNIX;
    const bool abstract = value.starts_with('@');
    if (!abstract && !value.starts_with('/')) return {};
    // A path needs room for its terminating NUL; an abstract name is counted by the length.
    if (value.size() < 2 || value.size() + (abstract ? 0 : 1) > sizeof(out.address.sun_path))
        return {};
    std::memcpy(out.address.sun_path, value.data(), value.size());
    if (abstract) out.address.sun_path[0] = '\0';
    out.length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + value.size() + (abstract ? 0 : 1));
    return out;
}

service_notifier::service_notifier(std::string_view socket) {
    const auto address = parse_notify_socket(socket);
    if (!address)
        throw std::runtime_error(fmt::format("NOTIFY_SOCKET: not a socket address: {}", socket));
    address_ = *address;
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0)
        throw std::runtime_error(
            fmt::format("NOTIFY_SOCKET: cannot make a socket: {}", std::strerror(errno)));
}

service_notifier service_notifier::from_environment() {
    const auto socket = environment_variable("NOTIFY_SOCKET");
    if (!socket || socket->empty()) return {};
    return service_notifier(*socket);
}

service_notifier::service_notifier(service_notifier&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), address_(other.address_) {}

service_notifier& service_notifier::operator=(service_notifier&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        address_ = other.address_;
    }
    return *this;
}

service_notifier::~service_notifier() {
    if (fd_ >= 0) ::close(fd_);
}

boost::system::error_code service_notifier::reloading() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return send(notify_message::reloading(static_cast<std::int64_t>(now.tv_sec) * 1'000'000 +
                                          now.tv_nsec / 1'000));
}

boost::system::error_code service_notifier::send(std::string_view message) {
    if (fd_ < 0) return {};
    const ssize_t sent =
        ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&address_.address), address_.length);
    if (sent < 0) return {errno, boost::system::system_category()};
    return {};
}

}  // namespace sise::io
