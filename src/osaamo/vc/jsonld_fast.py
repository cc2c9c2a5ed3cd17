"""Fast JSON-LD 1.1 → RDF for the shapes verifiable credentials use.

Why: turning a credential into RDF costs ~2-4 ms in general processors because they process
every context for every document. Here each context (and each type-scoped and property-scoped
context) is processed once into an immutable :class:`ActiveContext` whose derived contexts are
memoised, then one walk over the document emits the quads directly (JSON-LD 1.1 API §5.1
Expansion fused with §6.2 Deserialize JSON-LD to RDF; node-map generation is unnecessary because
the result feeds RDF Dataset Canonicalization, which ignores quad order and blank-node labels).

The walk follows jsonld.js (the Digital Bazaar peer) exactly on what it supports. Whatever it does
not support raises :class:`Unsupported`; the caller then falls back to a general processor (PyLD).
It never guesses. Terms that JSON-LD would silently drop (JSON-LD "safe mode" events, e.g. a
property no context defines) are reported in ``Expansion.dropped``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyoxigraph as ox
import rfc8785

__all__ = ["ActiveContext", "ContextCache", "Expansion", "Unsupported", "to_quads"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
RDF_JSON = RDF + "JSON"
RDF_LANGSTRING = RDF + "langString"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"

KEYWORDS = frozenset(
    {
        "@base", "@container", "@context", "@default", "@direction", "@embed", "@explicit",
        "@graph", "@id", "@import", "@included", "@index", "@json", "@language", "@list",
        "@nest", "@none", "@omitDefault", "@prefix", "@preserve", "@propagate", "@protected",
        "@requireAll", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
    }
)  # fmt: skip
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
# jsonld.js lib/url.js isAbsoluteRegex
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")
_GEN_DELIM_END = re.compile(r"[:/?#\[\]@]$")
_MAX_DEPTH = 64


class Unsupported(Exception):
    """The fast path cannot process this document faithfully; use the general processor."""


def is_absolute_iri(value: str) -> bool:
    return _ABSOLUTE_IRI.match(value) is not None


class TermDefinition:
    __slots__ = ("container", "context", "context_key", "iri", "prefix", "protected", "type", "unsupported")

    def __init__(self) -> None:
        self.iri: str | None = None
        self.type: str | None = None
        self.container: frozenset[str] = frozenset()
        self.context: Any = None  # raw property/type-scoped context, None if absent
        self.context_key: Any = None
        self.prefix = False
        self.protected = False
        self.unsupported: str | None = None  # feature the fast path does not handle

    def same_as(self, other: TermDefinition) -> bool:
        return (
            self.iri == other.iri
            and self.type == other.type
            and self.container == other.container
            and self.prefix == other.prefix
            and self.unsupported == other.unsupported
            and _json_equal(self.context, other.context)
        )


_ABSENT = object()


def _json_equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


class ContextCache:
    """Shared memo of processed contexts; owns the document loader (a callable url -> document)."""

    def __init__(self, load: Callable[[str], Mapping[str, Any]]) -> None:
        self.load = load
        self.initial = ActiveContext(self)
        self._embedded_keys: dict[int, tuple[Any, str]] = {}

    def key_for(self, local: Any) -> Any:
        """A hashable identity for a local context value."""
        if isinstance(local, str):
            return local
        # Embedded contexts: key by canonical JSON (documents are new objects every time).
        return ("json", json.dumps(local, sort_keys=True, separators=(",", ":")))


class ActiveContext:
    """An immutable active context (JSON-LD 1.1 API §4.1) with memoised derivations."""

    __slots__ = ("_derived", "_keys", "_types", "cache", "previous", "terms", "vocab")

    def __init__(self, cache: ContextCache) -> None:
        self.cache = cache
        self.terms: dict[str, TermDefinition] = {}
        self.vocab: str | None = None
        self.previous: ActiveContext | None = None
        self._derived: dict[Any, ActiveContext] = {}
        self._keys: dict[str, str | None] = {}
        self._types: dict[str, str | None] = {}

    def expand_key(self, key: str) -> str | None:
        """Memoised expansion of a property key: a keyword, an absolute IRI, or None (dropped).

        Contexts are immutable once they are used for expansion, so the memo is safe.
        """
        try:
            return self._keys[key]
        except KeyError:
            expanded = self.expand_iri(key, vocab=True, doc_relative=False)
            if expanded is not None and expanded[0] != "@" and not is_absolute_iri(expanded):
                expanded = None
            if len(self._keys) < 4096:
                self._keys[key] = expanded
            return expanded

    def expand_type(self, value: str) -> str | None:
        """Memoised expansion of a ``@type`` value; None when it does not become an absolute IRI."""
        try:
            return self._types[value]
        except KeyError:
            expanded = self.expand_iri(value, vocab=True, doc_relative=True)
            if expanded is not None and not is_absolute_iri(expanded):
                expanded = None
            if len(self._types) < 4096:
                self._types[value] = expanded
            return expanded

    def _copy(self) -> ActiveContext:
        new = ActiveContext(self.cache)
        new.terms = dict(self.terms)
        new.vocab = self.vocab
        new.previous = self.previous
        return new

    # JSON-LD 1.1 API §4.1.2 Context Processing Algorithm (memoised)
    def derive(
        self, local: Any, *, key: Any = _ABSENT, override_protected: bool = False, propagate: bool = True
    ) -> ActiveContext:
        if key is _ABSENT:
            key = self.cache.key_for(local)
        memo_key = (key, override_protected, propagate)
        found = self._derived.get(memo_key)
        if found is not None:
            return found
        result = self._process(local, override_protected, propagate, remote=())
        if len(self._derived) < 512:
            self._derived[memo_key] = result
        return result

    def _process(self, local: Any, override_protected: bool, propagate: bool, remote: tuple[str, ...]) -> ActiveContext:
        result = self._copy()
        # §4.1.2 step 2: a context that does not propagate remembers where to revert to.
        if not propagate and result.previous is None:
            result.previous = self
        items = local if isinstance(local, list) else [local]
        for item in items:
            if item is None:
                # step 5.1: nullification is an error when protected terms exist
                if not override_protected and any(t.protected for t in result.terms.values()):
                    raise Unsupported("invalid context nullification")
                fresh = ActiveContext(self.cache)
                if not propagate:
                    fresh.previous = result.previous
                result = fresh
                continue
            if isinstance(item, str):
                if item in remote or len(remote) > 16:
                    raise Unsupported("recursive context inclusion")
                document = self.cache.load(item)  # raises ContextNotBundledError
                if not isinstance(document, Mapping) or "@context" not in document:
                    raise Unsupported(f"invalid remote context {item}")
                result = result._process(document["@context"], override_protected, True, (*remote, item))
                if not propagate and result.previous is None:
                    result.previous = self
                continue
            if not isinstance(item, Mapping):
                raise Unsupported("invalid local context")
            result = result._copy()
            result._apply_map(item, override_protected)
        return result

    def _apply_map(self, ctx: Mapping[str, Any], override_protected: bool) -> None:
        """Apply one local context map to this (fresh, not yet shared) context in place."""
        result = self
        for unsupported in ("@import", "@base", "@language", "@direction"):
            if unsupported in ctx:
                raise Unsupported(f"context {unsupported}")
        if "@version" in ctx and ctx["@version"] != 1.1:
            raise Unsupported("@version")
        if "@propagate" in ctx and ctx["@propagate"] is not True:
            raise Unsupported("@propagate")
        if "@vocab" in ctx:
            vocab = ctx["@vocab"]
            if vocab is None:
                result.vocab = None
            elif isinstance(vocab, str):
                expanded = result.expand_iri(vocab, vocab=True, doc_relative=True)
                if expanded is None or not is_absolute_iri(expanded):
                    raise Unsupported("relative @vocab")
                result.vocab = expanded
            else:
                raise Unsupported("invalid @vocab")
        default_protected = ctx.get("@protected", False) is True
        defined: dict[str, bool] = {}
        for term in ctx:
            if term in ("@version", "@vocab", "@protected", "@propagate"):
                continue
            result._create_term(ctx, term, defined, default_protected, override_protected)

    # JSON-LD 1.1 API §4.2.2 Create Term Definition
    def _create_term(
        self,
        local: Mapping[str, Any],
        term: str,
        defined: dict[str, bool],
        default_protected: bool,
        override_protected: bool,
    ) -> None:
        state = defined.get(term)
        if state is True:
            return
        if state is False:
            raise Unsupported("cyclic IRI mapping")
        if term == "":
            raise Unsupported("empty term")
        defined[term] = False
        value = local[term]
        if term == "@type":
            raise Unsupported("@type term definition")
        if term in KEYWORDS:
            raise Unsupported("keyword redefinition")
        if _KEYWORD_LIKE.match(term):
            defined[term] = True  # ignored, as the spec says
            return
        previous = self.terms.pop(term, None)
        simple = False
        if value is None:
            value = {"@id": None}
        elif isinstance(value, str):
            value = {"@id": value}
            simple = True
        elif not isinstance(value, Mapping):
            raise Unsupported("invalid term definition")
        definition = TermDefinition()
        definition.protected = value.get("@protected", default_protected) is True
        if "@reverse" in value:
            raise Unsupported("@reverse")
        if "@type" in value:
            type_ = value["@type"]
            if not isinstance(type_, str):
                raise Unsupported("invalid type mapping")
            type_iri = self._expand_iri_local(type_, local, defined, vocab=True)
            if type_iri not in ("@id", "@vocab", "@json", "@none") and (
                type_iri is None or type_iri.startswith("_:") or not is_absolute_iri(type_iri)
            ):
                raise Unsupported("invalid type mapping")
            definition.type = type_iri
        colon = term.find(":", 1)
        if "@id" in value and value["@id"] != term:
            id_ = value["@id"]
            if id_ is None:
                definition.iri = None
            elif not isinstance(id_, str):
                raise Unsupported("invalid IRI mapping")
            elif id_ not in KEYWORDS and _KEYWORD_LIKE.match(id_):
                defined[term] = True
                return  # ignored
            else:
                iri = self._expand_iri_local(id_, local, defined, vocab=True)
                if iri is None or (iri not in KEYWORDS and not is_absolute_iri(iri)):
                    raise Unsupported("invalid IRI mapping")
                if iri == "@context":
                    raise Unsupported("invalid keyword alias")
                if colon > 0 or "/" in term:
                    defined[term] = True
                    if self._expand_iri_local(term, local, defined, vocab=True) != iri:
                        raise Unsupported("invalid IRI mapping")
                definition.iri = iri
                if colon < 0 and "/" not in term and simple:
                    definition.prefix = _GEN_DELIM_END.search(iri) is not None or iri.startswith("_:")
        elif colon > 0:
            prefix, suffix = term.split(":", 1)
            if prefix in local:
                self._create_term(local, prefix, defined, default_protected, override_protected)
            prefix_def = self.terms.get(prefix)
            if prefix_def is not None and prefix_def.iri is not None:
                definition.iri = prefix_def.iri + suffix
            else:
                definition.iri = term
        elif "/" in term:
            iri = self._expand_iri_local(term, local, defined, vocab=True)
            if iri is None or not is_absolute_iri(iri):
                raise Unsupported("invalid IRI mapping")
            definition.iri = iri
        elif self.vocab is not None:
            definition.iri = self.vocab + term
        else:
            raise Unsupported("invalid IRI mapping (no @vocab)")
        if "@container" in value:
            container = value["@container"]
            containers = frozenset(container if isinstance(container, list) else [container])
            if containers in (
                frozenset({"@set"}),
                frozenset({"@list"}),
                frozenset({"@graph"}),
            ) or containers == frozenset({"@graph", "@set"}):
                definition.container = containers
            else:
                definition.container = containers
                definition.unsupported = f"@container {sorted(containers)}"
        for feature in ("@index", "@language", "@direction", "@nest"):
            if feature in value:
                definition.unsupported = feature
        if "@context" in value:
            definition.context = value["@context"]
            definition.context_key = ("scoped", id(value["@context"]))
            # jsonld.js validates the scoped context when the term is defined; we do it lazily,
            # but a context the fast path cannot process must not be met only halfway through.
        if "@prefix" in value:
            if colon > 0 or "/" in term or not isinstance(value["@prefix"], bool):
                raise Unsupported("invalid @prefix")
            definition.prefix = value["@prefix"]
        if previous is not None and previous.protected and not override_protected:
            definition.protected = True
            if not definition.same_as(previous):
                raise Unsupported(f"protected term redefinition: {term}")
            definition = previous
        self.terms[term] = definition
        defined[term] = True

    def _expand_iri_local(
        self, value: str, local: Mapping[str, Any], defined: dict[str, bool], *, vocab: bool
    ) -> str | None:
        """IRI expansion during context processing (may define terms of ``local`` on demand)."""
        if value in KEYWORDS:
            return value
        if _KEYWORD_LIKE.match(value):
            return None
        if value in local and defined.get(value) is not True:
            self._create_term(local, value, defined, False, False)
        colon = value.find(":", 1)
        if colon > 0:
            prefix = value[:colon]
            if prefix in local and defined.get(prefix) is not True and prefix != "_":
                self._create_term(local, prefix, defined, False, False)
        return self.expand_iri(value, vocab=vocab, doc_relative=False)

    # JSON-LD 1.1 API §5.2.2 IRI Expansion (jsonld.js lib/context.js _expandIri)
    def expand_iri(self, value: str, *, vocab: bool, doc_relative: bool) -> str | None:
        if value in KEYWORDS:
            return value
        if _KEYWORD_LIKE.match(value):
            return None
        if vocab:
            definition = self.terms.get(value)
            if definition is not None:
                return definition.iri
        colon = value.find(":", 1)
        if colon > 0:
            prefix = value[:colon]
            suffix = value[colon + 1 :]
            if prefix == "_" or suffix.startswith("//"):
                return value
            definition = self.terms.get(prefix)
            if definition is not None and definition.prefix and definition.iri is not None:
                return definition.iri + suffix
            if is_absolute_iri(value):
                return value
        if vocab and self.vocab is not None:
            return self.vocab + value
        # Relative IRI: no document base is used for credentials; callers treat it as dropped.
        return value


class Expansion:
    """Result of :func:`to_quads`: the quads and what safe-mode JSON-LD would have refused."""

    __slots__ = ("dropped", "quads")

    def __init__(self) -> None:
        self.quads: list[ox.Quad] = []  # default-graph quads are built without a graph term
        self.dropped: list[str] = []


_NAMED: dict[str, ox.NamedNode] = {}


def _named(iri: str) -> ox.NamedNode:
    node = _NAMED.get(iri)
    if node is None:
        try:
            node = ox.NamedNode(iri)
        except ValueError as exc:
            raise Unsupported(f"IRI not accepted by the RDF library: {iri!r}") from exc
        if len(_NAMED) < 20000:
            _NAMED[iri] = node
    return node


def js_number_lexical(value: int | float, datatype: str | None) -> tuple[str, str]:
    """Lexical form and datatype of a JSON number exactly as jsonld.js produces them.

    A JSON document is read by JavaScript as IEEE doubles; jsonld.js (lib/toRdf.js) then treats a
    number as xsd:double when ``String(v)`` has a '.' or ``|v| >= 1e21`` and otherwise writes
    ``v.toFixed(0)`` as xsd:integer. Python keeps ``5.0`` and ``5`` apart, JavaScript does not,
    so this function works on the double value.
    """
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise Unsupported("non-finite number")
    integral = number == int(number)
    is_double = abs(number) >= 1e21 or (not integral and "." in repr(number))
    if is_double or datatype == XSD_DOUBLE:
        return _to_exponential_15(number), datatype or XSD_DOUBLE
    if not integral:
        raise Unsupported("number JavaScript prints without a '.'")  # e.g. 1e-07
    return str(int(number)), datatype or XSD_INTEGER


def _to_exponential_15(number: float) -> str:
    """``number.toExponential(15).replace(/(\\d)0*e\\+?/, '$1E')`` (ECMA-262 rounding: ties up)."""
    if number == 0:
        return "0.0E0"
    sign = "-" if number < 0 else ""
    exact = Decimal(abs(number))
    exponent = exact.adjusted()
    digits = exact.scaleb(-exponent).quantize(Decimal("1.000000000000000"), rounding=ROUND_HALF_UP)
    if digits >= 10:
        exponent += 1
        digits = (digits / 10).quantize(Decimal("1.000000000000000"), rounding=ROUND_HALF_UP)
    mantissa = f"{digits:.15f}".rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{sign}{mantissa}E{exponent}"


class _Walker:
    __slots__ = ("blank_labels", "counter", "depth", "out")

    def __init__(self, out: Expansion) -> None:
        self.out = out
        self.counter = 0
        self.blank_labels: dict[str, ox.BlankNode] = {}
        self.depth = 0

    def fresh(self) -> ox.BlankNode:
        self.counter += 1
        return ox.BlankNode(f"b{self.counter}")

    def blank(self, label: str) -> ox.BlankNode:
        node = self.blank_labels.get(label)
        if node is None:
            node = self.blank_labels[label] = self.fresh()
        return node

    def iri_or_blank(self, value: str) -> ox.NamedNode | ox.BlankNode:
        if value.startswith("_:"):
            return self.blank(value)
        return _named(value)

    # -- node objects (JSON-LD 1.1 API §5.1.2 steps 7-14, then §6.2 for each entry) --
    def node(
        self,
        ctx: ActiveContext,
        element: Mapping[str, Any],
        graph: ox.BlankNode | None,
        scoped: TermDefinition | None,
        top_level: bool,
    ) -> ox.NamedNode | ox.BlankNode:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise Unsupported("nesting too deep")
        # step 7: type-scoped contexts do not propagate into nested node objects
        if ctx.previous is not None and not self._only_id(ctx, element):
            ctx = ctx.previous
        # step 8: property-scoped context
        if scoped is not None and scoped.context is not None:
            ctx = ctx.derive(scoped.context, key=scoped.context_key, override_protected=True)
        # step 9: embedded context
        if "@context" in element:
            ctx = ctx.derive(element["@context"])
        type_scoped_ctx = ctx
        # step 11: apply type-scoped contexts, keys and values in lexicographic order
        type_keys = sorted(
            k for k in element if k != "@context" and ctx.expand_iri(k, vocab=True, doc_relative=False) == "@type"
        )
        for key in type_keys:
            values = element[key]
            for value in sorted(values if isinstance(values, list) else [values], key=_type_sort_key):
                if not isinstance(value, str):
                    raise Unsupported("non-string @type")
                definition = type_scoped_ctx.terms.get(value)
                if definition is not None and definition.context is not None:
                    ctx = ctx.derive(definition.context, key=definition.context_key, propagate=False)
        subject: ox.NamedNode | ox.BlankNode | None = None
        types: list[str] = []
        entries: list[tuple[str, str, Any]] = []
        for key, value in element.items():
            if key == "@context":
                continue
            expanded = ctx.expand_key(key)
            if expanded is None:
                self.out.dropped.append(f"invalid property: {key}")
                continue
            if expanded == "@id":
                if not isinstance(value, str):
                    raise Unsupported("non-string @id")
                iri = ctx.expand_iri(value, vocab=False, doc_relative=True)
                if iri is None or not is_absolute_iri(iri):
                    self.out.dropped.append(f"relative @id reference: {value}")
                    raise Unsupported("relative @id")
                subject = self.iri_or_blank(iri)
            elif expanded == "@type":
                for type_value in value if isinstance(value, list) else [value]:
                    if not isinstance(type_value, str):
                        raise Unsupported("non-string @type")
                    iri = type_scoped_ctx.expand_type(type_value)
                    if iri is None:
                        self.out.dropped.append(f"relative @type reference: {type_value}")
                        continue
                    types.append(iri)
            elif expanded[0] == "@":
                raise Unsupported(f"keyword {expanded} in node object")
            else:
                entries.append((key, expanded, value))
        if top_level and not types and not entries:
            # jsonld.js drops a free-floating node with nothing but @id (safe-mode event)
            self.out.dropped.append("object with only @id" if subject is not None else "empty object")
            raise Unsupported("free-floating node")
        if subject is None:
            subject = self.fresh()
        quads = self.out.quads
        for type_iri in types:
            quads.append(_quad(subject, _named(RDF_TYPE), self.iri_or_blank(type_iri), graph))
        for key, predicate_iri, value in entries:
            if predicate_iri.startswith("_:"):
                raise Unsupported("blank node predicate")
            predicate = _named(predicate_iri)
            definition = ctx.terms.get(key)
            for obj in self.property_values(ctx, definition, key, value, graph):
                quads.append(_quad(subject, predicate, obj, graph))
        self.depth -= 1
        return subject

    @staticmethod
    def _only_id(ctx: ActiveContext, element: Mapping[str, Any]) -> bool:
        # §5.1.2 step 7: keep the context for value objects and bare node references
        expanded = [ctx.expand_key(k) for k in element]
        if "@value" in expanded:
            return True
        return len(expanded) == 1 and expanded[0] == "@id"

    def property_values(
        self,
        ctx: ActiveContext,
        definition: TermDefinition | None,
        key: str,
        value: Any,
        graph: ox.BlankNode | None,
    ) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        if definition is not None and definition.unsupported:
            raise Unsupported(f"term {key!r} uses {definition.unsupported}")
        type_mapping = definition.type if definition is not None else None
        container = definition.container if definition is not None else frozenset()
        if type_mapping == "@json":
            return [ox.Literal(_json_literal(value), datatype=_named(RDF_JSON))]
        items = value if isinstance(value, list) else [value]
        if "@list" in container:
            return [self.list_object(ctx, definition, key, items, graph)]
        results: list[ox.NamedNode | ox.BlankNode | ox.Literal] = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, list):
                raise Unsupported("nested array")
            if "@graph" in container:
                if not isinstance(item, Mapping):
                    raise Unsupported("non-object in @graph container")
                graph_name = self.fresh()
                self.node_or_value(ctx, definition, key, item, graph_name, in_graph_container=True)
                results.append(graph_name)
                continue
            obj = self.node_or_value(ctx, definition, key, item, graph, in_graph_container=False)
            if obj is not None:
                results.append(obj)
        return results

    def list_object(
        self,
        ctx: ActiveContext,
        definition: TermDefinition | None,
        key: str,
        items: list[Any],
        graph: ox.BlankNode | None,
    ) -> ox.NamedNode | ox.BlankNode:
        # JSON-LD 1.1 API §6.3 List to RDF Conversion
        objects: list[ox.NamedNode | ox.BlankNode | ox.Literal] = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, list):
                raise Unsupported("list of lists")
            obj = self.node_or_value(ctx, definition, key, item, graph, in_graph_container=False)
            if obj is None:
                raise Unsupported("dropped list item")
            objects.append(obj)
        if not objects:
            return _named(RDF_NIL)
        heads = [self.fresh() for _ in objects]
        quads = self.out.quads
        for index, (head, obj) in enumerate(zip(heads, objects, strict=True)):
            quads.append(_quad(head, _named(RDF_FIRST), obj, graph))
            rest = heads[index + 1] if index + 1 < len(heads) else _named(RDF_NIL)
            quads.append(_quad(head, _named(RDF_REST), rest, graph))
        return heads[0]

    def node_or_value(
        self,
        ctx: ActiveContext,
        definition: TermDefinition | None,
        key: str,
        item: Any,
        graph: ox.BlankNode | None,
        *,
        in_graph_container: bool,
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        if isinstance(item, Mapping):
            value_ctx = ctx
            if definition is not None and definition.context is not None:
                value_ctx = ctx.derive(definition.context, key=definition.context_key, override_protected=True)
            keys = {value_ctx.expand_key(k) for k in item}
            if "@value" in keys:
                return self.value_object(value_ctx, item)
            if keys & {
                "@list",
                "@set",
                "@graph",
                "@included",
                "@reverse",
                "@nest",
                "@index",
                "@language",
                "@direction",
            }:
                raise Unsupported("list/set/graph object in value position")
            return self.node(ctx, item, graph, definition, top_level=in_graph_container)
        if in_graph_container:
            raise Unsupported("scalar in @graph container")
        return self.scalar(ctx, definition, key, item)

    def scalar(
        self, ctx: ActiveContext, definition: TermDefinition | None, key: str, value: Any
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        # JSON-LD 1.1 API §5.1.2 step 4 + §5.3.2 Value Expansion: the property-scoped context
        # applies, and the property's definition is looked up again in it.
        if definition is not None and definition.context is not None:
            ctx = ctx.derive(definition.context, key=definition.context_key, override_protected=True)
            definition = ctx.terms.get(key)
        type_mapping = definition.type if definition is not None else None
        if isinstance(value, str) and type_mapping in ("@id", "@vocab"):
            iri = ctx.expand_iri(value, vocab=type_mapping == "@vocab", doc_relative=True)
            if iri is None or not is_absolute_iri(iri):
                self.out.dropped.append(f"relative @id reference: {value}")
                raise Unsupported("relative IRI value")
            return self.iri_or_blank(iri)
        datatype = type_mapping if type_mapping not in (None, "@id", "@vocab", "@none") else None
        return self.literal(value, datatype)

    def value_object(self, ctx: ActiveContext, item: Mapping[str, Any]) -> ox.Literal | None:
        value = _ABSENT
        datatype: str | None = None
        language: str | None = None
        for key, entry in item.items():
            expanded = ctx.expand_key(key)
            if expanded == "@value":
                value = entry
            elif expanded == "@type":
                if not isinstance(entry, str):
                    raise Unsupported("invalid value object @type")
                datatype = ctx.expand_iri(entry, vocab=True, doc_relative=True)
                if datatype is None or not is_absolute_iri(datatype) or datatype.startswith("_:"):
                    raise Unsupported("invalid typed value")
            elif expanded == "@language":
                if not isinstance(entry, str):
                    raise Unsupported("invalid @language")
                language = entry.lower()
            else:
                raise Unsupported(f"value object entry {key}")
        if value is None or value is _ABSENT:
            raise Unsupported("null @value")
        if datatype == "@json":
            return ox.Literal(_json_literal(value), datatype=_named(RDF_JSON))
        if language is not None:
            if datatype is not None or not isinstance(value, str):
                raise Unsupported("invalid language-tagged value")
            if not re.match(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$", language):
                raise Unsupported("invalid language tag")
            return ox.Literal(value, language=language)
        if isinstance(value, Mapping | list):
            raise Unsupported("invalid @value")
        return self.literal(value, datatype)

    @staticmethod
    def literal(value: Any, datatype: str | None) -> ox.Literal:
        # jsonld.js lib/toRdf.js _objectToRDF
        if isinstance(value, bool):
            return ox.Literal("true" if value else "false", datatype=_named(datatype or XSD_BOOLEAN))
        if isinstance(value, int | float):
            lexical, dt = js_number_lexical(value, datatype)
            return ox.Literal(lexical, datatype=_named(dt))
        if not isinstance(value, str):
            raise Unsupported("unexpected scalar")
        if datatype == XSD_DOUBLE:
            raise Unsupported("string typed as xsd:double")  # jsonld.js re-parses it
        return ox.Literal(value, datatype=_named(datatype or XSD_STRING))


def _quad(subject: Any, predicate: Any, obj: Any, graph: Any) -> ox.Quad:
    if graph is None:
        return ox.Quad(subject, predicate, obj)
    return ox.Quad(subject, predicate, obj, graph)


def _type_sort_key(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _json_literal(value: Any) -> str:
    # JSON-LD 1.1 §10.2 / jsonld.js: the canonical (JCS, RFC 8785) serialisation of the value
    return rfc8785.dumps(value).decode("utf-8")


def to_quads(document: Mapping[str, Any], cache: ContextCache) -> Expansion:
    """Quads of ``document`` (a single JSON-LD node object at top level) using cached contexts."""
    if not isinstance(document, Mapping):
        raise Unsupported("top-level value is not an object")
    out = Expansion()
    walker = _Walker(out)
    if "@graph" in document or any(k.startswith("@") and k not in ("@context", "@id", "@type") for k in document):
        raise Unsupported("top-level keyword")
    walker.node(cache.initial, document, None, None, top_level=True)
    return out


def iter_terms(document: Any) -> Iterable[str]:  # pragma: no cover - debugging helper
    if isinstance(document, Mapping):
        for key, value in document.items():
            yield key
            yield from iter_terms(value)
    elif isinstance(document, list):
        for item in document:
            yield from iter_terms(item)
