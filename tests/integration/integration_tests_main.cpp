// The entry point of rooms_integration_tests: Boost.Test's generated main. Each test starts
// its own roomsd (node_process.hpp).
#define BOOST_TEST_MODULE rooms_integration_tests
#include <boost/test/unit_test.hpp>
