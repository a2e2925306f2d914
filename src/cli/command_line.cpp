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

}  // namespace sise::cli
