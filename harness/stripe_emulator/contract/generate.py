"""Regenerate the emulator's response contract from Stripe's official libraries.

Each stripe-python release pins one API version (``stripe/_api_version.py``) and
ships typed resource classes for it; the official Node library ships
``types/<version>/*.d.ts``. This script installs the releases named in
``CONTRACT_SOURCES`` into a scratch folder, reads the field declarations of every
object the emulator serves and writes ``data/<api_version>.json``; it also reads
the pin of every stripe-python release of ``PIN_MAJORS`` and writes
``data/versions.json`` (which versions the emulator accepts, and which contract
each one is rendered and checked with).

    .venv/bin/python -m paychaos.stripe_emulator.contract.generate [--cache DIR]

Needs ``pip`` and ``npm`` with access to their registries. Nothing of the
libraries is copied: only field names, JSON types, nullability and which fields
are expandable.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"

# (library, release): the newest release of each API major, so its shape is the newest
# of that major; older monthly versions of the same major map onto it (additions only).
CONTRACT_SOURCES: list[tuple[str, str]] = [
    ("stripe-node", "8.222.0"),
    ("stripe-python", "11.6.1"),
    ("stripe-python", "12.5.2"),
    ("stripe-python", "14.4.2"),
    ("stripe-python", "15.6.2"),
    ("stripe-python", "16.1.0"),
]
# Every release of these stripe-python majors is asked for its pinned version.
PIN_MAJORS = range(11, 17)

# Contract object name -> (stripe-python module path, class name, node .d.ts file, interface).
OBJECTS: dict[str, tuple[str, str, str, str]] = {
    "customer": ("stripe/_customer.py", "Customer", "Customers.d.ts", "Customer"),
    "product": ("stripe/_product.py", "Product", "Products.d.ts", "Product"),
    "price": ("stripe/_price.py", "Price", "Prices.d.ts", "Price"),
    "plan": ("stripe/_plan.py", "Plan", "Plans.d.ts", "Plan"),
    "checkout.session": (
        "stripe/checkout/_session.py",
        "Session",
        "Checkout/Sessions.d.ts",
        "Checkout.Session",
    ),
    "item": ("stripe/_line_item.py", "LineItem", "LineItems.d.ts", "LineItem"),
    "subscription": (
        "stripe/_subscription.py",
        "Subscription",
        "Subscriptions.d.ts",
        "Subscription",
    ),
    "subscription_item": (
        "stripe/_subscription_item.py",
        "SubscriptionItem",
        "SubscriptionItems.d.ts",
        "SubscriptionItem",
    ),
    "invoice": ("stripe/_invoice.py", "Invoice", "Invoices.d.ts", "Invoice"),
    "line_item": (
        "stripe/_invoice_line_item.py",
        "InvoiceLineItem",
        "InvoiceLineItems.d.ts",
        "InvoiceLineItem",
    ),
    "payment_intent": (
        "stripe/_payment_intent.py",
        "PaymentIntent",
        "PaymentIntents.d.ts",
        "PaymentIntent",
    ),
    "charge": ("stripe/_charge.py", "Charge", "Charges.d.ts", "Charge"),
    "refund": ("stripe/_refund.py", "Refund", "Refunds.d.ts", "Refund"),
    "payment_method": (
        "stripe/_payment_method.py",
        "PaymentMethod",
        "PaymentMethods.d.ts",
        "PaymentMethod",
    ),
    "billing_portal.session": (
        "stripe/billing_portal/_session.py",
        "Session",
        "BillingPortal/Sessions.d.ts",
        "BillingPortal.Session",
    ),
    "event": ("stripe/_event.py", "Event", "Events.d.ts", "Event"),
    "webhook_endpoint": (
        "stripe/_webhook_endpoint.py",
        "WebhookEndpoint",
        "WebhookEndpoints.d.ts",
        "WebhookEndpoint",
    ),
}
# Id prefixes Stripe uses for these objects (not part of the type declarations).
ID_PREFIXES = {
    "customer": "cus_",
    "product": "prod_",
    "price": "price_",
    "plan": "price_",
    "checkout.session": "cs_",
    "item": "li_",
    "subscription": "sub_",
    "subscription_item": "si_",
    "invoice": "in_",
    "line_item": "il_",
    "payment_intent": "pi_",
    "charge": "ch_",
    "refund": "re_",
    "payment_method": "pm_",
    "billing_portal.session": "bps_",
    "event": "evt_",
    "webhook_endpoint": "we_",
}
# Types holding one hash per payment method type, of which Stripe sends only the one named
# by ``type`` (a card payment method has ``card`` and no ``sepa_debit``).
PER_METHOD_TYPES = ("payment_method", "charge.PaymentMethodDetails", "refund.DestinationDetails")
# Hashes of those types that are not a payment method's own.
NOT_PER_METHOD = {"billing_details", "radar_options"}
# Fields Stripe leaves out unless asked for (``expand[]`` includes them), shows once
# (a webhook secret), or sends only in some events: (type, field).
ABSENT_BY_DEFAULT = {
    ("charge", "refunds"),
    ("checkout.session", "line_items"),
    ("customer", "cash_balance"),
    ("customer", "invoice_credit_balance"),
    ("customer", "sources"),
    ("customer", "subscriptions"),
    ("customer", "tax"),
    ("customer", "tax_ids"),
    ("event", "account"),
    ("event", "context"),
    ("event.Data", "previous_attributes"),
    ("invoice", "confirmation_secret"),
    ("invoice", "payments"),
    ("plan", "tiers"),
    ("price", "currency_options"),
    ("price", "tiers"),
    ("webhook_endpoint", "secret"),
}

# A class name two objects share (checkout's and the billing portal's ``Session``) refers to
# the first listed; each object's own types are keyed by its contract name, so they never mix.
CLASS_TO_OBJECT: dict[str, str] = {}
for _name, _spec in OBJECTS.items():
    CLASS_TO_OBJECT.setdefault(_spec[1], _name)
NODE_TO_OBJECT = {spec[3]: name for name, spec in OBJECTS.items()}

Type = dict[str, Any]


# -- stripe-python: typed classes -------------------------------------------------------


class PythonReader:
    """Reads annotated attributes of stripe-python resource classes with ``ast``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.types: dict[str, dict[str, Any]] = {}

    def read_all(self) -> dict[str, Any]:
        objects = {}
        for name, (module, cls, _, _) in OBJECTS.items():
            path = self.root / module
            if not path.exists():
                continue
            tree = ast.parse(path.read_text())
            node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
            self._read_class(node, name, [])
            objects[name] = name
        return objects

    def _read_class(self, node: ast.ClassDef, key: str, scope: list[ast.ClassDef]) -> None:
        scope = [*scope, node]
        # Nested response types derive from StripeObject; request params (TypedDicts) do not.
        nested = {
            n.name: n for n in node.body if isinstance(n, ast.ClassDef) and _is_response_type(n)
        }
        fields: dict[str, Any] = {}
        body = node.body
        for index, stmt in enumerate(body):
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            if name == "deleted" or name.startswith("_") or _is_classvar(stmt.annotation):
                continue
            spec = self._annotation(stmt.annotation, key, scope)
            following = body[index + 1] if index + 1 < len(body) else None
            doc = (
                following.value.value
                if isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
                else ""
            )
            if "Only returned at creation" in doc:
                spec["optional"] = True
            fields[name] = spec
        self.types[key] = {"fields": fields}
        for child_name, child in nested.items():
            self._read_class(child, f"{key}.{child_name}", scope)

    def _resolve(self, name: str, key: str, scope: list[ast.ClassDef]) -> Type:
        # Innermost class scope first, as Python's annotations resolve in stripe-python.
        # ``key`` is the object's contract name (which may hold dots) plus the nested classes.
        nested_depth = len(scope) - 1
        root = key.rsplit(".", nested_depth)[0] if nested_depth else key
        keys = [root, *(cls.name for cls in scope[1:])]
        for depth in range(len(scope), 0, -1):
            cls = scope[depth - 1]
            if any(
                isinstance(n, ast.ClassDef) and n.name == name and _is_response_type(n)
                for n in cls.body
            ):
                return {"t": "object", "ref": ".".join([*keys[:depth], name])}
        if name in CLASS_TO_OBJECT:
            return {"t": "object", "ref": CLASS_TO_OBJECT[name]}
        return {"t": "external", "ref": name}

    def _annotation(self, node: ast.expr, key: str, scope: list[ast.ClassDef]) -> Type:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self._annotation(ast.parse(node.value, mode="eval").body, key, scope)
        if isinstance(node, ast.Name):
            simple = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
            if node.id in simple:
                return {"t": simple[node.id]}
            if node.id == "Decimal":
                return {"t": "decimal"}
            if node.id == "Any":
                return {"t": "any"}
            if node.id in ("StripeObject", "UntypedStripeObject"):
                return {"t": "map"}
            return self._resolve(node.id, key, scope)
        if isinstance(node, ast.Subscript):
            head = node.value.id if isinstance(node.value, ast.Name) else ""
            inner = node.slice
            args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
            if head == "Optional":
                spec = self._annotation(args[0], key, scope)
                spec["null"] = True
                return spec
            if head == "Literal":
                values = [a.value for a in args if isinstance(a, ast.Constant)]
                if all(isinstance(v, str) for v in values):
                    return {"t": "string", "enum": values} if len(values) == 1 else {"t": "string"}
                if all(isinstance(v, bool) for v in values):
                    return {"t": "boolean"}
                return {"t": "any"}
            if head == "Union":
                parts = [self._annotation(a, key, scope) for a in args]
                return _union(parts)
            if head == "ExpandableField":
                target = self._annotation(args[0], key, scope)
                refs = target["any_of"] if target["t"] == "union" else [target]
                return {"t": "expandable", "refs": [r.get("ref", r["t"]) for r in refs]}
            if head == "ListObject":
                return {"t": "list", "of": self._annotation(args[0], key, scope)}
            if head == "List":
                return {"t": "array", "of": self._annotation(args[0], key, scope)}
            if head in ("Dict", "UntypedStripeObject"):
                return {"t": "map"}
        raise ValueError(f"unknown annotation in {key}: {ast.unparse(node)}")


