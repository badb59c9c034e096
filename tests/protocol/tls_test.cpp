// protocol/tls without a node: contexts from PEM files (made here with OpenSSL, in a temporary
// directory) and their refusals naming the file, sessions over a socket pair (handshake, data
// both ways, the drained flag, certificate names, a CA the client does not trust), and the
// first-byte check a TLS port makes.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/test/unit_test.hpp>

#include "protocol/tls/tls.hpp"

namespace rooms {

namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

struct issued {
  key_ptr key{nullptr, &EVP_PKEY_free};
  cert_ptr cert{nullptr, &X509_free};
};

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  BOOST_REQUIRE(extension != nullptr);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `name`, valid from `from_days` to `to_days` from now, signed by `issuer`
// (self-signed, as a CA, when null).
issued make_cert(const std::string& name, const issued* issuer, long from_days = -1,
                 long to_days = 30) {
  static long serial = 1;
  issued made;
  made.key.reset(EVP_EC_gen("P-256"));
  made.cert.reset(X509_new());
  X509* cert = made.cert.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert), to_days * 86400);
  X509_set_pubkey(cert, made.key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer->cert.get() : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(signer));
  if (issuer == nullptr) {
    add_extension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert, signer, NID_subject_alt_name, ("DNS:" + name + ",IP:127.0.0.1").c_str());
  }
  X509_sign(cert, issuer ? issuer->key.get() : made.key.get(), EVP_sha256());
  return made;
}

// A temporary directory of PEM files, removed at the end.
struct pem_dir {
  std::filesystem::path path;

  pem_dir() {
    char pattern[] = "/tmp/rooms-tls-test-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(pattern) != nullptr);
    path = pattern;
  }
  ~pem_dir() { std::filesystem::remove_all(path); }

  std::string write(const std::string& name, const issued& what, bool with_key = true) {
    const std::string cert = (path / (name + ".pem")).string();
    FILE* out = std::fopen(cert.c_str(), "w");
    PEM_write_X509(out, what.cert.get());
    std::fclose(out);
    if (with_key) {
      out = std::fopen((path / (name + ".key")).c_str(), "w");
      PEM_write_PrivateKey(out, what.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      std::fclose(out);
    }
    return cert;
  }
  std::string key(const std::string& name) const { return (path / (name + ".key")).string(); }
};

// A CA, a node and a client certificate from it, and a CA nobody trusts with a node of its own.
struct fixture {
  pem_dir dir;
  issued ca = make_cert("test-ca", nullptr);
  issued node = make_cert("node", &ca);
  issued client = make_cert("client", &ca);
  issued expired = make_cert("node", &ca, -10, -1);
  issued other_ca = make_cert("other-ca", nullptr);
  issued stranger = make_cert("node", &other_ca);
  std::string ca_file = dir.write("ca", ca, false);
  std::string node_file = dir.write("node", node);
  std::string client_file = dir.write("client", client);
  std::string expired_file = dir.write("expired", expired);
  std::string other_ca_file = dir.write("other-ca", other_ca, false);
  std::string stranger_file = dir.write("stranger", stranger);

