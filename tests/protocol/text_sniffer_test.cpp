// sniff_opening: HTTP request lines and JSON are recognised from the first bytes, a strict prefix
// of a method waits for more, and every MessagePack request opens as MessagePack.
#include "protocol/text_sniffer.hpp"

#include <boost/test/unit_test.hpp>

namespace rooms {

BOOST_AUTO_TEST_SUITE(text_sniffer)

BOOST_AUTO_TEST_CASE(http_request_lines_are_text) {
  for (const char* line :
       {"GET / HTTP/1.1\r\n", "POST /x HTTP/1.0", "PUT /", "HEAD / ", "DELETE /r",
        "OPTIONS * HTTP/1.1", "PATCH /", "CONNECT a:1 ", "TRACE /", "PRI * HTTP/2.0\r\n"})
    BOOST_TEST((sniff_opening(line) == opening::http), line);
}

BOOST_AUTO_TEST_CASE(json_openings_are_text) {
  BOOST_TEST((sniff_opening("{\"jsonrpc\":\"2.0\"}") == opening::json));
  BOOST_TEST((sniff_opening("[0,1,\"ping\",[]]") == opening::json));
  BOOST_TEST((sniff_opening("{") == opening::json));
}

BOOST_AUTO_TEST_CASE(a_prefix_of_a_method_waits) {
  for (const char* prefix : {"G", "GE", "GET", "P", "PO", "OPTIONS", "DELE"})
    BOOST_TEST((sniff_opening(prefix) == opening::undecided), prefix);
  BOOST_TEST((sniff_opening("") == opening::undecided));
}

BOOST_AUTO_TEST_CASE(messagepack_opens_as_messagepack) {
  // fixarray 4, array 16, a fixint, and letters that part from every method early.
  for (std::string_view bytes : {std::string_view{"\x94\x00\x01", 3}, std::string_view{"\xdc", 1},
                                 std::string_view{"\x05", 1}, std::string_view{"GX", 2},
                                 std::string_view{"GET/", 4}, std::string_view{"Z", 1}})
    BOOST_TEST((sniff_opening(bytes) == opening::msgpack));
}

BOOST_AUTO_TEST_CASE(the_error_quotes_the_first_line_printably) {
  auto http = text_opening_error(opening::http, "GET /\xff HTTP/1.1\r\nHost: x\r\n");
  BOOST_TEST((http.code == error_code::invalid_argument));
  BOOST_TEST(http.message.find("an HTTP request ('GET /? HTTP/1.1')") != std::string::npos);
  BOOST_TEST(http.message.find("MessagePack-RPC") != std::string::npos);
  auto long_line = text_opening_error(opening::http, "GET /" + std::string(100, 'x'));
  BOOST_TEST(long_line.message.find("('GET /" + std::string(55, 'x') + "...')") !=
             std::string::npos);
  auto json = text_opening_error(opening::json, "{\"jsonrpc\": \"2.0\"}");
  BOOST_TEST(json.message.find("JSON text (starting with '{')") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace rooms
