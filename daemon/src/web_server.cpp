#include "web_server.hpp"

#include <utility>

namespace assay::daemon {

WebServer::WebServer(boost::asio::io_context& io, const WebConfig& config, WebRoutes& routes, WebEventLog log)
    : streams_(std::make_shared<EventStreams>(EventStreams{std::move(log), {}, false})),
      server_(io, web::HttpListen{config.host, config.port, config.max_connections, "[web] listen"}, routes,
              "assayd/" ASSAY_VERSION,
              [this](beast::tcp_stream stream, http::request<http::string_body> request, std::int64_t since) {
                auto events = std::make_shared<EventStream>(std::move(stream), server_.context(), streams_, since);
                events->start(std::move(request));
              }) {}

WebServer::~WebServer() { stop(); }

void WebServer::start() { server_.start(); }

void WebServer::stop() {
  streams_->stopped = true;
  server_.stop();
}

std::string WebServer::url() const { return server_.url(); }

void WebServer::publish(const StoredEvent& event) {
  if (streams_->open.empty()) return;
  const auto open = streams_->open;  // a failed delivery may close (and erase) one
  for (auto* stream : open) stream->deliver(event.seq, event.text);
}

void WebServer::heartbeat(const nlohmann::json& body) {
  const auto text = std::make_shared<const std::string>(
      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  const auto open = streams_->open;
  for (auto* stream : open) stream->deliver_heartbeat(text);
}

std::size_t WebServer::connection_count() const { return server_.connection_count(); }

}  // namespace assay::daemon
