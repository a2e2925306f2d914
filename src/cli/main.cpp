// `sise`, the client of sised: the subcommand table. Each subcommand lives in its own file
// (snapshot_command, history_command, ...) as a function from its arguments to an exit
// status: 0 done, 1 sised unreachable or its answer unusable, 2 bad command line.
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sise/cli/command_line.hpp"
#include "sise/cli/history_command.hpp"
#include "sise/cli/snapshot_command.hpp"
#include "sise/cli/watch_command.hpp"
#include "sise/core/version.hpp"

namespace {

using namespace sise::cli;

template <typename... Args>
void error_line(fmt::format_string<Args...> format, Args&&... args) {
    print_error(stderr, format, std::forward<Args>(args)...);
}

bool write_stdout(std::string_view text) { return write_text(stdout, text); }

// --- dispatch ------------------------------------------------------------------------------

struct command {
    std::string_view name;
    std::string_view summary;
    int (*run)(args_view args);
};

int run_history_files(args_view args) {
    history_environment env;
    env.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    if (const char* dir = std::getenv("SISE_HISTORY_DIR"); dir != nullptr && *dir != '\0')
        env.default_dir = dir;
    return run_history(args, env);
}

constexpr std::array commands{
    command{"snapshot", "print the latest prices once", run_snapshot},
    command{"watch", "show the prices live, full screen (or one line per change when piped)",
            run_watch},
    command{"history", "print recorded prices or OHLC bars from the history files",
            run_history_files},
};

std::string main_help() {
    std::string text = "usage: sise <command> [options]\n\ncommands:\n";
    for (const command& c : commands) text += fmt::format("  {:<10} {}\n", c.name, c.summary);
    text +=
        "\noptions:\n"
        "  -h, --help  show this help\n"
        "  --version   show the version\n"
        "\nrun 'sise <command> --help' for a command's options\n";
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    // A closed pipe (`sise history ... | head`) is a failed write (exit 1), not a signal.
    std::signal(SIGPIPE, SIG_IGN);
    const std::vector<std::string_view> all(argv + 1, argv + argc);
    if (all.empty()) {
        fmt::print(stderr, "{}", main_help());
        return exit_usage;
    }
    const std::string_view first = all.front();
    if (first == "-h" || first == "--help" || first == "help")
        return write_stdout(main_help()) ? exit_ok : exit_failure;
    if (first == "--version")
        return write_stdout(fmt::format("sise {}\n", sise::version)) ? exit_ok : exit_failure;
    for (const command& c : commands)
        if (c.name == first) return c.run(args_view(all).subspan(1));
    if (first.starts_with("-"))
        error_line("unknown option '{}' (see 'sise --help')", first);
    else
        error_line("unknown command '{}' (see 'sise --help')", first);
    return exit_usage;
}
