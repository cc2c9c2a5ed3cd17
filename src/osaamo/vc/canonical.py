"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents.

JSON-LD → RDF runs on the fast path (:mod:`osaamo.vc.jsonld_fast`, cached contexts) and falls
back to PyLD with the bundled loader for anything the fast path does not support. Either way the
quads are canonicalized by pyoxigraph (RDFC-1.0, W3C RDF Dataset Canonicalization §4) and
serialised as canonical N-Quads sorted the way rdf-canonize (jsonld.js) sorts them. On the fast
path two cases need no general algorithm and are labelled here (`canonical_nquads_of`): a single
blank node, and blank nodes whose first-degree hashes all differ (§4.4.3 step 4 then decides
every label); the tests compare both with pyoxigraph on random documents and with jsonld.js.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from .jsonld_fast import ContextCache, Expansion, Unsupported, to_quads
from .loader import ContextNotBundledError, DocumentLoader, default_loader

__all__ = [
    "CanonicalizationError",
    "Canonicalized",
    "UndefinedTermsError",
    "canonicalize",
    "canonicalize_nquads",
    "to_nquads_fallback",
]


class CanonicalizationError(Exception):
    """The document could not be turned into RDF (invalid JSON-LD, unknown context, …)."""

    def __init__(self, message: str, *, reason: str = "jsonld_error", url: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.url = url


class UndefinedTermsError(CanonicalizationError):
    """JSON-LD safe mode: the document has terms its contexts do not define (they would go unsigned)."""

    def __init__(self, dropped: list[str]) -> None:
        self.dropped = dropped
        super().__init__(
            "terms not defined by the document's JSON-LD contexts would be dropped from the signed data: "
            + ", ".join(dropped),
            reason="undefined_term",
        )


@dataclass
class Canonicalized:
    nquads: str
    fast_path: bool
    dropped: list[str] = field(default_factory=list)
    fallback_reason: str | None = None


_caches: dict[int, ContextCache] = {}


def _cache_for(loader: DocumentLoader) -> ContextCache:
    cache = _caches.get(id(loader))
    if cache is None:
        cache = _caches[id(loader)] = ContextCache(loader.get)
    return cache


def _utf16_key(line: str) -> bytes:
    return line.encode("utf-16-be")


def _sorted_text(lines: list[str]) -> str:
    """The canonical N-Quads document: ``lines`` sorted, one quad per line.

    RDFC-1.0 §4.4.3 step 5: the canonical N-Quads sorted; rdf-canonize sorts with JavaScript's
    default (UTF-16 code unit) order, which UTF-16-BE bytes reproduce. That order differs from
    Python's code point order only between a character above U+FFFF and one in U+E000-U+FFFF,
    so the plain sort is used when no line has a character above U+FFFF.
    """
    lines.sort()
    text = "\n".join(lines)
    if not text.isascii() and len(text.encode("utf-16-le")) != 2 * len(text):
        lines.sort(key=_utf16_key)
        text = "\n".join(lines)
    return text + "\n" if lines else ""


# pyoxigraph writes the non-characters U+FFFE and U+FFFF as \uFFFE / \uFFFF; the canonical
# N-Quads form (RDF 1.2 N-Triples §canonical, used by RDFC-1.0) escapes only C0 controls and DEL, as
# rdf-canonize does. An escape is one when an even number of backslashes comes before it.
_NONCHARACTER_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\uFFF([EF])")


def _library_lines(dataset: ox.Dataset) -> list[str]:
    """The dataset's N-Quads lines (without their newlines).

    Split on "\\n" only: a literal may hold U+2028, U+2029 or U+0085, which ``str.splitlines``
    would also break at, while canonical N-Quads escape only C0 controls and DEL, so "\\n" ends a
    quad and nothing else.
    """
    text = str(dataset)
    if "\\uFFF" in text:
        text = _NONCHARACTER_ESCAPE.sub(lambda m: m.group(1) + chr(0xFFF0 + int(m.group(2), 16)), text)
    lines = text.split("\n")
    lines.pop()  # the text ends with a newline (or is empty)
    return lines


def _sorted_nquads(quads: list[ox.Quad]) -> str:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return _sorted_text(_library_lines(dataset))


def canonical_nquads_of(expansion: Expansion) -> str:
    """RDFC-1.0 canonical N-Quads of the fast path's output.

    Only the quads that mention a blank node go to pyoxigraph's RDFC-1.0 implementation: the
    algorithm reads nothing else to choose the canonical labels (§4.4.3 steps 2-6 work on the
    blank node to quads map) and leaves every other quad as it is (step 7), so the ground quads
    are already canonical and only need to be deduplicated and sorted in with the rest. When the
    blank nodes' first-degree hashes all differ (a single blank node, or a credential whose nested
    objects all differ), they decide the labels without the library (`first_degree_canonical_lines`).
    """
    lines = list(set(expansion.ground)) if expansion.ground else []
    if expansion.blank:
        labelled = first_degree_canonical_lines(list(dict.fromkeys(expansion.blank)))
        if labelled is None:
            text = "\n".join(expansion.blank)
            dataset = ox.Dataset(ox.parse(text, format=ox.RdfFormat.N_QUADS, lenient=True))
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            labelled = _library_lines(dataset)
        lines.extend(labelled)
    return _sorted_text(lines)


def first_degree_canonical_lines(lines: list[str]) -> list[str] | None:
    """The distinct blank-node ``lines`` relabelled canonically, when first-degree hashes decide.

    RDFC-1.0 §4.4.3 step 3 hashes each blank node's quads (§4.6: each quad in canonical N-Quads
    with the node itself written ``_:a`` and any other blank node ``_:z``, sorted in code point
    order, concatenated, SHA-256); step 4 issues ``c14n0``, ``c14n1``, … in the code point order of
    the hashes to every node whose hash is its alone. When every hash is unique, as in a credential
    whose nested objects all differ, that is the whole labelling: step 5 (N-degree hashing) has
    nothing left to do. Otherwise None, and pyoxigraph runs the whole algorithm; also None for a
    line whose blank nodes are not where this reads them (subject, and object or graph name) and for
    text above U+FFFF (where code point and UTF-16 order differ, the library's order is kept).
    """
    text = "".join(lines)
    if not text.isascii() and len(text.encode("utf-16-le")) != 2 * len(text):
        return None
    parsed: list[tuple[str | None, str, str | None]] = []
    quads_of: dict[str, list[str]] = {}
    for line in lines:
        # `subject predicate object [graph] .`: a blank subject comes first; a blank object or graph
        # name last (a literal ends with `"`, a language tag or `>`, so its text is never taken).
        subject: str | None = None
        rest = line[:-2]
        if line[0] == "_":
            cut = line.index(" ")
            subject, rest = line[:cut], rest[cut:]
        at = rest.rfind(" ")
        tail = rest[at + 1:]
        last = tail if tail[:3] == "_:b" and tail[3:].isdigit() else None
        if last is not None:
            rest = rest[:at]
        if "_:b" in rest:
            return None  # a second blank node in the middle, or a literal that reads like one
        parsed.append((subject, rest, last))
        if last is None:
            if subject is None:
                return None  # not a blank-node quad after all
            quads_of.setdefault(subject, []).append(f"_:a{rest} .\n")
        elif subject is None:
            quads_of.setdefault(last, []).append(f"{rest} _:a .\n")
        elif subject == last:
            quads_of.setdefault(subject, []).append(f"_:a{rest} _:a .\n")
        else:
            quads_of.setdefault(subject, []).append(f"_:a{rest} _:z .\n")
            quads_of.setdefault(last, []).append(f"_:z{rest} _:a .\n")
    node_of_hash: dict[str, str] = {}
    for node, quads in quads_of.items():
        quads.sort()
        digest = hashlib.sha256("".join(quads).encode()).hexdigest()
        if digest in node_of_hash:
            return None  # shared: N-degree hashing decides
        node_of_hash[digest] = node
    label = {node_of_hash[digest]: f"_:c14n{n}" for n, digest in enumerate(sorted(node_of_hash))}
    return [(label[subject] if subject else "") + rest + (f" {label[last]} ." if last else " .")
            for subject, rest, last in parsed]


def canonicalize(
    document: Mapping[str, Any],
    *,
    loader: DocumentLoader | None = None,
    safe: bool = False,
    allow_fallback: bool = True,
) -> Canonicalized:
    """Canonical N-Quads of a JSON-LD document.

    ``safe=True`` raises :class:`UndefinedTermsError` when JSON-LD would drop a term (jsonld.js
    "safe mode"). With ``allow_fallback=False`` a document outside the fast path's subset raises
    :class:`CanonicalizationError` (reason ``unsupported_jsonld``) instead of going to PyLD.
    """
    loader = loader or default_loader()
    try:
        expansion = to_quads(document, _cache_for(loader))
    except ContextNotBundledError as exc:
        raise CanonicalizationError(str(exc), reason="context_not_bundled", url=exc.url) from exc
    except Unsupported as exc:
        if not allow_fallback:
            raise CanonicalizationError(
                f"document uses JSON-LD features outside the supported subset: {exc}",
                reason="unsupported_jsonld",
            ) from exc
        return Canonicalized(to_nquads_fallback(document, loader=loader), False, [], str(exc))
    if safe and expansion.dropped:
        raise UndefinedTermsError(expansion.dropped)
    try:
        nquads = canonical_nquads_of(expansion)
    except (ValueError, SyntaxError) as exc:  # pragma: no cover - pyoxigraph refusing validated terms
        raise CanonicalizationError(str(exc)) from exc
    return Canonicalized(nquads, True, expansion.dropped)


def canonicalize_nquads(document: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> str:
    """Public helper: the RDFC-1.0 canonical N-Quads of ``document`` (as signed by eddsa-rdfc-2022)."""
    return canonicalize(document, loader=loader).nquads


def js_json_numbers(value: Any) -> Any:
    """Copy of ``value`` with numbers as JavaScript would read them from JSON text.

    ``5.0`` becomes ``5`` and integers beyond 2**53 lose precision, as in jsonld.js; PyLD keeps
    Python's distinction, which would change the canonical form.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        number = float(value)
        if number == int(number) and abs(number) < 1e21:
            return int(number)
        return number
    if isinstance(value, Mapping):
        return {k: js_json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [js_json_numbers(v) for v in value]
    return value


def _term(term: dict[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = term["type"]
    value = term["value"]
    if kind == "IRI":
        return ox.NamedNode(value)
    if kind == "blank node":
        return ox.BlankNode(value[2:])
    if "language" in term:
        return ox.Literal(value, language=term["language"])
    return ox.Literal(value, datatype=ox.NamedNode(term["datatype"]))


def to_nquads_fallback(document: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> str:
    """Canonical N-Quads via PyLD (general JSON-LD 1.1 processor) + pyoxigraph RDFC-1.0."""
    loader = loader or default_loader()
    try:
        dataset = jsonld.to_rdf(
            js_json_numbers(copy.deepcopy(dict(document))),
            {"documentLoader": loader, "base": None},
        )
    except ContextNotBundledError as exc:
        raise CanonicalizationError(str(exc), reason="context_not_bundled", url=exc.url) from exc
    except jsonld.JsonLdError as exc:
        cause = exc
        while cause is not None:
            if isinstance(cause, ContextNotBundledError):
                raise CanonicalizationError(str(cause), reason="context_not_bundled", url=cause.url) from exc
            cause = getattr(cause, "cause", None) or cause.__cause__
        raise CanonicalizationError(f"invalid JSON-LD: {exc}") from exc
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise CanonicalizationError(f"invalid JSON-LD: {exc}") from exc
    quads: list[ox.Quad] = []
    try:
        for graph_name, triples in dataset.items():
            graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
            if graph_name == "@default":
                graph = ox.DefaultGraph()
            elif graph_name.startswith("_:"):
                graph = ox.BlankNode(graph_name[2:])
            else:
                graph = ox.NamedNode(graph_name)
            for triple in triples:
                subject = _term(triple["subject"])
                predicate = _term(triple["predicate"])
                if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                    continue
                quads.append(ox.Quad(subject, predicate, _term(triple["object"]), graph))
    except ValueError as exc:
        raise CanonicalizationError(f"RDF term refused: {exc}") from exc
    return _sorted_nquads(quads)
