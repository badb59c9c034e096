// How many of a gateway's routes hold a grant.
#include "actors/gateway/room_routes.hpp"

namespace rooms {

std::size_t room_routes::direct() const {
  std::size_t n = 0;
  for_each([&n](const room_route& route) { n += route.direct ? 1 : 0; });
  return n;
}

}  // namespace rooms
