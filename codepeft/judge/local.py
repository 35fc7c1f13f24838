"""A local judge: any causal LM from a directory, run with transformers.

The prompt is wrapped in the tokenizer's chat template when it has one (one user message,
generation prompt added), else used as plain text. Decoding: greedy when ``temperature`` is 0 or
null, else sampling with a seed derived from the run's cache key, so run i of an instance is
reproducible and different runs are independent samples. Calls are serialised (one model, one
device); the runner's thread pool still overlaps cache look-ups and bookkeeping.

A prompt longer than the model's context (minus ``max_tokens``) is not truncated (that would cut
the rubric or the code): the request fails with the reason and the run is recorded as missing.

The cache identity is the resolved path plus a cheap fingerprint of the weights (name, size and a
hash of the first and last MiB of each weight file, and config.json), so rebuilding the model at
the same path invalidates its cached answers.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from .base import Backend, BackendError, Completion

log = logging.getLogger(__name__)
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")


def model_fingerprint(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    for file in sorted(path.rglob("*")):
        if not file.is_file():
            continue
        if file.name != "config.json" and not file.name.endswith(WEIGHT_SUFFIXES):
            continue
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path)}:{size}".encode())
        with open(file, "rb") as handle:
            digest.update(handle.read(chunk))
            if size > 2 * chunk:
                handle.seek(size - chunk)
                digest.update(handle.read(chunk))
    return digest.hexdigest()[:16]


class LocalBackend(Backend):
    kind = "local"
    max_parallel = 1

    def __init__(
        self,
        model_path: str,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = 32,
        device: str = "auto",
        dtype: str = "auto",
        trust_remote_code: bool = False,
    ):
        path = Path(model_path)
        if not path.is_dir():
            raise FileNotFoundError(f"local judge model directory not found: {model_path}")
        self.path = path.resolve()
        self.model = str(model_path)
        self.temperature = temperature
        self.top_p = top_p
        self.max_tokens = int(max_tokens or 32)
        self.deterministic = not temperature
        self.fingerprint = model_fingerprint(self.path)
        self._lock = threading.Lock()

        # lazy: torch/transformers take seconds; only the local judge backend needs them
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        torch_dtype = getattr(torch, dtype) if dtype != "auto" else "auto"
        self.tokenizer = AutoTokenizer.from_pretrained(
            self.path, trust_remote_code=trust_remote_code
        )
        self.lm = AutoModelForCausalLM.from_pretrained(
            self.path, dtype=torch_dtype, trust_remote_code=trust_remote_code
        ).to(device)
        self.lm.eval()
        self.context = int(
            getattr(self.lm.config, "max_position_embeddings", 0)
            or getattr(self.tokenizer, "model_max_length", 0)
            or 2048
        )
        log.info(
            "local judge %s on %s (context %d, fingerprint %s)",
            self.path,
            device,
            self.context,
            self.fingerprint,
        )

    def identity(self) -> dict:
        return {"kind": self.kind, "path": str(self.path), "fingerprint": self.fingerprint}

    def decoding(self) -> dict:
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
        }

    def _encode(self, prompt: str):
        if getattr(self.tokenizer, "chat_template", None):
            ids = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}],
                add_generation_prompt=True,
                tokenize=True,
                return_dict=False,
            )
            if hasattr(ids, "keys"):  # some versions return a BatchEncoding regardless
                ids = ids["input_ids"]
        else:
            ids = self.tokenizer(prompt)["input_ids"]
        if ids and isinstance(ids[0], list):
            ids = ids[0]
        return list(ids)

    def complete(self, prompt: str, seed: int) -> Completion:
        # lazy: torch takes seconds; only the local judge backend needs it
        import torch

        ids = self._encode(prompt)
        if len(ids) + self.max_tokens > self.context:
            raise BackendError(
                f"prompt too long for the local model: {len(ids)} tokens + {self.max_tokens} "
                f"new > context {self.context}",
                environment=False,  # this item's prompt: a row in every mode
            )
        sample = bool(self.temperature)
        kwargs = {"max_new_tokens": self.max_tokens, "do_sample": sample}
        if sample:
            kwargs["temperature"] = float(self.temperature)
            if self.top_p is not None:
                kwargs["top_p"] = float(self.top_p)
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        with self._lock:
            try:
                if sample:
                    torch.manual_seed(seed)
                input_ids = torch.tensor([ids], device=self.device)
                with torch.no_grad():
                    out = self.lm.generate(
                        input_ids=input_ids,
                        attention_mask=torch.ones_like(input_ids),
                        pad_token_id=pad,
                        **kwargs,
                    )
            except RuntimeError as err:  # e.g. out of memory: not worth retrying blindly
                raise BackendError(f"local generation failed: {err}") from None
        new = out[0, len(ids) :].tolist()
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        finish = "length" if len(new) >= self.max_tokens else "stop"
        return Completion(
            text=text,
            usage={"prompt_tokens": len(ids), "completion_tokens": len(new)},
            finish=finish,
        )
