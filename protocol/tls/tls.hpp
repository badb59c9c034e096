// tls: TLS for every socket of the repository (the node's client port, the cluster port, and
// every client: rooms-cli, rooms-bench, the tests), on OpenSSL. A tls_context is made once from
// PEM files, with checks that name the file and the cause; a tls_session is one connection's
// TLS over a non-blocking socket that its caller reads, writes and polls. TLS 1.2 or later only.
// See docs/security.md.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/result.hpp"

struct ssl_ctx_st;
struct ssl_st;

namespace rooms {

/// The PEM files of one side. Empty names are absent files.
struct tls_files {
  std::string cert;
  std::string key;
  /// Who may be the peer: the CA certificates a peer's certificate must chain to.
  std::string ca;
};

/// One configured OpenSSL context; immutable once made, shared by every session made from it.
class tls_context {
 public:
  /// A server: `cert` and `key` required (a certificate valid now, the key matching it); with
  /// `ca`, every peer must present a certificate signed by it.
  static result<std::shared_ptr<const tls_context>> server(const tls_files& files);
  /// A client: verifies the server's certificate against `ca` (or the system's CAs when
  /// empty); presents `cert`/`key` when given (mutual TLS).
  static result<std::shared_ptr<const tls_context>> client(const tls_files& files);
  /// Both roles, each side authenticating the other (the cluster port): all three files
  /// required, and the certificate must itself chain to `ca`.
  static result<std::shared_ptr<const tls_context>> mutual(const tls_files& files);

  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  ssl_ctx_st* native() const { return ctx_; }

 private:
  explicit tls_context(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

/// What one step of a session did.
enum class tls_status {
  ok,          // the step completed (bytes moved, or the handshake finished)
  want_read,   // wait until the socket is readable, then call again
  want_write,  // wait until the socket is writable, then call again
  closed,      // the peer ended the session (close_notify, or its end of the connection)
  failed,      // a TLS or socket error: error() says which; the session is unusable
};

/// One connection's TLS. Not thread-safe: one thread at a time calls it (for the node: the
/// reactor that owns the socket). Does not own the socket.
class tls_session {
 public:
  /// The server side of an accepted socket.
  static result<tls_session> accept(const tls_context& context, int fd);
  /// The client side of a connected socket; `host` not empty: the server's certificate must
  /// name it (a DNS name or an IP address).
  static result<tls_session> connect(const tls_context& context, int fd, std::string_view host);

  tls_session(tls_session&& other) noexcept;
  tls_session& operator=(tls_session&& other) noexcept;
  ~tls_session();

  /// Advances the handshake; read() and write() also advance it.
  tls_status handshake();
  bool established() const;
  /// Bytes waiting inside the session (read() returns them without the socket).
  bool has_pending() const;
  /// No bytes wait inside the session, and its last read of the socket took all there was:
  /// what arrives next, the socket reports (an edge-triggered reader may stop here).
  bool drained() const;
  /// Up to `capacity` decrypted bytes into `data`; `got` says how many.
  tls_status read(char* data, std::size_t capacity, std::size_t& got);
  /// Encrypts and sends from `data`; `sent` says how many bytes were taken. After want_*, call
  /// again with the same bytes first (the buffer may have moved and grown).
  tls_status write(const char* data, std::size_t size, std::size_t& sent);
  /// Sends close_notify, best effort (the socket's write side stays open).
  void shutdown();
  /// Whether the peer's certificate (once established) names `name` in its subjectAltName
  /// (or, without DNS names there, its common name).
  bool peer_named(const std::string& name) const;
  /// Why the last step failed: the TLS alert or certificate check, in words.
  const std::string& error() const { return error_; }

 private:
  explicit tls_session(ssl_st* ssl);
  tls_status settle(int returned);

  ssl_st* ssl_ = nullptr;
  /// Set by the socket's BIO after each read: it returned less than asked. On the heap, where
  /// the BIO's callback finds it after the session moved.
  std::unique_ptr<bool> socket_drained_;
  std::string error_;
};

/// What the first byte waiting on a server's socket says, read without taking it.
enum class first_byte {
  tls,        // a TLS handshake record begins: hand the socket to the session
  plaintext,  // anything else: not a TLS client
  none_yet,   // nothing arrived yet
  closed,     // the peer closed without sending anything
  failed,     // the socket failed
};
first_byte peek_first_byte(int fd);

/// The subject and the validity of the certificate in `file`, for log lines.
result<std::string> describe_certificate(const std::string& file);

/// Whether the certificate in `file` names `name` (as tls_session::peer_named checks it).
result<bool> certificate_names(const std::string& file, const std::string& name);

}  // namespace rooms
