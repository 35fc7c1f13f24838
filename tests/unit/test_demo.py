"""The demo's headline (each fine-tuned method vs zero-shot, at the top of the report) and its
console. The demo's outcome on the embedded run: tests/workflow/test_demo_workflow.py."""

from __future__ import annotations

import math

import yaml

from codepeft.report import headline


def test_config_compares_every_trained_method_with_zero_shot(repo):
    config = yaml.safe_load((repo / "config.yaml").read_text())
    compared = {c["b"]["method"] for c in headline.baseline_comparisons(config)}
    trained = {m for m, spec in config["methods"].items() if spec["finetune"] != "none"}
    assert compared == trained


def _row(comp, task, lang, measure, a, b, p, n=36):
    return {
        "comparison": comp,
        "model": "tiny",
        "task": task,
        "lang": lang,
        "family": "codebleu" if measure == "codebleu" else "surface",
        "measure": measure,
        "test": "wilcoxon",
        "n_paired": str(n),
        "mean_a": str(a),
        "mean_b": str(b),
        "p": str(p),
        "p_adj": str(p),
        "note": "",
    }


def test_headline_rows_and_verdicts():
    config = {
        "methods": {"zero_shot": {"finetune": "none"}, "mt_fft": {"finetune": "full"}},
        "tasks": {
            "summarization": {"languages": ["python"]},
            "translation": {"languages": ["java-cs"]},
        },
        "stats": {
            "alpha": 0.05,
            "comparisons": [
                {"name": "zs", "a": {"method": "zero_shot"}, "b": {"method": "mt_fft"}},
                {"name": "other", "a": {"method": "mt_fft"}, "b": {"method": "zero_shot"}},
            ],
        },
    }
    stats = {
        "zs": [
            _row("zs", "summarization", "python", "chrf", 0.0, 20.0, 1e-6),
            _row("zs", "summarization", "python", "bleu_sacre", 3.0, 1.0, 0.01),
            _row("zs", "translation", "java-cs", "codebleu", 0.1, 0.12, 0.3),
            _row("zs", "summarization", "python", "meteor", 0.0, 0.5, 1e-6),  # not a key measure
        ],
        "other": [_row("other", "summarization", "python", "chrf", 20.0, 0.0, 1e-6)],
    }
    rows = headline.headline_rows(config, stats)
    assert [(r["measure"], r["verdict"]) for r in rows] == [
        ("chrf", "better"),
        ("bleu_sacre", "worse"),
        ("codebleu", "no significant difference"),
    ]
    assert {r["comparison"] for r in rows} == {"zs"}  # A must be the untrained method
    # the stats row's bootstrap intervals and paired bootstrap p ride along; absent: NaN
    with_ci = dict(stats["zs"][0], ci_a_low="0.0", ci_a_high="0.5", ci_b_low="18.5")
    with_ci.update(ci_b_high="21.0", p_boot="0.001")
    (row,) = headline.headline_rows(config, {"zs": [with_ci]})
    assert (row["ci_baseline_low"], row["ci_baseline_high"]) == (0.0, 0.5)
    assert (row["ci_method_low"], row["ci_method_high"], row["p_boot"]) == (18.5, 21.0, 0.001)
    assert math.isnan(rows[0]["ci_method_low"]) and set(row) == set(headline.HEADLINE_COLUMNS)
    training = [
        {
            "status": "ok",
            "method": "mt_fft",
            "scope": "multi",
            "log_history": [{"loss": 7.3}, {"eval_loss": 5.0}, {"loss": 1.25}],
        }
    ]
    pass1 = [
        {
            "model": "tiny",
            "method": "mt_fft",
            "lang": "python",
            "passes": 2,
            "n_tasks": 19,
            "pass@1": 2 / 19,
        }
    ]
    html = headline.headline_html(rows, pass1, training)
    assert "id='headline'" in html and "mt_fft beats zero_shot on 1 of 3" in html
    assert "loses 1" in html and "7.30 \u2192 1.25" in html and "2 of 19 tasks" in html
    missing = dict(_row("zs", "translation", "java-cs", "codebleu", "", "", ""), note="no pairs")
    assert headline.verdict(missing, 0.05) == "not computed: no pairs"
    assert math.isnan(headline.loss_span([])[0])


SNAKEMAKE_OUTPUT = """Building DAG of jobs...
Job stats:
job      count
-------  -------
train          1
total          2

[Mon Nov 30 14:02:15 2026]
localrule prepare_data:
    output: results/data/a/train.jsonl, results/data/a/valid.jsonl
    jobid: 7
    wildcards: task=translation, lang=java-cs
    resources: tmpdir=/tmp
[Mon Nov 30 14:02:19 2026]
Finished jobid: 7 (Rule: prepare_data)
1 of 2 steps (50%) done
rule train:
    input: {inputs}
    jobid: 3
    wildcards: model=tiny, method=mt_fft, scope=multi
[Mon Nov 30 14:02:20 2026]
Error in rule train:
    message: None
    jobid: 3
    input: {inputs}
    log: logs/train/tiny/mt_fft/multi.log (check log file(s) for error details)
Shutting down, this might take some time.
Complete log: .snakemake/log/2026-11-30T140207.snakemake.log
"""


def test_console_prints_progress_and_errors_not_file_lists(repo):
    import subprocess
    import sys

    text = SNAKEMAKE_OUTPUT.format(inputs=", ".join(f"results/x/{i}.jsonl" for i in range(400)))
    proc = subprocess.run(
        [sys.executable, str(repo / "scripts" / "console.py")],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = proc.stdout.splitlines()
    assert lines[1].endswith("1/2 prepare_data translation/java-cs"), lines
    assert lines[1].startswith("[00:0")
    assert (
        "Error in rule train:" in proc.stdout and "logs/train/tiny/mt_fft/multi.log" in proc.stdout
    )
    assert "Complete log: .snakemake/log/" in proc.stdout
    assert "results/data/a/train.jsonl" not in proc.stdout  # no job file lists
    assert max(len(line) for line in lines) < 300  # the error's 400-file input list is cut
    assert len(proc.stdout) < len(text) / 10
