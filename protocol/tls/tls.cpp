// TLS contexts from PEM files (checked at start, every error naming the file and the cause) and
// non-blocking sessions, on OpenSSL 3.
#include "protocol/tls/tls.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace rooms {

namespace {

rooms_error bad_file(std::string message) {
  return {error_code::invalid_argument, std::move(message)};
}

// The first reason in this thread's OpenSSL error queue (the root cause), emptying the queue.
std::string openssl_reason() {
  std::string reason;
  while (const unsigned long code = ERR_get_error()) {
    if (!reason.empty()) continue;
    const char* text = ERR_reason_error_string(code);
    reason = text != nullptr ? text : fmt::format("OpenSSL error {:#x}", code);
  }
  return reason.empty() ? std::string{"unknown OpenSSL error"} : reason;
}

std::string format_time(const ASN1_TIME* time) {
  std::unique_ptr<BIO, decltype(&BIO_free)> out{BIO_new(BIO_s_mem()), &BIO_free};
  if (!out || ASN1_TIME_print(out.get(), time) != 1) return "an unreadable date";
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

// Opens `file` for reading, or says why it cannot (in the words of the system).
result<std::unique_ptr<BIO, decltype(&BIO_free)>> open_pem(const std::string& what,
                                                           const std::string& file) {
  errno = 0;
  std::unique_ptr<BIO, decltype(&BIO_free)> in{BIO_new_file(file.c_str(), "r"), &BIO_free};
  if (!in) {
    const int error = errno;
    ERR_clear_error();
    return bad_file(fmt::format("cannot read the {} '{}': {}", what, file,
                                error != 0 ? std::strerror(error) : "cannot open it"));
  }
  return in;
}

// The certificate in `file`, valid now.
result<x509_ptr> read_certificate(const std::string& file) {
  auto in = open_pem("certificate", file);
  if (!in) return in.error();
  x509_ptr cert{PEM_read_bio_X509(in->get(), nullptr, nullptr, nullptr), &X509_free};
  if (!cert) {
    ERR_clear_error();
    return bad_file(fmt::format("the certificate '{}' holds no PEM certificate", file));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0)
    return bad_file(fmt::format("the certificate '{}' expired on {}", file,
                                format_time(X509_get0_notAfter(cert.get()))));
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0)
    return bad_file(fmt::format("the certificate '{}' is not valid before {}", file,
                                format_time(X509_get0_notBefore(cert.get()))));
  return cert;
}

using ctx_ptr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

ctx_ptr new_context(const SSL_METHOD* method) {
  ctx_ptr ctx{SSL_CTX_new(method), &SSL_CTX_free};
  if (!ctx) return ctx;
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // A peer that closes without close_notify ends the session like one that sends it: the
  // protocol frames its own messages, so no truncation goes unseen.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  // Writes take what the socket takes, from a buffer that may grow and move between retries.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One recv takes every record that arrived, instead of a header and a body per record.
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  return ctx;
}

std::optional<rooms_error> use_identity(SSL_CTX* ctx, const tls_files& files) {
  auto cert = read_certificate(files.cert);
  if (!cert) return cert.error();
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) != 1)
    return bad_file(
        fmt::format("cannot use the certificate '{}': {}", files.cert, openssl_reason()));
  auto key = open_pem("private key", files.key);
  if (!key) return key.error();
  const auto not_its_key = [&] {
    return bad_file(fmt::format("the private key '{}' does not belong to the certificate '{}'",
                                files.key, files.cert));
  };
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string reason = openssl_reason();
    if (reason.find("mismatch") != std::string::npos) return not_its_key();
    return bad_file(fmt::format("cannot use the private key '{}': {}", files.key, reason));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return not_its_key();
  }
  return std::nullopt;
}

std::optional<rooms_error> trust(SSL_CTX* ctx, const std::string& ca) {
  auto in = open_pem("CA certificates", ca);
  if (!in) return in.error();
  if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1)
    return bad_file(fmt::format("cannot use the CA certificates '{}': {}", ca, openssl_reason()));
  return std::nullopt;
}

// Requires the peer's certificate, signed by the trusted CAs, which a server also names in
// its request for it.
std::optional<rooms_error> require_peer_certificate(SSL_CTX* ctx, const std::string& ca) {
  if (auto error = trust(ctx, ca)) return error;
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str()))
    SSL_CTX_set_client_CA_list(ctx, names);
  ERR_clear_error();
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // A client that resumes a session (a reconnect) is let in only under a context that names
  // what the session was verified for; without one, OpenSSL fails such handshakes.
  static constexpr unsigned char session_context[] = "rooms";
  SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
  return std::nullopt;
}

