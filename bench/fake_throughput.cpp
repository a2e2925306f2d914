// Throughput probe for the fake Upbit: one plain Beast websocket reader subscribes to every
// market at unlimited rate and counts whole messages per second. It checks that the fake is
// not the bottleneck of a benchmark (target: >= 500k frames/s on loopback).
//
// usage: fake_throughput [--seconds S] [--port P] [--rate FPS]
//   without --port the fake runs in this process (its own thread); with --port it reads from
//   a running `sise-fake-exchange --rate 0 --port P`. --rate paces the in-process fake instead
//   of unlimited, to check the pacing accuracy (e.g. 20000).
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "fake/exchange_server.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

int main(int argc, char** argv) {
    double seconds = 3.0;
    double rate = 0;
    std::uint16_t port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        const std::string_view value = argv[i + 1];
        if (flag == "--seconds") {
            std::from_chars(value.data(), value.data() + value.size(), seconds);
        } else if (flag == "--port") {
            std::from_chars(value.data(), value.data() + value.size(), port);
        } else if (flag == "--rate") {
            std::from_chars(value.data(), value.data() + value.size(), rate);
        }
    }
    try {
        std::unique_ptr<sise::fake::exchange_server> fake;
        if (port == 0) {
            sise::fake::server_options options;
            options.frames_per_second = rate;  // 0: unlimited
            fake = std::make_unique<sise::fake::exchange_server>(options);
            fake->start();
            port = fake->port();
        }

        net::io_context ioc;
        websocket::stream<tcp::socket> ws(ioc);
        ws.next_layer().connect(tcp::endpoint(net::ip::address_v4::loopback(), port));
        ws.handshake(fmt::format("127.0.0.1:{}", port), "/websocket/v1");
        std::string codes;
        for (const auto& code : sise::fake::default_markets()) {
            codes += fmt::format("{}\"{}\"", codes.empty() ? "" : ",", code);
        }
        ws.text(true);
        ws.write(net::buffer(fmt::format(
            R"([{{"ticket":"bench"}},{{"type":"ticker","codes":[{}]}},{{"format":"DEFAULT"}}])",
            codes)));

        beast::flat_buffer buffer;
        const int batch = rate > 0 ? 1 : 1024;  // read the clock once per batch
        const auto read_for = [&](std::chrono::duration<double> window, std::uint64_t& bytes) {
            std::uint64_t frames = 0;
            const auto end = steady::now() + std::chrono::duration_cast<steady::duration>(window);
            for (;;) {
                for (int i = 0; i < batch; ++i) {
                    bytes += ws.read(buffer);
                    buffer.consume(buffer.size());
                }
                frames += static_cast<std::uint64_t>(batch);
                if (steady::now() >= end) return frames;
            }
        };

        std::uint64_t bytes = 0;
        read_for(std::chrono::milliseconds(500), bytes);  // warm-up
        bytes = 0;
        const auto begin = steady::now();
        const std::uint64_t frames = read_for(std::chrono::duration<double>(seconds), bytes);
        const std::chrono::duration<double> elapsed = steady::now() - begin;

        fmt::print("frames: {} in {:.3f} s = {:.0f} frames/s, {:.1f} MB/s, {:.0f} bytes/frame\n",
                   frames, elapsed.count(), static_cast<double>(frames) / elapsed.count(),
                   static_cast<double>(bytes) / elapsed.count() / 1e6,
                   static_cast<double>(bytes) / static_cast<double>(frames));
        if (fake) {
            beast::get_lowest_layer(ws).close();
            fake->stop();
            fmt::print("fake: {} frames queued, {} dropped\n", fake->frames_sent(),
                       fake->frames_dropped());
        }
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "fake_throughput: {}\n", e.what());
        return 1;
    }
}
