// Command-line plumbing shared by `sise`'s subcommands: exit statuses, one-line error
// messages, the option reader ("--name value", "--name=value", bare flags), the values
// several commands take (--url, --markets) and checked writes of the output.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sise/core/url.hpp"

namespace sise::cli {

using args_view = std::span<const std::string_view>;

// Every subcommand's exit status: 0 done, 1 failed (sised unreachable, output unwritable...),
// 2 bad command line.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

// sised's address when --url is absent.
inline constexpr std::string_view default_sised_url = "http://127.0.0.1:8765";

// One line on `to`, prefixed with the program name. Anything that came from outside (an
// argument, a server's reason) is sanitized first.
void print_error(std::FILE* to, std::string_view text);

template <typename... Args>
void print_error(std::FILE* to, fmt::format_string<Args...> format, Args&&... args) {
    print_error(to, std::string_view(fmt::format(format, std::forward<Args>(args)...)));
}

// All of `text`, flushed; false when the reader has gone (EPIPE) or the disk is full.
bool write_text(std::FILE* to, std::string_view text);

// Walks the arguments. Reports the first problem as one line naming the option on `errors`;
// the caller exits 2.
class option_reader {
public:
    explicit option_reader(args_view args, std::FILE* errors = stderr)
        : args_(args), errors_(errors) {}

    bool done() const { return index_ >= args_.size(); }

    // The next argument's option name ("--url" from "--url=x"), advancing past it.
    std::string_view next();

    std::optional<std::string_view> value();

    // A flag given as "--json=yes" is a mistake, not a flag.
    bool no_value();

    // The value, which must be one of `names`: "option '--lang' takes ko or en, not 'fr'".
    template <typename T, std::size_t N>
    std::optional<T> choice(const std::array<std::pair<std::string_view, T>, N>& names) {
        const auto given = value();
        if (!given) return std::nullopt;
        std::string list;
        for (std::size_t i = 0; i < N; ++i) {
            if (names[i].first == *given) return names[i].second;
            list += i == 0 ? "" : i + 1 == N ? " or " : ", ";
            list += names[i].first;
        }
        print_error(errors_, "option '{}' takes {}, not '{}'", current_, list, *given);
        return std::nullopt;
    }

    // A --markets list: at least one market.
    std::optional<std::vector<std::string>> markets();

private:
    args_view args_;
    std::FILE* errors_;
    std::size_t index_ = 0;
    std::string_view current_;
    std::optional<std::string_view> inline_value_;
};

// What reading one option came to.
enum class option_outcome { taken, failed, not_mine };

// A value read (or not: failed) into a field.
template <typename T>
option_outcome assign(std::optional<T> value, T& field) {
    if (!value) return option_outcome::failed;
    field = std::move(*value);
    return option_outcome::taken;
}
template <typename T>
option_outcome assign(std::optional<T> value, std::optional<T>& field) {
    if (!value) return option_outcome::failed;
    field = std::move(value);
    return option_outcome::taken;
}

// The options every client of sised takes: -h/--help, --url, --markets.
struct sised_options {
    std::string url{default_sised_url};
    sise::url endpoint;  // parsed from `url` by finish()
    std::vector<std::string> markets;
    bool help = false;

    // Takes `name` (just read by `reader`) if it is one of these options: taken, or failed
    // after one line on the reader's stream, or not_mine.
    option_outcome read(option_reader& reader, std::string_view name);
    // After the last argument (not with --help): parses `url`; false after one line on
    // stderr when it is unusable.
    bool finish();
};

// One line for an argument no option took: "unknown option '--x' for watch (see ...)".
void print_not_an_option(std::FILE* to, std::string_view name, std::string_view command);

// Reads a command's arguments: the common options into `common`, the others through
// `own(reader, name) -> option_outcome`; then (unless --help) the URL. False after one line
// on stderr for the first problem.
template <typename Own>
bool read_options(args_view args, std::string_view command, sised_options& common, Own&& own) {
    option_reader reader(args);
    while (!reader.done()) {
        const std::string_view name = reader.next();
        option_outcome outcome = common.read(reader, name);
        if (outcome == option_outcome::not_mine) outcome = own(reader, name);
        if (outcome == option_outcome::failed) return false;
        if (outcome == option_outcome::not_mine) {
            print_not_an_option(stderr, name, command);
            return false;
        }
    }
    return common.help || common.finish();
}

// "KRW-BTC, KRW-ETH" -> {"KRW-BTC", "KRW-ETH"}: spaces trimmed, empty items dropped.
std::vector<std::string> split_markets(std::string_view list);

// A --url value: http://HOST[:PORT][/PREFIX], "http://" optional; https is refused, as sised
// serves plain HTTP on a local port. nullopt (after one line on `errors`) when unusable.
std::optional<url> parse_sised_url(std::string_view text, std::FILE* errors = stderr);

}  // namespace sise::cli
