// An HTTP FX source on 127.0.0.1 for integration tests: one request per connection, answered
// 200 with USD/KRW 1400 ({"rates":{"KRW":1400}}, read with field = "rates.KRW") or, once told
// to fail, 500. Counts the requests it answered. Header-only over raw_server.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "support/raw_server.hpp"

namespace sise::test {

class fx_source {
public:
    fx_source()
        : server_([this](raw_connection& connection) {
              if (!connection.read_until("\r\n\r\n", 2s)) return;
              ++requests_;
              const bool ok = !failing_.load();
              const std::string body =
                  ok ? R"({"base_code":"USD","rates":{"KRW":1400}})" : R"({"error":"down"})";
              connection.write(fmt::format(
                  "HTTP/1.1 {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n"
                  "Connection: close\r\n\r\n{}",
                  ok ? "200 OK" : "500 Internal Server Error", body.size(), body));
          }) {}

    std::string url() const { return server_.url("http", "/v6/latest/USD"); }
    void fail() { failing_ = true; }
    std::uint64_t requests() const { return requests_.load(); }

private:
    std::atomic<bool> failing_{false};
    std::atomic<std::uint64_t> requests_{0};
    raw_server server_;
};

}  // namespace sise::test
