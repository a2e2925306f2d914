// What the fake Upbit accepts as a subscribe request (upbit.md §2) and the error frames it
// answers otherwise (§7). Pure: bytes in, a request or an Upbit error name out.
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
    std::string format = "DEFAULT";  // DEFAULT, SIMPLE, JSON_LIST, SIMPLE_LIST
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

// {"error":{"name":"<name>","message":"<Upbit's Korean message for it>"}}
std::string upbit_error_json(std::string_view name);

}  // namespace sise::fake
