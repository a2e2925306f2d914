#include "sise/publish/fanout.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include "support/fx_basis.hpp"
#include "support/krw_table.hpp"
#include "support/ticker_builder.hpp"

using namespace sise;

namespace {

using test::three_markets;
using test::tick;

struct parsed_message {
    std::string type;
    std::uint64_t seq = 0;
    std::vector<std::string> markets;
    std::vector<std::string> prices;
};

parsed_message parse(std::string_view text) {
    simdjson::dom::parser parser;
    const std::string copy(text);
    simdjson::dom::element root = parser.parse(copy);
    parsed_message out;
    out.type = std::string(std::string_view(root["type"]));
    out.seq = static_cast<std::uint64_t>(std::int64_t(root["seq"]));
    for (auto row : root["tickers"].get_array()) {
        out.markets.emplace_back(std::string_view(row["market"]));
        auto price = row["price"];
        out.prices.emplace_back(price.is_null() ? "null" : std::string(std::string_view(price)));
    }
    return out;
}

}  // namespace

TEST_SUITE("publish") {
    TEST_CASE("nothing changed means no publication and no sequence number") {
        auto table = three_markets();
        publish::publisher publisher;
        CHECK_FALSE(publisher.publish(table, 1).has_value());
        CHECK(publisher.seq() == 0);
    }

    TEST_CASE("a publication carries only the changed rows, in table order") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        table.apply(exchange_id::upbit, tick("KRW-XRP", "3000", 1), 1);
        table.apply(exchange_id::upbit, tick("KRW-BTC", "150139000", 1), 1);
        auto publication = publisher.publish(table, 2);
        REQUIRE(publication);
        CHECK(publication->seq == 1);
        auto message = parse(*publication->message);
        CHECK(message.type == "update");
        CHECK(message.seq == 1);
        CHECK(message.markets == std::vector<std::string>{"KRW-BTC", "KRW-XRP"});
        CHECK(message.prices == std::vector<std::string>{"150139000", "3000"});
        CHECK(table.changed().empty());
    }

    TEST_CASE("the receipt time of a publication travels in its edition to other threads") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        table.apply(exchange_id::upbit, tick("KRW-BTC", "150139000", 1), 1);
        auto publication = publisher.publish(table, 2, 1'700);
        REQUIRE(publication);
        CHECK(publication->oldest_receipt_ms == 1'700);
        // What a room on another thread rebuilds from the edition it was handed.
        CHECK(publish::publication_of(publication->edition).oldest_receipt_ms == 1'700);
    }

    TEST_CASE("a new subscriber first gets a snapshot of every wanted row") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        publish::subscriber_queue queue;
        queue.subscribe(*publisher.current(), publish::subscription{});
        auto first = queue.take(*publisher.current());
        REQUIRE(first);
        auto message = parse(first.message());
        CHECK(message.type == "snapshot");
        CHECK(message.markets.size() == 3);
        CHECK(message.prices[0] == "null");
        CHECK_FALSE(queue.take(*publisher.current()));
    }

    TEST_CASE("an up-to-date subscriber shares the publication's message") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        publish::subscriber_queue queue;
        queue.subscribe(*publisher.current(), publish::subscription{});
        queue.take(*publisher.current());
        table.apply(exchange_id::upbit, tick("KRW-ETH", "5000000", 1), 1);
        auto publication = publisher.publish(table, 2);
        queue.add(*publication);
        auto message = queue.take(*publisher.current());
        CHECK(message.shares(publication->frame));
    }

    TEST_CASE("a subscriber that fell behind gets one coalesced update with the latest values") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        publish::subscriber_queue queue;
        queue.subscribe(*publisher.current(), publish::subscription{});
        queue.take(*publisher.current());
        // Three publications while this subscriber's write was in flight.
        for (int i = 1; i <= 3; ++i) {
            table.apply(exchange_id::upbit, tick("KRW-BTC", std::to_string(100 + i), i), i);
            if (i == 2) table.apply(exchange_id::upbit, tick("KRW-XRP", "7", i), i);
            queue.add(*publisher.publish(table, i));
        }
        auto coalesced = queue.take(*publisher.current());
        REQUIRE(coalesced);
        auto message = parse(coalesced.message());
        CHECK(message.type == "update");
        CHECK(message.seq == 3);
        CHECK(message.markets == std::vector<std::string>{"KRW-BTC", "KRW-XRP"});
        CHECK(message.prices == std::vector<std::string>{"103", "7"});
        CHECK_FALSE(queue.pending());
    }

    TEST_CASE("a filtered subscriber receives only its markets and nothing for others") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        publish::subscriber_queue queue;
        auto filter = publish::parse_selector_list("upbit:KRW-ETH");
        REQUIRE(filter);
        queue.subscribe(*publisher.current(), *filter);
        auto snapshot = parse(queue.take(*publisher.current()).message());
        CHECK(snapshot.markets == std::vector<std::string>{"KRW-ETH"});

        table.apply(exchange_id::upbit, tick("KRW-BTC", "1", 1), 1);
        queue.add(*publisher.publish(table, 2));
        CHECK_FALSE(queue.take(*publisher.current()));

        table.apply(exchange_id::upbit, tick("KRW-ETH", "2", 1), 1);
        table.apply(exchange_id::upbit, tick("KRW-XRP", "3", 1), 1);
        queue.add(*publisher.publish(table, 3));
        auto update = parse(queue.take(*publisher.current()).message());
        CHECK(update.markets == std::vector<std::string>{"KRW-ETH"});
        CHECK(update.prices == std::vector<std::string>{"2"});
    }

    TEST_CASE("re-subscribing schedules a snapshot of the new selection") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        publish::subscriber_queue queue;
        queue.subscribe(*publisher.current(), publish::subscription{});
        queue.take(*publisher.current());
        queue.subscribe(*publisher.current(), *publish::parse_selector_list("KRW-XRP,KRW-BTC"));
        auto message = parse(queue.take(*publisher.current()).message());
        CHECK(message.type == "snapshot");
        CHECK(message.markets == std::vector<std::string>{"KRW-BTC", "KRW-XRP"});
    }

    TEST_CASE("with FX a foreign row's change republishes the KRW rows of its coin") {
        market::ticker_table table;
        table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "", ""}, change_basis::none);
        table.add(exchange_id::upbit, {"KRW-ETH", "ETH", "KRW", "", ""}, change_basis::none);
        table.add(exchange_id::upbit, {"USDT-BTC", "BTC", "USDT", "", ""}, change_basis::none);
        fx::board board(test::fixed_usd_basis("1400", true), std::nullopt);
        REQUIRE(board.attach(table));
        publish::publisher publisher;
        publisher.set_fx(&board);
        table.apply(exchange_id::upbit, tick("KRW-BTC", "100000000", 1), 1);
        REQUIRE(publisher.publish(table, 1));
        table.apply(exchange_id::upbit, tick("USDT-BTC", "68000", 2), 2);
        auto publication = publisher.publish(table, 2);
        REQUIRE(publication);
        const auto message = parse(*publication->message);
        CHECK(message.markets == std::vector<std::string>{"KRW-BTC", "USDT-BTC"});
        CHECK(publication->message->find("\"percent\":\"5.04\"") != std::string::npos);

        // Without FX only the changed row goes out.
        publish::publisher plain;
        table.apply(exchange_id::upbit, tick("USDT-BTC", "68001", 3), 3);
        auto alone = plain.publish(table, 3);
        REQUIRE(alone);
        CHECK(parse(*alone->message).markets == std::vector<std::string>{"USDT-BTC"});
    }
}

