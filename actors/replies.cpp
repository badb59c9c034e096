// Encoding a call's answer as its wire frame.
#include "actors/replies.hpp"

#include "protocol/rpc_encoder.hpp"

namespace rooms {

call_reply encode_reply(const caller& from, const result<json>& answer) {
  call_reply reply;
  reply.msgid = from.msgid;
  if (!answer.ok()) reply.error = answer.error().code;
  if (!from.wants_reply) return reply;
  reply.frame = answer.ok() ? encode_response(from.msgid, *answer)
                            : encode_error_response(from.msgid, answer.error());
  return reply;
}

}  // namespace rooms