def _is_response_type(node: ast.ClassDef) -> bool:
    return any(isinstance(b, ast.Name) and b.id == "StripeObject" for b in node.bases)


def _is_classvar(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "ClassVar"
    )


def _union(parts: list[Type]) -> Type:
    nullable = any(p.get("null") for p in parts)
    parts = [{k: v for k, v in p.items() if k != "null"} for p in parts]
    if all(p["t"] == "string" for p in parts):
        spec: Type = {"t": "string"}
    elif len({json.dumps(p, sort_keys=True) for p in parts}) == 1:
        spec = parts[0]
    else:
        spec = {"t": "union", "any_of": parts}
    if nullable:
        spec["null"] = True
    return spec


# -- stripe-node: .d.ts ----------------------------------------------------------------


class NodeReader:
    """Reads ``interface`` declarations of stripe-node's ``types/<version>/*.d.ts``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.types: dict[str, dict[str, Any]] = {}
        self.aliases: dict[str, str] = {}
        self.interfaces: dict[str, str] = {}

    def read_all(self) -> dict[str, Any]:
        for path in sorted(self.root.rglob("*.d.ts")):
            self._scan(_strip_comments(path.read_text()))
        objects = {}
        for name, (_, _, _, interface) in OBJECTS.items():
            if interface in self.interfaces:
                self._read_interface(interface)
                objects[name] = interface
        return objects

    def _scan(self, text: str) -> None:
        """Record every interface body and type alias under its dotted namespace path."""
        stack: list[tuple[str, int]] = []  # (namespace name, brace depth at open)
        depth = 0
        pos = 0
        token = re.compile(
            r"namespace\s+([\w.]+)\s*\{|interface\s+(\w+)[^{]*\{|type\s+(\w+)\s*=|[{}]"
        )
        while True:
            m = token.search(text, pos)
            if m is None:
                return
            pos = m.end()
            prefix = [n for n, _ in stack if n != "Stripe"]
            if m.group(1):
                depth += 1
                stack.append((m.group(1), depth))
            elif m.group(2):
                body, end = _balanced(text, m.end() - 1)
                self.interfaces[".".join([*prefix, m.group(2)])] = body
                pos = end
            elif m.group(3):
                end = text.index(";", pos)
                self.aliases[".".join([*prefix, m.group(3)])] = text[pos:end].strip()
                pos = end + 1
            elif m.group(0) == "{":
                depth += 1
            else:
                if stack and stack[-1][1] == depth:
                    stack.pop()
                depth -= 1

    def _read_interface(self, key: str) -> None:
        if key in self.types:
            return
        self.types[key] = {"fields": {}}
        fields: dict[str, Any] = {}
        for m in re.finditer(r"(\w+)(\??):\s*([^;]+);", _top_level(self.interfaces[key])):
            name, optional, declared = m.group(1), m.group(2), " ".join(m.group(3).split())
            if name == "deleted":
                continue
            spec = self._type(declared, key)
            if optional:
                spec["optional"] = True
            fields[name] = spec
        self.types[key] = {"fields": fields}

    def _lookup(self, name: str, key: str) -> Type:
        name = name.removeprefix("Stripe.")
        if name == "Metadata":
            return {"t": "map"}
        scope = key.split(".")
        for depth in range(len(scope), -1, -1):
            candidate = ".".join([*scope[:depth], name])
            if candidate in NODE_TO_OBJECT and depth == 0:
                return {"t": "object", "ref": NODE_TO_OBJECT[candidate]}
            if candidate in self.interfaces:
                if candidate in NODE_TO_OBJECT:
                    return {"t": "object", "ref": NODE_TO_OBJECT[candidate]}
                if depth == 0 and candidate not in NODE_TO_OBJECT and "." not in name:
                    return {"t": "external", "ref": name}
                self._read_interface(candidate)
                return {"t": "object", "ref": candidate}
            if candidate in self.aliases:
                return self._type(self.aliases[candidate], ".".join(scope[:depth]) or key)
        return {"t": "external", "ref": name}

    def _type(self, declared: str, key: str) -> Type:
        declared = declared.strip().lstrip("|").strip()
        parts = _split_union(declared)
        if len(parts) > 1:
            specs = [self._type(p, key) for p in parts if p != "null"]
            nullable = "null" in parts
            named = [s for s in specs if s["t"] in ("object", "external")]
            if any(p == "string" for p in parts) and named and len(named) == len(specs) - 1:
                spec: Type = {
                    "t": "expandable",
                    "refs": [s["ref"] for s in named if not s["ref"].startswith("Deleted")],
                }
            else:
                spec = _union(specs)
            if nullable:
                spec["null"] = True
            return spec
        if declared.startswith("'"):
            return {"t": "string", "enum": [declared.strip("'")]}
        simple = {
            "string": {"t": "string"},
            "number": {"t": "number"},
            "boolean": {"t": "boolean"},
            "any": {"t": "any"},
            "unknown": {"t": "any"},
            "true": {"t": "boolean"},
            "false": {"t": "boolean"},
        }
        if declared in simple:
            return dict(simple[declared])
        m = re.fullmatch(r"(Array|ApiList)<(.+)>", declared)
        if m:
            kind = "array" if m.group(1) == "Array" else "list"
            return {"t": kind, "of": self._type(m.group(2), key)}
        if declared.startswith("{"):
            return {"t": "map"}
        return self._lookup(declared, key)


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _balanced(text: str, start: int) -> tuple[str, int]:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    raise ValueError("unbalanced braces")


def _top_level(body: str) -> str:
    """``body`` with nested ``{...}`` literals folded to ``{}``."""
    out, depth = [], 0
    for ch in body:
        if ch == "{":
            if depth == 0:
                out.append("{}")
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _split_union(declared: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in declared:
        if ch in "<({":
            depth += 1
        elif ch in ">)}":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


# -- assembling ------------------------------------------------------------------------


def _reachable(types: dict[str, Any], roots: list[str]) -> dict[str, Any]:
    """Only the types the served objects reach (keeps the data small)."""
    seen: dict[str, Any] = {}
    todo = list(roots)
    while todo:
        key = todo.pop()
        if key in seen or key not in types:
            continue
        seen[key] = types[key]
        for spec in types[key]["fields"].values():
            todo.extend(_refs(spec))
    return dict(sorted(seen.items()))


def _refs(spec: Type) -> list[str]:
    if spec["t"] == "object":
        return [spec["ref"]]
    if spec["t"] in ("array", "list"):
        return _refs(spec["of"])
    if spec["t"] == "union":
        return [r for s in spec["any_of"] for r in _refs(s)]
    if spec["t"] == "expandable":
        return list(spec["refs"])
    return []


def build_contract(library: str, release: str, root: Path) -> dict[str, Any]:
    """The contract document for one installed release."""
    if library == "stripe-python":
        version_text = (root / "stripe/_api_version.py").read_text()
        api_version = re.search(r'CURRENT = "([^"]+)"', version_text).group(1)  # type: ignore[union-attr]
        reader: PythonReader | NodeReader = PythonReader(root)
        objects = reader.read_all()
    else:
        lib = (root / "types/lib.d.ts").read_text()
        api_version = re.search(r"LatestApiVersion = '([^']+)'", lib).group(1)  # type: ignore[union-attr]
        reader = NodeReader(root / "types" / api_version)
        objects = reader.read_all()
    types = reader.types
    # Served objects are keyed by their contract name, so a reference reads the same in
    # every version's document.
    renamed = dict(types)
    for name, key in objects.items():
        renamed[name] = renamed.pop(key)
        for other in list(renamed):
            if other.startswith(key + "."):
                renamed[name + other[len(key) :]] = renamed.pop(other)

    def rename(spec: Type) -> Type:
        spec = dict(spec)
        if "ref" in spec:
            spec["ref"] = _rename_ref(spec["ref"], objects)
        if "refs" in spec:
            spec["refs"] = [_rename_ref(r, objects) for r in spec["refs"]]
        if "of" in spec:
            spec["of"] = rename(spec["of"])
        if "any_of" in spec:
            spec["any_of"] = [rename(s) for s in spec["any_of"]]
        return spec

    for value in renamed.values():
        value["fields"] = {name: rename(spec) for name, spec in sorted(value["fields"].items())}
    for type_key, field in ABSENT_BY_DEFAULT:
        spec = renamed.get(type_key, {"fields": {}})["fields"].get(field)
        if spec is not None:
            spec["optional"] = True
    for type_key in PER_METHOD_TYPES:
        for name, spec in renamed.get(type_key, {"fields": {}})["fields"].items():
            if (
                name not in NOT_PER_METHOD
                and spec["t"] == "object"
                and spec["ref"].startswith(type_key + ".")
            ):
                spec["optional"] = True
    return {
        "api_version": api_version,
        "source": f"{library} {release}",
        "id_prefixes": {name: ID_PREFIXES[name] for name in objects},
        "objects": sorted(objects),
        "types": _reachable(renamed, list(objects)),
    }


def _compact(document: dict[str, Any]) -> str:
    """JSON with one line per type: small, yet a regenerated file diffs type by type."""
    head = {k: v for k, v in document.items() if k != "types"}
    lines = [
        f"{json.dumps(name)}: {json.dumps(spec, sort_keys=True, separators=(',', ':'))}"
        for name, spec in document["types"].items()
    ]
    body = json.dumps(head, sort_keys=True)[:-1]
    return body + ', "types": {\n' + ",\n".join(lines) + "\n}}\n"


def _rename_ref(ref: str, objects: dict[str, str]) -> str:
    for name, key in objects.items():
        if ref == key:
            return name
        if ref.startswith(key + "."):
            return name + ref[len(key) :]
    return ref


# -- installing ------------------------------------------------------------------------


def install(library: str, release: str, cache: Path) -> Path:
    """Unpack ``release`` of ``library`` under ``cache`` (downloaded once) and return its root."""
    target = cache / f"{library}-{release}"
    if target.exists():
        return target
    download = cache / "downloads"
    download.mkdir(parents=True, exist_ok=True)
    if library == "stripe-python":
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
             f"stripe=={release}", "-d", str(download)],
            check=True,
        )  # fmt: skip
        wheel = next(download.glob(f"stripe-{release}-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    else:
        subprocess.run(
            ["npm", "pack", "-q", f"stripe@{release}", "--pack-destination", str(download)],
            check=True,
            capture_output=True,
        )
        with tarfile.open(download / f"stripe-{release}.tgz") as archive:
            archive.extractall(target, filter="data")
    return target


def _installed_root(library: str, release: str, cache: Path) -> Path:
    root = install(library, release, cache)
    # npm tarballs unpack into package/.
    return root / "package" if library == "stripe-node" else root


def stripe_python_releases(majors: range) -> list[str]:
    """Every stripe-python release of ``majors``, as pip's index lists them."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "stripe"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    listed = re.search(r"Available versions: (.*)", out)
    releases = [v.strip() for v in listed.group(1).split(",")] if listed else []  # type: ignore[union-attr]
    return [v for v in releases if v.split(".")[0].isdigit() and int(v.split(".")[0]) in majors]


