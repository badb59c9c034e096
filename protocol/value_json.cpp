// value <-> nlohmann::json (see value_json.hpp). Both documents come from decoding, whose depth
// limit bounds the recursion.
#include "protocol/value_json.hpp"

#include <string>
#include <utility>

namespace rooms {

using json = nlohmann::json;

value json_to_value(const json& j) {
  switch (j.type()) {
    case json::value_t::boolean:
      return value::boolean(j.get<bool>());
    case json::value_t::number_integer:
      return value::integer(j.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return value::unsigned_integer(j.get<std::uint64_t>());
    case json::value_t::number_float:
      return value::floating(j.get<double>());
    case json::value_t::string:
      return value::string(j.get_ref<const std::string&>());
    case json::value_t::binary: {
      const auto& bytes = j.get_binary();
      return value::binary({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    }
    case json::value_t::array: {
      value_array elements;
      elements.reserve(j.size());
      for (const auto& element : j) elements.push_back(json_to_value(element));
      return value::array(std::move(elements));
    }
    case json::value_t::object: {
      // nlohmann's objects iterate in key order: the members arrive sorted.
      value_map members;
      members.reserve(j.size());
      for (const auto& [key, member] : j.items())
        members.push_back_sorted({value::string(key), json_to_value(member)});
      return value::map(std::move(members));
    }
    case json::value_t::null:
    case json::value_t::discarded:
      return value{};
  }
  return value{};
}

json value_to_json(const value& v) {
  switch (v.kind()) {
    case value_kind::nil:
      return json(nullptr);
    case value_kind::boolean:
      return json(v.as_bool());
    case value_kind::integer:
      return json(v.as_int());
    case value_kind::unsigned_integer:
      return json(v.as_uint());
    case value_kind::floating:
      return json(v.as_double());
    case value_kind::string:
      return json(std::string{v.as_string()});
    case value_kind::binary: {
      const auto bytes = v.as_bytes();
      const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
      return json::binary(json::binary_t::container_type(data, data + bytes.size()));
    }
    case value_kind::array: {
      json out = json::array();
      auto& elements = *out.get_ptr<json::array_t*>();
      elements.reserve(v.size());
      for (const auto& element : v.as_array()) elements.push_back(value_to_json(element));
      return out;
    }
    case value_kind::map: {
      json out = json::object();
      auto& members = *out.get_ptr<json::object_t*>();
      for (const auto& [key, member] : v.as_map())
        members.emplace_hint(members.end(), std::string{key.as_string()}, value_to_json(member));
      return out;
    }
  }
  return json(nullptr);
}

}  // namespace rooms