// The node's own certificate must chain to the CA its peers trust, or none would accept it.
std::optional<rooms_error> check_own_chain(SSL_CTX* ctx, const tls_files& files) {
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check{X509_STORE_CTX_new(),
                                                                        &X509_STORE_CTX_free};
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  if (!check || X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(ctx),
                                    SSL_CTX_get0_certificate(ctx), chain) != 1)
    return bad_file(
        fmt::format("cannot check the certificate '{}': {}", files.cert, openssl_reason()));
  if (X509_verify_cert(check.get()) == 1) return std::nullopt;
  ERR_clear_error();
  return bad_file(fmt::format(
      "the certificate '{}' is not signed by the CA in '{}' ({}): its peers would refuse it",
      files.cert, files.ca, X509_verify_cert_error_string(X509_STORE_CTX_get_error(check.get()))));
}

// After each read of the socket: whether it returned less than asked (the socket is dry).
long note_socket_read(BIO* bio, int operation, const char*, std::size_t asked, int, long,
                      int returned, std::size_t* processed) {
  if (operation == (BIO_CB_READ | BIO_CB_RETURN)) {
    auto* drained = reinterpret_cast<bool*>(BIO_get_callback_arg(bio));
    *drained = returned <= 0 || processed == nullptr || *processed < asked;
  }
  return returned;
}

// SSL_get_error reads this thread's error queue, which must be empty before each call; it is
// emptied wherever an error is read, so this only pays for the clearing when something was left.
void clear_stale_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

rooms_error no_context() {
  return {error_code::internal, fmt::format("cannot make a TLS context: {}", openssl_reason())};
}

}  // namespace

tls_context::~tls_context() { SSL_CTX_free(ctx_); }

result<std::shared_ptr<const tls_context>> tls_context::server(const tls_files& files) {
  if (files.cert.empty() || files.key.empty())
    return bad_file("TLS needs both a certificate and its private key");
  ctx_ptr ctx = new_context(TLS_server_method());
  if (!ctx) return no_context();
  if (auto error = use_identity(ctx.get(), files)) return *error;
  if (!files.ca.empty())
    if (auto error = require_peer_certificate(ctx.get(), files.ca)) return *error;
  return std::shared_ptr<const tls_context>{new tls_context{ctx.release()}};
}

result<std::shared_ptr<const tls_context>> tls_context::client(const tls_files& files) {
  ctx_ptr ctx = new_context(TLS_client_method());
  if (!ctx) return no_context();
  if (files.cert.empty() != files.key.empty())
    return bad_file("a client certificate needs both the certificate and its private key");
  if (!files.cert.empty())
    if (auto error = use_identity(ctx.get(), files)) return *error;
  if (files.ca.empty()) {
    SSL_CTX_set_default_verify_paths(ctx.get());
  } else if (auto error = trust(ctx.get(), files.ca)) {
    return *error;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return std::shared_ptr<const tls_context>{new tls_context{ctx.release()}};
}

result<std::shared_ptr<const tls_context>> tls_context::mutual(const tls_files& files) {
  if (files.cert.empty() || files.key.empty() || files.ca.empty())
    return bad_file("mutual TLS needs a certificate, its private key and the CA certificates");
  ctx_ptr ctx = new_context(TLS_method());
  if (!ctx) return no_context();
  if (auto error = use_identity(ctx.get(), files)) return *error;
  if (auto error = require_peer_certificate(ctx.get(), files.ca)) return *error;
  if (auto error = check_own_chain(ctx.get(), files)) return *error;
  return std::shared_ptr<const tls_context>{new tls_context{ctx.release()}};
}

// -- sessions --------------------------------------------------------------------------------

result<tls_session> tls_session::accept(const tls_context& context, int fd) {
  SSL* ssl = SSL_new(context.native());
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return no_context();
  }
  SSL_set_accept_state(ssl);
  return tls_session{ssl};
}

