// The arguments of `list` and the meaning of its conditions (list_query.hpp).
#include "protocol/list_query.hpp"

#include <cmath>

#include <fmt/format.h>

#include "protocol/room_id.hpp"
#include "protocol/room_meta.hpp"

namespace rooms {

namespace {

rooms_error bad(std::string_view why) {
  return {error_code::invalid_argument, fmt::format("list: {}", why)};
}

// An integer against a double, exactly.
int compare_int_double(__int128 i, double d) {
  constexpr double two_127 = 170141183460469231731687303715884105728.0;
  if (d >= two_127) return -1;
  if (d < -two_127) return 1;
  const double whole = std::floor(d);
  const auto floor_i = static_cast<__int128>(whole);
  if (i < floor_i) return -1;
  if (i > floor_i) return 1;
  return whole == d ? 0 : -1;
}

result<list_condition> read_condition(const value& v, std::size_t index) {
  const auto wrong = [&](std::string_view why) {
    return bad(fmt::format("where[{}] {}", index, why));
  };
  if (!v.is_map()) return wrong("must be a map like {\"key\": k, \"eq\": v}");
  const value_map& m = v.as_map();
  const value* key = m.find("key");
  if (key == nullptr || !key->is_string() || key->as_string().empty() ||
      key->as_string().size() > meta_limits::key_bytes)
    return wrong("needs \"key\": a string of 1 to 64 bytes");
  list_condition c;
  c.key = std::string{key->as_string()};
  const bool members = c.key == members_key;
  const value* eq = m.find("eq");
  const value* prefix = m.find("prefix");
  const value* gte = m.find("gte");
  const value* lte = m.find("lte");
  const value* exists = m.find("exists");
  const int shapes = (eq != nullptr) + (prefix != nullptr) + (gte != nullptr || lte != nullptr) +
                     (exists != nullptr);
  const std::size_t known = 1 + (eq != nullptr) + (prefix != nullptr) + (gte != nullptr) +
                            (lte != nullptr) + (exists != nullptr);
  if (known != m.size())
    return wrong(
        "has an unknown member; a condition is key with one of eq, prefix, gte/lte, "
        "exists");
  if (shapes != 1)
    return wrong("must have exactly one of eq, prefix, gte/lte (one or both), exists");
  if (eq != nullptr) {
    if (!eq->is_string() && !eq->is_number() && !eq->is_bool())
      return wrong("eq must be a string, number or boolean");
    if (members && !eq->is_number()) return wrong("\"$members\" takes number conditions only");
    c.kind = list_condition::eq;
    c.equals = *eq;
  } else if (prefix != nullptr) {
    if (!prefix->is_string()) return wrong("prefix must be a string");
    if (members) return wrong("\"$members\" takes number conditions only");
    c.kind = list_condition::prefix;
    c.starts_with = std::string{prefix->as_string()};
  } else if (exists != nullptr) {
    if (!exists->is_bool()) return wrong("exists must be true or false");
    if (members) return wrong("\"$members\" takes number conditions only");
    c.kind = list_condition::exists;
    c.present = exists->as_bool();
  } else {
    if ((gte != nullptr && !gte->is_number()) || (lte != nullptr && !lte->is_number()))
      return wrong("gte and lte must be numbers");
    if ((gte != nullptr && gte->is_float() && std::isnan(gte->as_double())) ||
        (lte != nullptr && lte->is_float() && std::isnan(lte->as_double())))
      return wrong("gte and lte must not be NaN");
    c.kind = list_condition::range;
    if (gte != nullptr) c.gte = *gte;
    if (lte != nullptr) c.lte = *lte;
  }
  return c;
}

}  // namespace

std::optional<int> compare_numbers(const value& a, const value& b) {
  if (a.is_integer() && b.is_integer()) {
    const __int128 x = a.as_int128(), y = b.as_int128();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_float() && std::isnan(a.as_double())) return std::nullopt;
  if (b.is_float() && std::isnan(b.as_double())) return std::nullopt;
  if (a.is_float() && b.is_float()) {
    const double x = a.as_double(), y = b.as_double();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_integer()) return compare_int_double(a.as_int128(), b.as_double());
  return -compare_int_double(b.as_int128(), a.as_double());
}

bool list_condition::holds(const value* v) const {
  switch (kind) {
    case exists:
      return (v != nullptr) == present;
    case prefix:
      return v != nullptr && v->is_string() &&
             v->as_string().substr(0, starts_with.size()) == std::string_view{starts_with};
    case eq:
      if (v == nullptr) return false;
      if (equals.is_number()) return v->is_number() && compare_numbers(*v, equals) == 0;
      if (equals.is_bool()) return v->is_bool() && v->as_bool() == equals.as_bool();
      return v->is_string() && v->as_string() == equals.as_string();
    case range: {
      if (v == nullptr || !v->is_number()) return false;
      const auto low = gte ? compare_numbers(*v, *gte) : std::optional<int>{1};
      const auto high = lte ? compare_numbers(*v, *lte) : std::optional<int>{-1};
      return low && high && *low >= 0 && *high <= 0;
    }
  }
  return false;
}

bool list_query::matches(const value& meta, std::uint64_t members) const {
  const value count = value::unsigned_integer(members);
  for (const list_condition& c : where) {
    const value* v = c.key == members_key ? &count : meta.as_map().find(c.key);
    if (!c.holds(v)) return false;
  }
  return true;
}

result<list_query> read_list_query(const value_map& args) {
  list_query query;
  if (const value* where = args.find("where"); where != nullptr && !where->is_nil()) {
    if (!where->is_array()) return bad("where must be an array of conditions");
    std::size_t index = 0;
    for (const value& item : where->as_array()) {
      auto condition = read_condition(item, index++);
      if (!condition) return condition.error();
      query.where.push_back(std::move(*condition));
    }
  }
  if (const value* limit = args.find("limit"); limit != nullptr && !limit->is_nil()) {
    if (!limit->is_integer() || limit->as_int128() < 1 ||
        limit->as_int128() > static_cast<__int128>(list_query::max_limit))
      return bad(fmt::format("limit must be an integer from 1 to {}", list_query::max_limit));
    query.limit = static_cast<std::size_t>(limit->as_int128());
  }
  if (const value* after = args.find("after"); after != nullptr && !after->is_nil()) {
    if (!after->is_string() || !is_room_id(after->as_string()))
      return bad("after must be a room id (a canonical lowercase UUID)");
    query.after = std::string{after->as_string()};
  }
  return query;
}

value list_query_params(const list_query& query) {
  value_array where;
  for (const list_condition& c : query.where) {
    value_map m;
    m.insert_or_assign("key", value::string(c.key));
    switch (c.kind) {
      case list_condition::eq:
        m.insert_or_assign("eq", c.equals);
        break;
      case list_condition::prefix:
        m.insert_or_assign("prefix", value::string(c.starts_with));
        break;
      case list_condition::exists:
        m.insert_or_assign("exists", value::boolean(c.present));
        break;
      case list_condition::range:
        if (c.gte) m.insert_or_assign("gte", *c.gte);
        if (c.lte) m.insert_or_assign("lte", *c.lte);
        break;
    }
    where.push_back(value::map(std::move(m)));
  }
  value_map params;
  params.insert_or_assign("where", value::array(std::move(where)));
  params.insert_or_assign("limit", value::unsigned_integer(query.limit));
  if (!query.after.empty()) params.insert_or_assign("after", value::string(query.after));
  return value::map(std::move(params));
}

}  // namespace rooms
