// sised: the daemon. Parses flags, loads the config, runs the app. Start-up failures are
// one line on stderr: exit 2 for bad flags or config, 1 for anything else.
#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "sise/core/version.hpp"
#include "sise/io/app.hpp"
#include "sise/io/config.hpp"
#include "sise/io/listen_fds.hpp"

namespace {

constexpr std::string_view usage = R"(Usage: sised [--config FILE] [--check-config]

Real-time crypto price ticker daemon: keeps websockets to exchange feeds and republishes
one normalized table on a local HTTP/WebSocket server (default 127.0.0.1:8765).

Options:
  --config FILE    TOML configuration (docs/config.md); without it, built-in defaults:
                   Upbit KRW markets of the news sidebar, real endpoints, real TLS checks
  --check-config   load and validate the configuration, then exit
  --help           show this help
  --version        show the version
)";

struct options {
    std::optional<std::string> config_path;
    bool check_only = false;
};

[[noreturn]] void fail(int code, const std::string& message) {
    fmt::print(stderr, "sised: {}\n", message);
    std::exit(code);
}

options parse_flags(int argc, char** argv) {
    options result;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            fmt::print("{}", usage);
            std::exit(0);
        } else if (flag == "--version") {
            fmt::print("sised {}\n", sise::version);
            std::exit(0);
        } else if (flag == "--config") {
            if (i + 1 >= argc) fail(2, "--config: missing FILE");
            result.config_path = argv[++i];
        } else if (flag.starts_with("--config=")) {
            result.config_path = std::string(flag.substr(9));
        } else if (flag == "--check-config") {
            result.check_only = true;
        } else {
            fail(2, fmt::format("{}: unknown option (see --help)", flag));
        }
    }
    return result;
}

// Socket activation (systemd/sised.socket): the one listening socket systemd passed, if any.
// Anything else passed is a start-up error (exit 2), like a bad config.
std::optional<int> adopted_socket() {
    std::vector<sise::io::listen_fd> fds;
    try {
        fds = sise::io::take_listen_fds();
    } catch (const std::exception& e) {
        fail(2, e.what());
    }
    if (fds.empty()) return std::nullopt;
    if (fds.size() > 1)
        fail(2, fmt::format("LISTEN_FDS: sised listens on one socket, {} were passed", fds.size()));
    if (auto problem = sise::io::listening_tcp_problem(fds.front().fd); !problem.empty())
        fail(2, fmt::format("LISTEN_FDS: fd {} {}", fds.front().fd, problem));
    return fds.front().fd;
}

}  // namespace

int main(int argc, char** argv) {
    const options flags = parse_flags(argc, argv);
    sise::io::config config;
    try {
        config = flags.config_path ? sise::io::load_config_file(*flags.config_path)
                                   : sise::io::default_config();
    } catch (const sise::io::config_error& e) {
        fail(2, fmt::format("bad config: {}", e.what()));
    }
    if (flags.check_only) {
        fmt::print("sised: configuration OK\n");
        return 0;
    }
    sise::io::launch_options launch;
    if (flags.config_path) launch.config_path = *flags.config_path;
    launch.listen_fd = adopted_socket();
    // A history file over a size limit (RLIMIT_FSIZE) must be a write error the writer
    // reports and retries, not a signal that kills the daemon.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        sise::io::app daemon(std::move(config), std::move(launch));
        daemon.run();
    } catch (const std::exception& e) {
        fail(1, e.what());
    }
    return 0;
}
