#include "sise/cli/history_command.hpp"

#include <charconv>
#include <filesystem>
#include <optional>
#include <system_error>

#include "sise/core/exchange.hpp"
#include "sise/core/ticker.hpp"
#include "sise/history/bars.hpp"
#include "sise/history/json.hpp"
#include "sise/history/layout.hpp"
#include "sise/history/reader.hpp"
#include "sise/history/record.hpp"
#include "sise/history/time_arg.hpp"

namespace sise::cli {
namespace {

// Output is written in pieces of about this size, so a million records never sit in memory.
constexpr std::size_t flush_size = 64 * 1024;

constexpr std::string_view history_help =
    R"(usage: sise history MARKET --from T [options]

Print a market's recorded prices, or OHLC bars of them, from sised's history files.

MARKET is a market code (KRW-BTC), or exchange:market (upbit:KRW-BTC).

options:
  --from T          start, inclusive (required)
  --to T            end, exclusive (default now)
  --exchange NAME   upbit (default), bithumb, binance, coinbase, kraken, okx or bybit
  --dir DIR         the history directory (default $SISE_HISTORY_DIR, else
                    /var/lib/sise/history)
  --interval I      OHLC bars of 1m, 5m, 15m, 1h, 4h or 1d instead of records
  --format F        csv (default) or json
  --limit N         read at most N records (default 1000000)
  -h, --help        show this help

times (UTC): 2026-11-28, 2026-11-28T05:20:00[.123][Z], epoch milliseconds, now,
             or before now: -90s, -15m, -2h, -7d

exit status: 0 done (no records is not an error), 1 no history for the market, a file that
could not be read or output that could not be written, 2 bad command line
)";

enum class output_format { csv, json };

struct history_options {
    exchange_id exchange = exchange_id::upbit;
    std::optional<exchange_id> market_exchange;  // from "upbit:KRW-BTC"
    std::string market;
    std::string dir;
    std::string_view from_text;
    std::optional<std::int64_t> from_ms;
    std::int64_t to_ms = 0;
    std::string_view interval_name;  // empty: records
    std::int64_t interval_ms = 0;
    output_format format = output_format::csv;
    std::size_t limit = 0;
    bool help = false;
};

std::string exchange_names() {
    std::string names;
    for (exchange_id id : all_exchanges) {
        if (!names.empty()) names += ", ";
        names += to_string(id);
    }
    return names;
}

// `sise history`'s arguments; the first problem is one line on env.err naming the option.
class history_parser {
public:
    history_parser(args_view args, const history_environment& env)
        : reader_(args, env.err), env_(env) {
        options_.dir = env.default_dir;
        options_.to_ms = env.now_ms;
        options_.limit = env.default_limit;
    }

    std::optional<history_options> parse() {
        while (!reader_.done())
            if (!parse_one(reader_.next())) return std::nullopt;
        if (options_.help) return options_;
        if (!check()) return std::nullopt;
        return options_;
    }

private:
    bool parse_one(std::string_view name) {
        if (name == "-h" || name == "--help") {
            options_.help = true;
            return reader_.no_value();
        }
        if (name == "--exchange") return with_value(&history_parser::set_exchange);
        if (name == "--dir") return with_value(&history_parser::set_dir);
        if (name == "--from") return with_value(&history_parser::set_from);
        if (name == "--to") return with_value(&history_parser::set_to);
        if (name == "--interval") return with_value(&history_parser::set_interval);
        if (name == "--format") return with_value(&history_parser::set_format);
        if (name == "--limit") return with_value(&history_parser::set_limit);
        if (name.starts_with("-"))
            return fail("unknown option '{}' for history (see 'sise history --help')", name);
        if (!options_.market.empty())
            return fail("unexpected argument '{}' for history (see 'sise history --help')", name);
        return set_market(name);
    }

    bool with_value(bool (history_parser::*set)(std::string_view)) {
        const auto value = reader_.value();
        return value && (this->*set)(*value);
    }

    template <typename... Args>
    bool fail(fmt::format_string<Args...> format, Args&&... args) {
        print_error(env_.err, format, std::forward<Args>(args)...);
        return false;
    }

    bool set_market(std::string_view text) {
        std::string_view market = text;
        if (const auto colon = text.find(':'); colon != std::string_view::npos) {
            const auto exchange = exchange_from_string(text.substr(0, colon));
            if (!exchange)
                return fail("MARKET '{}': unknown exchange (known: {})", text, exchange_names());
            options_.market_exchange = exchange;
            market = text.substr(colon + 1);
        }
        if (market.empty() || market.size() > market_code::capacity)
            return fail("MARKET '{}' is not a market code (e.g. KRW-BTC)", text);
        options_.market = market;
        return true;
    }

    bool set_exchange(std::string_view text) {
        const auto exchange = exchange_from_string(text);
        if (!exchange)
            return fail("option '--exchange' takes one of {}, not '{}'", exchange_names(), text);
        options_.exchange = *exchange;
        exchange_given_ = true;
        return true;
    }

    bool set_dir(std::string_view text) {
        if (text.empty()) return fail("option '--dir' needs a directory");
        options_.dir = text;
        return true;
    }

    bool set_time(std::string_view flag, std::string_view text, std::int64_t& out) {
        const auto ms = history::parse_time_arg(text, env_.now_ms);
        if (!ms)
            return fail(
                "option '{}': '{}' is not a time (2026-11-28, 2026-11-28T05:20:00Z, epoch ms, "
                "now, -2h)",
                flag, text);
        out = *ms;
        return true;
    }

