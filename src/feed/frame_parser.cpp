// The shared parsing state of adapters: sizing, padding and iterate.
#include "sise/feed/frame_parser.hpp"

#include <algorithm>
#include <new>

namespace sise::feed {

static_assert(simdjson::SIMDJSON_PADDING <= frame_padding);

frame_parser::frame_parser(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {
    scratch_.reserve(max_frame_bytes_ + simdjson::SIMDJSON_PADDING);
    if (parser_.allocate(std::max<std::size_t>(max_frame_bytes_, 1)) != simdjson::SUCCESS) {
        throw std::bad_alloc();
    }
}

std::string_view frame_parser::pad(std::string_view frame, boost::system::error_code& ec) {
    ec.clear();
    if (frame.size() > max_frame_bytes_) {
        ec = errc::frame_too_large;
        return {};
    }
    // Padding zeroed: simdjson reads past the end, and a stray '}' there would need its slow
    // balance check.
    scratch_.assign(frame);
    scratch_.append(simdjson::SIMDJSON_PADDING, '\0');
    return {scratch_.data(), frame.size()};
}

errc frame_parser::iterate_padded(std::string_view frame,
                                  simdjson::ondemand::document& doc) noexcept {
    if (frame.size() > max_frame_bytes_) return errc::frame_too_large;
    if (parser_.iterate(frame.data(), frame.size(), frame.size() + frame_padding).get(doc))
        return errc::malformed_frame;
    return errc::ok;
}

bool is_bare_word(std::string_view frame, std::string_view word) noexcept {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!frame.empty() && space(frame.front())) frame.remove_prefix(1);
    while (!frame.empty() && space(frame.back())) frame.remove_suffix(1);
    return frame == word;
}

}  // namespace sise::feed
