// The one-line summary systemd shows as the service's "Status:" (sd_notify STATUS=): each
// feed's state and the number of connected clients, from a stats snapshot. Pure, so the
// text is tested without a daemon; io/service_notifier sends it.
#pragma once

#include <string>

#include "sise/stats/snapshot.hpp"

namespace sise::stats {

// "upbit live, bithumb reconnecting; 3 clients" ("no feeds" when there are none).
std::string status_line(const snapshot& s);

}  // namespace sise::stats