    bool set_from(std::string_view text) {
        options_.from_text = text;
        std::int64_t ms = 0;
        if (!set_time("--from", text, ms)) return false;
        options_.from_ms = ms;
        return true;
    }

    bool set_to(std::string_view text) { return set_time("--to", text, options_.to_ms); }

    bool set_interval(std::string_view text) {
        const auto ms = history::parse_interval(text);
        if (!ms) return fail("option '--interval' takes 1m, 5m, 15m, 1h, 4h or 1d, not '{}'", text);
        options_.interval_name = text;
        options_.interval_ms = *ms;
        return true;
    }

    bool set_format(std::string_view text) {
        if (text == "csv")
            options_.format = output_format::csv;
        else if (text == "json")
            options_.format = output_format::json;
        else
            return fail("option '--format' takes csv or json, not '{}'", text);
        return true;
    }

    bool set_limit(std::string_view text) {
        std::size_t limit = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc{} || end != text.data() + text.size() || limit == 0)
            return fail("option '--limit' takes a positive number of records, not '{}'", text);
        options_.limit = limit;
        return true;
    }

    bool check() {
        if (options_.market.empty())
            return fail("missing MARKET, e.g. 'sise history KRW-BTC --from -1h'");
        if (options_.market_exchange) {
            if (exchange_given_ && *options_.market_exchange != options_.exchange)
                return fail("option '--exchange' {} disagrees with MARKET {}:{}",
                        to_string(options_.exchange), to_string(*options_.market_exchange),
                        options_.market);
            options_.exchange = *options_.market_exchange;
        }
        if (!options_.from_ms) return fail("option '--from' is required, e.g. --from -1h");
        if (options_.to_ms <= *options_.from_ms)
            return fail("option '--to' must be later than --from {}", options_.from_text);
        return true;
    }

    option_reader reader_;
    const history_environment& env_;
    history_options options_;
    bool exchange_given_ = false;
};

// Receives records in file order and writes them out as CSV or JSON, records or bars, in
// pieces. Once a write fails it asks the reader to stop.
class history_printer {
public:
    history_printer(const history_options& options, const history::read_query& query,
                    std::FILE* out)
        : options_(options), out_(out) {
        if (options_.interval_ms > 0) bars_.emplace(options_.interval_ms);
        if (options_.format == output_format::json) {
            history::begin_history_json(doc_, query, options_.interval_name);
        } else {
            doc_.text = bars_ ? history::bar_csv_header : history::csv_header;
            doc_.text += '\n';
        }
    }

    bool add(const history::record& r) {
        if (!bars_)
            add_record(r);
        else if (const auto finished = bars_->add(r))
            add_bar(*finished);
        return flush(flush_size);
    }

    // The bar in progress and the document's tail; false when output failed anywhere.
    bool finish(const history::read_stats& stats) {
        if (bars_)
            if (const auto last = bars_->finish()) add_bar(*last);
        if (options_.format == output_format::json) {
            history::end_history_json(doc_, stats);
            doc_.text += '\n';
        }
        return flush(0);
    }

    bool failed() const { return failed_; }

private:
    void add_record(const history::record& r) {
        if (options_.format == output_format::json)
            history::append_record_json(doc_, r);
        else
            history::append_csv(doc_.text, r);
    }

    void add_bar(const history::bar& b) {
        if (options_.format == output_format::json)
            history::append_bar_json(doc_, b);
        else
            history::append_bar_csv(doc_.text, b);
    }

    bool flush(std::size_t at_least) {
        if (failed_) return false;
        if (doc_.text.size() < at_least || doc_.text.empty()) return true;
        failed_ = !write_text(out_, doc_.text);
        doc_.text.clear();
        return !failed_;
    }

    const history_options& options_;
    std::FILE* out_;
    std::optional<history::bar_builder> bars_;  // with --interval
    history::json_document doc_;
    bool failed_ = false;
};

}  // namespace

int run_history(args_view args, const history_environment& env) {
    history_parser parser(args, env);
    const auto options = parser.parse();
    if (!options) return exit_usage;
    if (options->help) return write_text(env.out, history_help) ? exit_ok : exit_failure;

    const std::filesystem::path root(options->dir);
    std::error_code ec;
    if (!std::filesystem::is_directory(
            history::market_directory(root, options->exchange, options->market), ec)) {
        print_error(env.err, "no history for {} {} under {}", to_string(options->exchange),
                    options->market, options->dir);
        return exit_failure;
    }

    const history::read_query query{options->exchange, options->market, *options->from_ms,
                                    options->to_ms, options->limit};
    history_printer printer(*options, query, env.out);
    const history::read_stats stats = history::read_records(
        root, query, [&printer](const history::record& r) { return printer.add(r); });
    if (!printer.finish(stats) || printer.failed()) return exit_failure;  // EPIPE: quietly

    if (stats.truncated)
        print_error(env.err, "stopped after {} records (--limit); later records not shown{}",
                    stats.records, options->interval_ms > 0 ? ", the last bar is partial" : "");
    if (stats.bad_lines > 0)
        print_error(env.err, "skipped {} {} that did not parse (a torn last line after a crash, "
                             "or damage)",
                    stats.bad_lines, stats.bad_lines == 1 ? "line" : "lines");
    if (stats.read_errors > 0) {
        print_error(env.err, "{} history files under {} could not be read", stats.read_errors,
                    options->dir);
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace sise::cli
