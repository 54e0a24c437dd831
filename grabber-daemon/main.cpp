// amarcord-grabber: keeps the live-stream image of the active beamtime
// current from a camera's MJPEG stream (design.md §5, grabber contract).
#include <curl/curl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>

#include "config/settings.hpp"
#include "grabber.hpp"
#include "grabber_settings.hpp"
#include "util/log.hpp"

#ifndef AMARCORD_VERSION
#define AMARCORD_VERSION "dev"
#endif

int main(int argc, char** argv) {
  using namespace amarcord;
  grabber::GrabberInvocation inv;
  try {
    inv = grabber::parse_grabber_invocation(argc, argv, config::process_environment());
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "amarcord-grabber: %s\n", e.what());
    return 2;
  }
  if (inv.command == grabber::GrabberCommand::help) {
    std::fputs(inv.help_text.c_str(), stdout);
    return 0;
  }
  if (inv.command == grabber::GrabberCommand::version) {
    std::puts("amarcord-grabber " AMARCORD_VERSION);
    return 0;
  }
  log::Level level = log::Level::info;
  log::parse_level(inv.settings.log_level, level);
  log::set_level(level);

  // SIGTERM/SIGINT arrive through a signalfd that the event loop polls next
  // to its sockets: no async handler, and a stop is noticed at once. Blocked
  // before any thread exists (libcurl's resolver threads inherit the mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
    std::perror("amarcord-grabber: sigprocmask");
    return 1;
  }
  const int stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (stop_fd < 0) {
    std::perror("amarcord-grabber: signalfd");
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    log::error("curl_global_init failed");
    return 1;
  }
  int status = 1;
  try {
    grabber::Grabber grabber(inv.settings);
    status = grabber.run(stop_fd);
  } catch (const std::exception& e) {
    log::error("amarcord-grabber: {}", e.what());
    status = 1;
  }
  curl_global_cleanup();
  ::close(stop_fd);
  return status;
}
