// Reads an FX rate out of any JSON body by a configured field path ("rates.KRW",
// "0.basePrice"), so an HTTP FX source is configuration, not code (../shared fx.md §3, §4).
// Pure: bytes in, an exact decimal out; failures are error codes, never exceptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

#include "sise/core/decimal.hpp"

namespace sise::fx {

// A dotted path: each segment is an object key, or an array index when it is all digits and
// the value there is an array. Returns nullopt for an empty path or an empty segment.
std::optional<std::vector<std::string>> parse_field_path(std::string_view path);

// The number (a JSON number, or a string holding one) at `path` in `body`, kept as its exact
// text. Fails with errc::malformed_frame (not JSON, or a segment's value is of the wrong
// shape), errc::missing_field (no such key or index) or errc::bad_number (not a number, or
// not above zero: a rate of 0 or less is never a rate).
boost::system::error_code read_rate(std::string_view body, const std::vector<std::string>& path,
                                    decimal& rate);

}  // namespace sise::fx
