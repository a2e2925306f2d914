// `sise watch` end to end: the real binary in a real terminal (a tmux server of the test's
// own) against sised and the fake Upbit, driven by keys and read back with capture-pane;
// and the piped form.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "fake/price_walk.hpp"
#include "sise/cli/text_width.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/two_venues.hpp"

namespace {

using namespace std::chrono_literals;
using sise::cli::display_width;
using sise::test::daemon_process;
using sise::test::run_program;

std::string config(const sise::fake::exchange_server& exchange, std::uint16_t port) {
    return sise::test::behind(exchange)
        .set("server", "port", port)
        .set("server", "publish_interval_ms", 50)
        .toml();
}

// A program's path from $PATH (run_program takes paths), or "" when it is not installed.
std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

// A tmux server on a socket of this test's own, killed at the end.
class tmux_terminal {
public:
    tmux_terminal(std::size_t width, std::size_t height) {
        static std::atomic<int> counter{0};
        socket_ = fmt::format("sise-watch-test-{}-{}", ::getpid(), counter++);
        const auto started = tmux({"-f", "/dev/null", "new-session", "-d", "-s", "w", "-x",
                                   std::to_string(width), "-y", std::to_string(height), "env",
                                   "PS1=$ ", "TERM=tmux-256color", "LC_ALL=C.UTF-8", "sh"});
        REQUIRE_MESSAGE(started.exit_code == 0, started.output);
    }
    ~tmux_terminal() { tmux({"kill-server"}); }