def pinned_version(release: str, cache: Path) -> str:
    """The API version stripe-python ``release`` pins."""
    root = _installed_root("stripe-python", release, cache)
    text = (root / "stripe/_api_version.py").read_text()
    return re.search(r'CURRENT = "([^"]+)"', text).group(1)  # type: ignore[union-attr]


def _family(version: str) -> str:
    """``2025-03-31.basil`` -> ``basil``; dated-only versions are their own family."""
    return version.partition(".")[2] or version


def main(argv: list[str] | None = None) -> int:
    """Install the releases, write ``data/*.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="keep downloads here (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="paychaos-contract-") as scratch:
        cache = args.cache or Path(scratch)
        cache.mkdir(parents=True, exist_ok=True)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        contracts: dict[str, str] = {}
        for library, release in CONTRACT_SOURCES:
            document = build_contract(library, release, _installed_root(library, release, cache))
            path = DATA_DIR / f"{document['api_version']}.json"
            path.write_text(_compact(document))
            contracts[_family(document["api_version"])] = document["api_version"]
            print(f"{path.name}: {len(document['types'])} types from {library} {release}")
        versions: dict[str, dict[str, Any]] = {
            contract: {"contract": contract, "pinned_by": []} for contract in contracts.values()
        }
        for library, release in CONTRACT_SOURCES:
            if library == "stripe-node":
                versions[contracts[_family(_node_pin(release, cache))]]["pinned_by"].append(
                    f"{library} {release}"
                )
        for release in stripe_python_releases(PIN_MAJORS):
            version = pinned_version(release, cache)
            family = _family(version)
            if family not in contracts:
                continue
            entry = versions.setdefault(version, {"contract": contracts[family], "pinned_by": []})
            entry["pinned_by"].append(f"stripe-python {release}")
        for entry in versions.values():
            entry["pinned_by"].sort(key=_release_key)
        (DATA_DIR / "versions.json").write_text(
            json.dumps({"versions": dict(sorted(versions.items()))}, indent=1) + "\n"
        )
        print(f"versions.json: {len(versions)} accepted API versions")
    return 0


def _node_pin(release: str, cache: Path) -> str:
    lib = (_installed_root("stripe-node", release, cache) / "types/lib.d.ts").read_text()
    return re.search(r"LatestApiVersion = '([^']+)'", lib).group(1)  # type: ignore[union-attr]


def _release_key(label: str) -> tuple[str, tuple[int, ...]]:
    library, _, release = label.partition(" ")
    return library, tuple(int(p) for p in release.split(".") if p.isdigit())


if __name__ == "__main__":
    raise SystemExit(main())
