#include "sise/io/tls.hpp"

#include <stdexcept>

#include <openssl/ssl.h>

namespace sise::io {

ssl::context make_client_tls_context(const std::string& extra_ca_file) {
    ssl::context context(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    context.set_verify_mode(ssl::verify_peer);
    context.set_default_verify_paths();
    if (!extra_ca_file.empty()) {
        error_code ec;
        context.load_verify_file(extra_ca_file, ec);
        if (ec)
            throw std::runtime_error("cannot load CA file '" + extra_ca_file + "': " + ec.message());
    }
    return context;
}

}  // namespace sise::io
