// gateway_actor: the actor behind one backend connection. Identity: one per accepted TCP
// connection, spawned by tcp_listener on accept; it is the `reply_to` of every call it sends
// and the subscriber that room actors monitor. It quits when its connection closes, after a
// fatal protocol error, or once a half-closed connection has all its answers; its
// subscriptions die with it (the rooms see it go down), nothing else is kept.
// Ordering: chunks and the end of input come from the connection's one reactor in order;
// replies and events of one room come from that room in order (events after the subscribe
// reply, in version order).
#pragma once

#include <memory>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/gateway/connection_link.hpp"
#include "actors/gateway/gateway_config.hpp"

namespace rooms {

/// connection -> gateway: (gw_data_atom, std::string bytes) that arrived.
using gw_data_atom = caf::atom_constant<caf::atom("gw_data")>;
/// connection -> gateway: (gw_eof_atom): no more bytes will come (half close or node stop).
using gw_eof_atom = caf::atom_constant<caf::atom("gw_eof")>;
/// connection -> gateway: (gw_resume_atom): decode what the last slice left (resume_later).
using gw_resume_atom = caf::atom_constant<caf::atom("gw_resume")>;
/// connection -> gateway: (gw_closed_atom): the connection is gone; quit.
using gw_closed_atom = caf::atom_constant<caf::atom("gw_closed")>;

/// Spawns the gateway of one connection. Called on the listener's reactor thread.
caf::actor spawn_gateway(caf::actor_system& system, std::shared_ptr<connection_link> link,
                         std::shared_ptr<const gateway_config> config);

}  // namespace rooms
