// CLARIOstar serial framing (clariostar.md §2): STX 0x02, u16 total length, 0x0C, payload,
// 24-bit big-endian checksum (sum of every byte from STX through the payload), CR 0x0D.
//
// encode_frame() wraps a payload; decode_frame() checks one complete frame and returns its
// payload, saying exactly what is wrong otherwise (short, bad size, bad checksum ...).
// FrameAssembler collects bytes from a stream into frames by the size field (never by the first
// 0x0D, which also occurs inside payloads), skipping junk before STX. Pure, no I/O, no threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "assay/drivers/status.hpp"

namespace assay::drivers::clariostar {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t frame_stx = 0x02;
inline constexpr std::uint8_t frame_marker = 0x0C;
inline constexpr std::uint8_t frame_cr = 0x0D;
inline constexpr std::size_t frame_overhead = 8;  // 4 head + 3 checksum + CR
inline constexpr std::size_t max_frame_bytes = 65535;

// Low 24 bits of the sum of `bytes`.
std::uint32_t frame_checksum(std::span<const std::uint8_t> bytes);

Bytes encode_frame(std::span<const std::uint8_t> payload);

// The payload of a complete frame, or protocol_error naming the defect.
Result<Bytes> decode_frame(std::span<const std::uint8_t> frame);

class FrameAssembler {
 public:
  void push(std::span<const std::uint8_t> bytes);
  // A complete frame (checked only for length; decode_frame checks the rest), or nullopt.
  std::optional<Bytes> pop();
  // Bytes the size field still asks for (0 when the size is not known yet).
  std::size_t missing() const;
  // The size field of the frame being collected, 0 when not yet known.
  std::size_t expected_size() const;
  std::size_t buffered() const { return buffer_.size(); }
  void clear() { buffer_.clear(); }

 private:
  void resync();
  Bytes buffer_;
};

std::string to_hex(std::span<const std::uint8_t> bytes, std::size_t limit = 64);
// Parses "02 00 09" or "020009" (whitespace ignored); empty on bad input.
Bytes from_hex(const std::string& text);

}  // namespace assay::drivers::clariostar
