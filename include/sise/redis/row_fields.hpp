// A published row (publish::encode_row's JSON object) as Redis hash fields, and back: the same
// field names as the websocket row, each value its JSON text with strings unescaped and null
// as "", so any consumer can build a snapshot from HGETALL and the relay can rebuild the row
// from a hash or a pub/sub message alike. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sise/core/error.hpp"
#include "sise/market/table.hpp"

namespace sise::redis {

using field = std::pair<std::string, std::string>;

// The members of one row object, in order. Nested values (the FX "krw" and "premium" arrays)
// keep their JSON text. Errors: not a JSON object. `out` is cleared first.
boost::system::error_code row_fields(std::string_view row_json, std::vector<field>& out);

// A row as the relay puts it into its table: which market, its names and basis, and its
// values as published.
struct relayed_row {
    exchange_id exchange{};
    feed::instrument instrument;
    change_basis exchange_basis = change_basis::none;
    market::finished_row row;
};

// nullopt when a field the row needs is missing or unreadable (exchange, market, status, a
// price that is not a number, "krw" or "premium" that is not a JSON array, ...). Unknown fields
// are ignored, so a newer feed daemon can add some. The FX members are kept as their JSON text
// (the feed daemon's digits, bases and sources, shown as they are).
std::optional<relayed_row> decode_row(std::span<const field> fields);

// A KRW row's "premium" array as the feed daemon's FX board would write it once the row is no
// longer live (the relay lost its upstream): every percent that needed a live KRW row turns
// null with "reason":"krw_row_stale"; nulls for an earlier reason in fx::premium_pct's order
// (the basis, a missing price) keep it. `premium` must be a valid array (decode_row checked).
std::string premium_when_stale(std::string_view premium);

}  // namespace sise::redis
