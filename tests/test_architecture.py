"""The package's layering, read from the source: no import cycles, core imports no feature,
no views module imports another views module."""

import ast
import pathlib

import pytest

PACKAGE = "partner_portal"
ROOT = pathlib.Path(__file__).resolve().parent.parent / PACKAGE

# Core modules allowed to import a feature while a change elsewhere is under way (each entry is
# expected to fail, and fails the suite once it no longer imports one: then remove it). Keep it empty.
CORE_IMPORTS_PENDING: set[str] = set()


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
FEATURES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "core")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str) -> set[str]:
    """Fully qualified names a statement imports (for `from x import y` both x and x.y)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    return {source} | {f"{source}.{alias.name}" for alias in node.names}


def _top_level_imports(module: str) -> set[str]:
    """What importing `module` imports at once: statements at module level (also inside if/try),
    leaving out `if TYPE_CHECKING:` blocks; imports inside functions are deferred and do not count."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.update(_imported(node, module))
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8")).body)
    return found


def _all_imports(module: str) -> set[str]:
    """Every import in the module, deferred ones in functions and TYPE_CHECKING blocks included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(_imported(node, module))
    return found


def _internal(names: set[str], module: str) -> set[str]:
    """The package's own modules among `names`, with the packages that importing them runs first."""
    result: set[str] = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            # A module's own parent packages are already imported when it runs: not an edge.
            if candidate in MODULES and candidate != module and not module.startswith(candidate + "."):
                result.add(candidate)
    return result


def import_graph() -> dict[str, set[str]]:
    return {module: _internal(_top_level_imports(module), module) for module in MODULES}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    assert find_cycles(import_graph()) == []


def _core_modules():
    for module in sorted(MODULES):
        if module == f"{PACKAGE}.core" or module.startswith(f"{PACKAGE}.core."):
            marks = ()
            if module in CORE_IMPORTS_PENDING:
                marks = pytest.mark.xfail(strict=True, reason="feature imports being removed elsewhere")
            yield pytest.param(module, marks=marks)


def _feature_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in FEATURES else None


def test_the_feature_packages_are_found():
    assert {"auth", "partners", "consultations", "responses", "moderation", "notifications"} <= set(FEATURES)
    assert "core" not in FEATURES


@pytest.mark.parametrize("module", list(_core_modules()))
def test_core_imports_no_feature(module):
    """Deferred imports count too: core is what every feature builds on."""
    imported = sorted(name for name in _internal(_all_imports(module), module) if _feature_of(name))
    assert imported == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.endswith(".views")))
def test_a_views_module_imports_no_other_views_module(module):
    views = {name for name in _internal(_all_imports(module), module) if name.endswith(".views")}
    assert views == set()


def test_roles_are_named_by_their_enum_not_by_string():
    """Role groups live in auth/roles.py; elsewhere a role is its enum member, never a bare string."""
    from partner_portal.auth.models import OrgRole, StaffRole

    values = {str(r) for r in (*StaffRole, *OrgRole)}
    owners = {f"{PACKAGE}.auth.models", f"{PACKAGE}.auth.roles"}
    found = []
    for module, path in MODULES.items():
        if module in owners:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and ast.get_docstring(node) is not None
        }
        found += [
            f"{module}:{node.lineno} {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in values and id(node) not in docstrings
        ]
    assert found == []
