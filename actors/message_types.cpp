// The registration of the message types that cross cluster nodes (messages.hpp).
#include <caf/actor_system_config.hpp>

#include "actors/messages.hpp"

namespace rooms {

void add_message_types(caf::actor_system_config& config) {
  config.add_message_type<caller>("rooms::caller");
  config.add_message_type<room_call>("rooms::room_call");
  config.add_message_type<call_reply>("rooms::call_reply");
  config.add_message_type<room_event>("rooms::room_event");
}

}  // namespace rooms
