// Socket activation: the listening sockets systemd passed this process ($LISTEN_FDS,
// $LISTEN_PID, $LISTEN_FDNAMES; sd_listen_fds(3)), for the server to adopt instead of binding.
// Parsing the variables is pure; taking the fds marks them close-on-exec and clears the
// variables so nothing started later believes they are its own.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sise::io {

// The first passed fd (SD_LISTEN_FDS_START); the rest follow without gaps.
inline constexpr int first_listen_fd = 3;
// More than this many passed fds is refused as nonsense (sised listens on one port).
inline constexpr int max_listen_fds = 64;

struct listen_fd {
    int fd = -1;
    std::string name;  // FileDescriptorName= of the socket unit; "unknown" when not given
};

// The passed fds as the variables' texts (absent if unset) describe them. Empty when none
// are meant for `self` (LISTEN_PID unset or another pid, LISTEN_FDS unset or 0); nullopt when
// the variables are present for `self` but malformed (not numbers, too many fds, or a names
// list whose count differs from LISTEN_FDS) — a start-up error.
std::optional<std::vector<listen_fd>> parse_listen_fds(std::optional<std::string_view> listen_pid,
                                                       std::optional<std::string_view> listen_fds,
                                                       std::optional<std::string_view> fd_names,
                                                       pid_t self);

// Reads the variables of this process, unsets them and marks the fds close-on-exec.
// Throws std::runtime_error when they are malformed (start-up only).
std::vector<listen_fd> take_listen_fds();

// Empty when `fd` is a listening TCP socket (IPv4 or IPv6) the server can adopt; otherwise
// what it is instead ("is not a socket", "is not listening", ...).
std::string listening_tcp_problem(int fd);

}  // namespace sise::io
