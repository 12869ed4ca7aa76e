#include <utility>

#include "web_server.hpp"

#include <spdlog/spdlog.h>

#include "web_session.hpp"

namespace assay::daemon {

struct WebServer::Impl {
  Impl(boost::asio::io_context& io, const WebConfig& config) : io(io), config(config), acceptor(io) {}

  void accept();

  boost::asio::io_context& io;
  WebConfig config;
  tcp::acceptor acceptor;
  std::shared_ptr<WebContext> context = std::make_shared<WebContext>();
};

WebServer::WebServer(boost::asio::io_context& io, const WebConfig& config, WebRoutes& routes, WebEventLog log)
    : impl_(std::make_unique<Impl>(io, config)) {
  impl_->context->routes = &routes;
  impl_->context->log = std::move(log);
}

WebServer::~WebServer() { stop(); }

void WebServer::start() {
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(impl_->config.host, error);
  tcp::endpoint endpoint(address, impl_->config.port);
  auto& acceptor = impl_->acceptor;
  if (!error) acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(boost::asio::socket_base::max_listen_connections, error);
  if (error) {
    acceptor.close(error);
    throw std::runtime_error("web: cannot listen on " + impl_->config.host + ":" +
                             std::to_string(impl_->config.port) + ": " + error.message() +
                             "; set [web] listen to a free HOST:PORT, or enabled = false");
  }
  impl_->accept();
}

void WebServer::Impl::accept() {
  acceptor.async_accept([this, context = context](boost::system::error_code error, tcp::socket socket) {
    if (error == boost::asio::error::operation_aborted || !context->routes) return;
    if (!error) {
      auto session = std::make_shared<HttpSession>(std::move(socket), context);
      if (context->connections.size() > static_cast<std::size_t>(config.max_connections)) {
        session->refuse_busy();
      } else {
        session->start();
      }
    } else {
      spdlog::warn("web: accept failed: {}", error.message());  // e.g. out of file descriptors
    }
    accept();
  });
}

void WebServer::stop() {
  if (!impl_->context->routes) return;
  impl_->context->routes = nullptr;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  const auto connections = impl_->context->connections;  // close() may erase from the set
  for (auto* connection : connections) connection->close();
}

std::string WebServer::url() const {
  boost::system::error_code error;
  const auto endpoint = impl_->acceptor.local_endpoint(error);
  if (error) return {};
  const auto address = endpoint.address();
  const auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return "http://" + host + ":" + std::to_string(endpoint.port()) + "/";
}

void WebServer::publish(const StoredEvent& event) {
  if (impl_->context->streams.empty()) return;
  const auto streams = impl_->context->streams;  // a failed delivery may close (and erase) one
  for (auto* stream : streams) stream->deliver(event.seq, event.text);
}

void WebServer::heartbeat(const nlohmann::json& body) {
  const auto text = std::make_shared<const std::string>(
      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  const auto streams = impl_->context->streams;
  for (auto* stream : streams) stream->deliver_heartbeat(text);
}

std::size_t WebServer::connection_count() const { return impl_->context->connections.size(); }

}  // namespace assay::daemon
