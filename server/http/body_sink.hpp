// Streaming request bodies: a route that takes uploads names a sink factory;
// the session hands the sink the body piece by piece (on a worker thread,
// since sinks write to disk), so an upload never has to fit in memory.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "http/types.hpp"

namespace amarcord::http {

class BodySink {
 public:
  virtual ~BodySink() = default;
  // Consecutive pieces of the body. Throwing aborts the request; the
  // exception becomes the answer (error_mapping) and the connection closes.
  virtual void write(std::string_view data) = 0;
  // After the last piece, also for an empty body.
  virtual void finish() = 0;
};

// Creates the sink once the request header is known (runs on a worker).
using SinkFactory = std::function<std::unique_ptr<BodySink>(const RawRequest& header)>;

}  // namespace amarcord::http
