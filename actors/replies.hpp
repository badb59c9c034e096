// Encoding a call's answer into the call_reply a gateway relays (messages.hpp): one place for
// the directory and every room actor.
#pragma once

#include "actors/messages.hpp"
#include "protocol/result.hpp"

namespace rooms {

/// The reply for `from`: the encoded response frame (empty if `from` wants no reply) and the
/// error code of a failure.
call_reply encode_reply(const caller& from, const result<json>& answer);
call_reply encode_reply(const caller& from, const result<value>& answer);

}  // namespace rooms
