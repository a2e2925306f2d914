// What a venue's integration test reads back from sised: each row of /v1/snapshot as its price
// text and status, and the config's market list as TOML. Shared by the per-venue tests
// (integration/binance_test.cpp, integration/bithumb_test.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sise::test {

// market -> (price, status) from GET /v1/snapshot; empty when the answer does not parse.
std::map<std::string, std::pair<std::string, std::string>> snapshot_rows(std::uint16_t port);

// Every row of GET /v1/snapshot as its minified JSON, sorted (so two daemons' tables compare
// whatever their row order); empty when the answer does not parse.
std::vector<std::string> snapshot_row_texts(std::uint16_t port);

// `["A", "B"]` without the brackets: the inside of a TOML array of strings.
std::string toml_strings(const std::vector<std::string>& items);

}  // namespace sise::test
