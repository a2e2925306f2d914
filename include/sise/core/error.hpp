// sise's own error codes, in a boost::system category so that parse and I/O failures
// travel through one error vocabulary (boost::system::error_code).
#pragma once

#include <boost/system/error_code.hpp>

namespace sise {

enum class errc {
    ok = 0,
    malformed_frame = 1,     // not JSON, or JSON of the wrong shape
    frame_too_large,         // above the adapter's frame size bound
    missing_field,           // a required field (market, price) is absent
    bad_number,              // a numeric field is not a plain JSON number we can keep
    exchange_error,          // the exchange sent an error frame
    idle_timeout,            // no data and no pong within the idle timeout
    bad_url,
    websocket_protocol,      // a websocket frame a server may not send (RFC 6455)
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace sise

template <>
struct boost::system::is_error_code_enum<sise::errc> : std::true_type {};
