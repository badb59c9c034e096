// The entry point of rooms_storage_tests: Boost.Test's generated main.
#define BOOST_TEST_MODULE rooms_storage_tests
#include <boost/test/unit_test.hpp>
