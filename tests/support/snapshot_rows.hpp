// What a venue's integration test reads back from sised: each row of /v1/snapshot as its price
// text and status, or one field of one row; whether a feed is live; the config's market list as
// TOML; and what the fake sent, the reference for "no update lost". Shared by the per-venue
// tests (integration/).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake/exchange_server.hpp"

namespace sise::test {

// market -> (price, status) from GET /v1/snapshot; empty when the answer does not parse.
std::map<std::string, std::pair<std::string, std::string>> snapshot_rows(std::uint16_t port);

// One field of `market`'s row in GET /v1/snapshot: a string's text, any other value as its JSON
// ("43200000", "null"); "" when the row or the field is absent.
std::string snapshot_field(std::uint16_t port, std::string_view market, std::string_view field);

// Whether /healthz says sised's feed number `feed` (in config order) is live.
bool feed_live(std::uint16_t port, int feed = 0);

// The ticker updates `exchange` sent for `markets`, in total (snapshots not counted).
// Whether every row of `markets` is live at the last price `exchange` sent for it.
bool rows_at_last_prices(std::uint16_t port, const fake::exchange_server& exchange,
                         const std::vector<std::string>& markets);

std::uint64_t updates_sent(const fake::exchange_server& exchange,
                           const std::vector<std::string>& markets);

// Every row of GET /v1/snapshot as its minified JSON, sorted (so two daemons' tables compare
// whatever their row order); empty when the answer does not parse.
std::vector<std::string> snapshot_row_texts(std::uint16_t port);

// `["A", "B"]` without the brackets: the inside of a TOML array of strings.
std::string toml_strings(const std::vector<std::string>& items);

}  // namespace sise::test
