// sise-fake-exchange: the fake exchange as a process, for the offline demo and the benchmarks.
// Line 1 of stdout is "listening on <address>:<port>" (flushed) for scripts; logs go to
// stderr. Runs until SIGINT or SIGTERM.
#include <signal.h>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "fake/candle_history.hpp"
#include "fake/dialect.hpp"
#include "fake/exchange_server.hpp"
#include "fake/tls_cert.hpp"

namespace {

constexpr std::string_view usage = R"(usage: sise-fake-exchange [options]
A fake exchange on loopback; as Upbit: ws://ADDR:PORT/websocket/v1, GET /v1/market/all and
GET /v1/candles/minutes/1 (a week of synthetic one-minute history per market).

  --exchange NAME    upbit (default), bithumb (Upbit's paths, text frames, KST times, drops a
                     client silent for 120 s), binance (ws://ADDR:PORT/stream, /api/v3/...),
                     okx (ws://ADDR:PORT/ws/v5/public, /api/v5/..., drops a client silent for
                     30 s), bybit (ws://ADDR:PORT/v5/public/spot, /v5/market/..., drops a
                     client that sends no {"op":"ping"} for 10 min), coinbase
                     (ws://ADDR:PORT/, /api/v3/brokerage/market/...) or kraken
                     (ws://ADDR:PORT/v2, /0/public/..., drops a client silent for 60 s)
  --idle-limit-ms N  drop a websocket client that sent nothing for N ms (default: the
                     exchange's rule, bithumb 120000, okx 30000, kraken 60000, bybit 600000;
                     0 = never)
  --heartbeats-limit-ms N  coinbase: drop a websocket client that has not subscribed to
                     the heartbeats channel within N ms (default 60000; 0 = never)
  --port N           port to listen on (default 0: any free port)
  --bind ADDR        address to listen on (default 127.0.0.1)
  --rate FPS         realtime ticker frames per second, all markets (default 10; 0 = unlimited)
  --seed N           random walk seed (default 1)
  --markets A,B,...  market codes (default: the 12 built-in KRW markets)
  --tls-dir DIR      write a self-signed CA certificate for localhost/127.0.0.1 into DIR and
                     serve wss:// and https:// with it (clients trust DIR/fake-upbit-cert.pem)
  --quiet            no connection logs on stderr
  --help             this text
)";

struct usage_error {
    std::string message;
};

template <class T>
T parse_number(std::string_view flag, std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        throw usage_error{fmt::format("{}: not a number: '{}'", flag, text)};
    }
    return value;
}

std::vector<std::string> split_markets(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    if (out.empty()) throw usage_error{"--markets: no market codes"};
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    sise::fake::server_options options;
    options.log = true;
    options.candle_close = sise::fake::synthetic_candle_history(options.seed);
    std::string tls_dir;
    std::optional<std::uint32_t> idle_limit_ms;
    std::optional<std::uint32_t> heartbeats_limit_ms;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string_view flag = argv[i];
            const auto value = [&]() -> std::string_view {
                if (i + 1 >= argc) throw usage_error{fmt::format("{} needs a value", flag)};
                return argv[++i];
            };
            if (flag == "--help" || flag == "-h") {
                fmt::print("{}", usage);
                return 0;
            } else if (flag == "--exchange") {
                options.exchange = value();
                try {
                    sise::fake::dialect_for(options.exchange);
                } catch (const std::invalid_argument& e) {
                    throw usage_error{e.what()};
                }
            } else if (flag == "--idle-limit-ms") {
                idle_limit_ms = parse_number<std::uint32_t>(flag, value());
            } else if (flag == "--heartbeats-limit-ms") {
                heartbeats_limit_ms = parse_number<std::uint32_t>(flag, value());
            } else if (flag == "--port") {
                options.port = parse_number<std::uint16_t>(flag, value());
            } else if (flag == "--bind") {
                options.bind_address = value();
            } else if (flag == "--rate") {
                options.frames_per_second = parse_number<double>(flag, value());
                if (options.frames_per_second < 0) throw usage_error{"--rate: must be >= 0"};
            } else if (flag == "--seed") {
                options.seed = parse_number<std::uint64_t>(flag, value());
                options.candle_close = sise::fake::synthetic_candle_history(options.seed);
            } else if (flag == "--markets") {
                options.markets = split_markets(value());
            } else if (flag == "--tls-dir") {
                tls_dir = value();
            } else if (flag == "--quiet") {
                options.log = false;
            } else {
                throw usage_error{fmt::format("unknown option '{}'", flag)};
            }
        }
    } catch (const usage_error& e) {
        fmt::print(stderr, "<3>sise-fake-exchange: {}\n{}", e.message, usage);
        return 2;
    }
    if (idle_limit_ms || heartbeats_limit_ms) {
        // The exchange's rules with the limits replaced (the order of flags does not matter).
        auto rules = sise::fake::dialect_for(options.exchange).keepalive();
        if (idle_limit_ms) rules.client_idle_limit = std::chrono::milliseconds{*idle_limit_ms};
        if (heartbeats_limit_ms)
            rules.heartbeats_deadline = std::chrono::milliseconds{*heartbeats_limit_ms};
        options.keepalive = rules;
    }

    try {
        // Block the signals before the fake's thread starts (it inherits the mask), then
        // wait for them here.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        if (!tls_dir.empty()) {
            const auto files = sise::fake::make_self_signed_cert(tls_dir);
            options.cert_file = files.cert_file;
            options.key_file = files.key_file;
        }
        sise::fake::exchange_server server(options);
        server.start();
        fmt::print("listening on {}:{}\n", options.bind_address, server.port());
        std::fflush(stdout);
        fmt::print(stderr, "<6>sise-fake-exchange: {} ({} markets, {} frames/s{}, seed {})\n",
                   server.websocket_url(), options.markets.size(), options.frames_per_second,
                   options.frames_per_second == 0 ? " = unlimited" : "", options.seed);
        if (server.tls()) {
            fmt::print(stderr, "<6>sise-fake-exchange: CA file for clients: {}\n",
                       options.cert_file);
        }

        int signal = 0;
        sigwait(&signals, &signal);
        server.stop();
        fmt::print(stderr, "<6>sise-fake-exchange: stopped ({}); {} frames sent, {} dropped\n",
                   signal == SIGINT ? "SIGINT" : "SIGTERM", server.frames_sent(),
                   server.frames_dropped());
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "<3>sise-fake-exchange: {}\n", e.what());
        return 1;
    }
}
