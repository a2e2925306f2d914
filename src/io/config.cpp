#include "sise/io/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include <toml++/toml.h>

#include "sise/core/url.hpp"
#include "sise/feed/registry.hpp"
#include "sise/fx/rate_field.hpp"
#include "sise/publish/subscription.hpp"
#include "sise/redis/keys.hpp"

namespace sise::io {
namespace {

std::string join(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

// Reads one table's keys, each at most once, and rejects keys nobody read, so a typo in the
// config is an error instead of a silently ignored setting.
class table_reader {
public:
    table_reader(const toml::table& table, std::string prefix)
        : table_(table), prefix_(std::move(prefix)) {}

    // Call after the last read.
    void reject_unknown_keys() const {
        for (auto&& [key, value] : table_)
            if (std::find(seen_.begin(), seen_.end(), key.str()) == seen_.end())
                throw config_error(join(prefix_, key.str()), "unknown key");
    }

    const toml::node* get(std::string_view key) {
        seen_.emplace_back(key);
        return table_.get(key);
    }

    void read(std::string_view key, bool& out) {
        if (auto* node = get(key)) {
            auto* value = node->as_boolean();
            if (!value) throw config_error(join(prefix_, key), "expected true or false");
            out = value->get();
        }
    }

    void read(std::string_view key, std::string& out) {
        if (auto* node = get(key)) {
            auto* value = node->as_string();
            if (!value) throw config_error(join(prefix_, key), "expected a string");
            out = value->get();
        }
    }

    template <typename Int>
    void read_integer(std::string_view key, Int& out, std::int64_t min, std::int64_t max) {
        if (auto* node = get(key)) {
            auto* value = node->as_integer();
            if (!value) throw config_error(join(prefix_, key), "expected an integer");
            std::int64_t v = value->get();
            if (v < min || v > max)
                throw config_error(join(prefix_, key),
                                   fmt::format("{} is out of range [{}, {}]", v, min, max));
            out = static_cast<Int>(v);
        }
    }

    // Absent: `out` stays as it is (nullopt for "not set").
    template <typename Int>
    void read_integer(std::string_view key, std::optional<Int>& out, std::int64_t min,
                      std::int64_t max) {
        Int value{};
        if (!table_.contains(key)) {
            seen_.emplace_back(key);
            return;
        }
        read_integer(key, value, min, max);
        out = value;
    }

    void read(std::string_view key, milliseconds& out, std::int64_t min_ms, std::int64_t max_ms) {
        std::int64_t value = out.count();
        read_integer(key, value, min_ms, max_ms);
        out = milliseconds{value};
    }

    void read(std::string_view key, std::vector<std::string>& out) {
        if (auto* node = get(key)) {
            auto* array = node->as_array();
            if (!array) throw config_error(join(prefix_, key), "expected an array of strings");
            out.clear();
            for (const auto& item : *array) {
                auto* value = item.as_string();
                if (!value) throw config_error(join(prefix_, key), "expected an array of strings");
                out.push_back(value->get());
            }
        }
    }

    const toml::table* subtable(std::string_view key) {
        if (auto* node = get(key)) {
            auto* table = node->as_table();
            if (!table) throw config_error(join(prefix_, key), "expected a table");
            return table;
        }
        return nullptr;
    }

    const std::string& prefix() const noexcept { return prefix_; }

private:
    const toml::table& table_;
    std::string prefix_;
    std::vector<std::string> seen_;
};

// The one parse of an endpoint URL; the result is kept in the config.
url parse_endpoint(const std::string& key, const std::string& text, bool websocket) {
    auto parsed = parse_url(text);
    if (!parsed) throw config_error(key, fmt::format("'{}' is not a valid URL", text));
    if (parsed->websocket() != websocket)
        throw config_error(key, fmt::format("'{}' must be a {} URL", text,
                                            websocket ? "ws:// or wss://" : "http:// or https://"));
    return *std::move(parsed);
}

void read_server(table_reader& reader, server_config& server) {
    reader.read("address", server.address);
    reader.read_integer("port", server.port, 0, 65535);
    reader.read("publish_interval_ms", server.publish_interval, 0, 60'000);
    reader.read_integer("max_clients", server.max_clients, 1, 1'000'000);
    reader.read_integer(
        "max_client_message_bytes", server.max_client_message_bytes, 64,
        static_cast<std::int64_t>(publish::client_message_parser::max_message_bytes));
    reader.read("client_write_timeout_ms", server.client_write_timeout, 100, 600'000);
    reader.read_integer("client_send_buffer_bytes", server.client_send_buffer_bytes, 0,
                        16 * 1024 * 1024);
    reader.read("http_timeout_ms", server.http_timeout, 100, 600'000);
    reader.read_integer("snapshot_max_age_s", server.snapshot_max_age_s, 0, 86'400);
    reader.read("allowed_origins", server.allowed_origins);
    reader.read("assets_dir", server.assets_dir);
    reader.read_integer("threads", server.threads, 1,
                        static_cast<std::int64_t>(max_server_threads));
    std::error_code ec;
    if (!server.assets_dir.empty() && !std::filesystem::is_directory(server.assets_dir, ec))
        throw config_error("server.assets_dir",
                           fmt::format("'{}' is not a directory", server.assets_dir));
}

void read_history(table_reader& reader, history_config& history) {
    reader.read("enabled", history.enabled);
    reader.read("dir", history.dir);
    if (history.enabled && history.dir.empty())
        throw config_error("history.dir", "must not be empty");
    reader.read("sample_interval_ms", history.sample_interval, 0, 3'600'000);
    reader.read("fsync_interval_ms", history.fsync_interval, 0, 3'600'000);
    reader.read_integer("keep_days", history.keep_days, 0, 100'000);
    reader.read("compress", history.compress);
    reader.read_integer("queue_records", history.queue_records, 64, 1 << 20);
    reader.read("warm_start", history.warm_start);
    reader.read_integer("max_response_records", history.max_response_records, 1, 10'000'000);
}

void read_feed(table_reader& reader, feed_config& feed) {
    const std::string& prefix = reader.prefix();
    reader.read("enabled", feed.enabled);
    reader.read("markets", feed.markets);
    // One spelling from here on: the adapter's. A code clients could not name is refused too.
    const auto adapter = feed::make_adapter(feed.exchange);
    for (auto& market : feed.markets) {
        auto canonical = adapter->normalize_market(market);
        if (!canonical || !publish::parse_selector(*canonical) ||
            canonical->find(':') != std::string::npos)
            throw config_error(prefix + ".markets",
                               fmt::format("'{}' is not a {} market code", market,
                                           to_string(feed.exchange)));
        market = *std::move(canonical);
    }
    for (std::size_t i = 0; i < feed.markets.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (feed.markets[i] == feed.markets[j])
                throw config_error(prefix + ".markets",
                                   fmt::format("'{}' is listed twice", feed.markets[i]));
    reader.read("websocket_url", feed.websocket_url);
    feed.websocket_endpoint = parse_endpoint(prefix + ".websocket_url", feed.websocket_url, true);
    reader.read("rest_url", feed.rest_url);
    feed.rest_endpoint = parse_endpoint(prefix + ".rest_url", feed.rest_url, false);
    reader.read("ca_file", feed.ca_file);
    if (!feed.ca_file.empty() && !std::ifstream(feed.ca_file))
        throw config_error(prefix + ".ca_file", fmt::format("cannot read '{}'", feed.ca_file));
    reader.read("connect_timeout_ms", feed.connect_timeout, 100, 600'000);
    reader.read("idle_timeout_ms", feed.idle_timeout, 100, 3'600'000);
    if (reader.get("app_ping_interval_ms")) {
        milliseconds interval{0};
        reader.read("app_ping_interval_ms", interval, 0, 3'600'000);
        if (interval.count() != 0 && interval.count() < 100)
            throw config_error(prefix + ".app_ping_interval_ms", "must be 0 or >= 100");
        feed.app_ping_interval = interval;
    }
    reader.read("reconnect_initial_ms", feed.reconnect_initial, 1, 600'000);
    reader.read("reconnect_max_ms", feed.reconnect_max, 1, 3'600'000);
    if (feed.reconnect_max < feed.reconnect_initial)
        throw config_error(prefix + ".reconnect_max_ms", "must be >= reconnect_initial_ms");
    reader.read("rest_timeout_ms", feed.rest_timeout, 100, 600'000);
    reader.read_integer("max_frame_bytes", feed.max_frame_bytes, 1024, 64 * 1024 * 1024);
    reader.read("backfill", feed.backfill);
    reader.read_integer("streams_per_connection", feed.streams_per_connection, 0, 1'000'000);
    reader.read("handover_after_ms", feed.handover_after, 0, 30LL * 24 * 3'600'000);
    reader.read("no_data_after_ms", feed.no_data_after, 100, 24LL * 3'600'000);
}

bool is_source_name(std::string_view name) {
    return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

void read_fx(table_reader& reader, fx_config& fx) {
    fx.enabled = true;
    std::string source;
    reader.read("source", source);
    if (source == "fixed")
        fx.source = fx_source::fixed;
    else if (source == "http")
        fx.source = fx_source::http;
    else if (source == "none")
        fx.source = fx_source::none;
    else
        throw config_error("fx.source",
                           source.empty() ? std::string("missing: \"fixed\", \"http\" or \"none\"")
                                          : fmt::format("'{}' is not fixed, http or none", source));
    fx.name = source;
    reader.read("name", fx.name);
    if (!is_source_name(fx.name))
        throw config_error("fx.name", "expected 1-32 characters of a-z, 0-9, _ and -");
    std::string usd_krw;
    reader.read("usd_krw", usd_krw);
    reader.read("url", fx.url);
    reader.read("field", fx.field);
    reader.read("ca_file", fx.ca_file);
    reader.read("poll_interval_ms", fx.poll_interval, 1'000, 86'400'000);
    reader.read("max_age_ms", fx.max_age, 1'000, 7 * 86'400'000LL);
    reader.read("timeout_ms", fx.timeout, 100, 600'000);
    reader.read("usdt_as_usd", fx.usdt_as_usd);
    reader.read("usdt_basis", fx.usdt_basis);

    const auto only = [](bool present, const char* key, const char* source_name) {
        if (present)
            throw config_error(fmt::format("fx.{}", key),
                               fmt::format("only with source = \"{}\"", source_name));
    };
    if (fx.source == fx_source::fixed) {
        if (usd_krw.empty()) throw config_error("fx.usd_krw", "missing: the fixed KRW per USD");
        auto rate = decimal::from_json_number(usd_krw);
        if (!rate || rate->negative() || rate->is_zero())
            throw config_error("fx.usd_krw",
                               fmt::format("'{}' is not a positive decimal number", usd_krw));
        fx.usd_krw = *rate;
    } else {
        only(!usd_krw.empty(), "usd_krw", "fixed");
    }
    if (fx.source == fx_source::http) {
        if (fx.url.empty()) throw config_error("fx.url", "missing: the FX source's URL");
        fx.endpoint = parse_endpoint("fx.url", fx.url, false);
        auto path = fx::parse_field_path(fx.field);
        if (!path)
            throw config_error("fx.field", fx.field.empty()
                                               ? std::string("missing: the rate's field path")
                                               : fmt::format("'{}' is not a field path", fx.field));
        fx.field_path = *std::move(path);
        if (fx.max_age < fx.poll_interval)
            throw config_error("fx.max_age_ms", "must be >= poll_interval_ms");
        if (!fx.ca_file.empty() && !std::ifstream(fx.ca_file))
            throw config_error("fx.ca_file", fmt::format("cannot read '{}'", fx.ca_file));
    } else {
        only(!fx.url.empty(), "url", "http");
        only(!fx.field.empty(), "field", "http");
        only(!fx.ca_file.empty(), "ca_file", "http");
    }
    if (fx.source == fx_source::none && fx.usdt_basis.empty())
        throw config_error("fx.usdt_basis", "source = \"none\" needs a usdt_basis");
    if (fx.source == fx_source::none && fx.usdt_as_usd)
        throw config_error("fx.usdt_as_usd", "needs a USD source (fixed or http)");
}

// The USDT basis names a row the feeds must produce: "upbit:KRW-USDT".
void check_usdt_basis(const config& result, fx_config& fx) {
    if (fx.usdt_basis.empty()) return;
    const auto colon = fx.usdt_basis.find(':');
    const auto exchange =
        colon == std::string::npos
            ? std::nullopt
            : exchange_from_string(std::string_view(fx.usdt_basis).substr(0, colon));
    if (!exchange)
        throw config_error(
            "fx.usdt_basis",
            fmt::format("'{}' is not exchange:MARKET (e.g. upbit:KRW-USDT)", fx.usdt_basis));
    fx.usdt_exchange = *exchange;
    fx.usdt_market = fx.usdt_basis.substr(colon + 1);
    for (const feed_config& feed : result.feeds)
        if (feed.enabled && feed.exchange == fx.usdt_exchange &&
            std::find(feed.markets.begin(), feed.markets.end(), fx.usdt_market) !=
                feed.markets.end()) {
            if (!fx.usdt_market.ends_with("USDT") || !fx.usdt_market.starts_with("KRW")) break;
            return;
        }
    throw config_error(
        "fx.usdt_basis",
        fmt::format("'{}' is not a KRW-USDT market of an enabled feed's markets", fx.usdt_basis));
}

// [sinks.redis] and [source.redis]: the keys they share, then each one's own.
void read_redis(table_reader& reader, redis_config& redis, bool sink) {
    const std::string& prefix = reader.prefix();
    redis.enabled = true;
    reader.read("url", redis.url);
    if (redis.url.empty())
        throw config_error(prefix + ".url", "missing: e.g. \"redis://127.0.0.1:6379/0\"");
    auto parsed = redis::parse_endpoint(redis.url);
    if (!parsed)
        throw config_error(prefix + ".url",
                           fmt::format("'{}' is not redis://[[user]:password@]host[:port][/db] "
                                       "(or rediss://)",
                                       redis.url));
    redis.endpoint = *std::move(parsed);
    std::string password;
    reader.read("password", password);
    if (!password.empty()) {
        if (!redis.endpoint.password.empty())
            throw config_error(prefix + ".password", "the url holds a password already");
        redis.endpoint.password = password;
    }
    bool tls = redis.endpoint.tls;
    reader.read("tls", tls);
    redis.endpoint.tls = tls;
    reader.read("ca_file", redis.ca_file);
    if (!redis.ca_file.empty() && !std::ifstream(redis.ca_file))
        throw config_error(prefix + ".ca_file", fmt::format("cannot read '{}'", redis.ca_file));
    reader.read("prefix", redis.prefix);
    if (!redis::valid_prefix(redis.prefix))
        throw config_error(
            prefix + ".prefix",
            fmt::format("'{}' is not 1-64 characters of a-z, A-Z, 0-9, _, - and .", redis.prefix));
    reader.read("connect_timeout_ms", redis.connect_timeout, 100, 600'000);
    reader.read("timeout_ms", redis.timeout, 100, 600'000);
    reader.read("reconnect_initial_ms", redis.reconnect_initial, 10, 600'000);
    reader.read("reconnect_max_ms", redis.reconnect_max, 10, 3'600'000);
    if (redis.reconnect_max < redis.reconnect_initial)
        throw config_error(prefix + ".reconnect_max_ms", "must be >= reconnect_initial_ms");
    if (sink) {
        const bool by_age = reader.get("stream_retention_s") != nullptr;
        const bool by_length = reader.get("stream_maxlen") != nullptr;
        if (by_age && by_length)
            throw config_error(prefix + ".stream_maxlen",
                               "set stream_retention_s or stream_maxlen, not both");
        reader.read_integer("stream_retention_s", redis.stream_retention_s, 1, 366 * 86'400);
        reader.read_integer("stream_maxlen", redis.stream_maxlen, 1, 100'000'000);
        reader.read("heartbeat_interval_ms", redis.heartbeat_interval, 100, 60'000);
    } else {
        reader.read("stale_after_ms", redis.stale_after, 500, 600'000);
    }
}

// [sinks.redis] or [source.redis]: `outer` is "sinks" or "source"; no other table is known in it.
void read_redis_table(table_reader& reader, std::string_view outer, redis_config& redis) {
    auto* table = reader.subtable(outer);
    if (!table) return;
    table_reader outer_reader(*table, std::string(outer));
    if (auto* inner = outer_reader.subtable("redis")) {
        table_reader redis_reader(*inner, fmt::format("{}.redis", outer));
        read_redis(redis_reader, redis, outer == "sinks");
        redis_reader.reject_unknown_keys();
    }
    outer_reader.reject_unknown_keys();
}

log_level parse_log_level(const std::string& text) {
    if (text == "error") return log_level::error;
    if (text == "warning") return log_level::warning;
    if (text == "notice") return log_level::notice;
    if (text == "info") return log_level::info;
    if (text == "debug") return log_level::debug;
    throw config_error("log.level",
                       fmt::format("'{}' is not one of error, warning, notice, info, debug", text));
}

}  // namespace

feed_config default_feed(exchange_id exchange) {
    const std::string prefix = fmt::format("feeds.{}", to_string(exchange));
    auto adapter = feed::make_adapter(exchange);
    if (!adapter) throw config_error(prefix, "exchange not supported yet");
    feed_config feed;
    feed.exchange = exchange;
    auto endpoints = adapter->default_endpoints();
    feed.websocket_url = endpoints.websocket_url;
    feed.rest_url = endpoints.rest_url;
    feed.websocket_endpoint = parse_endpoint(prefix + ".websocket_url", feed.websocket_url, true);
    feed.rest_endpoint = parse_endpoint(prefix + ".rest_url", feed.rest_url, false);
    feed.idle_timeout = 2 * adapter->keepalive().ping_interval;
    feed.markets = adapter->default_markets();
    const auto limits = adapter->connection_policy();
    feed.streams_per_connection = limits.max_streams;
    if (limits.max_lifetime > limits.handover_lead)
        feed.handover_after = limits.max_lifetime - limits.handover_lead;
    return feed;
}

config default_config() {
    config result;
    result.feeds.push_back(default_feed(exchange_id::upbit));
    return result;
}

config parse_config(std::string_view toml_text, std::string_view source_name) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw config_error(fmt::format("{}:{}:{}", source_name, where.line, where.column),
                           std::string(e.description()));
    }

    config result = default_config();
    table_reader reader(root, "");
    if (auto* server = reader.subtable("server")) {
        table_reader server_reader(*server, "server");
        read_server(server_reader, result.server);
        server_reader.reject_unknown_keys();
    }
    if (auto* history = reader.subtable("history")) {
        table_reader history_reader(*history, "history");
        read_history(history_reader, result.history);
        history_reader.reject_unknown_keys();
    }
    if (auto* log = reader.subtable("log")) {
        table_reader log_reader(*log, "log");
        std::string level = "info";
        log_reader.read("level", level);
        log_reader.reject_unknown_keys();
        result.log = parse_log_level(level);
    }
    if (auto* feeds = reader.subtable("feeds")) {
        result.feeds.clear();
        // TOML tables iterate by key; rows follow the feeds in the order the file has them.
        std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order;
        for (auto&& [name, node] : *feeds) in_file_order.emplace_back(&name, &node);
        std::stable_sort(in_file_order.begin(), in_file_order.end(), [](auto& a, auto& b) {
            return a.second->source().begin < b.second->source().begin;
        });
        for (auto [key, value] : in_file_order) {
            const toml::key& name = *key;
            const toml::node& node = *value;
            std::string prefix = fmt::format("feeds.{}", name.str());
            auto exchange = exchange_from_string(name.str());
            if (!exchange) throw config_error(prefix, "unknown exchange");
            auto* table = node.as_table();
            if (!table) throw config_error(prefix, "expected a table");
            feed_config feed = default_feed(*exchange);
            table_reader feed_reader(*table, prefix);
            read_feed(feed_reader, feed);
            feed_reader.reject_unknown_keys();
            if (feed.enabled && feed.markets.empty())
                throw config_error(prefix + ".markets", "no markets configured");
            result.feeds.push_back(std::move(feed));
        }
    }
    const bool feeds_given = root.contains("feeds");
    read_redis_table(reader, "sinks", result.redis_sink);
    read_redis_table(reader, "source", result.redis_source);
    if (result.redis_source.enabled) {
        // A relay's rows come from Redis: it opens no exchange connection of its own.
        if (feeds_given)
            throw config_error("source.redis",
                               "cannot be combined with [feeds.*]: a relay takes its rows from "
                               "Redis (remove one of them)");
        if (result.redis_sink.enabled)
            throw config_error("sinks.redis",
                               "a relay ([source.redis]) does not write to Redis itself");
        result.feeds.clear();
    }
    if (auto* fx = reader.subtable("fx")) {
        table_reader fx_reader(*fx, "fx");
        read_fx(fx_reader, result.fx);
        fx_reader.reject_unknown_keys();
        check_usdt_basis(result, result.fx);
    }
    reader.reject_unknown_keys();
    return result;
}

std::size_t default_server_threads() noexcept {
    return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, max_server_threads);
}

config load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error("--config", fmt::format("cannot read '{}'", path));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path);
}

}  // namespace sise::io
