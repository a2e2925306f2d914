#include "sise/io/config_reload.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace sise::io {
namespace {

const feed_config* enabled_feed(const config& c, exchange_id exchange) {
    const auto it = std::find_if(c.feeds.begin(), c.feeds.end(), [&](const feed_config& f) {
        return f.exchange == exchange && f.enabled;
    });
    return it == c.feeds.end() ? nullptr : &*it;
}

// The first start-up-bound setting that differs, or "".
std::string bound_setting_changed(const config& running, const config& next) {
    if (next.server.address != running.server.address) return "server.address";
    if (next.server.port != running.server.port) return "server.port";
    if (next.server.assets_dir != running.server.assets_dir) return "server.assets_dir";
    if (next.server.threads != running.server.threads) return "server.threads";
    if (next.history.enabled != running.history.enabled) return "history.enabled";
    if (next.history.enabled && next.history.dir != running.history.dir) return "history.dir";
    // The FX board is built once, after the feeds' rows exist (io/app.cpp setup_fx).
    if (!(next.fx == running.fx)) return "fx";
    // The Redis sink and relay source are built once, at start (io/app.cpp).
    if (!(next.redis_sink == running.redis_sink)) return "sinks.redis";
    if (!(next.redis_source == running.redis_source)) return "source.redis";
    return {};
}

}  // namespace

reload_plan plan_reload(const config& running, const config& next) {
    reload_plan plan;
    plan.refused_key = bound_setting_changed(running, next);
    if (plan.refused()) return plan;

    for (const feed_config& feed : running.feeds) {
        if (!feed.enabled) continue;
        const feed_config* after = enabled_feed(next, feed.exchange);
        if (after && *after == feed) continue;
        plan.stop.push_back(feed.exchange);
        plan.changed.push_back(fmt::format("feeds.{}", to_string(feed.exchange)));
    }
    for (const feed_config& feed : next.feeds) {
        if (!feed.enabled) continue;
        const feed_config* before = enabled_feed(running, feed.exchange);
        if (before && *before == feed) continue;
        plan.start.push_back(feed);
        if (!before) plan.changed.push_back(fmt::format("feeds.{}", to_string(feed.exchange)));
    }
    plan.server_changed = !(next.server == running.server);
    if (plan.server_changed) plan.changed.emplace_back("server");
    plan.history_changed = next.history.enabled && !(next.history == running.history);
    if (plan.history_changed) plan.changed.emplace_back("history");
    plan.log_changed = next.log != running.log;
    if (plan.log_changed) plan.changed.emplace_back("log.level");
    return plan;
}

}  // namespace sise::io