  tls_files files(const std::string& name, const std::string& ca_path = {}) const {
    return {(dir.path / (name + ".pem")).string(), dir.key(name), ca_path};
  }
};

// Runs both handshakes over a non-blocking socket pair until both are done or one fails.
bool shake(tls_session& server, tls_session& client) {
  for (int round = 0; round < 100; ++round) {
    const tls_status a = client.handshake();
    const tls_status b = server.handshake();
    if (a == tls_status::failed || b == tls_status::failed) return false;
    if (a == tls_status::ok && b == tls_status::ok) return true;
  }
  return false;
}

struct socket_pair {
  int server = -1;
  int client = -1;
  socket_pair() {
    int fds[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
    server = fds[0];
    client = fds[1];
  }
  ~socket_pair() {
    ::close(server);
    ::close(client);
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(contexts_refuse_bad_files_naming_them) {
  fixture f;
  BOOST_TEST(tls_context::server(f.files("node")).ok());
  BOOST_TEST(tls_context::server(f.files("node", f.ca_file)).ok());

  auto expired = tls_context::server(f.files("expired"));
  BOOST_REQUIRE(!expired.ok());
  BOOST_TEST(contains(expired.error().message, f.expired_file));
  BOOST_TEST(contains(expired.error().message, "expired"));

  auto mismatched = tls_context::server({f.node_file, f.dir.key("client"), {}});
  BOOST_REQUIRE(!mismatched.ok());
  BOOST_TEST_INFO(mismatched.error().message);
  BOOST_TEST(contains(mismatched.error().message, "does not belong"));

  const std::string missing = (f.dir.path / "missing.pem").string();
  auto absent = tls_context::server({missing, f.dir.key("node"), {}});
  BOOST_REQUIRE(!absent.ok());
  BOOST_TEST(contains(absent.error().message, missing));
  BOOST_TEST(contains(absent.error().message, "No such file"));

  BOOST_TEST(tls_context::mutual(f.files("node", f.ca_file)).ok());
  auto foreign = tls_context::mutual(f.files("node", f.other_ca_file));
  BOOST_REQUIRE(!foreign.ok());
  BOOST_TEST(contains(foreign.error().message, "not signed by the CA"));
  BOOST_TEST(!tls_context::mutual(f.files("node")).ok());  // the CA is required

  BOOST_TEST(*certificate_names(f.node_file, "node"));
  BOOST_TEST(!*certificate_names(f.client_file, "node"));
}

BOOST_AUTO_TEST_CASE(a_session_carries_bytes_both_ways_and_knows_when_it_is_drained) {
  fixture f;
  auto server_context = tls_context::server(f.files("node", f.ca_file));
  auto client_context = tls_context::client(f.files("client", f.ca_file));
  BOOST_REQUIRE(server_context.ok() && client_context.ok());
  socket_pair fds;
  auto server = tls_session::accept(**server_context, fds.server);
  auto client = tls_session::connect(**client_context, fds.client, "127.0.0.1");
  BOOST_REQUIRE(server.ok() && client.ok());
  BOOST_REQUIRE(shake(*server, *client));
  BOOST_TEST(server->peer_named("client"));
  BOOST_TEST(client->peer_named("node"));

  std::size_t sent = 0;
  BOOST_REQUIRE(client->write("ping ping", 9, sent) == tls_status::ok);
  BOOST_TEST(sent == 9u);
  char buffer[64];
  std::size_t got = 0;
  BOOST_REQUIRE(server->read(buffer, sizeof buffer, got) == tls_status::ok);
  BOOST_TEST(std::string(buffer, got) == "ping ping");
  BOOST_TEST(server->drained());  // one short read took the one record
  BOOST_TEST((server->read(buffer, sizeof buffer, got) == tls_status::want_read));

  // Two records in the socket, read with a small buffer: bytes wait inside the session.
  BOOST_REQUIRE(server->write("0123456789", 10, sent) == tls_status::ok);
  BOOST_REQUIRE(server->write("abcdef", 6, sent) == tls_status::ok);
  BOOST_REQUIRE(client->read(buffer, 4, got) == tls_status::ok);
  BOOST_TEST(std::string(buffer, got) == "0123");
  BOOST_TEST(client->has_pending());
  BOOST_TEST(!client->drained());
  std::string rest;
  while (client->read(buffer, 4, got) == tls_status::ok) rest.append(buffer, got);
  BOOST_TEST(rest == "456789abcdef");
  BOOST_TEST(client->drained());

  client->shutdown();
  BOOST_TEST((server->read(buffer, sizeof buffer, got) == tls_status::closed));
}

BOOST_AUTO_TEST_CASE(handshakes_fail_for_strangers_and_say_why) {
  fixture f;
  auto server_context = tls_context::server(f.files("stranger"));
  auto client_context = tls_context::client({{}, {}, f.ca_file});
  BOOST_REQUIRE(server_context.ok() && client_context.ok());
  {
    socket_pair fds;
    auto server = tls_session::accept(**server_context, fds.server);
    auto client = tls_session::connect(**client_context, fds.client, "127.0.0.1");
    BOOST_TEST(!shake(*server, *client));
    BOOST_TEST(contains(client->error(), "certificate verify failed"));
  }
  // The right CA, but a name the certificate does not carry.
  auto named = tls_context::server(f.files("node"));
  socket_pair fds;
  auto server = tls_session::accept(**named, fds.server);
  auto client = tls_session::connect(**client_context, fds.client, "elsewhere.example");
  BOOST_TEST(!shake(*server, *client));
  BOOST_TEST(contains(client->error(), "hostname mismatch"));
}

BOOST_AUTO_TEST_CASE(the_first_byte_tells_tls_from_plaintext) {
  {
    socket_pair fds;
    BOOST_TEST((peek_first_byte(fds.server) == first_byte::none_yet));
    BOOST_REQUIRE(::write(fds.client, "\x16\x03\x01", 3) == 3);
    BOOST_TEST((peek_first_byte(fds.server) == first_byte::tls));
    BOOST_TEST((peek_first_byte(fds.server) == first_byte::tls));  // peeked, not taken
  }
  {
    socket_pair fds;
    BOOST_REQUIRE(::write(fds.client, "\x94\x00\x01", 3) == 3);  // MessagePack-RPC
    BOOST_TEST((peek_first_byte(fds.server) == first_byte::plaintext));
  }
  socket_pair fds;
  ::shutdown(fds.client, SHUT_WR);
  BOOST_TEST((peek_first_byte(fds.server) == first_byte::closed));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
