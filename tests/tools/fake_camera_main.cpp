// fake-camera: serves one scenario of the test camera on a port until
// SIGINT/SIGTERM, for the grabber benchmark and for trying the grabber by
// hand. Prints the stream URL on the first line of stdout and what it sent
// when it stops.
#include <signal.h>

#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>

#include "support/fake_camera.hpp"

namespace po = boost::program_options;
using namespace amarcord::test;

int main(int argc, char** argv) {
  std::string name = "standard";
  FakeCameraOptions options;
  int width = 320, height = 240, count = 4, noise = 0;
  long parts_per_connection = -1;
  std::string port_file;
  po::options_description desc("fake-camera: a loopback MJPEG camera (test tool)");
  desc.add_options()("help", "this text")("list", "list the scenarios and exit")(
      "scenario", po::value(&name)->default_value(name), "what the camera plays (see --list)")(
      "port", po::value(&options.port)->default_value(0), "TCP port on 127.0.0.1 (0 = any)")(
      "port-file", po::value(&port_file), "write the port number to this file once listening")(
      "fps", po::value(&options.fps)->default_value(0), "frames per second (0 = as fast as read)")(
      "width", po::value(&width)->default_value(width), "frame width")(
      "height", po::value(&height)->default_value(height), "frame height")(
      "frames", po::value(&count)->default_value(count), "distinct frames, played in turn")(
      "noise", po::value(&noise)->default_value(noise),
      "texture amplitude 0-255 (more = larger JPEGs, like a real sensor)")(
      "parts-per-connection", po::value(&parts_per_connection),
      "close after this many parts (default: the scenario's)")(
      "user", po::value(&options.user)->default_value(options.user), "user for auth scenarios")(
      "password", po::value(&options.password)->default_value(options.password),
      "password for auth scenarios");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "fake-camera: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm.count("list")) {
    for (const auto& n : scenario_names())
      std::cout << n << "\n";
    return 0;
  }
  try {
    auto script = scenario(name);
    if (vm.count("parts-per-connection")) script.parts_per_connection = parts_per_connection;
    options.scripts = {script};
    auto frames = make_frame_set(width, height, count, noise);
    std::size_t total = 0;
    for (const auto& f : frames.good)
      total += f.size();

    // Block the stop signals before the camera starts its threads, then wait
    // for one of them here.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    FakeCamera camera(options, std::move(frames));
    std::cout << camera.url() << std::endl;
    std::cerr << "fake-camera: " << name << " on port " << camera.port() << ", " << width << "x"
              << height << ", " << count << " frames of " << total / count << " bytes on average, "
              << (options.fps > 0 ? std::to_string(options.fps) + " fps" : "unthrottled")
              << std::endl;
    if (!port_file.empty()) {
      const auto tmp = port_file + ".tmp";
      std::ofstream(tmp) << camera.port();
      std::rename(tmp.c_str(), port_file.c_str());
    }
    int sig = 0;
    sigwait(&stop, &sig);
    camera.stop();
    std::cerr << "fake-camera: stopped; connections " << camera.connections() << ", parts sent "
              << camera.parts_sent() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "fake-camera: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
