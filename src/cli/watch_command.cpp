#include "sise/cli/watch_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sise/cli/screen_terminal.hpp"
#include "sise/cli/stream_model.hpp"
#include "sise/cli/terminal.hpp"
#include "sise/cli/watch_line.hpp"
#include "sise/cli/watch_view.hpp"
#include "sise/client/stream_client.hpp"

namespace sise::cli {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr std::string_view watch_help =
    R"(usage: sise watch [options]

Show sised's prices live, as they change (a client of sised's /v1/stream).

options:
  --url URL           sised's address (default http://127.0.0.1:8765)
  --markets A,B       only these markets (e.g. KRW-BTC,upbit:KRW-ETH)
  --lang ko|en        names and headers in Korean (default) or English
  --colors kr|us|none rising red/falling blue (kr, default with --lang ko), rising green/
                      falling red (us, default with --lang en), or none; NO_COLOR is respected
  --sort KEY          config (default), name, price, change or abs-change
  --columns LIST      extra columns: high-low, volume, exchange, age (e.g. volume,age);
                      the exchange shows by itself when rows come from several exchanges
  --premium           start with the kimchi premium table (as sise snapshot --premium;
                      needs [fx] in sised's config); key p switches
  -h, --help          show this help

On a terminal: full screen; keys q quit, s sort, r reverse, arrows/PgUp/PgDn scroll,
h v e a toggle columns, p premium, ? help. Otherwise one line per changed row:
  time exchange market price change_pct_24h basis status

exit status: 0 after q, 1 output could not be written, 2 bad command line,
128+N after signal N
)";

constexpr std::chrono::milliseconds connect_timeout = 2s;
// A daemon silent this long (no message, no pong to our pings) is taken as gone.
constexpr std::chrono::seconds idle_timeout = 15s;
constexpr std::chrono::milliseconds frame_interval = 100ms;  // at most 10 frames per second
constexpr std::chrono::milliseconds escape_wait = 50ms;      // a lone ESC is the Escape key

struct watch_options : sised_options {
    std::optional<language> lang;
    std::optional<palette> colors;
    sort_key sort = sort_key::config;
    watch_columns columns;
    bool premium = false;
};

// Market codes go into a JSON string: letters, digits and - _ . : only.
bool plain_market(std::string_view market) {
    return std::all_of(market.begin(), market.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == ':';
    });
}

std::optional<watch_columns> parse_columns(std::string_view list) {
    watch_columns out;
    for (const std::string& item : split_markets(list)) {
        if (item == "high-low")
            out.high_low = true;
        else if (item == "volume")
            out.volume = true;
        else if (item == "exchange")
            out.exchange = true;
        else if (item == "age")
            out.age = true;
        else {
            print_error(stderr,
                        "option '--columns' takes high-low, volume, exchange or age, not '{}'",
                        item);
            return std::nullopt;
        }
    }
    return out;
}

std::optional<watch_options> parse_watch_args(args_view args) {
    watch_options options;
    const bool ok =
        read_options(args, "watch", options, [&](option_reader& reader, std::string_view name) {
            if (name == "--lang") return assign(reader.choice(language_names), options.lang);
            if (name == "--colors" || name == "--colours")
                return assign(reader.choice(palette_names), options.colors);
            if (name == "--sort") return assign(reader.choice(sort_key_names), options.sort);
            if (name == "--premium") {
                options.premium = true;
                return option_outcome::taken;
            }
            if (name == "--columns") {
                const auto value = reader.value();
                return assign(value ? parse_columns(*value) : std::nullopt, options.columns);
            }
            return option_outcome::not_mine;
        });
    if (!ok) return std::nullopt;
    if (options.help) return options;
    // Market codes go into the subscription's JSON strings.
    for (const std::string& market : options.markets)
        if (!plain_market(market)) {
            print_error(stderr, "option '--markets': '{}' is not a market code", market);
            return std::nullopt;
        }
    return options;
}

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t utc_offset_ms() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    if (::localtime_r(&now, &local) == nullptr) return 0;
    return static_cast<std::int64_t>(local.tm_gmtoff) * 1000;
}

// The connection to sised and the table it feeds: connects, reconnects with backoff,
// resubscribes when the model asks for a resync.
class stream_link {
public:
    explicit stream_link(const watch_options& options)
        : host_(options.endpoint.host),
          port_(options.endpoint.port),
          target_(options.endpoint.with_path("/v1/stream").target) {
        subscribe_ = R"({"type":"subscribe","markets":[)";
        for (std::size_t i = 0; i < options.markets.size(); ++i)
            subscribe_ += fmt::format("{}\"{}\"", i == 0 ? "" : ",", options.markets[i]);
        subscribe_ += "]}";
        if (!options.markets.empty()) send_on_connect_ = true;
        status_.utc_offset_ms = utc_offset_ms();
    }

