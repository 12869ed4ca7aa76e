#include "assay/drivers/clariostar/virtual_clariostar.hpp"

#include <algorithm>
#include <cmath>

#include "assay/drivers/clariostar/commands.hpp"
#include "assay/drivers/clariostar/replies.hpp"
#include "assay/drivers/plate_geometry.hpp"

namespace assay::drivers::clariostar {

namespace {

// Timings measured on the real CLARIOstar Plus (clariostar.md §3.3, §9.2).
constexpr double init_s = 0.25;
constexpr double drawer_open_s = 3.5;
constexpr double drawer_close_s = 7.0;
constexpr double stop_s = 0.5;
constexpr double absorbance_s_per_well = (29.6 - 5.0) / 96.0;
constexpr double spectrum_s_per_well = 0.3;
constexpr double fluorescence_s_per_well = 0.5;
// The largest spectrum page fits one 65 535-byte frame: (65535 - 8 - 36) / 4 values.
constexpr std::size_t max_page_values = (max_frame_bytes - frame_overhead - absorbance_header_bytes) / 4;
constexpr std::uint32_t reference_cal_hi = 18275;
constexpr std::uint32_t overflow_counts = 260000;

void put_u16(Bytes& p, std::size_t at, unsigned v) {
  p[at] = static_cast<std::uint8_t>(v >> 8);
  p[at + 1] = static_cast<std::uint8_t>(v);
}

void append_u32(Bytes& p, std::uint32_t v) {
  for (int shift : {24, 16, 8, 0}) p.push_back(static_cast<std::uint8_t>(v >> shift));
}

unsigned u16(const Bytes& p, std::size_t at) { return static_cast<unsigned>(p[at] << 8 | p[at + 1]); }

// A plausible lamp-times-detector response: the calibration count at full transmission.
std::uint32_t lamp_counts(int nm) {
  double x = (nm - 550.0) / 350.0;
  return static_cast<std::uint32_t>(3'900'000.0 * (0.3 + std::exp(-x * x)));
}

std::uint32_t reference_counts(int well_index) {
  return 18300u + static_cast<std::uint32_t>((well_index * 37) % 200);
}

}  // namespace

Result<VirtualClariostarSettings> VirtualClariostarSettings::from_json(const nlohmann::json& j) {
  VirtualClariostarSettings s;
  if (!j.is_object()) return s;
  auto bad = [](const std::string& key, const std::string& want) {
    return Status{StatusCode::invalid_argument, "virtual CLARIOstar setting '" + key + "' must be " + want};
  };
  auto number = [&](const char* key, double& out, bool allow_zero) -> Status {
    if (!j.contains(key)) return Status::ok();
    if (!j[key].is_number() || j[key].get<double>() < 0 || (!allow_zero && j[key].get<double>() == 0)) {
      return bad(key, allow_zero ? "a number >= 0" : "a number > 0");
    }
    out = j[key].get<double>();
    return Status::ok();
  };
  for (Status st : {number("time_scale", s.time_scale, false), number("default_od", s.default_od, true),
                    number("default_rfu", s.default_rfu, true), number("startup_gap_s", s.startup_gap_s, true)}) {
    if (!st) return st;
  }
  for (const char* key : {"well_od", "well_rfu"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_object()) return bad(key, "a table of well = value, e.g. { A1 = 0.5 }");
    for (const auto& [well, value] : j[key].items()) {
      if (!value.is_number() || !parse_well(well, PlateGeometry{16, 24})) {
        return bad(std::string(key) + "." + well, "a number for a well name such as A1");
      }
      (std::string(key) == "well_od" ? s.well_od : s.well_rfu)[well] = value.get<double>();
    }
  }
  if (j.contains("drop_bytes_every")) {
    if (!j["drop_bytes_every"].is_number_integer() || j["drop_bytes_every"].get<int>() < 0) {
      return bad("drop_bytes_every", "an integer >= 0");
    }
    s.drop_bytes_every = j["drop_bytes_every"].get<int>();
  }
  if (j.contains("plate_present")) {
    if (!j["plate_present"].is_boolean()) return bad("plate_present", "true or false");
    s.plate_present = j["plate_present"].get<bool>();
  }
  if (j.contains("serial") && j["serial"].is_string()) s.serial = j["serial"].get<std::string>();
  return s;
}

VirtualClariostar::VirtualClariostar(VirtualClariostarSettings settings, Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

VirtualClariostar::clock::duration VirtualClariostar::scaled(double seconds) const {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds * settings_.time_scale));
}

