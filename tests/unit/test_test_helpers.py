"""The tests' own helpers (tests/conftest.py), where a mistake costs CI time or disk."""

from __future__ import annotations

from tests import conftest


def test_copy_checkout_links_every_environment_and_copies_only_the_project(tmp_path, monkeypatch):
    """Environments (.venv, .tools, .venv-* such as the 3 GB .venv-vllm) are linked, never copied:
    each workflow test copies the checkout, and copied side venvs once filled CI's disk."""
    repo = tmp_path / "checkout"
    for name in (".venv", ".venv-vllm", ".tools", "results", "logs", "codepeft/__pycache__"):
        (repo / name).mkdir(parents=True)
        (repo / name / "big.bin").write_text("x")
    (repo / "codepeft" / "study.py").write_text("pass\n")
    (repo / "Snakefile").write_text("")
    monkeypatch.setattr(conftest, "REPO", repo)

    linked = conftest.copy_checkout(tmp_path / "copy")
    assert sorted(p.name for p in linked.iterdir()) == sorted(
        [".tools", ".venv", ".venv-vllm", "Snakefile", "codepeft"]
    )
    for name in (".venv", ".venv-vllm", ".tools"):
        assert (linked / name).is_symlink() and (linked / name).resolve() == repo / name
    assert [p.name for p in (linked / "codepeft").iterdir()] == ["study.py"]

    bare = conftest.copy_checkout(tmp_path / "bare", link_tools=False)
    assert sorted(p.name for p in bare.iterdir()) == ["Snakefile", "codepeft"]
