#include "sise/cli/snapshot_command.hpp"

#include <fmt/format.h>

#include <boost/system/errc.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sise/cli/http_get.hpp"
#include "sise/cli/premium_view.hpp"
#include "sise/cli/table_view.hpp"
#include "sise/cli/terminal.hpp"

namespace sise::cli {
namespace {

constexpr std::chrono::seconds request_timeout{5};

template <typename... Args>
void error_line(fmt::format_string<Args...> format, Args&&... args) {
    print_error(stderr, format, std::forward<Args>(args)...);
}

bool write_stdout(std::string_view text) {
    return write_text(stdout, text);
}

constexpr std::string_view snapshot_help =
    R"(usage: sise snapshot [options]

Print the latest prices from sised, once.

options:
  --url URL         sised's address (default http://127.0.0.1:8765)
  --markets A,B     only these markets, in this order (e.g. KRW-BTC,upbit:KRW-ETH: a bare
                    code on every exchange, exchange:code on that one)
  --lang ko|en      names and headers in Korean (default) or English
  --color WHEN      auto (default: on a terminal), always or never
  --json            print the snapshot body as sised sent it, for scripts
  --premium         per coin: KRW prices, foreign prices in KRW and the kimchi premium
                    (needs [fx] in sised's config; the FX basis is named under the table)
  -h, --help        show this help

exit status: 0 done, 1 sised unreachable or its answer unusable, 2 bad command line
)";

struct snapshot_options : sised_options {
    bool json = false;
    bool premium = false;
    language lang = language::ko;
    color_mode color = color_mode::automatic;
};

std::optional<snapshot_options> parse_snapshot_args(args_view args) {
    snapshot_options options;
    const bool ok =
        read_options(args, "snapshot", options, [&](option_reader& reader, std::string_view name) {
            if (name == "--json") {
                if (!reader.no_value()) return option_outcome::failed;
                options.json = true;
                return option_outcome::taken;
            }
            if (name == "--premium") {
                if (!reader.no_value()) return option_outcome::failed;
                options.premium = true;
                return option_outcome::taken;
            }
            if (name == "--lang") return assign(reader.choice(language_names), options.lang);
            if (name == "--color") return assign(reader.choice(color_mode_names), options.color);
            return option_outcome::not_mine;
        });
    if (!ok) return std::nullopt;
    if (options.help) return options;
    // --json prints the body as received; a filtered body would no longer be that.
    if (options.json && !options.markets.empty()) {
        error_line(
            "option '--markets' cannot be combined with '--json' (the body is printed as "
            "received)");
        return std::nullopt;
    }
    // The premium view joins rows across venues; a market filter would drop its other side.
    if (options.premium && (options.json || !options.markets.empty())) {
        error_line("option '--premium' cannot be combined with '{}'",
                   options.json ? "--json" : "--markets");
        return std::nullopt;
    }
    return options;
}

}  // namespace

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

    message_parser parser;
    snapshot snap;
    std::string why;
    if (parser.parse_snapshot(response.body, snap, why)) {
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
    if (options->premium) {
        const std::string text = render_premium(rows, render);
        if (text.empty()) {
            error_line("sised publishes no premium: its config has no [fx] section");
            return exit_failure;
        }
        return write_stdout(text) ? exit_ok : exit_failure;
    }
    return write_stdout(render_table(rows, render)) ? exit_ok : exit_failure;
}

}  // namespace sise::cli