    const link_status& status() const noexcept { return status_; }
    const stream_model& model() const noexcept { return model_; }
    bool connected() const noexcept { return client_ != nullptr; }

    // Connects when it is time to; returns true when the state changed.
    bool step(std::int64_t now_ms) {
        if (client_ || now_ms < status_.retry_at_ms) return false;
        auto client =
            std::make_unique<client::stream_client>(host_, port_, target_, "", connect_timeout);
        if (!client->connected() || (send_on_connect_ && !client->send(subscribe_, 1s))) {
            const std::string why =
                client->connected() ? "subscription not sent" : client->connect_error().message();
            lost(why, wall_ms());
            return true;
        }
        client->keep_alive(idle_timeout);
        client_ = std::move(client);
        snapshots_to_skip_ = send_on_connect_ ? 1 : 0;
        status_.now = link_status::state::live;
        status_.attempt = 0;
        status_.error.clear();
        return true;
    }

    // Reads and applies at most one message, waiting up to `wait`. The changed rows, or
    // nullopt when nothing arrived (or the connection was lost: status() says).
    std::optional<std::vector<std::size_t>> read(std::chrono::milliseconds wait) {
        if (!client_) return std::nullopt;
        auto message = client_->read(wait);
        if (!message) {
            if (client_->read_error())
                lost(client_->read_error() == boost::system::errc::operation_canceled
                         ? std::string("connection closed")
                         : client_->read_error().message(),
                     wall_ms());
            return std::nullopt;
        }
        // With a subscription sent on connect, the first snapshot (every row, sent before
        // sised read the subscription) and the updates after it are not ours: the table starts
        // from the snapshot that answers the subscription.
        ticker_message parsed;
        std::string why;
        const bool readable = !parser_.parse(*message, parsed, why);
        if (readable && snapshots_to_skip_ > 0) {
            if (parsed.kind == message_kind::snapshot) --snapshots_to_skip_;
            return std::vector<std::size_t>{};
        }
        auto result = readable ? model_.apply(std::move(parsed)) : model_.apply(*message);
        switch (result.what) {
            case stream_model::outcome::applied:
                status_.last_update_ms = model_.time_ms();
                return std::move(result.changed);
            case stream_model::outcome::resync:
                if (!client_->send(subscribe_, 1s)) lost("resync not sent", wall_ms());
                return std::vector<std::size_t>{};
            case stream_model::outcome::ignored:
                return std::vector<std::size_t>{};
            case stream_model::outcome::rejected:
                status_.error = "bad message: " + result.why;
                return std::vector<std::size_t>{};
        }
        return std::nullopt;
    }

    void close() {
        if (client_) client_->close();
        client_.reset();
    }

private:
    void lost(std::string why, std::int64_t now_ms) {
        client_.reset();
        model_.disconnected();
        ++status_.attempt;
        // 0.25 s, 0.5, 1, 2, 4, then every 5 s.
        const std::int64_t delay =
            std::min<std::int64_t>(5000, 250LL << std::min<unsigned>(status_.attempt - 1, 5));
        status_.retry_at_ms = now_ms + delay;
        status_.error = std::move(why);
        status_.now = link_status::state::reconnecting;
    }

    std::string host_, port_, target_;
    std::string subscribe_;
    bool send_on_connect_ = false;
    int snapshots_to_skip_ = 0;
    message_parser parser_;
    std::unique_ptr<client::stream_client> client_;
    stream_model model_;
    link_status status_;
};

