#include "assay/drivers/clariostar/frame.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace assay::drivers::clariostar {

std::uint32_t frame_checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  for (std::uint8_t b : bytes) sum += b;
  return sum & 0xFFFFFF;
}

Bytes encode_frame(std::span<const std::uint8_t> payload) {
  const std::size_t size = payload.size() + frame_overhead;
  Bytes frame;
  frame.reserve(size);
  frame.push_back(frame_stx);
  frame.push_back(static_cast<std::uint8_t>(size >> 8));
  frame.push_back(static_cast<std::uint8_t>(size & 0xFF));
  frame.push_back(frame_marker);
  frame.insert(frame.end(), payload.begin(), payload.end());
  std::uint32_t sum = frame_checksum(frame);
  frame.push_back(static_cast<std::uint8_t>(sum >> 16));
  frame.push_back(static_cast<std::uint8_t>(sum >> 8));
  frame.push_back(static_cast<std::uint8_t>(sum));
  frame.push_back(frame_cr);
  return frame;
}

Result<Bytes> decode_frame(std::span<const std::uint8_t> frame) {
  auto fail = [&](const std::string& why) {
    return Status{StatusCode::protocol_error,
                  "bad CLARIOstar frame (" + why + "): " + to_hex(frame, 24)};
  };
  if (frame.size() < frame_overhead) {
    return fail("only " + std::to_string(frame.size()) + " bytes");
  }
  if (frame[0] != frame_stx) return fail("does not start with STX 0x02");
  std::size_t size = (static_cast<std::size_t>(frame[1]) << 8) | frame[2];
  if (size != frame.size()) {
    return fail("size field says " + std::to_string(size) + ", got " +
                std::to_string(frame.size()) + " bytes");
  }
  if (frame[3] != frame_marker) return fail("byte 3 is not 0x0C");
  if (frame.back() != frame_cr) return fail("does not end with CR 0x0D");
  std::uint32_t sum = frame_checksum(frame.first(frame.size() - 4));
  std::uint32_t stated = (static_cast<std::uint32_t>(frame[size - 4]) << 16) |
                         (static_cast<std::uint32_t>(frame[size - 3]) << 8) | frame[size - 2];
  if (sum != stated) {
    char text[64];
    std::snprintf(text, sizeof text, "checksum 0x%06x, computed 0x%06x", stated, sum);
    return fail(text);
  }
  return Bytes(frame.begin() + 4, frame.end() - 4);
}

void FrameAssembler::push(std::span<const std::uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  resync();
}

void FrameAssembler::resync() {
  auto stx = std::find(buffer_.begin(), buffer_.end(), frame_stx);
  buffer_.erase(buffer_.begin(), stx);
}

std::size_t FrameAssembler::expected_size() const {
  if (buffer_.size() < 3) return 0;
  return (static_cast<std::size_t>(buffer_[1]) << 8) | buffer_[2];
}

std::size_t FrameAssembler::missing() const {
  std::size_t size = expected_size();
  return size > buffer_.size() ? size - buffer_.size() : 0;
}

std::optional<Bytes> FrameAssembler::pop() {
  std::size_t size = expected_size();
  if (size == 0 || buffer_.size() < size) return std::nullopt;
  if (size < frame_overhead) {
    // Impossible size: drop this STX and look for the next one.
    buffer_.erase(buffer_.begin());
    resync();
    return pop();
  }
  Bytes frame(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(size));
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(size));
  resync();
  return frame;
}

std::string to_hex(std::span<const std::uint8_t> bytes, std::size_t limit) {
  std::string text;
  char digits[4];
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
    text += digits;
  }
  if (bytes.size() > limit) text += "...(" + std::to_string(bytes.size()) + " bytes)";
  return text;
}

Bytes from_hex(const std::string& text) {
  Bytes bytes;
  int high = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                            : std::tolower(c) - 'a' + 10;
    if (high < 0) {
      high = digit;
    } else {
      bytes.push_back(static_cast<std::uint8_t>(high << 4 | digit));
      high = -1;
    }
  }
  if (high >= 0) return {};
  return bytes;
}

}  // namespace assay::drivers::clariostar
