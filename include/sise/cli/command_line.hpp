// Command-line plumbing shared by `sise`'s subcommands: one-line error messages, the option
// reader ("--name value", "--name=value", bare flags) and checked writes of the output.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sise::cli {

using args_view = std::span<const std::string_view>;

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

private:
    args_view args_;
    std::FILE* errors_;
    std::size_t index_ = 0;
    std::string_view current_;
    std::optional<std::string_view> inline_value_;
};

}  // namespace sise::cli
