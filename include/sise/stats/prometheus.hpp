// The GET /metrics body: a pure encoding of a stats snapshot in the Prometheus text
// exposition format 0.0.4, written from the same value as /healthz. Names follow Prometheus
// conventions (docs/operations.md, "Metrics"): sise_ prefix, base units, _total counters,
// bounded labels pre-initialised to 0, last-event timestamps rather than ages.
#pragma once

#include <string>
#include <string_view>

#include "sise/stats/snapshot.hpp"

namespace sise::stats {

// The Content-Type the route must send with the body.
inline constexpr std::string_view prometheus_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const snapshot& s);

}  // namespace sise::stats
