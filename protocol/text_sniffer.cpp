// The checks of text_sniffer.hpp: a fixed list of HTTP methods, and JSON's two opening brackets.
#include "protocol/text_sniffer.hpp"

#include <string>

#include <fmt/format.h>

namespace rooms {

namespace {

// Request methods of HTTP/1.x, and "PRI", which starts HTTP/2's connection preface.
constexpr std::string_view http_methods[] = {"GET ",     "HEAD ",    "POST ",  "PUT ",   "DELETE ",
                                             "CONNECT ", "OPTIONS ", "TRACE ", "PATCH ", "PRI "};

// The first line of what arrived, at most 60 bytes, with anything but printable ASCII as '?'.
std::string quote(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, 60)) {
    if (c == '\r' || c == '\n') break;
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (bytes.size() > 60 && out.size() == 60) out += "...";
  return out;
}

}  // namespace

opening sniff_opening(std::string_view first_bytes) {
  if (first_bytes.empty()) return opening::undecided;
  if (first_bytes.front() == '{' || first_bytes.front() == '[') return opening::json;
  bool a_prefix = false;
  for (std::string_view method : http_methods) {
    if (first_bytes.substr(0, method.size()) == method) return opening::http;
    if (first_bytes.size() < method.size() && method.substr(0, first_bytes.size()) == first_bytes)
      a_prefix = true;
  }
  return a_prefix ? opening::undecided : opening::msgpack;
}

rooms_error text_opening_error(opening kind, std::string_view first_bytes) {
  const std::string what = kind == opening::http
                               ? fmt::format("an HTTP request ('{}')", quote(first_bytes))
                               : fmt::format("JSON text (starting with '{}')", first_bytes.front());
  return rooms_error{error_code::invalid_argument,
                     fmt::format("the connection began with {}; this node speaks MessagePack-RPC "
                                 "over plain TCP: [0, msgid, method, [params]] encoded as "
                                 "MessagePack (see docs/protocol.md)",
                                 what)};
}

}  // namespace rooms
