// The entry point of rooms_unit_tests: Boost.Test's generated main.
#define BOOST_TEST_MODULE rooms_unit_tests
#include <boost/test/unit_test.hpp>
