#include "support/redis_server.hpp"

#include <signal.h>

#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "support/wait.hpp"

namespace sise::test {
namespace {

std::uint16_t free_loopback_port() {
    boost::asio::io_context context;
    boost::asio::ip::tcp::acceptor acceptor(context,
                                            {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

}  // namespace

redis_server::redis_server(std::string password, std::vector<std::string> extra,
                           std::optional<redis_tls> tls)
    : password_(std::move(password)),
      extra_(std::move(extra)),
      tls_(std::move(tls)),
      port_(free_loopback_port()) {
    start();
}

redis_server::~redis_server() {
    kill();
}

std::string redis_server::url() const {
    return fmt::format("{}://127.0.0.1:{}/0", tls_ ? "rediss" : "redis", port_);
}

void redis_server::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds{5});
    pid_ = -1;
}

void redis_server::start() {
    std::vector<std::string> argv{
        "/usr/bin/redis-server", "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--dir",
        dir_.path().string()};
    if (tls_)
        argv.insert(argv.end(),
                    {"--port", "0", "--tls-port", std::to_string(port_), "--tls-cert-file",
                     tls_->cert_file, "--tls-key-file", tls_->key_file, "--tls-ca-cert-file",
                     tls_->ca_file, "--tls-auth-clients", "no"});
    else
        argv.insert(argv.end(), {"--port", std::to_string(port_)});
    if (!password_.empty()) {
        argv.push_back("--requirepass");
        argv.push_back(password_);
    }
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    pid_ = spawn_process(argv, dir_.path() / "redis.log");
    const bool up = eventually([this] { return cli({"PING"}) == "PONG"; }, std::chrono::seconds{5},
                               std::chrono::milliseconds{20});
    if (!up) throw std::runtime_error(fmt::format("redis-server on port {} did not start", port_));
}

std::string redis_server::cli(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p",
                                  std::to_string(port_)};
    // The test's own look at its server: encrypted, not verified (a test may give the server a
    // certificate for another host on purpose; sised is the one that must refuse it).
    if (tls_) argv.insert(argv.end(), {"--tls", "--insecure"});
    if (!password_.empty()) {
        argv.push_back("--no-auth-warning");
        argv.push_back("-a");
        argv.push_back(password_);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out = run_program(argv, std::chrono::seconds{5}).output;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

}  // namespace sise::test
