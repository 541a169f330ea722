"""The import graph of bot/ runs one way: no circles, counting imports inside functions and under
TYPE_CHECKING, and the layers import only downwards (use cases and renderers never import the
text parser; renderers take values, not the workflow, the store or the use cases)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"


def _modules() -> dict[str, Path]:
    found = {}
    for path in BOT.rglob("*.py"):
        parts = path.relative_to(BOT.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of bot/ an imported name belongs to (`bot.x.y.Name` -> `bot.x.y`)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> set[str]:
    """Every module of bot/ this module imports, wherever the import statement stands."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(filter(None, (_resolve(alias.name) for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                resolved = full if full in MODULES else _resolve(base)
                if resolved:
                    found.add(resolved)
    found.discard(module)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_sees_a_circle_and_imports_inside_functions():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert "bot.running.wiring" in GRAPH["bot.running.serving"]  # under TYPE_CHECKING
    assert "bot.running.wiring" in GRAPH["bot.running.startup"]  # inside a function


def test_no_import_circles_in_bot():
    assert _cycles(GRAPH) == []


# ---- parts: each folder of bot/ is a part, and each module directly in bot/ one of its own


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else "bot"


PARTS: dict[str, set[str]] = {}
for _module, _targets in GRAPH.items():
    PARTS.setdefault(_part(_module), set()).update(_part(t) for t in _targets if _part(t) != _part(_module))

# The declared order of layers, bottom first (the README draws it): a part imports only parts in
# layers below its own. Parts on one line form a layer and do not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("bot", "telemetry", "money"),
    ("logicboxes",),
    ("dns",),
    ("config", "access"),
    ("values",),
    ("changes",),
    ("usecases",),
    ("approvals", "watch"),
    ("render",),
    ("commands",),
    ("slack",),
    ("running",),
    ("sandbox", "migrations", "gunicorn_conf"),
    ("__main__", "wsgi", "simulator"),
]


def test_no_circle_between_parts():
    assert _cycles(PARTS) == []


def test_every_part_has_a_layer_and_imports_only_layers_below():
    level = {part: n for n, layer in enumerate(LAYERS) for part in layer}
    assert sorted(set(PARTS) - set(level)) == []  # a new part names its layer here and in the README
    wrong = sorted(
        f"{part} ({level[part]}) -> {target} ({level[target]})"
        for part, targets in PARTS.items()
        for target in targets
        if level[target] >= level[part]
    )
    assert wrong == []


def test_telemetry_imports_nothing_else_of_the_bot():
    assert PARTS["telemetry"] == set()


def test_the_readme_draws_the_layers():
    readme = (BOT.parent / "README.md").read_text()
    for layer in LAYERS:
        assert " · ".join(layer) in readme, layer


def _under(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


TEXT_PARSER = ("bot.commands.table", "bot.commands.parsers", "bot.values.words", "bot.commands.text")
LAYER_RULES = [
    # (who, must not import, why)
    (("bot.usecases", "bot.approvals"), TEXT_PARSER, "use cases take intents (bot.values.intents), not text"),
    (("bot.render",), TEXT_PARSER, "renderers take values"),
    (
        ("bot.render",),
        ("bot.approvals.workflow", "bot.approvals.store", "bot.usecases.service"),
        "renderers take values",
    ),
    (("bot.values.intents",), ("bot",), "intents are plain values with no imports from the bot"),
    (
        ("bot.logicboxes", "bot.dns", "bot.changes", "bot.usecases", "bot.approvals", "bot.render", "bot.commands"),
        ("bot.slack", "slack_bolt"),
        "no Slack below the Slack layer",
    ),
]


@pytest.mark.parametrize(("who", "banned", "why"), LAYER_RULES, ids=[rule[2] for rule in LAYER_RULES])
def test_layers_import_downwards(who, banned, why):
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if _under(module, *who)
        for target in targets
        if _under(target, *banned) and not _under(target, *who)
    )
    assert wrong == [], why


def test_no_slack_sdk_below_the_slack_layer():
    """Slack's packages appear only in bot/slack/ and the running code (and Block Kit in bot/render/)."""
    low = ("bot.logicboxes", "bot.dns", "bot.changes", "bot.usecases", "bot.approvals", "bot.commands")
    wrong = []
    for module, path in MODULES.items():
        if not _under(module, *low):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            wrong += [f"{module} -> {name}" for name in names if name.split(".")[0] in ("slack_bolt", "slack_sdk")]
    assert wrong == []


def test_the_unit_layer_refuses_sockets_and_processes():
    """tests/unit/conftest.py keeps this layer pure: it fails a test that reaches for the network."""
    import socket
    import subprocess
    import sys

    with pytest.raises(AssertionError, match="move it to tests/e2e"):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(AssertionError, match="move it to tests/e2e"):
        subprocess.run([sys.executable, "-c", "pass"])


def test_no_test_module_imports_another():
    """Shared helpers live in tests/support.py and fixtures in conftest.py: a test module that
    imports another test module ties the two together and runs the other's module code twice."""
    tests = Path(__file__).resolve().parents[1]
    wrong = []
    for path in tests.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.startswith("tests.") and name.split(".")[-1].startswith("test_") for name in names):
                wrong.append(f"{path.relative_to(tests)} imports {names[0]}")
            if any(name in ("tests.conftest", "tests.fakes") for name in names):
                wrong.append(f"{path.relative_to(tests)} imports {names[0]}: use tests.support")
    assert wrong == []


def test_renderers_share_only_public_names_and_the_package_exports_explicitly():
    """Renderers by what they render; what they share is public (bot/render/blocks.py), never another's `_x`."""
    wrong = []
    for module, path in MODULES.items():
        if not _under(module, "bot"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot."):
                wrong += [f"{module} imports {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
                wrong += [f"{module} star-imports {node.module}" for a in node.names if a.name == "*"]
    assert wrong == []


def test_listeners_translate_and_never_touch_the_store_or_the_logicboxes_client():
    """A listener turns a payload into a plain request for the gate and the dispatcher, and renders:
    the store, the watch's records and the LogicBoxes client are the use cases' (bot/slack/listeners,
    the Home tab and the change forms)."""
    slack = BOT / "slack"
    sources = [*sorted((slack / "listeners").glob("*.py")), slack / "home.py", slack / "change_forms.py"]
    wrong = [
        f"{path.relative_to(BOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(reach in line for reach in (".store.", "service.client", ".records.", "approvals.store"))
    ]
    assert wrong == []
