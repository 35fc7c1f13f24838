"""The package's import rules (docs/architecture.md, Conventions), read from the code:

* no cycle among codepeft's modules, counting imports made inside functions too;
* every import of a codepeft module stands at the top of its file;
* an import made inside a function is of a third-party library, with a `# lazy:` reason;
* the engine never imports the paper's room (codepeft.paper);
* the modules the workflow imports to build its DAG, and the preflight, load no model or
  statistics library (checked in a fresh interpreter).
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "codepeft"
ENGINE = ("data", "train", "generate", "metrics", "analyzers", "execution", "judge", "stats")


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(), filename=str(path))
    return out


def _imports(name: str, tree: ast.Module, is_package: bool):
    """(imported module names, in_function, node) of every import of `tree`; relative imports
    resolved against `name`."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.append(([a.name for a in child.names], in_function, child))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                # `from pkg import sub` names the module pkg.sub where there is one, else pkg
                names = [f"{base}.{a.name}" for a in child.names]
                found.append(([base] + names, in_function, child))
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            visit(child, inner)

    visit(tree, False)
    return found


MODULES = _modules()
PACKAGES = {
    name for name in MODULES if (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()
}


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, tree in MODULES.items():
        deps = set()
        for names, _, node in _imports(name, tree, name in PACKAGES):
            if isinstance(node, ast.ImportFrom):
                names = [n if n in MODULES else names[0] for n in names[1:]]
            deps |= {n for n in names if n in MODULES and n != name}
        graph[name] = deps
    return graph


def test_no_import_cycle_counting_imports_inside_functions():
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles = []

    def walk(node, path):
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep) :] + [dep])
            elif dep not in state:
                walk(dep, path + [dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_module_of_the_package_is_imported_inside_a_function():
    inner = [
        f"{name}:{node.lineno}"
        for name, tree in MODULES.items()
        for names, in_function, node in _imports(name, tree, name in PACKAGES)
        if in_function and names[0].split(".")[0] == "codepeft"
    ]
    assert not inner, f"codepeft modules imported inside functions: {inner}"


def test_every_import_inside_a_function_is_third_party_with_a_reason():
    stdlib = set(sys.stdlib_module_names)
    bad = []
    for name, tree in MODULES.items():
        lines = (PACKAGE.parent / tree_path(name)).read_text().split("\n")
        previous_end = None
        for names, in_function, node in _imports(name, tree, name in PACKAGES):
            if not in_function:
                continue
            top = names[0].split(".")[0]
            if top in stdlib:
                bad.append(f"{name}:{node.lineno}: standard library, import it at the top")
            # a group of imports (blank lines between) shares the comment above its first line
            grouped = previous_end is not None and all(
                not line.strip() for line in lines[previous_end : node.lineno - 1]
            )
            above = lines[node.lineno - 2].strip()
            commented = above.startswith("# lazy:") or "#" in lines[node.lineno - 1]
            if not grouped and not commented:
                bad.append(f"{name}:{node.lineno}: no '# lazy: <reason>' comment above")
            previous_end = node.end_lineno
    assert not bad, "\n".join(bad)


def tree_path(name: str) -> str:
    path = name.replace(".", "/")
    return f"{path}/__init__.py" if name in PACKAGES else f"{path}.py"


def test_the_engine_does_not_import_the_paper_room():
    graph = _graph()
    engine = [n for n in graph if n.split(".")[1:2] and n.split(".")[1] in ENGINE]
    assert len(engine) > 30
    seen, stack = set(), list(engine)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack += graph[node]
    assert not {n for n in seen if n == "codepeft.paper" or n.startswith("codepeft.paper.")}


@pytest.mark.parametrize(
    "module",
    [
        "codepeft.config",
        "codepeft.study",
        "codepeft.plan",
        "codepeft.cost",
        "codepeft.preflight",
        "codepeft.stats.plan",
        "codepeft.analyzers",
        "codepeft.judge.rubric",
        "codepeft.slurm_site",
        "codepeft.data.prepare",
        "codepeft.provenance",
        "codepeft.cards",
        "codepeft.report.stages",
    ],
)
def test_modules_the_dag_build_and_preflight_import_stay_light(module):
    heavy = ("torch", "transformers", "datasets", "scipy", "matplotlib", "nltk", "vllm")
    probe = f"import sys, {module}; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"
