// Rows of sised's snapshot for the venue tests (see snapshot_rows.hpp).
#include "support/snapshot_rows.hpp"

#include <string_view>

#include <simdjson.h>

#include "support/daemon_config.hpp"
#include "support/local_client.hpp"

namespace sise::test {

std::map<std::string, std::pair<std::string, std::string>> snapshot_rows(std::uint16_t port) {
    std::map<std::string, std::pair<std::string, std::string>> out;
    const auto response = http_get(port, "/v1/snapshot");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (response.error || parser.parse(response.body).get(root)) return out;
    simdjson::dom::array tickers;
    if (root["tickers"].get(tickers)) return out;
    for (simdjson::dom::element item : tickers) {
        std::string_view market, price, status;
        if (item["market"].get(market)) continue;
        if (item["price"].get(price)) price = "";
        if (item["status"].get(status)) status = "";
        out[std::string(market)] = {std::string(price), std::string(status)};
    }
    return out;
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
