// Rows of sised's snapshot for the venue tests (see snapshot_rows.hpp).
#include "support/snapshot_rows.hpp"

#include <algorithm>
#include <string_view>

#include <simdjson.h>

#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"

namespace sise::test {

namespace {

// Calls `each` with every row of GET /v1/snapshot; nothing when the answer does not parse.
template <typename Each>
void for_each_snapshot_row(std::uint16_t port, Each each) {
    const auto response = http_get(port, "/v1/snapshot");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (response.error || parser.parse(response.body).get(root)) return;
    simdjson::dom::array tickers;
    if (root["tickers"].get(tickers)) return;
    for (simdjson::dom::element item : tickers) each(item);
}

}  // namespace

std::map<std::string, std::pair<std::string, std::string>> snapshot_rows(std::uint16_t port) {
    std::map<std::string, std::pair<std::string, std::string>> out;
    for_each_snapshot_row(port, [&](simdjson::dom::element item) {
        std::string_view market, price, status;
        if (item["market"].get(market)) return;
        if (item["price"].get(price)) price = "";
        if (item["status"].get(status)) status = "";
        out[std::string(market)] = {std::string(price), std::string(status)};
    });
    return out;
}

std::vector<std::string> snapshot_row_texts(std::uint16_t port) {
    std::vector<std::string> out;
    for_each_snapshot_row(
        port, [&](simdjson::dom::element item) { out.push_back(simdjson::minify(item)); });
    std::sort(out.begin(), out.end());
    return out;
}

std::string snapshot_field(std::uint16_t port, std::string_view market, std::string_view field) {
    const auto response = http_get(port, "/v1/snapshot");
    simdjson::dom::parser parser;
    simdjson::dom::array tickers;
    if (response.error || parser.parse(response.body)["tickers"].get(tickers)) return {};
    for (simdjson::dom::element row : tickers) {
        std::string_view code;
        simdjson::dom::element value;
        if (row["market"].get(code) || code != market || row[field].get(value)) continue;
        std::string_view text;
        return value.get(text) ? simdjson::minify(value) : std::string(text);
    }
    return {};
}

bool feed_live(std::uint16_t port, int feed) {
    return healthz(port).text("/feeds/" + std::to_string(feed) + "/state") == "live";
}

bool rows_at_last_prices(std::uint16_t port, const fake::exchange_server& exchange,
                         const std::vector<std::string>& markets) {
    auto rows = snapshot_rows(port);
    for (const auto& m : markets)
        if (rows[m].first != exchange.last_price(m) || rows[m].second != "live") return false;
    return true;
}

std::uint64_t updates_sent(const fake::exchange_server& exchange,
                           const std::vector<std::string>& markets) {
    std::uint64_t total = 0;
    for (const auto& m : markets) total += exchange.updates_sent(m);
    return total;
}

std::string toml_strings(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += test::quoted(std::string_view(item));
    }
    return out;
}

}  // namespace sise::test
