// A throw-away certificate authority for TLS tests that need a CA apart from the server's
// certificate (a Redis over TLS, a certificate for the wrong host, a client trusting the wrong
// CA): keys and certificates made with the `openssl` command at test time, in a temp directory
// of their own, never shipped. Test support only.
#pragma once

#include <string>
#include <vector>

#include "support/daemon.hpp"

namespace sise::test {

struct server_cert {
    std::string cert_file;  // PEM certificate signed by the CA
    std::string key_file;   // its PEM private key (EC P-256, unencrypted)
};

class test_ca {
public:
    // A new CA (EC P-256, CN=`name`, valid for 2 days). Throws
    // std::runtime_error when openssl fails.
    explicit test_ca(std::string name = "sise test CA");

    // The CA's certificate: the file a client must trust.
    const std::string& cert_file() const noexcept { return cert_file_; }

    // A server certificate for `alt_names` (subjectAltName entries as openssl writes them:
    // "IP:127.0.0.1", "DNS:localhost"), signed by this CA. Throws when openssl fails.
    server_cert issue(const std::string& file_stem, const std::vector<std::string>& alt_names);

private:
    temp_dir dir_;
    std::string cert_file_;
    std::string key_file_;
};

}  // namespace sise::test
