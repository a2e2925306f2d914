# The fuzz targets' sources, read by the top-level CMakeLists.txt whether or not they are built
# (so cmake/check_sources.cmake knows them). <name>_fuzz.cpp is the target <name>_fuzz.
sise_sources(SISE_FUZZ_SOURCES
  binance_parse_fuzz.cpp bithumb_parse_fuzz.cpp bybit_parse_fuzz.cpp client_message_fuzz.cpp
  coinbase_parse_fuzz.cpp config_fuzz.cpp decimal_fuzz.cpp fx_rate_fuzz.cpp history_line_fuzz.cpp
  http_target_fuzz.cpp kraken_parse_fuzz.cpp okx_parse_fuzz.cpp upbit_parse_fuzz.cpp url_fuzz.cpp)
sise_sources(SISE_FUZZ_CONFIG_SOURCES config_instrumented.cpp)
