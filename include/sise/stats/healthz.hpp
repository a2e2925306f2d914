// The /healthz body: a pure JSON encoding of a stats snapshot (docs/protocol.md, "/healthz").
// Ages are computed from the snapshot's own `now_ms`, so the same value always encodes to the
// same bytes.
#pragma once

#include <string>

#include "sise/stats/snapshot.hpp"

namespace sise::stats {

std::string healthz_json(const snapshot& s);

}  // namespace sise::stats
