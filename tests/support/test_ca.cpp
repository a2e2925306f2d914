#include "support/test_ca.hpp"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

namespace sise::test {
namespace {

const std::string openssl = "/usr/bin/openssl";

void run_openssl(const std::vector<std::string>& argv) {
    const run_result result = run_program(argv, std::chrono::seconds{20});
    if (result.exit_code != 0)
        throw std::runtime_error(
            fmt::format("openssl {} failed ({}): {}", argv.at(1), result.exit_code, result.output));
}

}  // namespace

test_ca::test_ca(std::string name) {
    cert_file_ = (dir_.path() / "ca.pem").string();
    key_file_ = (dir_.path() / "ca-key.pem").string();
    run_openssl({openssl,
                 "req",
                 "-x509",
                 "-newkey",
                 "ec",
                 "-pkeyopt",
                 "ec_paramgen_curve:P-256",
                 "-nodes",
                 "-keyout",
                 key_file_,
                 "-out",
                 cert_file_,
                 "-days",
                 "2",
                 "-subj",
                 "/CN=" + name,
                 "-addext",
                 "basicConstraints=critical,CA:TRUE",
                 "-addext",
                 "keyUsage=critical,keyCertSign,cRLSign"});
}

server_cert test_ca::issue(const std::string& file_stem,
                           const std::vector<std::string>& alt_names) {
    const auto base = dir_.path() / file_stem;
    server_cert out{base.string() + ".pem", base.string() + "-key.pem"};
    const std::string request = base.string() + ".csr";
    const std::string extensions = base.string() + ".ext";
    run_openssl({openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", out.key_file, "-out", request, "-subj", "/CN=" + file_stem});
    std::string names;
    for (const std::string& n : alt_names) names += (names.empty() ? "" : ",") + n;
    std::ofstream(extensions) << "basicConstraints=CA:FALSE\n"
                              << "keyUsage=critical,digitalSignature\n"
                              << "extendedKeyUsage=serverAuth\n"
                              << "subjectAltName=" << names << "\n";
    run_openssl({openssl, "x509", "-req", "-in", request, "-CA", cert_file_, "-CAkey", key_file_,
                 "-CAcreateserial", "-out", out.cert_file, "-days", "2", "-extfile", extensions});
    return out;
}

}  // namespace sise::test
