#include "http/error_mapping.hpp"

#include <boost/json.hpp>

#include "domain/errors.hpp"
#include "json/fields.hpp"
#include "storage/blob_store.hpp"
#include "util/log.hpp"

namespace amarcord::http {

HttpResponse response_for_exception(std::exception_ptr error, std::string_view request_id) {
  try {
    std::rethrow_exception(error);
  } catch (const amarcord::json::ValidationError& e) {
    boost::json::object o;
    o["detail"] = e.detail();
    return HttpResponse::json(o, 422);
  } catch (const BadRequest& e) {
    return HttpResponse::detail(400, e.what());
  } catch (const NotFound& e) {
    return HttpResponse::detail(404, e.what());
  } catch (const PayloadTooLarge& e) {
    return HttpResponse::detail(413, e.what());
  } catch (const ServiceUnavailable& e) {
    auto r = HttpResponse::detail(503, e.what());
    r.headers.emplace_back("Retry-After", "5");
    return r;
  } catch (const storage::StorageError& e) {
    // Disk full or failing: the server's problem, but not a bug to hide.
    log::error("request {}: storage failure: {}", request_id, e.what());
    return HttpResponse::detail(507, "the server could not store the data");
  } catch (const std::exception& e) {
    log::error("request {} failed: {}", request_id, e.what());
  } catch (...) {
    log::error("request {} failed with a non-standard exception", request_id);
  }
  boost::json::object o;
  o["detail"] = "Internal Server Error";
  o["request_id"] = request_id;
  return HttpResponse::json(o, 500);
}

}  // namespace amarcord::http
