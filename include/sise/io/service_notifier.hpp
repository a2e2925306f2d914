// Tells systemd how the daemon is doing over the sd_notify datagram protocol, written here
// instead of linking libsystemd (docs/operations.md, "Notify and watchdog"): READY, STATUS,
// WATCHDOG, RELOADING, STOPPING. The message texts and the watchdog's environment are pure
// functions; the notifier only sends datagrams and never blocks. Without $NOTIFY_SOCKET
// (not started by systemd) it is disabled and every call is a no-op.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace sise::io {

namespace notify_message {
inline constexpr std::string_view ready = "READY=1";
inline constexpr std::string_view watchdog = "WATCHDOG=1";
inline constexpr std::string_view stopping = "STOPPING=1";
// The longest STATUS= text sent; longer texts are cut (systemctl shows one line anyway).
inline constexpr std::size_t max_status_bytes = 512;

// "STATUS=<text>", with newlines turned into spaces (a newline would start a new assignment)
// and the text cut at max_status_bytes.
std::string status(std::string_view text);
// "RELOADING=1\nMONOTONIC_USEC=<usec>": the reload's start on CLOCK_MONOTONIC, as systemd
// 253+ wants it (252 reads RELOADING=1 and ignores the rest).
std::string reloading(std::int64_t monotonic_usec);
// "READY=1\nSTATUS=<text>": ready and why, in one datagram (after start-up or a reload).
std::string ready_with_status(std::string_view text);
}  // namespace notify_message

// The watchdog systemd asked for: $WATCHDOG_USEC and $WATCHDOG_PID (each given as the
// variable's text, absent if unset). Returns the ping interval, half the timeout, as
// sd_watchdog_enabled(3) advises; nullopt when no watchdog is asked of this process
// (unset, not a positive number, or meant for another pid).
std::optional<std::chrono::microseconds> watchdog_ping_interval(
    std::optional<std::string_view> watchdog_usec, std::optional<std::string_view> watchdog_pid,
    pid_t self);

// The same from this process's $WATCHDOG_USEC and $WATCHDOG_PID.
std::optional<std::chrono::microseconds> watchdog_ping_interval_from_environment();

// $NOTIFY_SOCKET as a socket address: an absolute path, or "@name" for a name in the abstract
// namespace (the '@' becomes a leading NUL). nullopt for anything else or a name too long.
struct notify_address {
    sockaddr_un address{};
    socklen_t length = 0;
};
std::optional<notify_address> parse_notify_socket(std::string_view value);

class service_notifier {
public:
    // Disabled: every call succeeds and sends nothing.
    service_notifier() = default;
    // Sends to `socket` ($NOTIFY_SOCKET's syntax). Throws std::runtime_error if the value is
    // not a usable address or no socket can be made (start-up only).
    explicit service_notifier(std::string_view socket);
    // From $NOTIFY_SOCKET; disabled when it is unset or empty.
    static service_notifier from_environment();

    service_notifier(service_notifier&& other) noexcept;
    service_notifier& operator=(service_notifier&& other) noexcept;
    service_notifier(const service_notifier&) = delete;
    service_notifier& operator=(const service_notifier&) = delete;
    ~service_notifier();

    bool enabled() const noexcept { return fd_ >= 0; }

    // One datagram each; an error (systemd gone, queue full: the socket never blocks) is
    // returned for the caller to count or log, never thrown.
    boost::system::error_code ready() { return send(notify_message::ready); }
    boost::system::error_code ready(std::string_view status_text) {
        return send(notify_message::ready_with_status(status_text));
    }
    boost::system::error_code status(std::string_view text) {
        return send(notify_message::status(text));
    }
    boost::system::error_code watchdog() { return send(notify_message::watchdog); }
    // RELOADING=1 with MONOTONIC_USEC read from CLOCK_MONOTONIC now.
    boost::system::error_code reloading();
    boost::system::error_code stopping() { return send(notify_message::stopping); }
    boost::system::error_code send(std::string_view message);

private:
    int fd_ = -1;
    notify_address address_{};
};

}  // namespace sise::io
