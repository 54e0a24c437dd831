#include "domain/units.hpp"
