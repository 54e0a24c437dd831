#include "storage/mime.hpp"
