#!/usr/bin/env python3
"""Time to first event added by Switchyard on loopback.

Starts a streaming OpenAI-compatible stub (answers at once: headers, then one content chunk every 20 ms),
then measures for N sequential streamed requests
  direct:  time from sending the request to the stub until its first content chunk arrives
  proxied: time from sending a Messages request to Switchyard until the first content_block_delta arrives
and prints medians, p90 and the difference. Loopback only; starts and stops only what it started.

  bench/loopback_ttfe.py build/bin/switchyard [N]
"""
import json, os, socket, socketserver, statistics, subprocess, sys, threading, time

CHUNK = json.dumps({"object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {"content": "hello"}, "finish_reason": None}]})
DONE = json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})


class Stub(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request.makefile("rb")
        try:
            while True:
                length = 0
                while True:
                    line = conn.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                conn.read(length)
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                     b"Transfer-Encoding: chunked\r\n\r\n")
                for i, data in enumerate([CHUNK, CHUNK, DONE, "[DONE]"]):
                    if i:
                        time.sleep(0.02)
                    event = f"data: {data}\n\n".encode()
                    self.request.sendall(b"%x\r\n%s\r\n" % (len(event), event))
                self.request.sendall(b"0\r\n\r\n")
        except OSError:
            pass


def first_marker(port, path, body, marker):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
        start = time.perf_counter()
        s.sendall(request)
        buffer = b""
        while marker not in buffer:
            data = s.recv(65536)
            if not data:
                raise RuntimeError(f"no {marker!r} in response: {buffer[:300]!r}")
            buffer += data
        return (time.perf_counter() - start) * 1000


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    socketserver.ThreadingTCPServer.daemon_threads = True
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stub_port = server.server_address[1]
    proxy = subprocess.Popen([binary, "--headless", "--listen", "127.0.0.1:0", "--upstream",
                              f"http://127.0.0.1:{stub_port}/v1"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=dict(os.environ, XDG_STATE_HOME="/tmp/switchyard-bench"))
    proxy_port = int(proxy.stdout.readline().decode().rsplit(":", 1)[1])
    chat = json.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
    messages = json.dumps({"model": "m", "stream": True, "max_tokens": 16,
                           "messages": [{"role": "user", "content": "hi"}]}).encode()
    direct, proxied = [], []
    try:
        for i in range(n + 10):  # the first 10 of each warm up
            d = first_marker(stub_port, "/v1/chat/completions", chat, b"hello")
            p = first_marker(proxy_port, "/v1/messages", messages, b"content_block_delta")
            if i >= 10:
                direct.append(d)
                proxied.append(p)
    finally:
        proxy.terminate()
        proxy.wait()
        server.shutdown()
    q = lambda xs, f: sorted(xs)[int(f * (len(xs) - 1))]
    print(f"requests: {n} sequential, alternating direct/proxied")
    print(f"direct   first content chunk: median {statistics.median(direct):.3f} ms, p90 {q(direct, .9):.3f} ms")
    print(f"proxied  first text delta:    median {statistics.median(proxied):.3f} ms, p90 {q(proxied, .9):.3f} ms")
    print(f"added by the proxy (median):  {statistics.median(proxied) - statistics.median(direct):.3f} ms")


main()