TEST_SUITE("publish") {
    TEST_CASE("a publication's frame holds its update message") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        table.apply(exchange_id::upbit, tick("KRW-ETH", "5000000", 1), 1);
        auto publication = publisher.publish(table, 2);
        REQUIRE(publication);
        CHECK(publication->frame.message() == *publication->message);
        CHECK(publication->edition == publisher.current());
    }

    TEST_CASE("subscribers with the same filter share one encoding of each publication") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        publish::filter_groups groups;
        publish::subscriber_queue first, same, other;
        first.subscribe(*publisher.current(), *publish::parse_selector_list("KRW-ETH,KRW-XRP"),
                        &groups);
        same.subscribe(*publisher.current(), *publish::parse_selector_list("KRW-XRP,KRW-ETH"),
                       &groups);
        other.subscribe(*publisher.current(), *publish::parse_selector_list("KRW-ETH"), &groups);
        for (auto* queue : {&first, &same, &other}) queue->take(*publisher.current());

        table.apply(exchange_id::upbit, tick("KRW-ETH", "2", 1), 1);
        table.apply(exchange_id::upbit, tick("KRW-BTC", "1", 1), 1);
        auto publication = publisher.publish(table, 2);
        for (auto* queue : {&first, &same, &other}) queue->add(*publication);
        const auto a = first.take(*publisher.current());
        const auto b = same.take(*publisher.current());
        const auto c = other.take(*publisher.current());
        CHECK(a.shares(b));
        CHECK_FALSE(a.shares(c));
        CHECK(parse(a.message()).markets == std::vector<std::string>{"KRW-ETH"});
        CHECK(parse(c.message()).markets == std::vector<std::string>{"KRW-ETH"});
    }

    TEST_CASE("a filtered subscriber that fell behind gets its own coalesced update") {
        auto table = three_markets();
        publish::publisher publisher;
        publisher.publish(table, 1);
        publish::filter_groups groups;
        publish::subscriber_queue current, behind;
        const auto filter = *publish::parse_selector_list("KRW-ETH,KRW-XRP");
        for (auto* queue : {&current, &behind}) {
            queue->subscribe(*publisher.current(), filter, &groups);
            queue->take(*publisher.current());
        }
        table.apply(exchange_id::upbit, tick("KRW-XRP", "7", 1), 1);
        auto first = publisher.publish(table, 2);
        current.add(*first);
        behind.add(*first);
        current.take(*publisher.current());  // `behind` is still writing its previous message
        table.apply(exchange_id::upbit, tick("KRW-ETH", "2", 2), 2);
        auto publication = publisher.publish(table, 3);
        current.add(*publication);
        behind.add(*publication);
        const auto shared = current.take(*publisher.current());
        const auto coalesced = behind.take(*publisher.current());
        CHECK_FALSE(shared.shares(coalesced));
        CHECK(parse(shared.message()).markets == std::vector<std::string>{"KRW-ETH"});
        CHECK(parse(coalesced.message()).markets == std::vector<std::string>{"KRW-ETH", "KRW-XRP"});
    }
}
