// Bytes from a CLARIOstar (or a damaged cable): the frame assembler, the frame check and every
// reply decoder must return a Status for anything, never read out of bounds or throw.
#include <algorithm>
#include <vector>

#include "assay/drivers/clariostar/frame.hpp"
#include "assay/drivers/clariostar/replies.hpp"
#include "fuzz/fuzz_target.hpp"

namespace cs = assay::drivers::clariostar;

namespace {

void decode_payload(std::span<const std::uint8_t> payload) {
  (void)cs::status_prefix(payload);
  (void)cs::decode_status(payload);
  (void)cs::decode_absorbance_header(payload);
  (void)cs::decode_fluorescence(payload);
  (void)cs::decode_firmware_info(payload);
  (void)cs::decode_eeprom(payload);
  // A paged reply: the payload split in two pages, for one to eight wavelengths.
  const std::size_t half = payload.size() / 2;
  std::vector<cs::Bytes> pages{cs::Bytes(payload.begin(), payload.begin() + static_cast<long>(half)),
                               cs::Bytes(payload.begin() + static_cast<long>(half), payload.end())};
  for (int wavelengths = 1; wavelengths <= 8; ++wavelengths) {
    if (auto table = cs::decode_absorbance(pages, wavelengths)) {
      for (int k = 0; k < table->wavelengths; ++k)
        for (int w = 0; w < table->wells; ++w) (void)table->od(k, w);
    }
    std::vector<cs::Bytes> one{cs::Bytes(payload.begin(), payload.end())};
    (void)cs::decode_absorbance(one, wavelengths);
  }
  if (auto table = cs::decode_fluorescence(payload)) {
    for (int c = 0; c < table->chromatics; ++c)
      for (int w = 0; w < table->wells; ++w)
        for (int p = 0; p < table->positions; ++p) (void)table->count(c, w, p);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    std::span<const std::uint8_t> bytes(data, size);
    decode_payload(bytes);  // the input taken as a payload ...
    if (auto payload = cs::decode_frame(bytes)) decode_payload(*payload);  // ... and as one frame
    cs::FrameAssembler assembler;  // ... and as a stream in uneven chunks
    std::size_t at = 0;
    for (std::size_t chunk = 1; at < size; chunk = chunk % 7 + 1) {
      const std::size_t n = std::min(chunk, size - at);
      assembler.push(bytes.subspan(at, n));
      at += n;
      while (auto frame = assembler.pop()) {
        if (auto payload = cs::decode_frame(*frame)) decode_payload(*payload);
      }
    }
  } catch (const std::exception& e) {
    assay::fuzz::unexpected("clariostar replies", e);
  }
  return 0;
}
