#include "domain/run_filter.hpp"
