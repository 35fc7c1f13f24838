"""Study configuration: JSON-schema validation (with defaults) and the derived study matrix.

The schema is `workflow/schemas/config.schema.yaml` plus one fragment per stage
(`workflow/schemas/<stage>.schema.yaml`, each adding top-level `properties`). Validation fills
defaults, so code can rely on every key the schema declares. The schemas are package data
(`codepeft/schemas` links to `workflow/schemas` in a checkout; an installed package carries a
copy), so validation works from `pip install .` without the repository.
"""

from __future__ import annotations

import copy
import functools
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

SCHEMA_DIR = Path(str(resources.files("codepeft").joinpath("schemas")))
MAIN_SCHEMA = "config.schema.yaml"


class ConfigError(ValueError):
    """A configuration error; the message names the offending key."""


def load_schema(schema_dir: Path = SCHEMA_DIR) -> dict:
    schema = yaml.safe_load((schema_dir / MAIN_SCHEMA).read_text())
    for fragment_path in sorted(schema_dir.glob("*.schema.yaml")):
        if fragment_path.name == MAIN_SCHEMA:
            continue
        fragment = yaml.safe_load(fragment_path.read_text()) or {}
        for key, value in fragment.get("properties", {}).items():
            if key in schema["properties"]:
                raise ConfigError(f"schema fragment {fragment_path.name} redefines {key!r}")
            schema["properties"][key] = value
        schema.setdefault("$defs", {}).update(fragment.get("$defs", {}))
    return schema


def deep_merge(base: dict, override: dict) -> dict:
    """`override` merged into a copy of `base`, mapping by mapping (as Snakemake merges several
    --configfile files); any other value of `override` replaces the base's."""
    merged = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _extend_with_default(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for prop, subschema in properties.items():
                if "default" in subschema and prop not in instance:
                    instance[prop] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


_DefaultFillingValidator = _extend_with_default(jsonschema.Draft202012Validator)


def _key_path(error: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "<top level>"


def validate(config: dict, schema: dict | None = None) -> dict:
    """Validate `config` in place (filling defaults) and return it; raise ConfigError naming the key."""
    schema = schema or load_schema()
    validator = _DefaultFillingValidator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors[:10]:
            if error.validator == "additionalProperties":
                extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
                where = _key_path(error)
                for key in extra:
                    name = key if where == "<top level>" else f"{where}.{key}"
                    lines.append(f"unknown config key '{name}'")
                continue
            lines.append(f"config key '{_key_path(error)}': {error.message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))
    _check_references(config)
    return config


@functools.lru_cache(maxsize=1)
def _package_schema() -> dict:
    return load_schema()


def schema_defaults(*path: str) -> dict:
    """The defaults the schema declares for the mapping at `path` (e.g. `schema_defaults("judge")`,
    `schema_defaults("metrics", "surface")`), nested mappings filled: the one source of defaults
    that option classes and code read (a fresh copy on each call)."""
    schema = _package_schema()
    node = schema
    for key in path:
        try:
            node = node["properties"][key]
        except KeyError:
            raise KeyError(f"the schema declares no mapping {'.'.join(path)!r}") from None
    instance: dict = {}
    validator = _DefaultFillingValidator({**node, "$defs": schema.get("$defs", {})})
    for _ in validator.iter_errors(instance):  # fills defaults; `required` errors do not matter
        pass
    return instance


def validate_section(name: str, values: dict | None) -> dict:
    """The top-level section `name` (e.g. "data") validated against the schema, defaults
    filled (a copy): for code given one section outside a whole study (CLIs, tests)."""
    schema = _package_schema()
    section = {
        "type": "object",
        "properties": {name: schema["properties"][name]},
        "$defs": schema.get("$defs", {}),
    }
    return validate({name: copy.deepcopy(values or {})}, section)[name]


def _check_references(config: dict) -> None:
    """Cross-key checks a JSON schema cannot express."""
    tasks = set(config.get("tasks", {}))
    samplings = {"decoding.sampling": (config.get("decoding") or {}).get("sampling")}
    for name, test_set in (config.get("test_sets") or {}).items():
        samplings[f"test_sets.{name}.sampling"] = test_set.get("sampling")
    for key, sampling in samplings.items():
        if sampling and sampling["n"] > 1 and sampling["temperature"] == 0:
            raise ConfigError(
                f"config key '{key}': n={sampling['n']} greedy answers would be identical; "
                "set a temperature above 0 (e.g. 0.8) or n: 1"
            )
    for name, model in config.get("models", {}).items():
        if model.get("build") and model["source"] != f"results/base/{name}":
            raise ConfigError(
                f"config key 'models.{name}.source': a model with build: {model['build']} is "
                f"built at 'results/base/{name}'; set source to that path"
            )
    for name, method in config.get("methods", {}).items():
        for model in method.get("models") or []:
            if model not in config.get("models", {}):
                raise ConfigError(f"config key 'methods.{name}.models': unknown model {model!r}")
        for task in method.get("tasks") or []:
            if task not in tasks:
                raise ConfigError(
                    f"config key 'methods.{name}.tasks': task {task!r} is not in 'tasks' "
                    f"({', '.join(sorted(tasks))})"
                )


def load(path: str | Path) -> dict:
    with open(path) as handle:
        return validate(yaml.safe_load(handle) or {})


DEFAULT_CONFIG = "config.yaml"


#: sections whose entries a later config file may remove by setting them to null
REMOVABLE_SECTIONS = ("models", "methods")


def drop_removed(config: dict) -> dict:
    """Remove `models`/`methods` entries set to null, in place: Snakemake merges several
    --configfile files key by key and cannot delete one, so an overlay (config/rehearsal.yaml)
    writes `models: {qwen2.5-coder-3b: null}` to drop a model of the file before it."""
    for section in REMOVABLE_SECTIONS:
        entries = config.get(section)
        if isinstance(entries, dict):
            for name in [k for k, v in entries.items() if v is None]:
                del entries[name]
    return config


def apply_default(config: dict, basedir: str | Path) -> dict:
    """Fill `config` in place from the default config.yaml unless a study was given
    (--configfile); --config overrides already in `config` win over the default's values.
    `models`/`methods` entries set to null are removed (drop_removed)."""
    if "models" in config:
        return drop_removed(config)
    with open(Path(basedir) / DEFAULT_CONFIG) as handle:
        default = yaml.safe_load(handle) or {}
    merged = deep_merge(default, config)
    config.clear()
    config.update(merged)
    return drop_removed(config)


def load_study(configfiles, basedir: str | Path) -> dict:
    """The validated study the workflow builds from `snakemake --configfile a b ...` run in
    `basedir`: the files merged key by key in order (as Snakemake merges them), then the
    Snakefile's steps (apply_default, validate). For commands outside the workflow
    (codepeft fetch, codepeft preflight)."""
    config: dict = {}
    for name in configfiles:
        path = Path(name)
        with open(path if path.is_absolute() else Path(basedir) / path) as handle:
            config = deep_merge(config, yaml.safe_load(handle) or {})
    apply_default(config, basedir)
    return validate(config)
