"""`codepeft push`: upload chosen trained models to the Hugging Face Hub, each with its card.

Examples:

    # what would be uploaded (files, sizes, the card), without a token or a network call
    codepeft push --model results/models/tiny/mt_qlora/seed-42/multi --repo-id me/tiny-mt-qlora --dry-run

    # two models, private repositories (the token only from HF_TOKEN)
    HF_TOKEN=hf_... codepeft push --private \\
        --model results/models/qwen2.5-coder-0.5b/mt_qlora/multi --repo-id me/coder-0.5b-mt-qlora \\
        --model results/models/qwen2.5-coder-0.5b/mt_fft/multi --repo-id me/coder-0.5b-mt-fft

A model folder is uploaded as it is (adapter or full weights, tokenizer, chat template,
``codepeft_training.json``), without Snakemake's ``.snakemake_timestamp``, with the study's
model card as ``README.md``: the folder's own README when it is a codepeft card (rule
``model_cards`` installs it), else ``results/cards/{model}/{method}/seed-{seed}/{scope}/README.md`` beside
``results/models``; a folder without a card is refused (run ``snakemake results/cards/...``
first). The token is read from the environment variable ``HF_TOKEN`` only, never from a file
or an argument.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from codepeft import paths
from codepeft.cards import CARD_TAG, front_matter
from codepeft.logs import setup_logging

TOKEN_VARIABLE = "HF_TOKEN"
#: never uploaded: Snakemake's marker of a finished directory output, unfinished saves
SKIPPED = (".snakemake_timestamp",)


class PushError(RuntimeError):
    """A model that cannot be pushed (no card, not a model folder, no token)."""


@dataclass
class Upload:
    """One model folder and what goes to its Hub repository."""

    model_dir: Path
    repo_id: str
    card: Path
    files: list[tuple[str, Path]]  # (path in the repository, local file)


def is_card(path: Path) -> bool:
    """Whether `path` is a codepeft model card (front matter tagged CARD_TAG)."""
    if not path.is_file():
        return False
    tags = front_matter(path.read_text(encoding="utf-8")).get("tags") or []
    return CARD_TAG in tags


def card_of(model_dir: Path) -> Path:
    """The card of a model folder: its README.md when it is a codepeft card, else the card
    the workflow wrote under results/cards for the same model/method/seed/scope."""
    own = model_dir / paths.MODEL_CARD_NAME
    if is_card(own):
        return own
    match = paths.regex(paths.MODEL_DIR).search(model_dir.as_posix().rstrip("/"))
    if match:
        root = Path(model_dir.as_posix()[: match.start()] or ".")
        beside = root / paths.fill(paths.MODEL_CARD, **match.groupdict())
        if is_card(beside):
            return beside
    raise PushError(
        f"{model_dir}: no model card (neither its README.md nor results/cards/...): "
        "run `snakemake results/cards/<model>/<method>/seed-<seed>/<scope>/README.md` first"
    )


def plan_upload(model_dir: str | os.PathLike, repo_id: str) -> Upload:
    """What pushing `model_dir` to `repo_id` uploads (nothing is sent)."""
    folder = Path(model_dir)
    if not (folder / paths.TRAINING_RECORD).is_file():
        raise PushError(f"{folder}: not a trained model folder (no {paths.TRAINING_RECORD})")
    card = card_of(folder)
    files = [("README.md", card)]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel in SKIPPED or rel == paths.MODEL_CARD_NAME or rel.endswith(".partial"):
            continue
        files.append((rel, path))
    return Upload(folder, repo_id, card, files)


def describe(upload: Upload) -> str:
    """The dry run's listing: repository, files with sizes, then the card."""
    lines = [f"{upload.model_dir} -> https://huggingface.co/{upload.repo_id}"]
    for in_repo, local in upload.files:
        lines.append(f"  {in_repo}  ({local.stat().st_size} bytes, from {local})")
    lines += ["", f"--- model card ({upload.card}) ---", upload.card.read_text(encoding="utf-8")]
    return "\n".join(lines)


def push(upload: Upload, token: str, private: bool = False, message: str | None = None) -> str:
    """Create the repository (if needed) and upload the files in one commit; its URL."""
    from huggingface_hub import CommitOperationAdd, HfApi  # lazy: only a real push needs it

    api = HfApi(token=token)
    api.create_repo(upload.repo_id, private=private, exist_ok=True, repo_type="model")
    operations = [
        CommitOperationAdd(path_in_repo=in_repo, path_or_fileobj=str(local))
        for in_repo, local in upload.files
    ]
    info = api.create_commit(
        upload.repo_id,
        operations,
        commit_message=message or f"codepeft: upload {upload.model_dir}",
        repo_type="model",
    )
    return str(info.commit_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="codepeft push",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--model",
        action="append",
        required=True,
        help="a trained model folder (results/models/<model>/<method>/seed-<seed>/<scope>); repeatable",
    )
    parser.add_argument(
        "--repo-id",
        action="append",
        required=True,
        help="its Hub repository (<user or org>/<name>), one per --model, in the same order",
    )
    parser.add_argument("--private", action="store_true", help="create private repositories")
    parser.add_argument("--message", default=None, help="commit message")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be uploaded and the card; send nothing",
    )
    args = parser.parse_args(argv)
    setup_logging()
    if len(args.model) != len(args.repo_id):
        parser.error("give one --repo-id per --model")
    try:
        uploads = [plan_upload(m, r) for m, r in zip(args.model, args.repo_id, strict=True)]
    except PushError as err:
        print(f"codepeft push: {err}", file=sys.stderr)
        return 2
    if args.dry_run:
        for upload in uploads:
            print(describe(upload))
        return 0
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        print(
            f"codepeft push: set {TOKEN_VARIABLE} to a Hub token with write access", file=sys.stderr
        )
        return 2
    for upload in uploads:
        print(push(upload, token, private=args.private, message=args.message))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
