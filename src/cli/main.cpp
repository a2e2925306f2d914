// `sise`, the one-shot client of sised: argument parsing and the subcommand table. Each
// subcommand is a function from its arguments to an exit status: 0 done, 1 sised
// unreachable or its answer unusable, 2 bad command line.
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <boost/system/errc.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sise/cli/command_line.hpp"
#include "sise/cli/history_command.hpp"
#include "sise/cli/http_get.hpp"
#include "sise/cli/table_view.hpp"
#include "sise/cli/text_width.hpp"
#include "sise/core/version.hpp"

namespace {

using namespace sise::cli;

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

constexpr std::string_view default_url = "http://127.0.0.1:8765";
constexpr std::chrono::seconds request_timeout{5};

template <typename... Args>
void error_line(fmt::format_string<Args...> format, Args&&... args) {
    print_error(stderr, format, std::forward<Args>(args)...);
}

bool write_stdout(std::string_view text) { return write_text(stdout, text); }

// --- terminal ------------------------------------------------------------------------------

enum class color_mode { automatic, always, never };

// NO_COLOR (no-color.org): set and not empty turns colour off. A TERM that is unset, empty
// or "dumb" cannot be trusted with escape sequences.
bool use_color(color_mode mode) {
    if (mode != color_mode::automatic) return mode == color_mode::always;
    if (!::isatty(STDOUT_FILENO)) return false;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') return false;
    const char* term = std::getenv("TERM");
    return term != nullptr && *term != '\0' && std::string_view(term) != "dumb";
}

// Columns of the terminal on stdout; 0 (no limit) when piped.
std::size_t terminal_width() {
    winsize size{};
    if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
        return size.ws_col;
    return 0;
}

// --- sise snapshot -------------------------------------------------------------------------

constexpr std::string_view snapshot_help =
    R"(usage: sise snapshot [options]

Print the latest prices from sised, once.

options:
  --url URL         sised's address (default http://127.0.0.1:8765)
  --markets A,B     only these markets, in this order (e.g. KRW-BTC,KRW-ETH)
  --lang ko|en      names and headers in Korean (default) or English
  --color WHEN      auto (default: on a terminal), always or never
  --json            print the snapshot body as sised sent it, for scripts
  -h, --help        show this help

exit status: 0 done, 1 sised unreachable or its answer unusable, 2 bad command line
)";

struct snapshot_options {
    std::string url{default_url};
    sise::url endpoint;
    bool json = false;
    language lang = language::ko;
    color_mode color = color_mode::automatic;
    std::vector<std::string> markets;
    bool help = false;
};

std::vector<std::string> split_markets(std::string_view list) {
    std::vector<std::string> markets;
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) markets.emplace_back(item);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    return markets;
}

std::optional<snapshot_options> parse_snapshot_args(args_view args) {
    snapshot_options options;
    option_reader reader(args);
    while (!reader.done()) {
        const std::string_view name = reader.next();
        if (name == "-h" || name == "--help") {
            if (!reader.no_value()) return std::nullopt;
            options.help = true;
        } else if (name == "--json") {
            if (!reader.no_value()) return std::nullopt;
            options.json = true;
        } else if (name == "--url") {
            const auto value = reader.value();
            if (!value) return std::nullopt;
            options.url = *value;
        } else if (name == "--lang") {
            const auto value = reader.value();
            if (!value) return std::nullopt;
            if (*value == "ko")
                options.lang = language::ko;
            else if (*value == "en")
                options.lang = language::en;
            else {
                error_line("option '--lang' takes ko or en, not '{}'", *value);
                return std::nullopt;
            }
        } else if (name == "--color") {
            const auto value = reader.value();
            if (!value) return std::nullopt;
            if (*value == "auto")
                options.color = color_mode::automatic;
            else if (*value == "always")
                options.color = color_mode::always;
            else if (*value == "never")
                options.color = color_mode::never;
            else {
                error_line("option '--color' takes auto, always or never, not '{}'", *value);
                return std::nullopt;
            }
        } else if (name == "--markets") {
            const auto value = reader.value();
            if (!value) return std::nullopt;
            options.markets = split_markets(*value);
            if (options.markets.empty()) {
                error_line("option '--markets' needs at least one market, e.g. KRW-BTC");
                return std::nullopt;
            }
        } else if (name.starts_with("-")) {
            error_line("unknown option '{}' for snapshot (see 'sise snapshot --help')", name);
            return std::nullopt;
        } else {
            error_line("unexpected argument '{}' for snapshot (see 'sise snapshot --help')", name);
            return std::nullopt;
        }
    }
    if (options.help) return options;

    // "http://" may be left out; https is refused: sised serves plain HTTP on a local port.
    const std::string text =
        options.url.find("://") == std::string::npos ? "http://" + options.url : options.url;
    const auto endpoint = sise::parse_url(text);
    if (!endpoint || endpoint->scheme != "http") {
        error_line("option '--url': {}: expected http://HOST[:PORT][/PREFIX]", options.url);
        return std::nullopt;
    }
    options.endpoint = *endpoint;
    // --json prints the body as received; a filtered body would no longer be that.
    if (options.json && !options.markets.empty()) {
        error_line(
            "option '--markets' cannot be combined with '--json' (the body is printed as "
            "received)");
        return std::nullopt;
    }
    return options;
}

int run_snapshot(args_view args) {
    const auto options = parse_snapshot_args(args);
    if (!options) return exit_usage;
    if (options->help) return write_stdout(snapshot_help) ? exit_ok : exit_failure;

    const http_result response =
        http_get(options->endpoint.with_path("/v1/snapshot"),
                 std::chrono::duration_cast<std::chrono::milliseconds>(request_timeout));
    if (response.failure == http_failure::unreachable) {
        const std::string reason =
            response.error == boost::system::errc::timed_out
                ? fmt::format("no answer within {} s", request_timeout.count())
                : response.error.message();
        error_line("cannot reach sised at {}: {}", options->url, reason);
        return exit_failure;
    }
    if (response.failure == http_failure::bad_response) {
        error_line("bad response from sised: {}", response.error.message());
        return exit_failure;
    }
    if (response.status != 200) {
        error_line("bad response from sised: HTTP {}", response.status);
        return exit_failure;
    }

    snapshot_parser parser;
    snapshot snap;
    std::string why;
    if (parser.parse(response.body, snap, why)) {
        error_line("bad response from sised: {}", why);
        return exit_failure;
    }

    if (options->json) {
        const bool newline = response.body.empty() || response.body.back() != '\n';
        return write_stdout(response.body) && (!newline || write_stdout("\n")) ? exit_ok
                                                                               : exit_failure;
    }

    std::vector<ticker_row> rows = std::move(snap.rows);
    if (!options->markets.empty()) {
        std::vector<std::string> missing;
        rows = select_markets(rows, options->markets, missing);
        for (const std::string& market : missing)
            error_line("market {} is not in sised's snapshot", market);
        if (rows.empty()) return exit_failure;
    }

    const render_options render{options->lang, use_color(options->color), terminal_width()};
    return write_stdout(render_table(rows, render)) ? exit_ok : exit_failure;
}

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

// `watch` (live view over /v1/stream) joins here.
constexpr std::array commands{
    command{"snapshot", "print the latest prices once", run_snapshot},
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
