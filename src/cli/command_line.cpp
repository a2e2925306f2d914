#include "sise/cli/command_line.hpp"

#include "sise/cli/text_width.hpp"

namespace sise::cli {

void print_error(std::FILE* to, std::string_view text) {
    fmt::print(to, "sise: {}\n", sanitize_for_terminal(text));
}

bool write_text(std::FILE* to, std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), to) != text.size()) return false;
    return std::fflush(to) == 0;
}

std::string_view option_reader::next() {
    std::string_view arg = args_[index_++];
    inline_value_.reset();
    if (arg.starts_with("--"))
        if (const auto eq = arg.find('='); eq != std::string_view::npos) {
            inline_value_ = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
    current_ = arg;
    return arg;
}

std::optional<std::string_view> option_reader::value() {
    if (inline_value_) return inline_value_;
    if (index_ < args_.size()) return args_[index_++];
    print_error(errors_, "option '{}' needs a value", current_);
    return std::nullopt;
}

bool option_reader::no_value() {
    if (!inline_value_) return true;
    print_error(errors_, "option '{}' takes no value", current_);
    return false;
}

std::optional<std::vector<std::string>> option_reader::markets() {
    const auto given = value();
    if (!given) return std::nullopt;
    auto list = split_markets(*given);
    if (list.empty()) {
        print_error(errors_, "option '{}' needs at least one market, e.g. KRW-BTC", current_);
        return std::nullopt;
    }
    return list;
}

option_outcome sised_options::read(option_reader& reader, std::string_view name) {
    if (name == "-h" || name == "--help") {
        if (!reader.no_value()) return option_outcome::failed;
        help = true;
    } else if (name == "--url") {
        const auto value = reader.value();
        if (!value) return option_outcome::failed;
        url = *value;
    } else if (name == "--markets") {
        auto value = reader.markets();
        if (!value) return option_outcome::failed;
        markets = std::move(*value);
    } else {
        return option_outcome::not_mine;
    }
    return option_outcome::taken;
}

bool sised_options::finish() {
    auto parsed = parse_sised_url(url);
    if (!parsed) return false;
    endpoint = std::move(*parsed);
    return true;
}

void print_not_an_option(std::FILE* to, std::string_view name, std::string_view command) {
    if (name.starts_with("-"))
        print_error(to, "unknown option '{}' for {} (see 'sise {} --help')", name, command,
                    command);
    else
        print_error(to, "unexpected argument '{}' for {} (see 'sise {} --help')", name, command,
                    command);
}

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

std::optional<url> parse_sised_url(std::string_view text, std::FILE* errors) {
    const std::string full = text.find("://") == std::string_view::npos
                                 ? "http://" + std::string(text)
                                 : std::string(text);
    auto endpoint = parse_url(full);
    if (!endpoint || endpoint->scheme != "http") {
        print_error(errors, "option '--url': {}: expected http://HOST[:PORT][/PREFIX]", text);
        return std::nullopt;
    }
    return endpoint;
}

}  // namespace sise::cli
