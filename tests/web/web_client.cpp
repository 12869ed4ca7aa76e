#include "web/web_client.hpp"

#include <algorithm>
#include <stdexcept>

namespace assay::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

unsigned short port_of(const std::string& url) {
  const auto colon = url.rfind(':');
  return static_cast<unsigned short>(std::stoi(url.substr(colon + 1)));
}

HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers, const std::string& body) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == "POST") {
    request.body() = body;
    request.prepare_payload();
  }
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 << 20);
  http::read(stream, buffer, parser);
  HttpReply reply;
  reply.status = parser.get().result_int();
  for (const auto& field : parser.get()) reply.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  reply.body = parser.get().body();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

std::string raw_exchange(unsigned short port, const std::string& bytes, std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  boost::asio::write(socket, boost::asio::buffer(bytes));
  std::string answer;
  std::array<char, 4096> chunk{};
  std::function<void()> read = [&] {
    socket.async_read_some(boost::asio::buffer(chunk), [&](boost::system::error_code error, std::size_t n) {
      answer.append(chunk.data(), n);
      if (!error) read();
    });
  };
  read();
  io.run_for(timeout);
  return answer;
}

WebSocketClient::WebSocketClient(unsigned short port, const std::string& target, const std::string& origin)
    : ws_(io_) {
  beast::get_lowest_layer(ws_).connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  if (!origin.empty()) {
    ws_.set_option(websocket::stream_base::decorator(
        [origin](websocket::request_type& request) { request.set(http::field::origin, origin); }));
  }
  ws_.read_message_max(64 << 20);
  ws_.handshake("127.0.0.1:" + std::to_string(port), target);
  open_ = true;
}

WebSocketClient::~WebSocketClient() { close(); }

void WebSocketClient::close() {
  if (!open_) return;
  open_ = false;
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close();
}

void WebSocketClient::send(const std::string& text) {
  ws_.text(true);
  ws_.write(boost::asio::buffer(text));
}

std::optional<std::string> WebSocketClient::next(std::chrono::milliseconds timeout) {
  if (!open_) return std::nullopt;
  std::optional<std::string> message;
  bool done = false;
  ws_.async_read(buffer_, [&](beast::error_code error, std::size_t) {
    done = true;
    if (error) return;
    message = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
  });
  io_.restart();
  io_.run_for(timeout);
  if (!done) {
    close();
    io_.restart();
    io_.run();
  }
  if (!message) open_ = false;
  return message;
}

EventClient::EventClient(unsigned short port, std::int64_t since, const std::string& origin)
    : socket_(port, since < 0 ? "/events" : "/events?since=" + std::to_string(since), origin) {}

std::optional<nlohmann::json> EventClient::next(std::chrono::milliseconds timeout) {
  auto text = socket_.next(timeout);
  if (!text) return std::nullopt;
  return nlohmann::json::parse(*text);
}

std::optional<nlohmann::json> EventClient::next_event(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto message = next(left);
    if (!message) return std::nullopt;
    const auto topic = (*message)["topic"].get<std::string>();
    if (topic != "heartbeat" && topic.rfind("web.", 0) != 0) return message;
  }
}

}  // namespace assay::testing
