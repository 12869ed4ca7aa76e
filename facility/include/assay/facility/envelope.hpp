// What travels on the facility bus: one message per stored event of one host.
//
// Subject  assay.<host>.<topic>   (topic as stored, e.g. job.J000001.reading)
// Msg id   <host>:<seq>           (JetStream drops a republished seq within its dedup window)
// Payload  JSON {"v":1,"host":H,"seq":N,"topic":T,"time":..., "event":{stored body},
//                "job":{...}, "plate":{...}, "wells":[...]   only on a job's submit event,
//                "results":[...]                             only on a result event}
// The facility store is idempotent on (host, seq), so any replay stores nothing twice.
// Plain functions; no I/O.
#pragma once

#include <cstdint>
#include <string>

namespace assay::facility {

inline constexpr int kEnvelopeVersion = 1;
inline constexpr const char* kSubjectRoot = "assay";

// A host name usable as one NATS subject token: letters, digits, '-' and '_', 1..64 chars.
bool is_valid_host_name(const std::string& host);
std::string event_subject(const std::string& host, const std::string& topic);
std::string message_id(const std::string& host, std::int64_t seq);

}  // namespace assay::facility