int run_screen(const watch_options& options, watch_settings settings) {
    std::string why;
    auto terminal = screen_terminal::open(STDIN_FILENO, STDOUT_FILENO, why);
    if (!terminal) {
        print_error(stderr, "cannot use the terminal: {}", why);
        return exit_failure;
    }
    watch_view view(std::move(settings));
    for (int i = 0; i < static_cast<int>(options.sort); ++i) view.on_key({key::character, 's'});
    stream_link link(options);
    key_decoder keys;
    std::optional<screen_frame> shown;
    auto size = terminal->window_size();
    auto last_frame = steady::now() - frame_interval;
    auto escape_since = steady::time_point{};
    bool quit = false;
    bool ok = true;

    const auto draw = [&] {
        const auto frame =
            view.render(link.model().rows(), link.status(), wall_ms(), size.columns, size.rows);
        ok = terminal->write(diff_frames(shown ? &*shown : nullptr, frame));
        shown = frame;
        last_frame = steady::now();
    };
    draw();  // "connecting" at once
    while (!quit && ok && terminal->stop_signal() == 0) {
        if (terminal->take_repaint()) {
            size = terminal->window_size();
            shown.reset();  // cleared and painted whole
        }
        link.step(wall_ms());
        // Wait for a message or a key, whichever the loop is not blocked on.
        std::string input;
        if (link.connected()) {
            for (int n = 0; n < 64; ++n) {
                auto changed = link.read(n == 0 ? 20ms : 0ms);
                if (!changed) break;
                view.observe(link.model().rows(), *changed, wall_ms());
            }
            input = terminal->read_input(0ms);
        } else {
            input = terminal->read_input(20ms);
        }
        std::vector<key_press> pressed = keys.feed(input);
        if (!input.empty()) escape_since = steady::now();
        if (steady::now() - escape_since > escape_wait) {
            auto late = keys.flush();
            pressed.insert(pressed.end(), late.begin(), late.end());
        }
        for (const key_press& k : pressed)
            if (view.on_key(k) == watch_view::action::quit) quit = true;
        // Every 100 ms a new frame; only the cells that differ are written.
        if (!quit && steady::now() - last_frame >= frame_interval) draw();
    }
    link.close();
    const int signo = terminal->stop_signal();
    terminal.reset();  // the shell's screen back before any message
    if (!ok) return exit_failure;
    return signo != 0 ? 128 + signo : exit_ok;
}

volatile std::sig_atomic_t g_piped_stop = 0;
void on_piped_stop(int signo) {
    g_piped_stop = signo;
}

int run_lines(const watch_options& options) {
    for (int signo : {SIGINT, SIGTERM, SIGHUP}) std::signal(signo, on_piped_stop);
    stream_link link(options);
    const std::string daemon = options.url;
    link_status::state reported = link_status::state::connecting;
    std::map<std::string, std::string> last_printed;  // per row, the fields after the time
    while (g_piped_stop == 0) {
        if (link.step(wall_ms()) && link.status().now != reported) {
            reported = link.status().now;
            if (reported == link_status::state::live)
                print_error(stderr, "connected to sised at {}", daemon);
            else
                print_error(stderr, "cannot reach sised at {}: {}; retrying", daemon,
                            link.status().error);
        }
        if (!link.connected()) {
            if (reported == link_status::state::live) {
                reported = link.status().now;
                print_error(stderr, "lost sised at {}: {}; reconnecting", daemon,
                            link.status().error);
            }
            ::usleep(50'000);
            continue;
        }
        const auto changed = link.read(200ms);
        if (!changed) continue;
        // A row whose printed fields did not change (only its volume or times did) prints
        // nothing: every line says something new.
        std::string out;
        for (const std::size_t i : *changed) {
            const ticker_row& row = link.model().rows()[i];
            std::string line = watch_line(row, link.model().time_ms());
            std::string& last = last_printed[row.exchange + ":" + row.market];
            const std::string fields = line.substr(line.find(' '));
            if (fields == last) continue;
            last = fields;
            out += line;
        }
        if (!out.empty() && !write_text(stdout, out)) return exit_failure;
    }
    link.close();
    return 128 + g_piped_stop;
}

}  // namespace

int run_watch(args_view args) {
    const auto options = parse_watch_args(args);
    if (!options) return exit_usage;
    if (options->help) return write_text(stdout, watch_help) ? exit_ok : exit_failure;

    watch_settings settings;
    settings.lang = options->lang.value_or(language::ko);
    settings.colors =
        options->colors.value_or(settings.lang == language::ko ? palette::kr : palette::us);
    if (!options->colors && no_color_requested()) settings.colors = palette::none;
    settings.columns = options->columns;
    settings.premium = options->premium;
    settings.daemon = options->endpoint.host + ":" + options->endpoint.port;

    const char* term = std::getenv("TERM");
    const bool screen = ::isatty(STDOUT_FILENO) && term != nullptr && *term != '\0' &&
                        std::string_view(term) != "dumb";
    try {
        return screen ? run_screen(*options, std::move(settings)) : run_lines(*options);
    } catch (const std::exception& error) {
        // The terminal has been restored by the unwinding (screen_terminal's destructor).
        print_error(stderr, "watch failed: {}", error.what());
        return exit_failure;
    }
}

}  // namespace sise::cli
