# The test tree's sources, read by the top-level CMakeLists.txt whether or not tests are built
# (so cmake/check_sources.cmake knows them): the unit and integration tests, the fake exchange
# and the test support library. Tests mirror src/ (src/x/y.cpp <-> x/y_test.cpp).

sise_sources(SISE_TEST_SOURCES
  api/assets_test.cpp api/router_test.cpp cli/history_command_test.cpp cli/key_input_test.cpp
  cli/premium_view_test.cpp cli/row_status_test.cpp cli/screen_frame_test.cpp
  cli/snapshot_command_test.cpp cli/stream_model_test.cpp cli/table_view_test.cpp
  cli/text_width_test.cpp cli/ticker_message_test.cpp cli/watch_command_test.cpp
  cli/watch_line_test.cpp cli/watch_view_test.cpp core/decimal_test.cpp core/exact_change_test.cpp
  core/spsc_ring_test.cpp core/url_test.cpp core/utc_time_test.cpp
  core/websocket_frame_test.cpp fake_test/binance_dialect_test.cpp
  fake_test/bithumb_dialect_test.cpp fake_test/bybit_dialect_test.cpp
  fake_test/candle_history_test.cpp fake_test/candles_test.cpp fake_test/coinbase_dialect_test.cpp
  fake_test/exchange_server_test.cpp fake_test/kraken_dialect_test.cpp
  fake_test/okx_dialect_test.cpp fake_test/price_walk_test.cpp fake_test/upbit_dialect_test.cpp
  feed/backoff_test.cpp feed/binance_test.cpp feed/bithumb_test.cpp feed/bybit_test.cpp
  feed/coinbase_test.cpp feed/frame_parser_test.cpp feed/json_fields_test.cpp feed/kraken_test.cpp
  feed/market_code_test.cpp feed/okx_test.cpp feed/sequence_check_test.cpp feed/toy_adapter_test.cpp
  feed/upbit_candles_test.cpp feed/upbit_test.cpp fx/board_test.cpp fx/premium_test.cpp
  fx/rate_field_test.cpp history/bars_test.cpp history/coverage_test.cpp history/query_test.cpp
  history/reader_test.cpp history/record_test.cpp history/sampler_test.cpp history/time_arg_test.cpp
  history/writer_test.cpp integration/binance_test.cpp integration/bithumb_test.cpp
  integration/bybit_test.cpp integration/clients_test.cpp integration/coinbase_test.cpp
  integration/daemon_test.cpp integration/faults_test.cpp integration/fx_test.cpp
  integration/history_test.cpp integration/http_conformance_test.cpp integration/kraken_test.cpp
  integration/okx_test.cpp integration/prometheus_test.cpp integration/redis_test.cpp
  integration/reload_test.cpp integration/rolling_test.cpp integration/service_test.cpp
  integration/seven_venues_test.cpp
  integration/socket_activation_test.cpp integration/tls_test.cpp integration/venues_test.cpp
  io/asset_dir_test.cpp io/blocking_worker_test.cpp io/config_reload_test.cpp io/config_test.cpp
  io/feed_client_test.cpp io/feed_unit_test.cpp io/history_service_test.cpp io/listen_fds_test.cpp
  io/process_reader_test.cpp io/redis_connection_test.cpp io/service_notifier_test.cpp
  io/spawn_test.cpp main.cpp market/row_figures_test.cpp market/table_test.cpp
  market/window_test.cpp publish/edition_test.cpp publish/fanout_test.cpp
  publish/filter_groups_test.cpp publish/http_target_test.cpp publish/messages_test.cpp
  publish/snapshot_cache_test.cpp publish/subscription_test.cpp publish/ws_frame_test.cpp
  redis/endpoint_test.cpp redis/keys_test.cpp redis/row_fields_test.cpp stats/healthz_test.cpp
  stats/latency_histogram_test.cpp stats/process_test.cpp stats/prometheus_test.cpp
  stats/status_line_test.cpp support/daemon_config_test.cpp support/held_subscribers_test.cpp)

# The fake exchange: shared server code and one dialect per exchange.
sise_sources(SISE_FAKE_SOURCES
  fake/binance_dialect.cpp fake/bithumb_dialect.cpp fake/bybit_dialect.cpp fake/candle_history.cpp
  fake/candles.cpp fake/coinbase_dialect.cpp fake/dialect.cpp fake/exchange_server.cpp
  fake/kraken_dialect.cpp fake/okx_dialect.cpp fake/price_walk.cpp fake/server_core.cpp
  fake/session.cpp fake/subscribe_request.cpp fake/tls_cert.cpp fake/upbit_dialect.cpp
  fake/ws_frame.cpp)
sise_sources(SISE_FAKE_MAIN_SOURCES fake/main.cpp)

sise_sources(SISE_TEST_SUPPORT_SOURCES
  support/daemon.cpp support/daemon_config.cpp support/held_subscribers.cpp
  support/local_client.cpp support/process_stats.cpp support/raw_server.cpp
  support/redis_server.cpp support/snapshot_rows.cpp support/test_ca.cpp)
