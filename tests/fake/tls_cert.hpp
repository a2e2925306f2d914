// Throw-away TLS material for tests and the offline demo: a self-signed certificate for
// "localhost" / 127.0.0.1 that is its own CA, so a client trusts the fake exactly when this
// file is configured as its CA file (and refuses it otherwise).
#pragma once

#include <string>

namespace sise::fake {

struct tls_files {
    std::string cert_file;  // PEM certificate; also the CA file a client must trust
    std::string key_file;   // PEM private key (EC P-256, unencrypted, mode 0600)
};

// Writes <directory>/fake-upbit-cert.pem and fake-upbit-key.pem (overwriting them): X.509 v3,
// CN=localhost, SAN DNS:localhost and IP:127.0.0.1, basicConstraints CA:TRUE, valid from an
// hour ago for 30 days. Throws std::runtime_error on any OpenSSL or file failure.
tls_files make_self_signed_cert(const std::string& directory);

}  // namespace sise::fake