double VirtualClariostar::true_od(const std::string& well, int nm) const {
  auto it = settings_.well_od.find(well);
  double at_600 = it == settings_.well_od.end() ? settings_.default_od : it->second;
  return at_600 * 600.0 / nm;
}

double VirtualClariostar::true_rfu(const std::string& well, int gain) const {
  auto it = settings_.well_rfu.find(well);
  double at_1000 = it == settings_.well_rfu.end() ? settings_.default_rfu : it->second;
  return std::round(at_1000 * gain / 1000.0);
}

int VirtualClariostar::runs_started() const {
  std::lock_guard lock(mutex_);
  return runs_started_;
}

bool VirtualClariostar::drawer_open() const {
  std::lock_guard lock(mutex_);
  return drawer_open_;
}

int VirtualClariostar::replies_corrupted() const {
  std::lock_guard lock(mutex_);
  return corrupted_;
}

bool VirtualClariostar::busy() const {
  auto now = clock_.now();
  if (now < busy_until_) return true;
  return run_ && !run_->stopped && now < run_->started + run_->duration;
}

double VirtualClariostar::progress() const {
  if (!run_) return 0.0;
  auto now = clock_.now();
  auto reading_from = run_->started + run_->preparing;
  if (now <= reading_from) return 0.0;
  double total = std::chrono::duration<double>(run_->duration - run_->preparing).count();
  double done = std::chrono::duration<double>(now - reading_from).count();
  return total <= 0 ? 1.0 : std::min(1.0, done / total);
}

Bytes VirtualClariostar::status_payload(std::uint8_t type) const {
  Bytes p(16, 0);
  bool measuring = run_ && !run_->stopped && busy();
  p[0] = type;
  p[1] = static_cast<std::uint8_t>(0x05 | (busy() ? 0x20 : 0) | (measuring ? 0x10 : 0));
  p[2] = 0x06;
  std::uint8_t tray = 0x04;
  if (initialized_) tray |= 0x20;
  if (drawer_open_) tray |= 0x01;
  if (settings_.plate_present && !drawer_open_) tray |= 0x02;
  if (measuring && progress() > 0.0) tray |= 0x08;
  p[3] = tray;
  if (measuring) {
    p[6] = 0x04;
    p[7] = 0x01;
    p[10] = 0x03;
  }
  put_u16(p, 11, temperature_tenths_);
  put_u16(p, 13, temperature_tenths_ == 0 ? 0 : temperature_tenths_ + 6u);
  p[15] = 0xC0;
  return p;
}

Bytes VirtualClariostar::status_frame_for_data() const {
  Bytes p = status_payload();
  if (run_ && busy()) p[6] = 0xD5;  // "measurement being prepared", as the real device says
  return p;
}

Bytes VirtualClariostar::on_write(std::span<const std::uint8_t> written) {
  std::lock_guard lock(mutex_);
  assembler_.push(written);
  Bytes out;
  while (auto frame = assembler_.pop()) {
    auto payload = decode_frame(*frame);
    if (!payload || payload->empty()) continue;  // a garbled request gets no answer
    Bytes reply = handle(*payload);
    if (reply.empty()) continue;
    Bytes reply_frame = encode_frame(reply);
    ++replies_;
    bool is_page = reply[0] == reply_type::data && run_ && run_->spectrum;
    if (settings_.drop_bytes_every > 0 && replies_ % settings_.drop_bytes_every == 0 && !is_page &&
        reply_frame.size() > 16) {
      // As seen on the real link: the frame's head arrives, 7 bytes vanish, the tail arrives.
      auto at = reply_frame.begin() + static_cast<std::ptrdiff_t>(reply_frame.size() / 2);
      reply_frame.erase(at, at + 7);
      ++corrupted_;
    }
    out.insert(out.end(), reply_frame.begin(), reply_frame.end());
  }
  return out;
}

