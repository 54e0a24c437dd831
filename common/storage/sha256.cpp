#include "storage/sha256.hpp"
