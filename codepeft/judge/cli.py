"""`codepeft judge`: rate code summaries with an LLM judge (the paper's three-criterion rubric).

Judge any JSONL file of pairs (one object per line with ``id``, ``code``, ``summary`` and
optionally ``language``) and write a per-instance TSV (mean and mode per criterion, n_valid,
status, missing) plus ``<out>.summary.json`` (backend, template hash, request counts)::

    # any OpenAI-compatible server; the key is read from $OPENAI_API_KEY (never from a flag);
    # unset, the command stops before any request (exit 2), as the workflow's judge rule does
    codepeft judge --pairs pairs.jsonl --out table.tsv \\
        --backend openai --base-url https://api.openai.com/v1 --model gpt-5-mini --runs 5

    # a local vLLM server, Chat Completions endpoint, no key, at most 200 requests
    codepeft judge --pairs pairs.jsonl --out table.tsv --backend openai \\
        --base-url http://127.0.0.1:8000/v1 --endpoint chat_completions \\
        --model Qwen/Qwen2.5-7B-Instruct --api-key-env '' --max-requests 200

    # a causal LM from a directory (transformers), sampling so that runs differ
    codepeft judge --pairs pairs.jsonl --out table.tsv --backend local \\
        --model results/base/tiny --temperature 0.7 --max-tokens 24

    # a study's prediction file joined with its test data by id
    codepeft judge --predictions results/predictions/tiny/mt_qlora/seed-42/summarization/python.jsonl \\
        --test-data results/data/summarization/python/test.jsonl --out python.tsv

Answers are cached under --cache-dir (default results/judge_cache): rerunning the same command
makes no request. Exit status 0 when the table was written (even with missing instances: see its
``status`` column), 2 on a usage error, 3 when a request still fails after its retries (the
endpoint unreachable, an error status: an environment failure; the answers obtained so far are
cached, so rerunning the command asks only for the rest). ``--environment-failures record``
writes those runs as missing instead (the table's ``not computed`` rows).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import yaml

from codepeft.config import schema_defaults
from codepeft.failures import MODES, OPTION
from codepeft.logs import setup_logging

from .pipeline import judge_pairs_file, judge_predictions


def build_parser() -> argparse.ArgumentParser:
    defaults = schema_defaults("judge")
    p = argparse.ArgumentParser(
        prog="codepeft judge",
        description=__doc__.split("\n\n")[0],
        epilog="Example commands: see `python -m codepeft.judge.cli --help` or docs/judge.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pairs", help="JSONL with id, code, summary (language optional)")
    src.add_argument("--predictions", help="a predictions JSONL (needs --test-data)")
    p.add_argument("--test-data", help="the task's test JSONL (inputs.code), joined by id")
    p.add_argument("--out", required=True, help="output TSV")
    p.add_argument("--summary", help="summary JSON (default: <out without .tsv>.summary.json)")
    p.add_argument("--config", help="a YAML/JSON file with judge settings (the config section)")
    p.add_argument("--backend", choices=["openai", "local"])
    p.add_argument("--base-url", help="OpenAI-compatible base URL, e.g. http://host:8000/v1")
    p.add_argument("--endpoint", choices=["responses", "chat_completions"])
    p.add_argument("--model", help="model name (openai) or model directory (local)")
    p.add_argument(
        "--api-key-env",
        help="NAME of the environment variable holding the API key ('' for none); "
        f"default {defaults['api_key_env']}",
    )
    p.add_argument("--template", help="prompt template file with {code} and {summary}")
    p.add_argument("--language", default="", help="language for {language} (pairs without one)")
    p.add_argument("--runs", type=int, help=f"runs per instance (default {defaults['runs']})")
    p.add_argument("--parse-retries", type=int)
    p.add_argument("--min-valid-runs", type=int)
    p.add_argument("--concurrency", type=int)
    p.add_argument("--max-requests", type=int, help="cap on requests sent by this invocation")
    p.add_argument("--timeout", dest="timeout_s", type=float, help="seconds per request")
    p.add_argument("--max-retries", type=int)
    p.add_argument("--backoff-base", dest="backoff_base_s", type=float)
    p.add_argument("--backoff-max", dest="backoff_max_s", type=float)
    p.add_argument("--temperature", type=float)
    p.add_argument("--top-p", type=float)
    p.add_argument("--max-tokens", type=int)
    p.add_argument("--extra-body", help="JSON object merged into each request body")
    p.add_argument("--device", help="local backend: cpu, cuda, auto")
    p.add_argument("--cache-dir", help=f"default {defaults['cache_dir']}")
    p.add_argument(
        "--environment-failures",
        choices=MODES,
        help="a request failing after its retries: fail (default; exit status 3) or record "
        "the run as missing (default: the --config file's environment_failures, else fail)",
    )
    p.add_argument("--log", help="log file (default: stderr)")
    return p


OVERRIDES = [
    "backend",
    "base_url",
    "endpoint",
    "model",
    "api_key_env",
    "template",
    "runs",
    "parse_retries",
    "min_valid_runs",
    "concurrency",
    "max_requests",
    "timeout_s",
    "max_retries",
    "backoff_base_s",
    "backoff_max_s",
    "temperature",
    "top_p",
    "max_tokens",
    "device",
    "cache_dir",
]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = setup_logging(args.log)
    try:
        return _run(parser, args)
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    cfg: dict = {}
    mode_kw = {}
    if args.config:
        loaded = yaml.safe_load(Path(args.config).read_text()) or {}
        cfg.update(loaded.get("judge", loaded))
        if "judge" in loaded and OPTION in loaded:  # a whole study config
            mode_kw[OPTION] = loaded[OPTION]
    if args.environment_failures:
        mode_kw[OPTION] = args.environment_failures
    for name in OVERRIDES:
        value = getattr(args, name)
        if value is not None:
            cfg[name] = value
    if cfg.get("api_key_env") == "":
        cfg["api_key_env"] = None
    if args.extra_body:
        cfg["extra_body"] = json.loads(args.extra_body)
    out = Path(args.out)
    summary = args.summary or str(out.with_suffix("")) + ".summary.json"
    try:
        if args.pairs:
            result = judge_pairs_file(
                args.pairs, out, cfg, summary, language=args.language, **mode_kw
            )
        else:
            if not args.test_data:
                parser.error("--predictions needs --test-data")
            result = judge_predictions(
                args.predictions, args.test_data, out, summary, cfg, **mode_kw
            )
    except (ValueError, FileNotFoundError) as err:
        print(f"codepeft judge: {err}", file=sys.stderr)
        return 2
    req = result["requests"]
    print(
        f"{out}: {result['instances']['ok']}/{result['instances']['total']} instances ok; "
        f"requests made {req['made']}, cached {req['cached']}, failed {req['failed']}"
        + ("; request cap reached" if req["cap_reached"] else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