Bytes VirtualClariostar::handle(const Bytes& p) {
  auto now = clock_.now();
  if (drawer_target_ && now >= busy_until_) {
    drawer_open_ = *drawer_target_;
    drawer_target_.reset();
  }
  // The real device does not answer anything in the first moments after RUN.
  if (run_ && !run_->stopped && now < run_->started + run_->gap) return {};

  switch (p[0]) {
    case 0x80: return status_payload();
    case 0x01:
      initialized_ = true;
      busy_until_ = now + scaled(init_s);
      return status_payload();
    case 0x03: {
      if (p.size() < 2 || busy()) return status_payload();
      drawer_target_ = p[1] == 0x01;
      busy_until_ = now + scaled(*drawer_target_ ? drawer_open_s : drawer_close_s);
      initialized_ = true;
      return status_payload();
    }
    case 0x06:
      if (p.size() >= 3) {
        unsigned value = u16(p, 1);
        temperature_tenths_ = static_cast<std::uint16_t>(value == 0 ? 0 : value == 1 ? 223 : value);
      }
      return status_payload();
    case 0x0B:
      if (run_ && busy()) {
        run_->stopped = true;
        busy_until_ = now + scaled(stop_s);
      }
      return status_payload();
    case 0x0D:
    case 0x0E:
    case 0x08: return status_payload();
    case 0x04: return start_run(p);
    case 0x05: {
      if (p.size() < 7) return status_payload();
      switch (p[1]) {
        case 0x02: {
          bool progressive = p[2] == 0xFF;
          if (!run_ || run_->stopped) return status_frame_for_data();
          if (now < run_->started + run_->preparing) return status_frame_for_data();
          if (run_->spectrum) return busy() ? status_frame_for_data() : absorbance_page();
          if (!progressive && busy()) return status_frame_for_data();
          return run_->absorbance ? absorbance_data(progressive && busy())
                                  : fluorescence_data(progressive && busy());
        }
        case 0x07: {
          Bytes e = status_payload(0x07);
          e.resize(263, 0);
          e[11] = 1;  // absorbance
          e[12] = 1;  // fluorescence
          e[13] = 1;  // luminescence
          e[19] = 750 & 0xFF;
          e[20] = 750 >> 8;
          e[33] = 3;
          e[34] = 4;
          auto dash = settings_.serial.find('-');
          int a = 0, b = 0;
          if (dash != std::string::npos) {
            a = std::atoi(settings_.serial.substr(0, dash).c_str());
            b = std::atoi(settings_.serial.substr(dash + 1).c_str());
          }
          e[161] = static_cast<std::uint8_t>(a);
          e[162] = static_cast<std::uint8_t>(a >> 8);
          e[163] = static_cast<std::uint8_t>(b);
          e[164] = static_cast<std::uint8_t>(b >> 8);
          e[165] = 1350 & 0xFF;
          e[166] = 1350 >> 8;
          return e;
        }
        case 0x09: {
          Bytes f = status_payload(0x0A);
          f.resize(31, 0);
          f[5] = 0;
          put_u16(f, 6, 1350);
          std::string date = "Nov 20 2020", time = "11:51:21";
          std::copy(date.begin(), date.end(), f.begin() + 8);
          std::copy(time.begin(), time.end(), f.begin() + 20);
          f[30] = 0x01;
          return f;
        }
        default: return status_payload();
      }
    }
    default: return status_payload();
  }
}

