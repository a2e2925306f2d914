// What `sise watch` draws: sorting, partial windows, stale rows, narrow screens, highlights,
// the status line and keys.
#include "sise/cli/watch_view.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sise/cli/premium_view.hpp"
#include "sise/cli/text_width.hpp"
#include "support/premium_rows.hpp"

using namespace sise::cli;

namespace {

ticker_row row(std::string market, std::string name_ko, std::string price, std::string pct,
               std::string basis = "rolling_24h") {
    ticker_row r;
    r.exchange = "upbit";
    r.market = std::move(market);
    r.base = r.market.substr(r.market.find('-') + 1);
    r.quote = "KRW";
    r.name_ko = std::move(name_ko);
    r.name_en = r.base;
    r.status = "live";
    r.price = std::move(price);
    r.change_pct_24h = std::move(pct);
    r.basis = std::move(basis);
    r.covered_24h_ms = r.basis == "rolling_24h" ? 86'400'000 : 5 * 3'600'000;
    r.received_time_ms = 1'000'000;
    return r;
}

std::vector<ticker_row> sample() {
    return {row("KRW-BTC", "비트코인", "150139000", "-2.9512"),
            row("KRW-ETH", "이더리움", "4521000", "1.2671"),
            row("KRW-XRP", "엑스알피", "612.5", "0.5000")};
}

link_status live_link() {
    link_status l;
    l.now = link_status::state::live;
    l.last_update_ms = 1'000'000;
    return l;
}

std::vector<std::string> lines(const screen_frame& f) {
    std::vector<std::string> out;
    std::istringstream in(f.text());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// BTC and ETH on Upbit, Bithumb and Binance, in config order (venue by venue); Binance
// gives no Korean names.
std::vector<ticker_row> three_venues() {
    std::vector<ticker_row> rows;
    for (const char* venue : {"upbit", "bithumb"})
        for (auto r : {row("KRW-BTC", "비트코인", "150139000", "-2.9512"),
                       row("KRW-ETH", "이더리움", "4521000", "1.2671")}) {
            r.exchange = venue;
            rows.push_back(r);
        }
    for (auto r : {row("KRW-BTC", "", "104000.5", "-2.1"), row("KRW-ETH", "", "3120.25", "0.9")}) {
        r.exchange = "binance";
        r.market = r.base + "USDT";
        r.quote = "USDT";
        rows.push_back(r);
    }
    return rows;
}

std::vector<std::string> venues(const std::vector<ticker_row>& rows, sort_key key, bool reverse,
                                language lang) {
    std::vector<std::string> out;
    for (auto i : sort_rows(rows, key, reverse, lang))
        out.push_back(rows[i].exchange + ":" + rows[i].base);
    return out;
}

std::vector<std::string> markets(const std::vector<ticker_row>& rows, sort_key key, bool reverse) {
    std::vector<std::string> out;
    for (auto i : sort_rows(rows, key, reverse, language::en)) out.push_back(rows[i].market);
    return out;
}

}  // namespace

TEST_SUITE("cli") {
    TEST_CASE("the table shows 종목 현재가(원) and 변동률 with the price column aligned") {
        watch_view view({});
        const auto frame = view.render(sample(), live_link(), 1'000'000, 60, 8);
        const auto l = lines(frame);
        REQUIRE(l.size() == 8);
        CHECK(l[0].starts_with("종목"));
        CHECK(l[0].find("현재가(원)") != std::string::npos);
        CHECK(l[0].find("변동률") != std::string::npos);
        CHECK(l[1].find("150,139,000") != std::string::npos);
        CHECK(l[1].find("-2.95%") != std::string::npos);
        // Korean names take two columns per syllable: the prices end in the same column.
        const auto end_of = [](const std::string& line, const std::string& text) {
            return display_width(line.substr(0, line.find(text) + text.size()));
        };
        CHECK(end_of(l[1], "150,139,000") == end_of(l[2], "4,521,000"));
        CHECK(end_of(l[1], "150,139,000") == end_of(l[3], "612.5"));
        CHECK(end_of(l[0], "현재가(원)") == end_of(l[1], "150,139,000"));
        CHECK(l[7].find("127") == std::string::npos);  // no daemon name given
        CHECK(l[7].find("업비트 실시간") != std::string::npos);
    }

    TEST_CASE("English headings and names with --lang en") {
        watch_settings s;
        s.lang = language::en;
        watch_view view(s);
        const auto l = lines(view.render(sample(), live_link(), 1'000'000, 60, 6));
        CHECK(l[0].starts_with("Coin"));
        CHECK(l[0].find("Price (KRW)") != std::string::npos);
        CHECK(l[1].starts_with("BTC"));
        CHECK(l[5].find("Upbit live") != std::string::npos);
    }

    TEST_CASE("a partial window's change is marked with ~ and the hours covered") {
        auto rows = sample();
        rows[1] = row("KRW-ETH", "이더리움", "4521000", "1.2671", "partial");
        rows[2].basis = "none";
        rows[2].change_pct_24h.reset();
        watch_view view({});
        const auto frame = view.render(rows, live_link(), 1'000'000, 60, 6);
        const auto l = lines(frame);
        CHECK(l[1].find("-2.95%") != std::string::npos);
        CHECK(l[1].find('~') == std::string::npos);
        CHECK(l[2].find("~+1.27% 5h") != std::string::npos);
        CHECK(l[3].ends_with("-"));
        // The ~ is dim; the figure keeps its colour.
        const std::size_t tilde = display_width(l[2].substr(0, l[2].find('~')));
        CHECK(frame.at(2, tilde).style.dim);
        CHECK(frame.at(2, tilde + 1).style.color == 31);
    }

    TEST_CASE(
        "colours follow the palette: kr red up and blue down or us green up and red down or none") {
        const auto color_of = [](palette p, std::size_t line) {
            watch_settings s;
            s.colors = p;
            watch_view view(s);
            const auto frame = view.render(sample(), live_link(), 1'000'000, 60, 6);
            const std::string text = lines(frame)[line];
            return frame.at(line, display_width(text.substr(0, text.find('%') - 1))).style.color;
        };
        CHECK(color_of(palette::kr, 1) == 34);  // BTC falls
        CHECK(color_of(palette::kr, 2) == 31);
        CHECK(color_of(palette::us, 1) == 31);
        CHECK(color_of(palette::us, 2) == 32);
        CHECK(color_of(palette::none, 1) == 0);
    }

    TEST_CASE("stale rows and a lost connection are marked and never shown as live") {
        auto rows = sample();
        rows[0].status = "stale";
        watch_view view({});
        auto frame = view.render(rows, live_link(), 1'000'000, 60, 6);
        auto l = lines(frame);
        CHECK(l[1].find("연결 끊김") != std::string::npos);
        CHECK(frame.at(1, 0).style.dim);
        CHECK_FALSE(frame.at(2, 0).style.dim);

        link_status down;
        down.now = link_status::state::reconnecting;
        down.error = "Connection refused";
        down.retry_at_ms = 1'002'000;
        frame = view.render(rows, down, 1'000'000, 80, 6);
        l = lines(frame);
        for (std::size_t i = 1; i <= 3; ++i) {
            CHECK(l[i].find("연결 끊김") != std::string::npos);
            CHECK(frame.at(i, 0).style.dim);
        }
        CHECK(l[5].find("Connection refused") != std::string::npos);
        CHECK(l[5].find("2s") != std::string::npos);
    }

    TEST_CASE("sort keys order by name or price or change or |change| and reverse") {
        const auto rows = sample();
        CHECK(markets(rows, sort_key::config, false) ==
              std::vector<std::string>{"KRW-BTC", "KRW-ETH", "KRW-XRP"});
        CHECK(markets(rows, sort_key::config, true) ==
              std::vector<std::string>{"KRW-XRP", "KRW-ETH", "KRW-BTC"});
        CHECK(markets(rows, sort_key::price, false) ==
              std::vector<std::string>{"KRW-BTC", "KRW-ETH", "KRW-XRP"});
        CHECK(markets(rows, sort_key::price, true) ==
              std::vector<std::string>{"KRW-XRP", "KRW-ETH", "KRW-BTC"});
        CHECK(markets(rows, sort_key::change, false) ==
              std::vector<std::string>{"KRW-ETH", "KRW-XRP", "KRW-BTC"});
        CHECK(markets(rows, sort_key::abs_change, false) ==
              std::vector<std::string>{"KRW-BTC", "KRW-ETH", "KRW-XRP"});
        CHECK(markets(rows, sort_key::name, false) ==
              std::vector<std::string>{"KRW-BTC", "KRW-ETH", "KRW-XRP"});
        CHECK(markets(rows, sort_key::name, true) ==
              std::vector<std::string>{"KRW-XRP", "KRW-ETH", "KRW-BTC"});
        // A row without the figure goes last in both directions.
        auto more = rows;
        more.push_back(row("KRW-DOGE", "도지코인", "100", "0"));
        more.back().price.reset();
        CHECK(markets(more, sort_key::price, false).back() == "KRW-DOGE");
        CHECK(markets(more, sort_key::price, true).back() == "KRW-DOGE");
    }

    TEST_CASE("keys: s cycles the sort and r reverses and q quits and ? shows help") {
        watch_view view({});
        CHECK(view.sort() == sort_key::config);
        view.on_key({key::character, 's'});
        CHECK(view.sort() == sort_key::name);
        for (int i = 0; i < 4; ++i) view.on_key({key::character, 's'});
        CHECK(view.sort() == sort_key::config);
        view.on_key({key::character, 'r'});
        CHECK(view.reversed());
        CHECK(view.on_key({key::character, 'x'}) == watch_view::action::none);
        CHECK(view.on_key({key::character, '?'}) == watch_view::action::redraw);
        CHECK(lines(view.render(sample(), live_link(), 0, 80, 12))[0] == "키");
        CHECK(view.on_key({key::escape, 0}) == watch_view::action::redraw);
        CHECK(lines(view.render(sample(), live_link(), 0, 80, 12))[0].starts_with("종목"));
        CHECK(view.on_key({key::character, 'q'}) == watch_view::action::quit);
    }

    TEST_CASE("rows beyond the screen scroll with arrows and pages and the position is shown") {
        std::vector<ticker_row> rows;
        for (int i = 0; i < 30; ++i)
            rows.push_back(row("KRW-C" + std::to_string(i), "", "100", "1"));
        watch_view view({});
        auto l = lines(view.render(rows, live_link(), 0, 80, 10));  // 8 rows visible
        CHECK(l[1].starts_with("C0 "));
        CHECK(l[9].find("1-8/30") != std::string::npos);
        view.on_key({key::down, 0});
        l = lines(view.render(rows, live_link(), 0, 80, 10));
        CHECK(l[1].starts_with("C1 "));
        view.on_key({key::page_down, 0});
        l = lines(view.render(rows, live_link(), 0, 80, 10));
        CHECK(l[1].starts_with("C9 "));
        view.on_key({key::end, 0});
        l = lines(view.render(rows, live_link(), 0, 80, 10));
        CHECK(l[8].starts_with("C29 "));
        CHECK(l[9].find("23-30/30") != std::string::npos);
        view.on_key({key::page_up, 0});
        view.on_key({key::home, 0});
        CHECK(view.scroll() == 0);
    }

    TEST_CASE("on a narrow screen columns give way in the stated order and no line is wider") {
        watch_settings s;
        s.columns = {true, true, true, true};
        auto rows = sample();
        for (auto& r : rows) {
            r.high_24h = "160000000";
            r.low_24h = "140000000";
            r.volume_24h = "7158.80283560";
        }
        watch_view view(s);
        const auto header_at = [&](std::size_t width) {
            return lines(view.render(rows, live_link(), 1'000'000, width, 6))[0];
        };
        const std::string wide = header_at(200);
        REQUIRE(display_width(wide) == 78);
        CHECK(header_at(78).find("경과") != std::string::npos);
        for (const char* h : {"거래소", "고가(24h)", "저가(24h)", "거래량", "경과"})
            CHECK(wide.find(h) != std::string::npos);
        CHECK(header_at(77).find("경과") == std::string::npos);  // age goes first
        CHECK(header_at(77).find("거래량") != std::string::npos);
        CHECK(header_at(70).find("거래량") == std::string::npos);  // then volume
        CHECK(header_at(70).find("고가") != std::string::npos);
        CHECK(header_at(60).find("고가") == std::string::npos);  // then high and low
        CHECK(header_at(60).find("거래소") != std::string::npos);
        const std::string narrow = header_at(36);
        CHECK(narrow.find("고가") == std::string::npos);
        CHECK(narrow.find("거래소") == std::string::npos);
        CHECK(narrow.find("변동률") != std::string::npos);
        const std::string tiny = header_at(16);
        CHECK(tiny.find("변동률") == std::string::npos);
        for (std::size_t width : {200u, 80u, 40u, 30u, 16u, 8u, 3u}) {
            CAPTURE(width);
            for (const auto& line : lines(view.render(rows, live_link(), 1'000'000, width, 6)))
                CHECK(display_width(line) <= width);
        }
        CHECK(lines(view.render(rows, live_link(), 1'000'000, 30, 6))[1].find("150,139,000") !=
              std::string::npos);  // the price stays
    }

    TEST_CASE("a changed price briefly highlights only the digits that changed") {
        auto rows = sample();
        watch_view view({});
        view.observe(rows, {0, 1, 2}, 0);  // the first values: nothing to compare with
        CHECK_FALSE(view.highlighting(0));
        rows[0].price = "150141000";
        view.observe(rows, {0}, 1000);
        CHECK(view.highlighting(1500));
        auto frame = view.render(rows, live_link(), 1500, 60, 6);
        const std::string line = lines(frame)[1];
        const std::size_t start = display_width(line.substr(0, line.find("150,141,000")));
        std::string lit;
        for (std::size_t i = 0; i < 11; ++i)
            lit += frame.at(1, start + i).style.reverse ? '^' : '.';
        CHECK(lit == ".....^^....");                      // 150,1[39→41],000
        CHECK(frame.at(1, start + 5).style.color == 31);  // up, in the palette's rising colour
        CHECK_FALSE(view.highlighting(2000));
        frame = view.render(rows, live_link(), 2000, 60, 6);
        for (std::size_t i = 0; i < 11; ++i) CHECK_FALSE(frame.at(1, start + i).style.reverse);
    }

    TEST_CASE("optional columns show the 24 h high and low and volume and exchange and age") {
        watch_settings s;
        s.lang = language::en;
        s.columns = {true, true, true, true};
        auto rows = sample();
        rows[0].high_24h = "155000000";
        rows[0].low_24h = "149000000";
        rows[0].volume_24h = "7158.80283560";
        watch_view view(s);
        const auto l = lines(view.render(rows, live_link(), 1'012'000, 200, 6));
        for (const char* text : {"Upbit", "155,000,000", "149,000,000", "7,158.8", "12s"})
            CHECK(l[1].find(text) != std::string::npos);
        CHECK(l[0].find("Age") != std::string::npos);
    }
    TEST_CASE("the exchange column shows by itself with several venues and e still toggles it") {
        watch_view many({});
        auto l = lines(many.render(three_venues(), live_link(), 1'000'000, 80, 10));
        CHECK(l[0].find("거래소") != std::string::npos);
        CHECK(l[1].find("업비트") != std::string::npos);
        CHECK(l[3].find("빗썸") != std::string::npos);
        CHECK(l[5].find("바이낸스") != std::string::npos);
        CHECK(l[9].find("바이낸스 실시간  빗썸 실시간  업비트 실시간") != std::string::npos);
        CHECK(many.on_key({key::character, 'e'}) == watch_view::action::redraw);
        l = lines(many.render(three_venues(), live_link(), 1'000'000, 80, 10));
        CHECK(l[0].find("거래소") == std::string::npos);
        CHECK(l[1].find("업비트") == std::string::npos);
        many.on_key({key::character, 'e'});
        l = lines(many.render(three_venues(), live_link(), 1'000'000, 80, 10));
        CHECK(l[0].find("거래소") != std::string::npos);

        watch_settings english;
        english.lang = language::en;
        watch_view en(english);
        l = lines(en.render(three_venues(), live_link(), 1'000'000, 80, 10));
        CHECK(l[0].find("Exchange") != std::string::npos);
        CHECK(l[1].find("Upbit") != std::string::npos);
        CHECK(l[3].find("Bithumb") != std::string::npos);
        CHECK(l[5].find("Binance") != std::string::npos);

        // One venue: no column until e.
        watch_view one({});
        l = lines(one.render(sample(), live_link(), 1'000'000, 80, 6));
        CHECK(l[0].find("거래소") == std::string::npos);
        one.on_key({key::character, 'e'});
        l = lines(one.render(sample(), live_link(), 1'000'000, 80, 6));
        CHECK(l[0].find("거래소") != std::string::npos);
    }

    TEST_CASE("sorting by name keeps a coin's venues together in config order") {
        const auto rows = three_venues();
        CHECK(venues(rows, sort_key::name, false, language::ko) ==
              std::vector<std::string>{"upbit:BTC", "bithumb:BTC", "binance:BTC", "upbit:ETH",
                                       "bithumb:ETH", "binance:ETH"});
        CHECK(venues(rows, sort_key::name, true, language::ko) ==
              std::vector<std::string>{"upbit:ETH", "bithumb:ETH", "binance:ETH", "upbit:BTC",
                                       "bithumb:BTC", "binance:BTC"});
        CHECK(venues(rows, sort_key::name, false, language::en) ==
              std::vector<std::string>{"upbit:BTC", "bithumb:BTC", "binance:BTC", "upbit:ETH",
                                       "bithumb:ETH", "binance:ETH"});
    }

    TEST_CASE("with several venues the exchange column outlasts the cut of the names") {
        watch_view view({});
        const auto rows = three_venues();
        const auto header_at = [&](std::size_t width) {
            return lines(view.render(rows, live_link(), 1'000'000, width, 10))[0];
        };
        const std::string wide = header_at(200);
        REQUIRE(wide.find("거래소") != std::string::npos);
        const std::size_t full = display_width(wide);
        // Two columns short: the name is cut, the exchange stays.
        const auto narrow = lines(view.render(rows, live_link(), 1'000'000, full - 2, 10));
        CHECK(narrow[0].find("거래소") != std::string::npos);
        CHECK(narrow[1].find("비트코인") == std::string::npos);
        CHECK(narrow[1].find("~") != std::string::npos);
        for (const auto& line : narrow) CHECK(display_width(line) <= full - 2);
    }

    TEST_CASE("unlisted and no-data rows show no price and say why and are never shown as live") {
        auto rows = three_venues();
        rows[4].status = "unlisted";  // binance BTCUSDT
        rows[5].status = "unlisted";
        rows[2].status = "no_data";  // bithumb KRW-BTC
        watch_view view({});
        auto frame = view.render(rows, live_link(), 1'000'000, 80, 10);
        auto l = lines(frame);
        CHECK(l[3].find("데이터 없음") != std::string::npos);
        CHECK(l[3].find("150,139,000") == std::string::npos);
        CHECK(l[3].find("-2.95%") == std::string::npos);
        CHECK(l[5].find("상장 안 됨") != std::string::npos);
        CHECK(l[5].find("104,000.5") == std::string::npos);
        CHECK(frame.at(3, 0).style.dim);
        CHECK(frame.at(5, 0).style.dim);
        CHECK_FALSE(frame.at(1, 0).style.dim);
        CHECK(l[9].find("바이낸스 상장 안 됨") != std::string::npos);
        CHECK(l[9].find("빗썸 실시간") != std::string::npos);  // one market of it is live
        // A feed with a market unlisted and the others stale is stale, whatever their order.
        for (const bool unlisted_last : {false, true}) {
            auto mixed = rows;
            mixed[4].status = unlisted_last ? "stale" : "unlisted";
            mixed[5].status = unlisted_last ? "unlisted" : "stale";
            CHECK(lines(view.render(mixed, live_link(), 1'000'000, 80, 10))[9].find(
                      "바이낸스 연결 끊김") != std::string::npos);
        }
        // Sorted by price, rows without one go last.
        const auto order = sort_rows(rows, sort_key::price, false, language::ko);
        CHECK(std::vector<std::size_t>(order.end() - 3, order.end()) ==
              std::vector<std::size_t>{2, 4, 5});

        // Without sised the values are the last known, but an unlisted market stays so.
        link_status down;
        down.now = link_status::state::reconnecting;
        l = lines(view.render(rows, down, 1'000'000, 80, 10));
        CHECK(l[3].find("연결 끊김") != std::string::npos);
        CHECK(l[5].find("상장 안 됨") != std::string::npos);

        watch_settings english;
        english.lang = language::en;
        watch_view en(english);
        l = lines(en.render(rows, live_link(), 1'000'000, 80, 10));
        CHECK(l[3].find("no data") != std::string::npos);
        CHECK(l[5].find("not listed") != std::string::npos);
    }

    TEST_CASE("a status newer than this client is dim and named as sent, never live") {
        auto rows = sample();
        rows[0].status = "delisting";
        watch_view view({});
        const auto frame = view.render(rows, live_link(), 1'000'000, 80, 6);
        const auto l = lines(frame);
        CHECK(l[1].find("delisting") != std::string::npos);
        CHECK(l[1].find("150,139,000") != std::string::npos);
        CHECK(frame.at(1, 0).style.dim);
        CHECK(l[5].find("업비트 실시간") != std::string::npos);
    }

    TEST_CASE(
        "p shows the premium table as sise snapshot --premium renders it, and p again the rows") {
        const std::vector<ticker_row> rows{
            sise::test::krw_row("upbit", "BTC", "150139000", std::string("5.04")),
            sise::test::foreign_row("BTC", "68000", std::string("95200000"))};
        watch_settings s;
        s.lang = language::en;
        watch_view view(s);
        REQUIRE(view.on_key({key::character, 'p'}) == watch_view::action::redraw);
        const screen_frame frame = view.render(rows, live_link(), 1'000'000, 120, 8);
        const auto l = lines(frame);
        std::istringstream expected(render_premium(rows, {language::en, false, 120}));
        std::size_t i = 0;
        for (std::string line; std::getline(expected, line); ++i) {
            CAPTURE(i);
            REQUIRE(i < l.size());
            CHECK(l[i] == line.substr(0, line.find_last_not_of(' ') + 1));
        }
        CHECK(i >= 3);  // header, Bitcoin, the FX basis
        CHECK(frame.at(0, 0).style.bold);
        CHECK_FALSE(frame.at(1, 0).style.dim);
        CHECK(l[7].find("Upbit live") != std::string::npos);  // the status line stays

        // Without sised the same table is dim; without FX fields it says why.
        link_status lost;
        lost.now = link_status::state::reconnecting;
        CHECK(view.render(rows, lost, 1'000'000, 120, 8).at(1, 0).style.dim);
        CHECK(lines(view.render(sample(), live_link(), 1'000'000, 120, 8))[0].starts_with(
            "No premium: sised's config has no [fx]"));

        view.on_key({key::character, 'p'});
        CHECK(lines(view.render(rows, live_link(), 1'000'000, 120, 8))[0].starts_with("Coin"));
    }
}
