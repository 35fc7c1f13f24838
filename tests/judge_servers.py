"""Real HTTP servers on loopback for the judge tests (no mocks of httpx).

- `ScoringServer`: an OpenAI-compatible server (``/v1/responses`` and ``/v1/chat/completions``)
  whose answers come from a deterministic scoring rule applied to the comment found in the
  prompt (`expected_scores`), so a test can check the whole path from prompt to table.
- `FaultServer`: the same, but the n-th request carrying a given prompt gets the n-th entry of a
  fault script: ``429`` (with Retry-After), ``500``, ``hang`` (sleeps past the client timeout),
  ``malformed`` (200 with a body that is not JSON), ``garbage`` (a valid response whose answer
  does not parse), ``empty`` (a message with no text), ``blank`` (a message of whitespace only),
  ``partial`` (no Fluency line), ``401``;
  past the script it answers normally.

Both bind 127.0.0.1 on an ephemeral port (or the `port` given), run in a daemon thread, record
every request (path, time, Authorization header) and stop in `close()`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMENT_RE = re.compile(r"Comment:\n(.*?)\n\nAnswer with", re.DOTALL)
CODE_RE = re.compile(r"```[^\n]*\n(.*?)\n```", re.DOTALL)
# the replication package's prompt (template: package)
PACKAGE_COMMENT_RE = re.compile(r"\n# Comment\n(.*?)\n\nPlease provide", re.DOTALL)
PACKAGE_CODE_RE = re.compile(r"\n# Function\n(.*?)\n\n# Comment\n", re.DOTALL)


def expected_scores(code: str, summary: str) -> tuple[int, int, int]:
    """The scoring server's rule: adequacy from identifiers of the code mentioned, conciseness
    from length, fluency from capitalisation and a final period."""
    words = re.findall(r"[A-Za-z_]\w*", summary)
    if not words:
        return 1, 1, 1
    identifiers = {w.lower() for w in re.findall(r"[A-Za-z_]\w*", code) if len(w) > 2}
    mentioned = {w.lower() for w in words} & identifiers
    adequacy = 1 + min(4, len(mentioned))
    conciseness = max(1, 5 - len(words) // 12)
    fluency = 5 if summary[:1].isupper() and summary.rstrip().endswith(".") else 3
    return adequacy, conciseness, fluency


def answer_for(prompt: str) -> str:
    comment = COMMENT_RE.search(prompt) or PACKAGE_COMMENT_RE.search(prompt)
    code = CODE_RE.search(prompt) or PACKAGE_CODE_RE.search(prompt)
    a, c, f = expected_scores(code.group(1) if code else "", comment.group(1) if comment else "")
    return f"Content adequacy: {a}\nConciseness: {c}\nFluency: {f}"


def prompt_of(body: dict) -> str:
    if "input" in body:
        value = body["input"]
        if isinstance(value, list):  # message list form
            return "".join(str(m.get("content", "")) for m in value if isinstance(m, dict))
        return str(value)
    return "".join(str(m.get("content", "")) for m in body.get("messages", []))


def response_body(path: str, model: str, text: str) -> dict:
    if path.endswith("/responses"):
        return {
            "id": "resp_test",
            "object": "response",
            "status": "completed",
            "model": model,
            "output": [
                {"type": "reasoning", "id": "rs_1", "summary": []},
                {
                    "type": "message",
                    "id": "msg_1",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                },
            ],
            "usage": {"input_tokens": 10, "output_tokens": 12, "total_tokens": 22},
        }
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 12, "total_tokens": 22},
    }


class _Server:
    def __init__(self, api_key: str | None = None, faults: list[str] | None = None, port: int = 0):
        self.api_key = api_key
        self.faults = list(faults or [])
        self.requests: list[dict] = []
        self.bodies: list[dict] = []
        self.per_prompt: dict[str, int] = {}
        self.lock = threading.Lock()
        self.hang_s = 3.0
        self.retry_after = "1"
        self.latency_s = 0.0  # added to every answer (benchmarks: a remote API's latency)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, payload: bytes, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                auth = self.headers.get("Authorization")
                with outer.lock:
                    outer.requests.append(
                        {"path": self.path, "time": time.monotonic(), "auth": auth}
                    )
                if self.path not in ("/v1/responses", "/v1/chat/completions"):
                    self._send(404, b'{"error": {"message": "no such route"}}')
                    return
                if outer.api_key is not None and auth != f"Bearer {outer.api_key}":
                    self._send(401, b'{"error": {"message": "Incorrect API key provided"}}')
                    return
                body = json.loads(raw)
                prompt = prompt_of(body)
                with outer.lock:
                    outer.bodies.append(body)
                    n = outer.per_prompt.get(prompt, 0)
                    outer.per_prompt[prompt] = n + 1
                action = outer.faults[n] if n < len(outer.faults) else "ok"
                if outer.latency_s:
                    time.sleep(outer.latency_s)
                if action == "429":
                    self._send(
                        429,
                        b'{"error": {"message": "Rate limit reached", "type": "requests"}}',
                        {"Retry-After": outer.retry_after},
                    )
                elif action == "500":
                    self._send(500, b'{"error": {"message": "internal error"}}')
                elif action == "503":
                    self._send(503, b"<html>service unavailable</html>")
                elif action == "401":
                    self._send(401, b'{"error": {"message": "Incorrect API key provided"}}')
                elif action == "hang":
                    time.sleep(outer.hang_s)
                    self._send(200, json.dumps(response_body(self.path, "m", "late")).encode())
                elif action == "malformed":
                    self._send(200, b'{"output": [ this is not json')
                elif action == "empty":  # a message item with no text (reasoning used it all)
                    payload = response_body(self.path, body.get("model", ""), "")
                    self._send(200, json.dumps(payload).encode())
                elif action == "blank":  # a message of whitespace only
                    payload = response_body(self.path, body.get("model", ""), " \n\n ")
                    self._send(200, json.dumps(payload).encode())
                elif action == "partial":  # fluency missing
                    text = "\n".join(answer_for(prompt).split("\n")[:2])
                    payload = response_body(self.path, body.get("model", ""), text)
                    self._send(200, json.dumps(payload).encode())
                elif action == "garbage":
                    payload = response_body(self.path, body.get("model", ""), "I think it is fine.")
                    self._send(200, json.dumps(payload).encode())
                else:
                    payload = response_body(self.path, body.get("model", ""), answer_for(prompt))
                    self._send(200, json.dumps(payload).encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class ScoringServer(_Server):
    def __init__(self, api_key: str | None = None, port: int = 0):
        super().__init__(api_key=api_key, port=port)


class FaultServer(_Server):
    def __init__(self, faults: list[str], api_key: str | None = None):
        super().__init__(api_key=api_key, faults=faults)