result<tls_session> tls_session::connect(const tls_context& context, int fd,
                                         std::string_view host) {
  SSL* ssl = SSL_new(context.native());
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return no_context();
  }
  tls_session session{ssl};
  if (!host.empty()) {
    const std::string name{host};
    in6_addr address{};
    const bool numeric = ::inet_pton(AF_INET, name.c_str(), &address) == 1 ||
                         ::inet_pton(AF_INET6, name.c_str(), &address) == 1;
    const bool named = numeric
                           ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1
                           : SSL_set1_host(ssl, name.c_str()) == 1 &&
                                 SSL_set_tlsext_host_name(ssl, name.c_str()) == 1;
    if (!named)
      return rooms_error{
          error_code::invalid_argument,
          fmt::format("cannot check the server's name '{}': {}", name, openssl_reason())};
  }
  SSL_set_connect_state(ssl);
  return session;
}

tls_session::tls_session(ssl_st* ssl) : ssl_(ssl), socket_drained_(std::make_unique<bool>(false)) {
  BIO* socket = SSL_get_rbio(ssl_);
  BIO_set_callback_ex(socket, &note_socket_read);
  BIO_set_callback_arg(socket, reinterpret_cast<char*>(socket_drained_.get()));
}

tls_session::tls_session(tls_session&& other) noexcept
    : ssl_(std::exchange(other.ssl_, nullptr)),
      socket_drained_(std::move(other.socket_drained_)),
      error_(std::move(other.error_)) {}

tls_session& tls_session::operator=(tls_session&& other) noexcept {
  if (this != &other) {
    SSL_free(ssl_);
    ssl_ = std::exchange(other.ssl_, nullptr);
    socket_drained_ = std::move(other.socket_drained_);
    error_ = std::move(other.error_);
  }
  return *this;
}

tls_session::~tls_session() { SSL_free(ssl_); }

bool tls_session::established() const { return SSL_is_init_finished(ssl_) == 1; }

bool tls_session::has_pending() const { return SSL_has_pending(ssl_) == 1; }

bool tls_session::drained() const { return *socket_drained_ && !has_pending(); }

tls_status tls_session::handshake() {
  clear_stale_errors();
  const int done = SSL_do_handshake(ssl_);
  return done == 1 ? tls_status::ok : settle(done);
}

tls_status tls_session::read(char* data, std::size_t capacity, std::size_t& got) {
  clear_stale_errors();
  got = 0;
  const int done = SSL_read_ex(ssl_, data, capacity, &got);
  return done == 1 ? tls_status::ok : settle(done);
}

tls_status tls_session::write(const char* data, std::size_t size, std::size_t& sent) {
  clear_stale_errors();
  sent = 0;
  const int done = SSL_write_ex(ssl_, data, size, &sent);
  return done == 1 ? tls_status::ok : settle(done);
}

void tls_session::shutdown() {
  if (!error_.empty() || !established()) return;  // OpenSSL forbids it after a fatal error
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

bool tls_session::peer_named(const std::string& name) const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  return peer != nullptr && X509_check_host(peer, name.data(), name.size(), 0, nullptr) == 1;
}

tls_status tls_session::settle(int returned) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, returned)) {
    case SSL_ERROR_WANT_READ:
      return tls_status::want_read;
    case SSL_ERROR_WANT_WRITE:
      return tls_status::want_write;
    case SSL_ERROR_ZERO_RETURN:
      return tls_status::closed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        if (saved_errno == 0) return tls_status::closed;
        error_ = std::strerror(saved_errno);
        return tls_status::failed;
      }
      break;
    default:
      break;
  }
  const long verified = SSL_get_verify_result(ssl_);
  std::string reason = openssl_reason();
  error_ = verified == X509_V_OK
               ? std::move(reason)
               : fmt::format("{} ({})", reason, X509_verify_cert_error_string(verified));
  return tls_status::failed;
}

first_byte peek_first_byte(int fd) {
  // The first byte of a TLS client's first record: a handshake (RFC 8446, 5.1).
  constexpr char handshake_record = 0x16;
  char first = 0;
  ssize_t n = 0;
  do {
    n = ::recv(fd, &first, 1, MSG_PEEK);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return first_byte::closed;
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK ? first_byte::none_yet : first_byte::failed;
  return first == handshake_record ? first_byte::tls : first_byte::plaintext;
}

result<std::string> describe_certificate(const std::string& file) {
  auto cert = read_certificate(file);
  if (!cert) return cert.error();
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert->get()), subject, sizeof subject);
  return fmt::format("{} (valid until {})", subject, format_time(X509_get0_notAfter(cert->get())));
}

result<bool> certificate_names(const std::string& file, const std::string& name) {
  auto cert = read_certificate(file);
  if (!cert) return cert.error();
  return X509_check_host(cert->get(), name.data(), name.size(), 0, nullptr) == 1;
}

}  // namespace rooms
