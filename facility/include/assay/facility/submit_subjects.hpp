// Where jobs are submitted through the facility bus (core NATS request/reply, not the stream):
//
//   assayd.submit.host.<host>              the assayd whose facility host name is <host>
//   assayd.submit.instrument.<instrument>  the assayd that has <instrument>
//   assayd.who.instrument.<instrument>     every assayd that has <instrument> answers
//                                          {"host": H, "instrument": I}: before a submit by
//                                          name, whoever submits learns whether the name is
//                                          unique (a name on two hosts is refused)
//
// Outside "assay.>" on purpose: the ASSAY stream must not capture a request (JetStream would
// store it and answer it with a publish ack). Request and reply bodies are the API's jobs.submit
// request and reply (docs/api.md); the reply adds "host". Plain functions; no I/O.
#pragma once

#include <string>

namespace assay::facility {

std::string submit_subject_for_host(const std::string& host);
std::string submit_subject_for_instrument(const std::string& instrument);
std::string who_has_subject_for_instrument(const std::string& instrument);
// A name usable as a subject token (as a host name: letters, digits, '-', '_', 1-64 chars).
bool is_routable_instrument_name(const std::string& instrument);

}  // namespace assay::facility
