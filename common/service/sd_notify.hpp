// systemd's notification protocol (sd_notify(3)) without linking libsystemd:
// one datagram to the socket named by $NOTIFY_SOCKET. Without that variable
// (not started by systemd) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace amarcord::service {

// Sends e.g. "READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...". Returns
// false when there is no notify socket or sending failed.
bool sd_notify(std::string_view state);

// The watchdog interval systemd expects pings at ($WATCHDOG_USEC), if any.
std::optional<std::chrono::microseconds> sd_watchdog_interval();

}  // namespace amarcord::service
