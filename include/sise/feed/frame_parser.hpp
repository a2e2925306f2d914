// The per-connection parsing state every adapter needs: one reused simdjson parser sized for
// the largest frame, a padded scratch copy for frames that are not padded already, the size
// bound, and the rollback of tickers a failing frame had appended. Also the REST-body walk.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "sise/core/error.hpp"
#include "sise/core/ticker.hpp"
#include "sise/feed/adapter.hpp"

namespace sise::feed {

class frame_parser {
public:
    // Allocates everything once (throws std::bad_alloc), so that parsing does not allocate.
    explicit frame_parser(std::size_t max_frame_bytes);

    std::size_t max_frame_bytes() const noexcept { return max_frame_bytes_; }

    // Copies `frame` into the zero-padded scratch buffer and returns the padded view (`ec`
    // cleared), or sets `ec` (frame_too_large) and returns an empty view.
    std::string_view pad(std::string_view frame, boost::system::error_code& ec);

    // Starts On-Demand over a frame readable up to size() + frame_padding.
    errc iterate_padded(std::string_view frame, simdjson::ondemand::document& doc) noexcept;

    // Walks a REST body that is one JSON array of objects (market lists, candles), calling
    // `on_object(ondemand::object&) -> errc` for each, then checks nothing follows the array.
    // The first error stops the walk and is returned.
    template <typename OnObject>
    errc walk_array(std::string_view body, std::size_t max_body_bytes, OnObject&& on_object);

    // Parses a REST body of any shape with `walk(ondemand::document&, std::vector<T>&) -> errc`,
    // then checks nothing follows the root value. On success appends what the walk parsed to
    // `out` (ec cleared); on error sets `ec` and leaves `out` as it was.
    template <typename T, typename Walk>
    void parse_body(std::string_view body, std::size_t max_body_bytes, std::vector<T>& out,
                    boost::system::error_code& ec, Walk&& walk);

    simdjson::ondemand::parser& parser() noexcept { return parser_; }

private:
    std::size_t max_frame_bytes_;
    simdjson::ondemand::parser parser_;
    std::string scratch_;  // capacity >= max_frame_bytes + SIMDJSON_PADDING
};

// Tickers appended by a frame that then fails are taken back: a malformed frame leaves the
// caller's vector as it was.
class ticker_rollback {
public:
    explicit ticker_rollback(std::vector<ticker_update>& out) noexcept
        : out_(out), size_(out.size()) {}
    // Erases what was appended and reports `e`; returns an empty frame_result.
    frame_result fail(errc e, boost::system::error_code& ec) noexcept {
        out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(size_), out_.end());
        ec = e;
        return {};
    }
    bool appended() const noexcept { return out_.size() > size_; }

private:
    std::vector<ticker_update>& out_;
    std::size_t size_;
};

// A frame that is not JSON but a bare word (OKX answers "ping" with "pong", Upbit's text
// keepalive is "PING"): true when `frame`, without surrounding whitespace, is `word`.
bool is_bare_word(std::string_view frame, std::string_view word) noexcept;

template <typename OnObject>
errc frame_parser::walk_array(std::string_view body, std::size_t max_body_bytes,
                              OnObject&& on_object) {
    namespace od = simdjson::ondemand;
    if (body.size() > max_body_bytes) return errc::frame_too_large;
    // Not the hot path: a padded copy of its own keeps the scratch sized for frames.
    const simdjson::padded_string padded(body);
    od::document doc;
    od::array array;
    if (parser_.iterate(padded).get(doc) || doc.get_array().get(array))
        return errc::malformed_frame;
    for (auto element : array) {
        od::object object;
        if (element.get_object().get(object)) return errc::malformed_frame;
        if (errc e = on_object(object); e != errc::ok) return e;
    }
    const char* location = nullptr;
    if (doc.current_location().get(location) == simdjson::SUCCESS) return errc::malformed_frame;
    return errc::ok;
}

template <typename T, typename Walk>
void frame_parser::parse_body(std::string_view body, std::size_t max_body_bytes,
                              std::vector<T>& out, boost::system::error_code& ec, Walk&& walk) {
    namespace od = simdjson::ondemand;
    ec.clear();
    if (body.size() > max_body_bytes) {
        ec = errc::frame_too_large;
        return;
    }
    const simdjson::padded_string padded(body);
    std::vector<T> parsed;
    od::document doc;
    errc e = parser_.iterate(padded).get(doc) ? errc::malformed_frame : walk(doc, parsed);
    const char* location = nullptr;
    if (e == errc::ok && doc.current_location().get(location) == simdjson::SUCCESS)
        e = errc::malformed_frame;
    if (e != errc::ok) {
        ec = e;
        return;
    }
    out.insert(out.end(), std::make_move_iterator(parsed.begin()),
               std::make_move_iterator(parsed.end()));
}

}  // namespace sise::feed