Bytes VirtualClariostar::start_run(const Bytes& p) {
  if (busy() || drawer_open_ || !settings_.plate_present || p.size() < 110) return status_payload();
  Run run;
  const int columns = p[13], rows = p[14];
  for (int i = 0; i < rows * columns && i < 384; ++i) {
    if (p[16 + static_cast<std::size_t>(i / 8)] & (0x80 >> (i % 8))) {
      run.wells.push_back(well_name({i / columns, i % columns}));
    }
  }
  if (run.wells.empty()) return status_payload();
  const std::uint8_t optic = p[65];
  std::size_t at = 100;
  if (optic & 0x34) at += 5;  // well-scan field of orbital, spiral and matrix scans
  ++at;                       // settle byte
  const int detection = optic & 0x03;
  double per_well_s = absorbance_s_per_well;
  if (detection == 0x02) {
    int n = p[at++];
    if (n == 0) {
      run.spectrum = true;
      int start = static_cast<int>(u16(p, at)) / 10, end = static_cast<int>(u16(p, at + 2)) / 10,
          step = std::max(1, static_cast<int>(u16(p, at + 4)) / 10);
      for (int nm = start; nm <= end; nm += step) run.wavelengths_nm.push_back(nm);
      per_well_s = spectrum_s_per_well;
    } else {
      for (int k = 0; k < n; ++k) run.wavelengths_nm.push_back(static_cast<int>(u16(p, at + 2 * k)) / 10);
    }
  } else if (detection == 0x00) {
    run.absorbance = false;
    at += 2;  // focal height
    run.chromatics = std::max(1, static_cast<int>(p[at + 2]));
    at += 9;
    run.gain = static_cast<int>(u16(p, at));
    per_well_s = fluorescence_s_per_well;
  } else {
    return status_payload();  // luminescence is not emulated (nor decoded in the driver)
  }
  run.started = clock_.now();
  run.gap = scaled(settings_.startup_gap_s);
  run.preparing = scaled(std::max(settings_.startup_gap_s, settings_.preparing_s));
  run.duration = run.preparing + scaled(per_well_s * static_cast<double>(run.wells.size()));
  run_ = run;
  ++runs_started_;

  const std::size_t groups = run.absorbance ? run.wavelengths_nm.size() + 3 : run.chromatics;
  const std::size_t total = run.absorbance ? groups * (run.wells.size() + 2) : groups * run.wells.size();
  Bytes ack(45, 0);
  Bytes status = status_payload();
  std::copy(status.begin(), status.begin() + 5, ack.begin());
  ack[0] = reply_type::run_accepted;
  put_u16(ack, 8, 0x04BC);
  put_u16(ack, 12, static_cast<unsigned>(std::min<std::size_t>(total + 4, 0xFFFF)));
  ack[14] = 0x01;
  return ack;
}

