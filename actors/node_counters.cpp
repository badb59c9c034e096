// The node's counters and their `stats` form.
#include "actors/node_counters.hpp"

namespace rooms {

void node_counters::count_request(std::string_view method) {
  std::size_t i = 0;
  while (i + 1 < counted_methods.size() && counted_methods[i] != method) ++i;
  requests[i].fetch_add(1, std::memory_order_relaxed);
}

void node_counters::count_error(error_code code) {
  errors[static_cast<std::size_t>(code)].fetch_add(1, std::memory_order_relaxed);
}

nlohmann::json node_counters::to_json() const {
  auto load = [](const auto& counter) { return counter.load(std::memory_order_relaxed); };
  nlohmann::json by_method = nlohmann::json::object();
  for (std::size_t i = 0; i < counted_methods.size(); ++i)
    by_method[std::string{counted_methods[i]}] = load(requests[i]);
  nlohmann::json by_code = nlohmann::json::object();
  for (std::size_t i = 0; i < errors.size(); ++i)
    by_code[std::string{to_string(static_cast<error_code>(i))}] = load(errors[i]);
  return {{"rooms", load(rooms)},
          {"rooms_parked", load(rooms_parked)},
          {"connections", load(connections)},
          {"subscriptions", load(subscriptions)},
          {"presence", load(presence)},
          {"connections_accepted", load(connections_accepted)},
          {"connections_refused", load(connections_refused)},
          {"events_sent", load(events_sent)},
          {"lagged", load(lagged)},
          {"rooms_expired", load(rooms_expired)},
          {"requests", std::move(by_method)},
          {"errors", std::move(by_code)}};
}

}  // namespace rooms