    sise::test::run_result tmux(std::vector<std::string> args) const {
        static const std::string tmux_path = find_program("tmux");
        REQUIRE_MESSAGE(!tmux_path.empty(), "tmux is not installed (scripts/install-deps)");
        args.insert(args.begin(), {tmux_path, "-u", "-L", socket_});
        return run_program(args, 5s);
    }
    void type(const std::string& keys) { tmux({"send-keys", "-t", "w", "-l", keys}); }
    void key(const std::string& name) { tmux({"send-keys", "-t", "w", name}); }
    std::string screen() const { return tmux({"capture-pane", "-p", "-t", "w"}).output; }
    std::string display(const std::string& format) const {
        return tmux({"display-message", "-p", "-t", "w", format}).output;
    }
    // Waits until the screen satisfies `ok` (polling every 50 ms); the last screen either way.
    template <typename Pred>
    std::pair<bool, std::string> wait_for(Pred ok, std::chrono::milliseconds timeout) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string last;
        while (true) {
            last = screen();
            if (ok(last)) return {true, last};
            if (std::chrono::steady_clock::now() >= deadline) return {false, last};
            std::this_thread::sleep_for(50ms);
        }
    }

private:
    std::string socket_;
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The exit status the shell printed as `<tag>:<status>` on a line of its own; nullopt before
// then. The echoed command line holds "<tag>:%s" too, so a plain search would match as soon as
// the watch gives the main screen back, before the shell has run the printf. A command typed
// while the shell was still busy is echoed before the shell prints its prompt, so the printf's
// line may start with the prompt ("$ after:0").
std::optional<int> printed_status(const std::string& screen, const std::string& tag) {
    const std::regex printed("^(?:\\$ )?" + tag + ":([0-9]+)$");
    for (const std::string& line : lines_of(screen)) {
        std::smatch m;
        if (std::regex_match(line, m, printed)) return std::stoi(m[1].str());
    }
    return std::nullopt;
}

// The table's rows on screen: the lines between the header (종목...) and the status line.
struct screen_row {
    std::string line;
    double price = 0;
    std::size_t price_end = 0;  // display column just after the price
};

std::vector<screen_row> table_rows(const std::string& screen) {
    static const std::regex price(R"(  +([0-9][0-9,]*(\.[0-9]+)?)(  |$))");
    std::vector<screen_row> rows;
    bool in_table = false;
    for (const std::string& line : lines_of(screen)) {
        if (line.starts_with("종목") || line.starts_with("Coin")) {
            in_table = true;
            continue;
        }
        if (!in_table || line.empty() || contains(line, "?:")) continue;
        std::smatch m;
        if (!std::regex_search(line, m, price)) continue;
        std::string digits = m[1].str();
        std::erase(digits, ',');
        const auto end = static_cast<std::size_t>(m.position(1) + m.length(1));
        rows.push_back({line, std::stod(digits), display_width(line.substr(0, end))});
    }
    return rows;
}

std::string price_text(std::int64_t won) {
    std::string digits = std::to_string(won), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE(
        "sise watch in a terminal follows sised live and sorts and reflows and recovers "
        "from a daemon restart and gives the screen back") {
        sise::fake::server_options fake_options;
        fake_options.frames_per_second = 2;
        sise::fake::exchange_server exchange(fake_options);
        exchange.start();
        exchange.pause_stream(true);  // prices move only when the test moves them
        auto daemon = std::make_unique<daemon_process>(config(exchange, 0));
        const std::uint16_t port = daemon->port();
        const auto markets = sise::fake::default_markets();

        tmux_terminal term(100, 30);
        term.type("printf 'before-watch\\n'; " SISE_CLI_PATH " watch --url http://127.0.0.1:" +
                  std::to_string(port) + "; printf 'after:%s\\n' $?");
        term.key("Enter");

        // Every configured market, at the price the fake gives it.
        std::vector<std::string> expected;
        for (std::size_t i = 0; i < markets.size(); ++i) {
            const std::int64_t won = 1000 + 1000 * static_cast<std::int64_t>(i * i * 7);
            REQUIRE(exchange.send_ticker(markets[i], std::to_string(won)));
            expected.push_back(sise::fake::describe_market(markets[i]).korean_name + " " +
                               price_text(won));
        }
        const auto all_shown = [&](const std::string& s) {
            const auto rows = table_rows(s);
            if (rows.size() != markets.size()) return false;
            for (std::size_t i = 0; i < markets.size(); ++i) {
                const std::string name = sise::fake::describe_market(markets[i]).korean_name;
                const std::string price =
                    price_text(1000 + 1000 * static_cast<std::int64_t>(i * i * 7));
                const bool found = std::any_of(rows.begin(), rows.end(), [&](const screen_row& r) {
                    return r.line.starts_with(name + " ") && contains(r.line, " " + price);
                });
                if (!found) return false;
            }
            return true;
        };
        auto [shown, screen] = term.wait_for(all_shown, 10s);
        INFO(screen);
        REQUIRE(shown);
        CHECK(term.display("#{alternate_on} #{cursor_flag}") == "1 0\n");
        CHECK(contains(screen, "현재가(원)"));
        CHECK(contains(screen, fmt::format("● 127.0.0.1:{}", port)));

        // Korean names take two columns per syllable: every price ends in the same column,
        // under the end of the 현재가(원) heading.
        {
            const auto rows = table_rows(screen);
            const std::string header = lines_of(screen)[0];
            const std::size_t heading_end = display_width(
                header.substr(0, header.find("현재가(원)") + std::string("현재가(원)").size()));
            for (const auto& r : rows) {
                CAPTURE(r.line);
                CHECK(r.price_end == heading_end);
            }
        }

        // A price the fake moves is on screen within a second.
        const auto moved_at = std::chrono::steady_clock::now();
        REQUIRE(exchange.send_ticker("KRW-BTC", "123456789"));
        std::tie(shown, screen) = term.wait_for(
            [](const std::string& s) {
                return contains(s, "비트코인 ") && contains(s, "123,456,789");
            },
            1s);
        CHECK_MESSAGE(shown, screen);
        CHECK(std::chrono::steady_clock::now() - moved_at < 1s);

        // s twice: by price, largest first; r: smallest first.
        const auto prices = [](const std::string& s) {
            std::vector<double> out;
            for (const auto& r : table_rows(s)) out.push_back(r.price);
            return out;
        };
        term.type("ss");
        std::tie(shown, screen) = term.wait_for(
            [&](const std::string& s) {
                const auto p = prices(s);
                return p.size() == markets.size() && std::is_sorted(p.rbegin(), p.rend()) &&
                       contains(s, "정렬 가격");
            },
            2s);
        CHECK_MESSAGE(shown, screen);
        term.type("r");
        std::tie(shown, screen) = term.wait_for(
            [&](const std::string& s) {
                const auto p = prices(s);
                return p.size() == markets.size() && std::is_sorted(p.begin(), p.end());
            },
            2s);
        CHECK_MESSAGE(shown, screen);

        // A narrower window: the table reflows and no line is wider than the window.
        term.tmux({"resize-window", "-t", "w", "-x", "40", "-y", "20"});
        std::tie(shown, screen) = term.wait_for(
            [&](const std::string& s) {
                const auto l = lines_of(s);
                return l.size() == 20 && contains(s, "현재가(원)") &&
                       table_rows(s).size() == markets.size();
            },
            2s);
        CHECK_MESSAGE(shown, screen);
        for (const std::string& line : lines_of(screen)) {
            CAPTURE(line);
            CHECK(display_width(line) <= 40);
        }
        {
            const auto rows = table_rows(screen);
            for (const auto& r : rows) CHECK(r.price_end == rows.front().price_end);
        }
        term.tmux({"resize-window", "-t", "w", "-x", "100", "-y", "30"});

        // The daemon killed: shown at once, the last table kept.
        daemon->kill();
        std::tie(shown, screen) = term.wait_for(
            [](const std::string& s) {
                return contains(s, "✕ 127.0.0.1") && contains(s, "연결 끊김");
            },
            2s);
        CHECK_MESSAGE(shown, screen);
        CHECK(table_rows(screen).size() == markets.size());
        CHECK(contains(screen, "123,456,789"));

        // Restarted on the same port: reconnected, and the new snapshot's prices shown.
        daemon = std::make_unique<daemon_process>(config(exchange, port));
        REQUIRE(exchange.send_ticker("KRW-ETH", "7654321"));
        std::tie(shown, screen) = term.wait_for(
            [&](const std::string& s) {
                return contains(s, fmt::format("● 127.0.0.1:{}", port)) &&
                       contains(s, "7,654,321") && !contains(s, "연결 끊김") &&
                       table_rows(s).size() == markets.size();
            },
            10s);
        CHECK_MESSAGE(shown, screen);

        // q: the shell's screen as it was, cursor shown, exit status 0.
        term.type("q");
        std::tie(shown, screen) = term.wait_for(
            [](const std::string& s) { return printed_status(s, "after").has_value(); }, 3s);
        CHECK_MESSAGE(shown, screen);
        CHECK(contains(screen, "before-watch"));
        CHECK(printed_status(screen, "after") == 0);
        CHECK_FALSE(contains(screen, "현재가"));
        CHECK(term.display("#{alternate_on} #{cursor_flag}") == "0 1\n");

        // Ctrl-C (SIGINT from the terminal) gives the screen back too; exit status 130.
        term.type("clear; " SISE_CLI_PATH " watch --url http://127.0.0.1:" + std::to_string(port) +
                  "; printf 'status:%s\n' $?");
        term.key("Enter");
        std::tie(shown, screen) = term.wait_for(
            [&](const std::string& s) { return table_rows(s).size() == markets.size(); }, 5s);
        CHECK_MESSAGE(shown, screen);
        term.key("C-c");
        std::tie(shown, screen) = term.wait_for(
            [](const std::string& s) { return printed_status(s, "status").has_value(); }, 3s);
        CHECK_MESSAGE(shown, screen);
        CHECK(printed_status(screen, "status") == 130);
        CHECK(term.display("#{alternate_on} #{cursor_flag}") == "0 1\n");
    }

    TEST_CASE("sise watch piped prints one plain line per changed row like tail -f") {
        sise::fake::server_options fake_options;
        fake_options.frames_per_second = 20;
        sise::fake::exchange_server exchange(fake_options);
        exchange.start();
        daemon_process daemon(config(exchange, 0));
        const auto markets = sise::fake::default_markets();

        const auto result =
            run_program({"/bin/sh", "-c",
                         fmt::format("{} watch --url http://127.0.0.1:{} | head -n 20",
                                     SISE_CLI_PATH, daemon.port())},
                        15s);
        INFO(result.output);
        const std::regex line(
            R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z upbit (KRW-[A-Z]+) ([0-9.]+|-) (-?[0-9.]+|-) (rolling_24h|partial|none) (live|connecting))");
        std::vector<std::string> seen;
        std::size_t lines = 0;
        for (const std::string& l : lines_of(result.output)) {
            if (l.starts_with("sise: ")) continue;  // connection notes go to stderr
            CAPTURE(l);
            std::smatch m;
            CHECK(std::regex_match(l, m, line));
            CHECK(l.find('\x1b') == std::string::npos);
            if (!m.empty()) seen.push_back(m[1].str());
            ++lines;
        }
        CHECK(lines == 20);
        // The first lines are the snapshot: every configured market once.
        REQUIRE(seen.size() >= markets.size());
        std::vector<std::string> first(seen.begin(),
                                       seen.begin() + static_cast<long>(markets.size()));
        CHECK(first == markets);

        // --markets: only those rows, from the first line on.
        const auto some = run_program(
            {"/bin/sh", "-c",
             fmt::format("{} watch --markets KRW-XRP,KRW-ETH --url http://127.0.0.1:{} | head -n 6",
                         SISE_CLI_PATH, daemon.port())},
            15s);
        INFO(some.output);
        std::size_t some_lines = 0;
        for (const std::string& l : lines_of(some.output)) {
            if (l.starts_with("sise: ")) continue;
            CAPTURE(l);
            CHECK((contains(l, " KRW-ETH ") || contains(l, " KRW-XRP ")));
            ++some_lines;
        }
        CHECK(some_lines == 6);
    }
    TEST_CASE("sise watch piped over two venues follows exchange:code subscriptions") {
        const sise::test::two_venues venues;
        // The fakes are paused: after the snapshot nothing more is written, so no closed pipe
        // ends the watch; `timeout` does.
        const auto result = run_program(
            {"/bin/sh", "-c",
             fmt::format(
                 "timeout 6 {} watch --markets upbit:KRW-ETH,binance:BTCUSDT --url {} | head -n 2",
                 SISE_CLI_PATH, venues.url())},
            15s);
        INFO(result.output);
        // The snapshot's two rows: exchange, market and price after the time.
        std::vector<std::string> rows;
        for (const std::string& l : lines_of(result.output)) {
            if (l.starts_with("sise: ")) continue;
            std::istringstream fields(l);
            std::string time, exchange, market, price;
            fields >> time >> exchange >> market >> price;
            rows.push_back(exchange + " " + market + " " + price);
        }
        std::sort(rows.begin(), rows.end());
        CHECK(rows == std::vector<std::string>{
                          fmt::format("binance BTCUSDT {}", sise::test::two_venues::binance_btc),
                          fmt::format("upbit KRW-ETH {}", sise::test::two_venues::upbit_eth)});
    }
    TEST_CASE("sise watch in a terminal over two venues shows the exchange column and e hides it") {
        const sise::test::two_venues venues;
        tmux_terminal term(100, 12);
        term.type(SISE_CLI_PATH " watch --lang en --url " + venues.url() +
                  "; printf 'after:%s\\n' $?");
        term.key("Enter");
        const auto header_has = [](const std::string& s, const std::string& text) {
            const auto l = lines_of(s);
            return !l.empty() && l[0].starts_with("Coin") && contains(l[0], text);
        };
        // Mixed quotes: each price carries its currency, which marks the table's rows.
        const auto priced_rows = [](const std::string& s) {
            std::vector<std::string> out;
            for (const std::string& line : lines_of(s))
                if (contains(line, " KRW") || contains(line, " USDT")) out.push_back(line);
            return out;
        };
        auto [shown, screen] = term.wait_for(
            [&](const std::string& s) {
                return header_has(s, "Exchange") && priced_rows(s).size() == 4 &&
                       contains(s, "Binance live");
            },
            5s);
        INFO(screen);
        REQUIRE(shown);
        for (const std::string& line : priced_rows(screen))
            CHECK((contains(line, " Upbit ") || contains(line, " Binance ")));
        CHECK(contains(screen, "104,000.5 USDT"));
        CHECK(contains(screen, "150,000,000 KRW"));

        term.type("e");
        std::tie(shown, screen) = term.wait_for(
            [&](const std::string& s) {
                const auto rows = priced_rows(s);
                return header_has(s, "Price") && !header_has(s, "Exchange") && rows.size() == 4 &&
                       std::none_of(rows.begin(), rows.end(), [](const std::string& line) {
                           return contains(line, "Upbit") || contains(line, "Binance");
                       });
            },
            2s);
        CHECK_MESSAGE(shown, screen);
        term.type("q");
        std::tie(shown, screen) = term.wait_for(
            [](const std::string& s) { return printed_status(s, "after").has_value(); }, 3s);
        CHECK_MESSAGE(shown, screen);
        CHECK(printed_status(screen, "after") == 0);
    }
}
