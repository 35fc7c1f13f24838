"""The workflow's plan of a study, computed once per parse (rules/common.smk builds one `Plan`
from the validated config): which predictions the study generates, the trained models and
mixtures they need, the vLLM jobs of each base model, the analyzer jobs, the judged files,
the sides the stats rule may compare (its blocks: `codepeft.stats.plan.workflow_blocks`) and
the report rule's metric inputs. Pure apart from caching: the rules read
everything from here, so every stage sees the same matrix, and what is derived from the
config is derived once (not once per rule or per job).

The config must not change after the Plan is built (Snakemake's config is final once the
Snakefile has validated it).
"""

from __future__ import annotations

from functools import cached_property

from codepeft import measures, paths, study, vllm_backend
from codepeft.analyzers import planning as analyzer_planning

REFERENCE = "reference"  # pseudo model/method whose predictions are the references


class Plan:
    def __init__(self, config: dict):
        self.config = config
        self._vllm: dict[str, dict] = {}

    # --- the prediction matrix -------------------------------------------------------------

    def task_langs(self, task: str | None = None) -> list[tuple[str, str]]:
        """(task, lang) pairs of the study, in config order."""
        return [
            (t, lang)
            for t, spec in self.config["tasks"].items()
            if task in (None, t)
            for lang in spec["languages"]
        ]

    def test_set_langs(self, task: str | None = None) -> list[tuple[str, str]]:
        """(task, name) of the evaluation-only test sets (`test_sets`), in config order."""
        return [(t, name) for t, name in study.test_sets(self.config) if task in (None, t)]

    @cached_property
    def evaluated(self) -> tuple[tuple[str, str, str, str, str], ...]:
        """(model, method, seed, task, lang) of every generated predictions file
        (codepeft.study)."""
        return tuple(tuple(e) for e in study.evaluated(self.config))

    def prediction_combos(
        self, task: str | None = None, lang: str | None = None, include_reference: bool = False
    ) -> list[dict]:
        """Every (model, method, seed, task, lang) the study generates predictions for, as
        dicts; with `include_reference`, the reference/reference pseudo predictions too (the
        study's task languages, then its test sets; seed `none`, like every prediction made
        without training)."""
        combos = [
            dict(model=m, method=meth, seed=seed, task=t, lang=la)
            for m, meth, seed, t, la in self.evaluated
            if task in (None, t) and lang in (None, la)
        ]
        if include_reference:
            combos += [
                dict(model=REFERENCE, method=REFERENCE, seed=study.NO_SEED, task=t, lang=la)
                for t, la in self.task_langs(task) + self.test_set_langs(task)
                if lang in (None, la)
            ]
        return combos

    # --- models and mixtures -----------------------------------------------------------------

    def finetune_kind(self, method: str) -> str:
        """How `method`'s models are trained (an off-task pseudo method: its method's)."""
        return self.config["methods"][study.method_and_scope(method)[0]]["finetune"]

    @cached_property
    def method_names(self) -> list[str]:
        """The configured methods and the off-task pseudo methods (codepeft.study)."""
        return study.method_names(self.config)

    def answering_model_dir(self, model: str, method: str, seed: str, task: str) -> str | None:
        """The trained model (of training seed `seed`) that answers `task` for `method`, or
        None for the base model."""
        scope = study.scope_for(self.config, method, task)
        trained = study.method_and_scope(method)[0]  # an off-task pseudo method's own method
        return (
            None
            if scope is None
            else paths.fill(paths.MODEL_DIR, model=model, method=trained, seed=seed, scope=scope)
        )

    def trained_model_dirs(self) -> list[str]:
        return [
            paths.fill(paths.MODEL_DIR, model=m, method=meth, seed=seed, scope=s)
            for m, meth, seed, s in study.trained_models(self.config)
        ]

    @cached_property
    def mixtures(self) -> dict:
        """{mixture key: spec} of every distinct training mixture (codepeft.study.mixtures)."""
        return study.mixtures(self.config)

    def mixture_key(self, method: str, scope: str) -> str:
        """The {mixture} of the model trained for (method, scope)."""
        return study.mixture_key(study.mixture_spec(self.config, method, scope))

    def mixture_dir(self, method: str, scope: str) -> str:
        return paths.fill(paths.MIXTURE_DIR, mixture=self.mixture_key(method, scope))

    # --- generation with vLLM: one job per base model -----------------------------------------

    def vllm(self, model: str) -> dict:
        """Every generation job of base model `model` for codepeft.vllm_backend (one engine
        run), canonical (a rule param). The interpreter (decoding.vllm.python) is a machine
        path: it reaches the job through the environment, not through the plan."""
        if model not in self._vllm:
            config = self.config
            jobs = []
            for c in self.prediction_combos():
                if c["model"] != model:
                    continue
                jobs.append(
                    dict(
                        method=c["method"],
                        task=c["task"],
                        lang=c["lang"],
                        finetune=self.finetune_kind(c["method"]),
                        trained=self.answering_model_dir(model, c["method"], c["seed"], c["task"]),
                        data=paths.fill(paths.DATA, task=c["task"], lang=c["lang"], split="test"),
                        out=paths.fill(paths.PREDICTIONS, **c),
                        decoding=study.decoding_spec(
                            config, c["task"], c["method"], c["lang"], model
                        ),
                    )
                )
            vllm_backend.check_jobs(jobs)
            vllm = {k: v for k, v in config["decoding"].get("vllm", {}).items() if k != "python"}
            self._vllm[model] = study.canonical(
                dict(
                    model=model,
                    source=config["models"][model]["source"],
                    seed=config["seed"],
                    vllm=vllm,
                    jobs=sorted(jobs, key=lambda j: j["out"]),
                )
            )
        return self._vllm[model]

    # --- metric stages --------------------------------------------------------------------------

    @cached_property
    def analyzers(self) -> dict:
        """{analyzer: its Jobs} (codepeft.analyzers.planning.plan)."""
        section = self.config["analyzers"]
        return analyzer_planning.plan(
            section, self.prediction_combos(include_reference=section["include_reference"])
        )

    def family_combos(self, name: str) -> list[dict]:
        """The predictions (model, method, seed, task, lang dicts) that get a table of metric family
        `name` (`codepeft.measures`): none when its config section switches it off; the
        references too when that section's `include_reference` says so."""
        family = measures.family(name)
        if not family.enabled(self.config):
            return []
        combos = self.prediction_combos(include_reference=family.include_reference(self.config))
        return [c for c in combos if family.applies(c["task"], c["lang"])]

    def family_targets(self, *names: str) -> list[str]:
        """The final targets of metric families `names` (`codepeft.measures.Family.targets`):
        per predictions file (generated first, then the references), per family in the given
        order, its table and summary."""
        chosen = {name: {tuple(c.values()) for c in self.family_combos(name)} for name in names}
        targets = []
        for c in self.prediction_combos(include_reference=True):
            for name in names:
                if tuple(c.values()) in chosen[name]:
                    files = paths.metric_files(name, **c)
                    targets += [files[kind] for kind in measures.family(name).targets]
        return targets

    def generated(self) -> set[tuple[str, str, str, str, str]]:
        """(model, method, seed, task, lang) of the generated predictions (the stats plan's sides:
        codepeft.stats.plan.workflow_blocks)."""
        return set(self.evaluated)


def report_metric_inputs(targets) -> tuple[list[str], list[str], list[str]]:
    """(metric tables, their summaries, stats files) among the workflow's final targets: the
    report reads exactly what the enabled stages produce."""
    tables, summaries, stats_files = [], [], []
    for path in targets:
        if path.startswith(paths.METRICS_DIR + "/"):
            if path.endswith(".summary.json"):
                summaries.append(path)
            elif path.endswith(".tsv") and not path.endswith(".rules.tsv"):
                tables.append(path)
        elif paths.is_stats_table(path):
            stats_files.append(path)
    return tables, summaries, stats_files
