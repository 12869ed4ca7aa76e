#include <utility>  // before Asio (GCC 12, C++20)

#include "assay/web/http_server.hpp"

#include <spdlog/spdlog.h>

namespace assay::web {

struct HttpServer::Impl {
  Impl(boost::asio::io_context& io, HttpListen config) : io(io), config(std::move(config)), acceptor(io) {}

  void accept();

  boost::asio::io_context& io;
  HttpListen config;
  tcp::acceptor acceptor;
  std::shared_ptr<WebContext> context = std::make_shared<WebContext>();
};

HttpServer::HttpServer(boost::asio::io_context& io, HttpListen listen, WebResponder& responder,
                       std::string server_name, WebUpgrade upgrade)
    : impl_(std::make_unique<Impl>(io, std::move(listen))) {
  impl_->context->responder = &responder;
  impl_->context->server_name = std::move(server_name);
  impl_->context->upgrade = std::move(upgrade);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
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
                             "; set " + impl_->config.config_key + " to a free HOST:PORT");
  }
  impl_->accept();
}

void HttpServer::Impl::accept() {
  acceptor.async_accept([this, context = context](boost::system::error_code error, tcp::socket socket) {
    if (error == boost::asio::error::operation_aborted || !context->responder) return;
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

void HttpServer::stop() {
  if (!impl_->context->responder) return;
  impl_->context->responder = nullptr;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  const auto connections = impl_->context->connections;  // close() may erase from the set
  for (auto* connection : connections) connection->close();
}

std::string HttpServer::url() const {
  boost::system::error_code error;
  const auto endpoint = impl_->acceptor.local_endpoint(error);
  if (error) return {};
  const auto address = endpoint.address();
  const auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return "http://" + host + ":" + std::to_string(endpoint.port()) + "/";
}

std::size_t HttpServer::connection_count() const { return impl_->context->connections.size(); }

const std::shared_ptr<WebContext>& HttpServer::context() const { return impl_->context; }

}  // namespace assay::web
