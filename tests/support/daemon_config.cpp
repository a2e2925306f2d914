#include "support/daemon_config.hpp"

#include "fake/dialect.hpp"

#include <algorithm>

namespace sise::test {

std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

daemon_config::table_text& daemon_config::table(std::string_view name) {
    auto at = std::find_if(tables_.begin(), tables_.end(),
                           [name](const table_text& t) { return t.name == name; });
    if (at != tables_.end()) return *at;
    return tables_.emplace_back(table_text{std::string(name), {}, {}});
}

daemon_config& daemon_config::set(std::string_view table_name, std::string_view key,
                                  std::string_view toml_value) {
    auto& keys = table(table_name).keys;
    auto at =
        std::find_if(keys.begin(), keys.end(), [key](const auto& kv) { return kv.first == key; });
    if (at != keys.end())
        at->second = std::string(toml_value);
    else
        keys.emplace_back(std::string(key), std::string(toml_value));
    return *this;
}

daemon_config& daemon_config::lines(std::string_view table_name, std::string_view toml_lines) {
    auto& text = table(table_name).lines;
    text += toml_lines;
    if (!text.empty() && text.back() != '\n') text += '\n';
    return *this;
}

std::string daemon_config::toml() const {
    std::string out;
    for (const auto& t : tables_) {
        out += fmt::format("[{}]\n", t.name);
        for (const auto& [key, value] : t.keys) out += fmt::format("{} = {}\n", key, value);
        out += t.lines;
        out += '\n';
    }
    return out;
}

fake::server_options fake_at(double frames_per_second) {
    fake::server_options options;
    options.frames_per_second = frames_per_second;
    return options;
}

fake::server_options venue_fake(std::string_view exchange, const std::vector<std::string>& markets,
                                double frames_per_second) {
    fake::server_options options = fake_at(frames_per_second);
    options.exchange = std::string(exchange);
    options.markets = markets;
    options.keepalive = fake::dialect_for(exchange).keepalive();
    return options;
}

daemon_config& daemon_config::feed(std::string_view exchange, const fake::exchange_server& fake) {
    const std::string feed_table = fmt::format("feeds.{}", exchange);
    text(feed_table, "websocket_url", fake.websocket_url());
    return text(feed_table, "rest_url", fake.rest_url());
}

daemon_config behind(const fake::exchange_server& exchange) {
    daemon_config config;
    config.set("server", "port", 0);
    config.feed("upbit", exchange);
    return config;
}

}  // namespace sise::test
