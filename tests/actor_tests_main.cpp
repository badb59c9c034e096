// The entry point of rooms_actor_tests: Boost.Test's generated main.
#define BOOST_TEST_MODULE rooms_actor_tests
#include <boost/test/unit_test.hpp>
