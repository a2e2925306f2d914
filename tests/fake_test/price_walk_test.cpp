// The fake Upbit's pure parts: tick sizes, decimal text, the seeded walk, the rendered ticker
// (same fields, same order as Upbit's documented example), websocket framing, subscribe parsing.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <simdjson.h>

#include "fake/price_walk.hpp"
#include "fake/subscribe_request.hpp"
#include "fake/ws_frame.hpp"

namespace {

using namespace sise::fake;

std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(SISE_FIXTURES_DIR) + "/upbit/" + name, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Top-level keys of a JSON object, in document order.
std::vector<std::string> keys_of(const std::string& json) {
    simdjson::ondemand::parser parser;
    const simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    REQUIRE_FALSE(parser.iterate(padded).get(doc));
    simdjson::ondemand::object object;
    REQUIRE_FALSE(doc.get_object().get(object));
    std::vector<std::string> keys;
    for (auto field : object) {
        std::string_view key;
        REQUIRE_FALSE(field.unescaped_key().get(key));
        keys.emplace_back(key);
    }
    return keys;
}

std::string field_text(const std::string& json, std::string_view key) {
    const std::string needle = "\"" + std::string(key) + "\":";
    const auto at = json.find(needle);
    REQUIRE(at != std::string::npos);
    const auto start = at + needle.size();
    return json.substr(start, json.find_first_of(",}", start) - start);
}

std::string masked_frame(std::uint8_t first, std::string_view payload) {
    std::string out;
    out += static_cast<char>(first);
    const std::array<unsigned char, 4> mask{0x12, 0x34, 0x56, 0x78};
    if (payload.size() < 126) {
        out += static_cast<char>(0x80U | payload.size());
    } else {
        out += static_cast<char>(0x80U | 126U);
        out += static_cast<char>(payload.size() >> 8);
        out += static_cast<char>(payload.size() & 0xFFU);
    }
    for (unsigned char m : mask) out += static_cast<char>(m);
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]);
    }
    return out;
}

}  // namespace

