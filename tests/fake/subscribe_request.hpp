// What the fake Upbit (and Bithumb, its copy) accepts as a subscribe request (upbit.md §2) and
// the error frames it answers otherwise (§7). Pure: bytes in, a request or an error name out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace sise::fake {

struct subscribe_request {
    std::string ticket;
    bool has_ticker = false;         // a {"type":"ticker",...} object was present
    std::vector<std::string> codes;  // codes of the ticker object(s), as sent, de-duplicated
    bool only_snapshot = false;      // is_only_snapshot (or the old camelCase spelling)
    bool only_realtime = false;      // is_only_realtime
    // DEFAULT, SIMPLE, JSON_LIST, SIMPLE_LIST; after a WRONG_FORMAT, the unknown format named
    // if that was the cause (Bithumb answers it differently).
    std::string format = "DEFAULT";
};

// Parses requests with one reused simdjson parser and a padded scratch copy.
class subscribe_parser {
public:
    // Returns an empty view on success, otherwise the Upbit error name: WRONG_FORMAT (not a
    // JSON array of objects, bad value types, unknown format), NO_TICKET, NO_TYPE, NO_CODES,
    // INVALID_PARAM (empty codes).
    std::string_view parse(std::string_view text, subscribe_request& out);

private:
    simdjson::ondemand::parser parser_;
    std::string scratch_;
};

// {"error":{"name":"<name>","message":"<message>"}}, the message escaped: Upbit's and
// Bithumb's error shape on the websocket and on REST (upbit.md §7, bithumb.md §7).
std::string error_json(std::string_view name, std::string_view message);

// error_json(name, Upbit's Korean message for it); Bithumb uses the same table.
std::string upbit_error_json(std::string_view name);

}  // namespace sise::fake
