// TLS client context: TLS 1.2 or newer, peer verification against the system CA store plus
// an optional extra CA file. Hostname checks and SNI are per connection (transport.hpp).
#pragma once

#include <string>

#include "sise/io/asio.hpp"

namespace sise::io {

// Throws std::runtime_error (a start-up failure) when the CA file cannot be loaded.
ssl::context make_client_tls_context(const std::string& extra_ca_file);

}  // namespace sise::io
