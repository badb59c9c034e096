// Encoding a call's answer as its wire frame.
#include "actors/replies.hpp"

#include "protocol/rpc_encoder.hpp"

namespace rooms {

namespace {

template <class Result>
call_reply encode_any(const caller& from, const result<Result>& answer) {
  call_reply reply;
  reply.msgid = from.msgid;
  if (!answer.ok()) reply.error = answer.error().code;
  if (!from.wants_reply) return reply;
  reply.frame = answer.ok() ? encode_response(from.msgid, *answer)
                            : encode_error_response(from.msgid, answer.error());
  return reply;
}

}  // namespace

call_reply encode_reply(const caller& from, const result<json>& answer) {
  return encode_any(from, answer);
}

call_reply encode_reply(const caller& from, const result<value>& answer) {
  return encode_any(from, answer);
}

}  // namespace rooms
