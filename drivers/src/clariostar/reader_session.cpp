// ClariostarReader: connection, state, status, drawer and temperature.
#include "assay/drivers/clariostar/clariostar_reader.hpp"

namespace assay::drivers::clariostar {

using std::chrono::milliseconds;

ClariostarReader::ClariostarReader(std::string name, ClariostarSettings settings,
                                   TransportOpener opener, std::string connection_label, Clock& clock)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      opener_(std::move(opener)),
      connection_label_(std::move(connection_label)),
      clock_(clock) {}

ClariostarReader::~ClariostarReader() {
  watcher_.reset();  // stop hotplug callbacks before the rest goes away
  std::lock_guard lock(session_mutex_);
  close_locked();
}

void ClariostarReader::set_state_listener(StateListener listener) { reporter_.set_listener(std::move(listener)); }

nlohmann::json ClariostarReader::describe() const {
  std::lock_guard lock(info_mutex_);
  nlohmann::json j;
  j["driver"] = "clariostar";
  j["model"] = "BMG LABTECH CLARIOstar / CLARIOstar Plus";
  j["connection"] = connection_label_;
  reporter_.describe_into(j);
  j["serial"] = device_serial_.empty() ? settings_.serial : device_serial_;
  j["firmware"] = firmware_;
  j["capabilities"] = capabilities_;
  j["supports"] = {"absorbance", "absorbance_spectrum", "fluorescence_intensity", "temperature"};
  j["unsupported"] = {{"kinetic_fluorescence", kKineticGap},
                      {"injection", "injector commands are not decoded"},
                      {"luminescence", "not decoded"}};
  if (target_C_) j["temperature_target_C"] = *target_C_;
  return j;
}

Status ClariostarReader::fail(Status status) {
  if (status.code() == StatusCode::disconnected) {
    close_locked();
    set_state(InstrumentState::offline, status.message());
  }
  return status;
}

Status ClariostarReader::require_online() const {
  if (!link_ || device_left_.load()) {
    return {StatusCode::disconnected,
            "CLARIOstar '" + name_ + "' is not connected (" + connection_label_ +
                "); check the USB cable and power, it reconnects when plugged in"};
  }
  return Status::ok();
}

Result<Bytes> ClariostarReader::exchange(const Bytes& payload, int attempts, std::stop_token stop) {
  if (Status s = require_online(); !s) return fail(s);
  auto reply = link_->exchange(payload, attempts, stop);
  if (!reply) return fail(reply.status());
  return reply;
}

void ClariostarReader::close_locked() {
  link_.reset();
  transport_.reset();
}

Status ClariostarReader::connect() {
  std::lock_guard lock(session_mutex_);
  return connect_locked();
}

Status ClariostarReader::connect_locked() {
  close_locked();
  device_left_ = false;
  auto transport = opener_();
  if (!transport) {
    set_state(InstrumentState::offline, transport.status().message());
    return transport.status();
  }
  transport_ = std::move(transport).value();
  LinkSettings link_settings;
  link_settings.reply_timeout = settings_.reply_timeout;
  link_ = std::make_unique<Link>(*transport_, link_settings, clock_);
  if (Status s = transport_->purge(); !s) return fail(s);

  // INIT, repeated with a purge and a pause if the device does not answer.
  Status init{StatusCode::timeout, "not sent"};
  for (int attempt = 0; attempt < settings_.command_attempts; ++attempt) {
    if (attempt > 0) clock_.sleep_for(settings_.action_poll_interval * 5);
    auto reply = exchange(command::initialize(), 1);
    if (reply) {
      init = Status::ok();
      break;
    }
    init = reply.status();
    if (init.code() == StatusCode::disconnected) return init;
  }
  if (!init) {
    Status s{init.code(), "CLARIOstar did not answer INIT: " + init.message() +
                              "; is another program (the vendor software) using it?"};
    close_locked();
    set_state(InstrumentState::error, s.message());
    return s;
  }
  if (Status s = wait_idle(settings_.action_timeout, settings_.action_poll_interval, {}, "initialisation"); !s) {
    set_state(InstrumentState::error, s.message());
    return s;
  }
  // Identification is informative only: a reader that answers INIT but not these still works.
  std::string firmware, serial, capabilities;
  if (auto reply = exchange(command::firmware_info(), settings_.data_attempts)) {
    if (auto info = decode_firmware_info(*reply)) firmware = info->version + " (" + info->build + ")";
  }
  if (auto reply = exchange(command::eeprom(), settings_.data_attempts)) {
    if (auto info = decode_eeprom(*reply)) {
      serial = info->serial;
      if (info->has_absorbance) capabilities += "absorbance ";
      if (info->has_fluorescence) capabilities += "fluorescence ";
      if (info->has_luminescence) capabilities += "luminescence ";
      if (info->has_alphascreen) capabilities += "alphascreen";
    }
  }
  if (auto reply = exchange(command::boot(), settings_.command_attempts); !reply) {
    if (reply.status().code() == StatusCode::disconnected) return reply.status();
  }
  if (Status s = wait_idle(settings_.action_timeout, settings_.action_poll_interval, {}, "start-up"); !s) {
    set_state(InstrumentState::error, s.message());
    return s;
  }
  {
    std::lock_guard info(info_mutex_);
    firmware_ = firmware;
    device_serial_ = serial;
    capabilities_ = capabilities;
  }
  set_state(InstrumentState::online, "CLARIOstar " + serial + " firmware " + firmware + " ready");
  return Status::ok();
}

void ClariostarReader::disconnect() {
  std::lock_guard lock(session_mutex_);
  close_locked();
  set_state(InstrumentState::offline, "disconnected by request");
}

void ClariostarReader::on_device_left(const std::string& why) {
  device_left_ = true;
  set_state(InstrumentState::offline, why);
}

void ClariostarReader::on_device_arrived() {
  std::unique_lock lock(session_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // a job holds the session; it will see the state itself
  if (link_ && !device_left_.load()) return;
  (void)connect_locked();
}

Status ClariostarReader::load_plate(const LoadedPlate& plate) {
  std::lock_guard lock(session_mutex_);
  if (plate.geometry.rows * plate.geometry.columns > 384) {
    return {StatusCode::unsupported,
            "CLARIOstar: " + std::to_string(plate.geometry.well_count()) +
                "-well plates are not supported (the 1536-well mask encoding is unknown)"};
  }
  plate_ = plate;
  return Status::ok();
}

Result<DeviceStatus> ClariostarReader::status_locked(std::stop_token stop) {
  auto reply = exchange(command::status(), settings_.status_attempts, stop);
  if (!reply) return reply.status();
  return decode_status(*reply);
}

Result<DeviceStatus> ClariostarReader::query_status() {
  std::lock_guard lock(session_mutex_);
  return status_locked();
}

bool ClariostarReader::sleep_for(milliseconds duration, std::stop_token stop) {
  return clock_.sleep_for(duration, stop);
}

Status ClariostarReader::wait_idle(std::chrono::seconds timeout, milliseconds poll,
                                   std::stop_token stop, const std::string& what) {
  const auto deadline = clock_.now() + timeout;
  for (;;) {
    auto status = status_locked(stop);
    if (!status) {
      if (status.status().code() != StatusCode::timeout &&
          status.status().code() != StatusCode::protocol_error && status.status().code() != StatusCode::busy) {
        return status.status();
      }
    } else if (!status->busy()) {
      return Status::ok();
    }
    if (clock_.now() > deadline) {
      return {StatusCode::timeout, "CLARIOstar still busy with " + what + " after " +
                                       std::to_string(timeout.count()) + " s"};
    }
    if (!sleep_for(poll, stop)) return {StatusCode::cancelled, what + " wait cancelled"};
  }
}

Status ClariostarReader::action(const Bytes& payload, const std::string& what, std::stop_token stop) {
  if (auto reply = exchange(payload, settings_.command_attempts, stop); !reply) {
    return Status{reply.status().code(), "CLARIOstar " + what + ": " + reply.status().message()};
  }
  return wait_idle(settings_.action_timeout, settings_.action_poll_interval, stop, what);
}

Status ClariostarReader::open_drawer(std::stop_token stop) {
  std::lock_guard lock(session_mutex_);
  return action(command::drawer_open(), "drawer open", stop);
}

Status ClariostarReader::close_drawer(std::stop_token stop) {
  std::lock_guard lock(session_mutex_);
  return action(command::drawer_close(), "drawer close", stop);
}

Status ClariostarReader::set_temperature(std::optional<double> celsius) {
  std::lock_guard lock(session_mutex_);
  Bytes payload = command::temperature_monitor();
  if (celsius) {
    auto set = command::temperature_set(*celsius);
    if (!set) return set.status();
    payload = *set;
  }
  if (auto reply = exchange(payload, settings_.command_attempts); !reply) return reply.status();
  std::lock_guard info(info_mutex_);
  target_C_ = celsius;
  return Status::ok();
}

Result<double> ClariostarReader::temperature_C() {
  std::lock_guard lock(session_mutex_);
  auto status = status_locked();
  if (!status) return status.status();
  if (status->bottom_C) return *status->bottom_C;
  // Sensors off: switch monitoring on (no heating; only done when nothing is being heated,
  // since any 0x06 command replaces the set point) and wait for the first reading.
  if (auto reply = exchange(command::temperature_monitor(), settings_.command_attempts); !reply) {
    return reply.status();
  }
  for (int i = 0; i < 10; ++i) {
    clock_.sleep_for(settings_.action_poll_interval);
    status = status_locked();
    if (!status) return status.status();
    if (status->bottom_C) return *status->bottom_C;
  }
  return Status{StatusCode::device_error,
                "CLARIOstar reports no temperature although monitoring was switched on"};
}

double ClariostarReader::min_kinetic_interval_s(int well_count) const {
  // Kinetic reads are refused (see read_kinetic_fluorescence); this is the endpoint time
  // measured on a real 96-well absorbance read (29.6 s), scaled by the number of wells.
  constexpr double start_s = 5.0;
  constexpr double per_well_s = (29.6 - start_s) / 96.0;
  return start_s + per_well_s * std::max(1, well_count);
}

}  // namespace assay::drivers::clariostar
