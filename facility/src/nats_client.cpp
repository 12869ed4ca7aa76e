#include "assay/facility/nats_client.hpp"

#include <nats/nats.h>

#include <utility>

#include "nats_common.hpp"

namespace assay::facility {

using detail::check;
using detail::fail;

namespace detail {

void fail(const std::string& doing, natsStatus status, jsErrCode js_error) {
  std::string text = "NATS: " + doing + ": " + natsStatus_GetText(status);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail && *detail) text += std::string(" (") + detail + ")";
  if (js_error != 0) text += " [JetStream error " + std::to_string(static_cast<int>(js_error)) + "]";
  throw NatsError(text);
}

ConnectOptions::ConnectOptions(const NatsSettings& settings) {
  check("creating connection options", natsOptions_Create(&options_));
  try {
    check("server list '" + settings.url + "'", natsOptions_SetURL(options_, settings.url.c_str()));
    check("client name", natsOptions_SetName(options_, settings.client_name.c_str()));
    check("timeout", natsOptions_SetTimeout(options_, settings.timeout_ms));
    // Reconnect for ever, quickly: a facility outage must not end the link, and the publisher
    // never has more in flight than one message, so nothing piles up in the reconnect buffer.
    check("reconnect", natsOptions_SetMaxReconnect(options_, -1));
    check("reconnect wait", natsOptions_SetReconnectWait(options_, 500));
    if (!settings.credentials_file.empty()) {
      check("credentials file " + settings.credentials_file + " (a NATS .creds file: user JWT and nkey seed)",
            natsOptions_SetUserCredentialsFromFiles(options_, settings.credentials_file.c_str(), nullptr));
    }
    if (!settings.ca_file.empty()) {
      check("TLS", natsOptions_SetSecure(options_, true));
      check("CA file " + settings.ca_file, natsOptions_LoadCATrustedCertificates(options_, settings.ca_file.c_str()));
    }
  } catch (...) {
    natsOptions_Destroy(options_);
    throw;
  }
}

}  // namespace detail

FetchedMessage::~FetchedMessage() {
  if (msg_) natsMsg_Destroy(msg_);
}

FetchedMessage::FetchedMessage(FetchedMessage&& other) noexcept : msg_(std::exchange(other.msg_, nullptr)) {}

std::string FetchedMessage::subject() const { return natsMsg_GetSubject(msg_); }

std::string FetchedMessage::data() const {
  return std::string(natsMsg_GetData(msg_), static_cast<std::size_t>(natsMsg_GetDataLength(msg_)));
}

void FetchedMessage::ack() {
  jsErrCode js_error = static_cast<jsErrCode>(0);
  check("acknowledging a message", natsMsg_AckSync(msg_, nullptr, &js_error), js_error);
}

void FetchedMessage::ack_async() { check("acknowledging a message", natsMsg_Ack(msg_, nullptr)); }

NatsLink::NatsLink(const NatsSettings& settings) : settings_(settings) {
  detail::ConnectOptions o(settings);
  check("connecting to " + settings.url + " (is nats-server running and reachable?)",
        natsConnection_Connect(&connection_, o.get()));
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = settings.timeout_ms;
  natsStatus status = natsConnection_JetStream(&js_, connection_, &js_options);
  if (status != NATS_OK) {
    natsConnection_Destroy(connection_);
    fail("JetStream context", status);
  }
}

NatsLink::~NatsLink() {
  if (subscription_) natsSubscription_Destroy(subscription_);
  if (js_) jsCtx_Destroy(js_);
  if (connection_) {
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }
}

bool NatsLink::connected() const { return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED; }

void NatsLink::ensure_stream(const StreamSettings& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus status = js_GetStreamInfo(&info, js_, stream.name.c_str(), nullptr, &js_error);
  if (status == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return;
  }
  if (status != NATS_NOT_FOUND && js_error != JSStreamNotFoundErr) {
    fail("looking up stream " + stream.name + " (is JetStream enabled: nats-server -js?)", status, js_error);
  }
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = stream.name.c_str();
  const char* subjects[] = {stream.subjects.c_str()};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.MaxAge = stream.max_age_s * 1000000000LL;
  config.Duplicates = 120LL * 1000000000LL;  // the dedup window on msg ids
  js_error = static_cast<jsErrCode>(0);
  status = js_AddStream(&info, js_, &config, nullptr, &js_error);
  // Another host may have created it meanwhile: that is as good.
  if (status != NATS_OK && js_error != JSStreamNameExistErr) {
    fail("creating stream " + stream.name + " on subjects " + stream.subjects, status, js_error);
  }
  if (info) jsStreamInfo_Destroy(info);
}

bool NatsLink::publish(const std::string& subject, const std::string& data, const std::string& msg_id) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = msg_id.c_str();
  options.MaxWait = settings_.timeout_ms;
  jsPubAck* ack = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus status = js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()),
                                 &options, &js_error);
  if (status != NATS_OK) fail("publishing " + msg_id + " on " + subject, status, js_error);
  const bool duplicate = ack && ack->Duplicate;
  jsPubAck_Destroy(ack);
  return duplicate;
}

void NatsLink::pull_subscribe(const std::string& stream, const std::string& subject_filter,
                              const std::string& durable, std::int64_t ack_wait_s) {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  options.Config.AckPolicy = js_AckExplicit;
  options.Config.AckWait = ack_wait_s * 1000000000LL;
  options.Config.MaxAckPending = 20000;
  options.Config.DeliverPolicy = js_DeliverAll;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  check("pull consumer " + durable + " on stream " + stream,
        js_PullSubscribe(&subscription_, js_, subject_filter.c_str(), durable.c_str(), nullptr, &options, &js_error),
        js_error);
}

namespace {

std::vector<FetchedMessage> take(natsMsgList& list) {
  std::vector<FetchedMessage> messages;
  messages.reserve(static_cast<std::size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    messages.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // owned by the FetchedMessage now
  }
  natsMsgList_Destroy(&list);
  return messages;
}

}  // namespace

std::vector<FetchedMessage> NatsLink::fetch(int batch, int timeout_ms) {
  // What is there now, up to `batch`, without waiting: a pull request that waits for a full
  // batch would hold a trickle of events for the whole timeout.
  natsMsgList list{nullptr, 0};
  jsFetchRequest request;
  jsFetchRequest_Init(&request);
  request.Batch = batch;
  request.NoWait = true;
  request.Expires = static_cast<std::int64_t>(timeout_ms) * 1000000;
  natsStatus status = natsSubscription_FetchRequest(&list, subscription_, &request);
  if (status == NATS_OK && list.Count > 0) return take(list);
  natsMsgList_Destroy(&list);
  if (status != NATS_OK && status != NATS_TIMEOUT && status != NATS_NOT_FOUND) {
    fail("fetching from the pull consumer", status);
  }
  // Nothing there: wait for the next one alone, returned as soon as it comes.
  list = {nullptr, 0};
  jsErrCode js_error = static_cast<jsErrCode>(0);
  status = natsSubscription_Fetch(&list, subscription_, 1, timeout_ms, &js_error);
  if (status == NATS_TIMEOUT) return {};
  check("fetching from the pull consumer", status, js_error);
  return take(list);
}

}  // namespace assay::facility
