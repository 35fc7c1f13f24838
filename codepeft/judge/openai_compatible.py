"""Any OpenAI-compatible HTTP API (OpenAI, vLLM, llama.cpp, LiteLLM, ...) through httpx.

Two endpoints:
- ``responses``: ``POST {base_url}/responses`` with ``input`` = the prompt (the paper used
  GPT-5-mini through the Responses API); the answer is the concatenated ``output_text`` parts of
  the ``message`` items in ``output``.
- ``chat_completions``: ``POST {base_url}/chat/completions`` with one user message; the answer is
  ``choices[0].message.content``.

The API key is read ONLY from the environment variable whose *name* is configured
(``api_key_env``, default ``OPENAI_API_KEY``); it is sent in the ``Authorization`` header and
nowhere else, and any error text is scrubbed of it before it leaves this module. With the
variable unset (or ``api_key_env: null``) no ``Authorization`` header is sent (a local vLLM
server needs none).

Decoding: ``temperature``, ``top_p`` and ``max_tokens`` (sent as ``max_output_tokens`` /
``max_completion_tokens``); a value of null is not sent at all (GPT-5-mini rejects a
temperature). ``verbosity`` (Responses only) is sent as ``text: {"verbosity": ...}``; the
paper's call was ``responses.create(model, input=prompt, text={"verbosity": "low"},
max_output_tokens=1024)`` with nothing else (``evaluate_summarization_llm_judge.py:69-74``). ``extra_body`` is merged into the request body last (e.g. ``{"reasoning":
{"effort": "low"}}``); a null there removes a default field (``store``).
"""

from __future__ import annotations

import email.utils
import logging
import os
import time

import httpx

from .base import Backend, BackendError, Completion

ENDPOINTS = {"responses": "/responses", "chat_completions": "/chat/completions"}
RETRYABLE_STATUS = {408, 409, 429}  # plus every 5xx
ABORT_STATUS = {401, 403, 404}  # will fail the same way for every request

log = logging.getLogger(__name__)
# httpx logs every request at INFO; keep the log to our own lines (URLs only, never headers).
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)


def parse_retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def extract_responses_text(data: dict) -> tuple[str | None, str]:
    """Answer text and status of a Responses API object."""
    parts: list[str] = []
    for item in data.get("output") or []:
        if not isinstance(item, dict) or item.get("type") != "message":
            continue
        for content in item.get("content") or []:
            if isinstance(content, dict) and content.get("type") in ("output_text", "text"):
                parts.append(str(content.get("text") or ""))
    if not parts and isinstance(data.get("output_text"), str):
        parts.append(data["output_text"])
    status = str(data.get("status") or "")
    details = data.get("incomplete_details") or {}
    if isinstance(details, dict) and details.get("reason"):
        status = f"{status}: {details['reason']}"
    if "output" not in data and "output_text" not in data:
        raise ValueError("no 'output' in the response object")
    return ("".join(parts) if parts else None), status


def extract_chat_text(data: dict) -> tuple[str | None, str]:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise ValueError("no 'choices' in the response object")
    choice = choices[0]
    message = choice.get("message") or {}
    content = message.get("content")
    if isinstance(content, list):  # some servers return content parts
        content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return content, str(choice.get("finish_reason") or "")