std::vector<std::uint32_t> VirtualClariostar::absorbance_values() const {
  const Run& run = *run_;
  const std::size_t n = run.wavelengths_nm.size(), w_count = run.wells.size();
  const double fraction = busy() ? progress() : 1.0;
  const std::size_t wells_done = static_cast<std::size_t>(std::floor(fraction * w_count));
  std::vector<std::uint32_t> sample(n * w_count, 0), mid1(w_count, 0), mid2(w_count, 0), ref(w_count, 0);
  for (std::size_t w = 0; w < wells_done; ++w) {
    ref[w] = reference_counts(static_cast<int>(w));
    for (std::size_t k = 0; k < n; ++k) {
      int nm = run.wavelengths_nm[k];
      double t = std::pow(10.0, -true_od(run.wells[w], nm));
      sample[k * w_count + w] = static_cast<std::uint32_t>(
          std::llround(lamp_counts(nm) * t * ref[w] / static_cast<double>(reference_cal_hi)));
    }
    mid1[w] = sample[w] / 2;
    mid2[w] = sample[w] / 5;
  }
  std::vector<std::uint32_t> values = sample;
  values.insert(values.end(), mid1.begin(), mid1.end());
  values.insert(values.end(), mid2.begin(), mid2.end());
  values.insert(values.end(), ref.begin(), ref.end());
  for (std::size_t k = 0; k < n; ++k) {
    values.push_back(lamp_counts(run.wavelengths_nm[k]));
    values.push_back(60000 + static_cast<std::uint32_t>(k));
  }
  for (std::uint32_t hi : {1'500'000u, 700'000u}) {
    values.push_back(hi);
    values.push_back(60000);
  }
  values.push_back(reference_cal_hi);
  values.push_back(0);
  return values;
}

Bytes VirtualClariostar::absorbance_data(bool progressive) {
  const Run& run = *run_;
  std::vector<std::uint32_t> values = absorbance_values();
  const std::size_t n = run.wavelengths_nm.size(), w_count = run.wells.size();
  std::size_t written = values.size();
  if (progressive) {
    std::size_t wells_done = static_cast<std::size_t>(std::floor(progress() * w_count));
    written = 2 * (n + 3) + wells_done * (n + 3);
  }
  Bytes p = status_payload(reply_type::data);
  p.resize(absorbance_header_bytes, 0);
  p[5] = 0;
  p[6] = 0xA9;
  put_u16(p, 7, static_cast<unsigned>(values.size()));
  put_u16(p, 9, static_cast<unsigned>(std::min(written, values.size())));
  const std::uint8_t unknown[] = {0x00, 0x1D, 0xFF, 0xE2, 0x02, 0x20, 0x03};
  std::copy(std::begin(unknown), std::end(unknown), p.begin() + 11);
  put_u16(p, 18, 1);
  put_u16(p, 20, static_cast<unsigned>(w_count));
  p[22] = 0x01;
  put_u16(p, 23, 1);
  p[28] = 1;
  p[29] = 1;
  put_u16(p, 34, temperature_tenths_);
  for (std::uint32_t v : values) append_u32(p, v);
  return p;
}

Bytes VirtualClariostar::absorbance_page() {
  Run& run = *run_;
  std::vector<std::uint32_t> values = absorbance_values();
  const std::size_t pages = (values.size() + max_page_values - 1) / max_page_values;
  const std::size_t per_page = values.size() / pages;
  if (run.next_page > static_cast<int>(pages)) return status_frame_for_data();
  const std::size_t first = static_cast<std::size_t>(run.next_page - 1) * per_page;
  const std::size_t count = run.next_page == static_cast<int>(pages) ? values.size() - first : per_page;
  Bytes p = status_payload(reply_type::data);
  p.resize(absorbance_header_bytes, 0);
  p[6] = 0xA9;
  put_u16(p, 7, static_cast<unsigned>(count));
  put_u16(p, 9, static_cast<unsigned>(per_page));
  const std::uint8_t unknown[] = {0x00, 0x02, 0xFF, 0xFD, 0x02, 0x20, 0x53};
  std::copy(std::begin(unknown), std::end(unknown), p.begin() + 11);
  put_u16(p, 18, 1);
  put_u16(p, 20, static_cast<unsigned>(run.wells.size()));
  p[22] = 0x01;
  put_u16(p, 23, 1);
  p[28] = 1;
  p[29] = static_cast<std::uint8_t>(run.next_page);
  put_u16(p, 34, temperature_tenths_);
  for (std::size_t i = first; i < first + count; ++i) append_u32(p, values[i]);
  ++run.next_page;
  return p;
}

Bytes VirtualClariostar::fluorescence_data(bool progressive) {
  const Run& run = *run_;
  const std::size_t w_count = run.wells.size();
  const std::size_t values = w_count * static_cast<std::size_t>(run.chromatics);
  const double fraction = progressive ? progress() : 1.0;
  const std::size_t wells_done = static_cast<std::size_t>(std::floor(fraction * w_count));
  Bytes p = status_payload(reply_type::data);
  p.resize(fluorescence_header_bytes, 0);
  p[6] = 0xA1;
  put_u16(p, 7, static_cast<unsigned>(values));
  put_u16(p, 9, static_cast<unsigned>(wells_done * static_cast<std::size_t>(run.chromatics)));
  for (int shift = 0; shift < 4; ++shift) p[11 + shift] = static_cast<std::uint8_t>(overflow_counts >> (24 - 8 * shift));
  p[15] = 0x01;
  put_u16(p, 16, static_cast<unsigned>(run.chromatics));
  put_u16(p, 18, static_cast<unsigned>(w_count));
  p[20] = 0x01;
  put_u16(p, 21, 1);
  p[26] = 0x01;
  p[27] = 0x01;
  put_u16(p, 32, temperature_tenths_);
  for (int c = 0; c < run.chromatics; ++c) {
    for (std::size_t w = 0; w < w_count; ++w) {
      double rfu = w < wells_done ? true_rfu(run.wells[w], run.gain) : 0.0;
      append_u32(p, static_cast<std::uint32_t>(std::min<double>(rfu, overflow_counts)));
    }
  }
  return p;
}

}  // namespace assay::drivers::clariostar
