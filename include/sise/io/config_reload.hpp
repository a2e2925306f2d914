// What a SIGHUP reload changes, decided from the running and the new configuration alone
// (no sockets, no files): settings bound at start-up refuse the reload, and feeds are
// compared one by one so that a feed whose settings did not change keeps its connection.
#pragma once

#include <string>
#include <vector>

#include "sise/core/exchange.hpp"
#include "sise/io/config.hpp"

namespace sise::io {

struct reload_plan {
    // Non-empty: the reload is refused, naming the first setting that cannot change at run
    // time (server.address, server.port, history.enabled, history.dir).
    std::string refused_key;
    // Running feeds to stop: removed, disabled, or changed in any setting (markets,
    // endpoints, timeouts). A changed feed is stopped and started again: it reconnects.
    std::vector<exchange_id> stop;
    // Enabled feeds of the new configuration to start (new ones and changed ones).
    std::vector<feed_config> start;
    bool server_changed = false;   // publish interval, origins, client limits
    bool history_changed = false;  // sampling, fsync, retention, compression, queue, limits
    bool log_changed = false;
    // What changed, as config keys ("feeds.upbit", "server", "log.level"), for the log line.
    std::vector<std::string> changed;

    bool refused() const noexcept { return !refused_key.empty(); }
};

reload_plan plan_reload(const config& running, const config& next);

}  // namespace sise::io
