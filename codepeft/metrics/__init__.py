"""Surface metrics: BLEU (sacreBLEU and CodeXGLUE conventions), CodeBLEU, METEOR, ROUGE, chrF,
exact match, BERTScore and SIDE, per instance and per corpus.

Modules: ``bleu``, ``chrf``, ``rouge``, ``meteor`` (WordNet via scripts/setup/wordnet.sh),
``codebleu_metric`` (fixed data-flow policy), ``bertscore``, ``side``; ``compute`` joins a
predictions file with its references by id and builds the per-instance table and the summary;
``cli`` is ``codepeft metrics``.
"""

from codepeft.metrics.compute import SurfaceOptions, compute_surface, join, run_files

__all__ = ["SurfaceOptions", "compute_surface", "join", "run_files"]