TEST_SUITE("fake") {
    TEST_CASE("KRW tick sizes follow Upbit's table from 1,000 KRW steps down to 0.0001 KRW") {
        CHECK(krw_tick(150'000'000 * krw) == 1'000 * krw);
        CHECK(krw_tick(1'500'000 * krw) == 500 * krw);
        CHECK(krw_tick(700'000 * krw) == 100 * krw);
        CHECK(krw_tick(250'000 * krw) == 50 * krw);
        CHECK(krw_tick(25'000 * krw) == 10 * krw);
        CHECK(krw_tick(3'000 * krw) == krw);
        CHECK(krw_tick(500 * krw) == krw / 10);
        CHECK(krw_tick(50 * krw) == krw / 100);
        CHECK(krw_tick(5 * krw) == krw / 1'000);
        CHECK(krw_tick(krw / 2) == 1);
        CHECK(round_to_tick(150'139'456 * krw) == 150'139'000 * krw);
        CHECK(round_to_tick(0) == 1);
    }

    TEST_CASE("decimal text is exact, trimmed, and padded only when asked") {
        auto text = [](std::int64_t units, int scale, int min_decimals) {
            std::string out;
            append_decimal(out, units, scale, min_decimals);
            return out;
        };
        CHECK(text(150'139'000 * krw, 4, 0) == "150139000");
        CHECK(text(6'125'000, 4, 0) == "612.5");
        CHECK(text(404'000 * krw, 4, 8) == "404000.00000000");
        CHECK(text(-404'000 * krw, 4, 8) == "-404000.00000000");
        CHECK(text(126'713'295, 10, 0) == "0.0126713295");
        CHECK(text(-12, 10, 0) == "-0.0000000012");
        CHECK(text(0, 10, 0) == "0");
        CHECK(text(3'103'806, 8, 8) == "0.03103806");
    }

    TEST_CASE("prices parse from plain decimals with at most four decimals") {
        CHECK(parse_price("150139000") == 150'139'000 * krw);
        CHECK(parse_price("612.5") == 6'125'000);
        CHECK(parse_price("0.0001") == 1);
        CHECK_FALSE(parse_price("1.5e-05"));
        CHECK_FALSE(parse_price("-3"));
        CHECK_FALSE(parse_price("0.00001"));
        CHECK_FALSE(parse_price("12."));
        CHECK_FALSE(parse_price(""));
    }

    TEST_CASE("a walk with the same seed repeats its prices and another seed does not") {
        price_walk a(describe_market("KRW-BTC"), 7, 1'700'000'000'000);
        price_walk b(describe_market("KRW-BTC"), 7, 1'700'000'000'000);
        price_walk c(describe_market("KRW-BTC"), 8, 1'700'000'000'000);
        bool differs = false;
        for (int i = 0; i < 1000; ++i) {
            a.step(1'700'000'000'000 + i);
            b.step(1'700'000'000'000 + i);
            c.step(1'700'000'000'000 + i);
            REQUIRE(a.price_text() == b.price_text());
            differs = differs || a.price() != c.price();
        }
        CHECK(differs);
    }

    TEST_CASE("walked prices stay on the tick grid and near the market's magnitude") {
        for (const auto& code : default_markets()) {
            price_walk walk(describe_market(code), 1, 1'700'000'000'000);
            const auto start = describe_market(code).start_price;
            int off_grid = 0;
            for (int i = 0; i < 20'000; ++i) {
                walk.step(1'700'000'000'000 + i);
                if (walk.price() % krw_tick(walk.price()) != 0) ++off_grid;
            }
            INFO(code, " ended at ", walk.price_text());
            CHECK(off_grid == 0);
            CHECK(walk.price() > start * 7 / 10);
            CHECK(walk.price() < start * 13 / 10);
            CHECK(parse_price(walk.price_text()) == walk.price());
        }
    }

    TEST_CASE("a rendered ticker has the fields of Upbit's documented example, in its order") {
        const auto fixture_keys = keys_of(read_fixture("ticker_default.json"));
        price_walk walk(describe_market("KRW-SAND"), 3, 1'676'965'262'000);
        walk.step(1'676'965'262'139);
        std::string json;
        walk.render(json, stream_type::realtime, 1'676'965'262'177);
        CHECK(keys_of(json) == fixture_keys);
        CHECK(field_text(json, "type") == "\"ticker\"");
        CHECK(field_text(json, "code") == "\"KRW-SAND\"");
        CHECK(field_text(json, "trade_price") == walk.price_text());
        CHECK(field_text(json, "timestamp") == "1676965262177");
        CHECK(field_text(json, "trade_date") == "\"20230221\"");
        CHECK(field_text(json, "trade_time") == "\"074102\"");
        CHECK(field_text(json, "stream_type") == "\"REALTIME\"");
        CHECK(field_text(json, "delisting_date") == "null");
        CHECK(field_text(json, "prev_closing_price").find('.') != std::string::npos);
    }

    TEST_CASE("a rendered ticker can carry a given trade_price text verbatim") {
        price_walk walk(describe_market("KRW-SAND"), 3, 1'676'965'262'000);
        walk.trade_at(*parse_price("612.5"), 1'676'965'262'139);
        std::string json;
        walk.render(json, stream_type::snapshot, 1'676'965'262'177, "612.50");
        CHECK(field_text(json, "trade_price") == "612.50");
        CHECK(field_text(json, "stream_type") == "\"SNAPSHOT\"");
        CHECK(walk.price_text() == "612.5");
    }

    TEST_CASE("server frames use the shortest RFC 6455 length encoding") {
        std::string out;
        append_frame(out, ws_opcode::binary, std::string(125, 'x'));
        CHECK(out.size() == 127);
        CHECK(static_cast<unsigned char>(out[0]) == 0x82);
        CHECK(out[1] == 125);
        out.clear();
        append_frame(out, ws_opcode::binary, std::string(900, 'x'));
        CHECK(out.size() == 904);
        CHECK(static_cast<unsigned char>(out[1]) == 126);
        out.clear();
        append_frame(out, ws_opcode::text, std::string(70'000, 'x'));
        CHECK(out.size() == 70'010);
        CHECK(static_cast<unsigned char>(out[0]) == 0x81);
        CHECK(static_cast<unsigned char>(out[1]) == 127);
        out.clear();
        append_close_frame(out, 4000);
        CHECK(out == std::string("\x88\x02\x0f\xa0", 4));
    }

    TEST_CASE("client frames are unmasked in place and bounded") {
        std::string bytes = masked_frame(0x81, "PING") + masked_frame(0x89, "hi");
        client_frame frame;
        std::size_t used = 0;
        std::span<char> data(bytes.data(), bytes.size());
        REQUIRE(decode_client_frame(data, 1024, frame, used) == decode_status::frame);
        CHECK(frame.opcode == ws_opcode::text);
        CHECK(frame.fin);
        CHECK(frame.payload == "PING");
        REQUIRE(decode_client_frame(data.subspan(used), 1024, frame, used) == decode_status::frame);
        CHECK(frame.opcode == ws_opcode::ping);
        CHECK(frame.payload == "hi");

        std::string partial = masked_frame(0x82, std::string(300, 'a')).substr(0, 100);
        CHECK(decode_client_frame({partial.data(), partial.size()}, 1024, frame, used) ==
              decode_status::need_more);
        std::string big = masked_frame(0x82, std::string(300, 'a'));
        CHECK(decode_client_frame({big.data(), big.size()}, 200, frame, used) ==
              decode_status::too_big);
        std::string unmasked("\x81\x04PING", 6);
        CHECK(decode_client_frame({unmasked.data(), unmasked.size()}, 1024, frame, used) ==
              decode_status::protocol_error);
    }

    TEST_CASE("the documented subscribe request is accepted with its codes") {
        subscribe_parser parser;
        subscribe_request req;
        CHECK(parser.parse(read_fixture("subscribe_request.json"), req).empty());
        CHECK(req.ticket == "0e66c0ac-7e13-43ef-91fb-2a87c2956c49");
        CHECK(req.has_ticker);
        CHECK(req.codes == std::vector<std::string>{"KRW-BTC", "KRW-ETH"});
        CHECK(req.format == "DEFAULT");

        CHECK(parser.parse(read_fixture("subscribe_request_simple.json"), req).empty());
        CHECK(req.only_realtime);
        CHECK(parser.parse(read_fixture("subscribe_request_multi.json"), req).empty());
        CHECK(req.has_ticker);
        CHECK(req.codes.size() == 4);
        CHECK_FALSE(req.only_realtime);  // that flag is on the trade object
    }

    TEST_CASE("malformed subscribe requests get Upbit's error names") {
        subscribe_parser parser;
        subscribe_request req;
        CHECK(parser.parse("hello", req) == "WRONG_FORMAT");
        CHECK(parser.parse(R"({"ticket":"t"})", req) == "WRONG_FORMAT");
        CHECK(parser.parse(R"([{"ticket":"t"},{"type":"ticker","codes":"KRW-BTC"}])", req) ==
              "WRONG_FORMAT");
        CHECK(parser.parse(R"([{"type":"ticker","codes":["KRW-BTC"]}])", req) == "NO_TICKET");
        CHECK(parser.parse(R"([{"ticket":"t"},{"format":"DEFAULT"}])", req) == "NO_TYPE");
        CHECK(parser.parse(R"([{"ticket":"t"},{"type":"ticker"}])", req) == "NO_CODES");
        CHECK(parser.parse(R"([{"ticket":"t"},{"type":"ticker","codes":[]}])", req) ==
              "INVALID_PARAM");
        CHECK(parser.parse(
                  R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]},{"format":"XML"}])",
                  req) == "WRONG_FORMAT");
        CHECK(upbit_error_json("NO_CODES") ==
              R"({"error":{"name":"NO_CODES","message":"codes 필드가 존재하지 않습니다."}})");
    }

}  // TEST_SUITE
