#include "multipart/multipart_parser.hpp"
