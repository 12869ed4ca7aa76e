// Acquisition steps of the chemotaxis protocol (private to protocols/src/chemotaxis).
//
// Both run on the instrument's worker thread, hand every reading or image to the RunContext as
// soon as it exists, stop at the next safe point when ctx.stop() is requested (ProtocolError
// "cancelled") and turn driver failures into ProtocolError("instrument_error").
#pragma once

#include <vector>

#include "assay/drivers/imager.hpp"
#include "assay/drivers/plate_reader.hpp"
#include "assay/protocols/chemotaxis/contact_sheet.hpp"
#include "assay/protocols/chemotaxis/field_counts.hpp"
#include "assay/protocols/chemotaxis/params.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {

// Endpoint absorbance of every well in the layout; wells already read by an interrupted earlier
// attempt (ctx.earlier_readings()) are not read again.
std::vector<drivers::Reading> acquire_absorbance(const JobSpec& job, const ChemotaxisParams& params,
                                                 drivers::PlateReader& reader, RunContext& ctx);

struct ImagedFields {
  std::vector<FieldCount> fields;
  std::vector<ContactSheetTile> tiles;
};

// Captures, stores and counts every field of every non-blank insert.
ImagedFields acquire_fields(const JobSpec& job, const ChemotaxisParams& params, drivers::Imager& imager,
                            RunContext& ctx);

}  // namespace assay::protocols::chemotaxis