class OpenAICompatibleBackend(Backend):
    kind = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        endpoint: str = "responses",
        api_key_env: str | None = "OPENAI_API_KEY",
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        extra_body: dict | None = None,
        timeout_s: float = 60.0,
        verbosity: str | None = None,
        max_connections: int = 8,
    ):
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {sorted(ENDPOINTS)}, not {endpoint!r}")
        if not base_url:
            raise ValueError("the openai backend needs a base_url")
        if not model:
            raise ValueError("the openai backend needs a model name")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.endpoint = endpoint
        self.api_key_env = api_key_env
        self.temperature = temperature
        self.top_p = top_p
        self.max_tokens = max_tokens
        if verbosity is not None and endpoint != "responses":
            raise ValueError("verbosity is a Responses API setting (endpoint: responses)")
        self.verbosity = verbosity
        self.extra_body = dict(extra_body or {})
        self.timeout_s = timeout_s
        key = os.environ.get(api_key_env) if api_key_env else None
        self._secret = key or None
        headers = {"Content-Type": "application/json"}
        if self._secret:
            headers["Authorization"] = f"Bearer {self._secret}"
        elif api_key_env:
            log.warning(
                "environment variable %s is not set: sending requests without an API key",
                api_key_env,
            )
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )
        self.url = self.base_url + ENDPOINTS[endpoint]

    def identity(self) -> dict:
        return {"kind": self.kind, "endpoint": self.endpoint, "base_url": self.base_url}

    def decoding(self) -> dict:
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "extra_body": self.extra_body,
            **({"verbosity": self.verbosity} if self.verbosity is not None else {}),
        }

    def describe(self) -> dict:
        return {
            **self.identity(),
            "model": self.model,
            "api_key_env": self.api_key_env,
            "api_key_set": bool(self._secret),
            "timeout_s": self.timeout_s,
        }

    def redact(self, text: str) -> str:
        if self._secret and self._secret in text:
            text = text.replace(self._secret, "[REDACTED]")
        return text

    def body(self, prompt: str) -> dict:
        if self.endpoint == "responses":
            body = {
                "model": self.model,
                "input": prompt,
                "store": False,
                "temperature": self.temperature,
                "top_p": self.top_p,
                "max_output_tokens": self.max_tokens,
                "text": {"verbosity": self.verbosity} if self.verbosity is not None else None,
            }
        else:
            body = {
                "model": self.model,
                "messages": [{"role": "user", "content": prompt}],
                "temperature": self.temperature,
                "top_p": self.top_p,
                "max_completion_tokens": self.max_tokens,
            }
        body.update(self.extra_body)
        return {k: v for k, v in body.items() if v is not None}

    def complete(self, prompt: str, seed: int) -> Completion:
        # `seed` is not sent: the paper's runs are independent samples; add {"seed": ...} to
        # extra_body for a server that supports it.
        try:
            response = self._client.post(self.url, json=self.body(prompt))
        except httpx.TimeoutException as err:
            raise BackendError(
                f"timeout after {self.timeout_s:g} s ({type(err).__name__})", retryable=True
            ) from None
        except httpx.TransportError as err:
            raise BackendError(
                self.redact(f"transport error: {type(err).__name__}: {err}"), retryable=True
            ) from None
        status = response.status_code
        if status != 200:
            message = self.redact(_error_message(response))
            reason = f"HTTP {status}: {message}" if message else f"HTTP {status}"
            if status in RETRYABLE_STATUS or status >= 500:
                raise BackendError(
                    reason, retryable=True, retry_after=parse_retry_after(response.headers)
                )
            raise BackendError(reason, abort_all=status in ABORT_STATUS)
        try:
            data = response.json()
            if not isinstance(data, dict):
                raise ValueError("response body is not a JSON object")
            if self.endpoint == "responses":
                text, finish = extract_responses_text(data)
            else:
                text, finish = extract_chat_text(data)
        except ValueError as err:  # JSONDecodeError is a ValueError
            raise BackendError(
                self.redact(f"malformed response body: {err}"), retryable=True
            ) from None
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Completion(text=text, usage=usage, finish=finish)

    def close(self) -> None:
        self._client.close()


def _error_message(response: httpx.Response, limit: int = 300) -> str:
    try:
        data = response.json()
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            text = str(error.get("message") or error)
        elif error:
            text = str(error)
        else:
            text = str(data.get("message") or data.get("detail") or data)
    except ValueError:
        text = response.text
    text = " ".join(text.split())
    return text[:limit]
