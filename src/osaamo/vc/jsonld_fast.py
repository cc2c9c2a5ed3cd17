"""Fast JSON-LD 1.1 → RDF for the shapes verifiable credentials use.

Why: turning a credential into RDF costs ~2-4 ms in general processors because they process
every context for every document. Here each context (and each type-scoped and property-scoped
context) is processed once into an immutable :class:`ActiveContext` whose derived contexts are
memoised, then one walk over the document emits the quads directly (JSON-LD 1.1 API §5.1
Expansion fused with §6.2 Deserialize JSON-LD to RDF; node-map generation is unnecessary because
the result feeds RDF Dataset Canonicalization, which ignores quad order and blank-node labels).

The quads are written as canonical N-Quads lines (strings), not as RDF library objects: building
a pyoxigraph ``Quad`` from Python costs about a microsecond, and most quads of a credential never
need the library (see :func:`osaamo.vc.canonical.canonical_nquads_of`). What a node's keys and
types decide (contexts after steps 7-11, predicates, datatypes) is memoised per context as a
:class:`_NodePlan`, so documents of one template walk at little more than the cost of writing
their lines.

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
        if type(local) is list and all(type(item) is str for item in local):
            return ("urls", *local)  # the usual document @context: a list of URLs
        # Embedded contexts: key by canonical JSON (documents are new objects every time).
        return ("json", json.dumps(local, sort_keys=True, separators=(",", ":")))


class ActiveContext:
    """An immutable active context (JSON-LD 1.1 API §4.1) with memoised derivations."""

    __slots__ = (
        "_aliases", "_derived", "_keys", "_props", "_scalars", "_scoped", "_shapes", "_type_scoped",
        "_types", "cache", "previous", "terms", "vocab",
    )  # fmt: skip

    def __init__(self, cache: ContextCache) -> None:
        self.cache = cache
        self.terms: dict[str, TermDefinition] = {}
        self.vocab: str | None = None
        self.previous: ActiveContext | None = None
        self._derived: dict[Any, ActiveContext] = {}
        self._keys: dict[str, str | None] = {}
        self._types: dict[str, str | None] = {}
        # Memos filled only once the context is used for expansion (it is immutable by then).
        self._props: dict[str, tuple[str | None, TermDefinition | None, str | None, str | None]] = {}
        self._shapes: dict[tuple[TermDefinition | None, tuple[str, ...]], _Shape] = {}
        self._scalars: dict[str, tuple[ActiveContext, str | None]] = {}
        self._scoped: dict[TermDefinition, ActiveContext] = {}
        self._type_scoped: dict[TermDefinition, ActiveContext] = {}
        self._aliases: dict[Any, frozenset[str]] = {}

    def prop(self, key: str) -> tuple[str | None, TermDefinition | None, str | None, str | None]:
        """(expanded key, term definition, N-Quads predicate term, string suffix), memoised per key.

        The predicate term is set only for a key that expands to an absolute IRI that is not a
        blank node identifier; it raises :class:`Unsupported` when the RDF library refuses the IRI.
        The string suffix is set when a plain JSON string value of this key simply becomes a
        literal: ``""`` for xsd:string, ``"^^<datatype>"`` for a typed term (see
        :func:`_string_suffix`).
        """
        try:
            return self._props[key]
        except KeyError:
            pass
        expanded = self.expand_key(key)
        definition = self.terms.get(key)
        predicate = suffix = None
        if expanded is not None and expanded[0] != "@" and not expanded.startswith("_:"):
            predicate = iri_term(expanded)
            suffix = _string_suffix(definition)
        plan = (expanded, definition, predicate, suffix)
        if len(self._props) < 4096:
            self._props[key] = plan
        return plan

    def aliases(self, keyword: str) -> frozenset[str]:
        """Keys that expand to ``keyword`` here: the keyword itself and every term aliasing it
        (e.g. ``type`` for ``@type``). Only these can: IRI expansion yields a keyword for a
        keyword or a term mapped to it, never for a compact or absolute IRI."""
        found = self._aliases.get(keyword)
        if found is None:
            found = self._aliases[keyword] = frozenset(
                {keyword, *(term for term, d in self.terms.items() if d.iri == keyword)}
            )
        return found

    def aliases_of_any(self, keywords: frozenset[str]) -> frozenset[str]:
        found = self._aliases.get(keywords)
        if found is None:
            found = self._aliases[keywords] = frozenset(
                {*keywords, *(term for term, d in self.terms.items() if d.iri in keywords)}
            )
        return found

    def scoped(self, definition: TermDefinition) -> ActiveContext:
        """This context with ``definition``'s property-scoped context applied (memoised)."""
        found = self._scoped.get(definition)
        if found is None:
            found = self.derive(definition.context, key=definition.context_key, override_protected=True)
            if len(self._scoped) < 512:
                self._scoped[definition] = found
        return found

    def type_scoped(self, definition: TermDefinition) -> ActiveContext:
        """This context with ``definition``'s type-scoped context applied (non-propagating, memoised)."""
        found = self._type_scoped.get(definition)
        if found is None:
            found = self.derive(definition.context, key=definition.context_key, propagate=False)
            if len(self._type_scoped) < 512:
                self._type_scoped[definition] = found
        return found

    def scalar_plan(self, key: str, definition: TermDefinition | None) -> tuple[ActiveContext, str | None]:
        """(context, type mapping) for a scalar value of ``key`` (JSON-LD 1.1 API §5.1.2 step 4 and
        §5.3.2: the property-scoped context applies and the term is looked up again in it)."""
        try:
            return self._scalars[key]
        except KeyError:
            pass
        ctx: ActiveContext = self
        if definition is not None and definition.context is not None:
            ctx = self.scoped(definition)
            definition = ctx.terms.get(key)
        plan = (ctx, definition.type if definition is not None else None)
        if len(self._scalars) < 4096:
            self._scalars[key] = plan
        return plan

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

    def expand_id(self, value: str) -> str | None:
        """An ``@id`` value expanded (§5.2.2, not vocabulary-relative): the absolute IRI or blank
        node identifier, or None when it is not one (JSON-LD drops a relative reference).

        The same as :meth:`expand_iri` followed by :func:`is_absolute_iri`, with one pattern
        match: keywords and keyword-like values start with '@' and are never absolute.
        """
        if value[:1] == "@":
            return None
        colon = value.find(":", 1)
        if colon > 0:
            prefix = value[:colon]
            if prefix != "_" and not value.startswith("//", colon + 1):
                definition = self.terms.get(prefix)
                if definition is not None and definition.prefix and definition.iri is not None:
                    value = definition.iri + value[colon + 1 :]
        return value if _ABSOLUTE_IRI.match(value) is not None else None

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
    """Result of :func:`to_quads`: N-Quads lines and what safe-mode JSON-LD would have refused.

    Lines are in canonical N-Quads form (RDFC-1.0 §4.4.3 / N-Quads canonical serialization:
    ``"value"`` for xsd:string, escapes as the RDF library writes them), without the newline.
    ``ground`` holds the quads that mention no blank node: canonicalization leaves them as they
    are (RDFC-1.0 §4.4.3 steps 2-6 only read quads that mention a blank node, step 7 relabels
    blank nodes only). ``blank`` holds the others, still with the walker's ``_:bN`` labels.
    """

    __slots__ = ("blank", "blank_nodes", "dropped", "ground")

    def __init__(self) -> None:
        self.ground: list[str] = []
        self.blank: list[str] = []
        self.dropped: list[str] = []
        self.blank_nodes = 0  # how many blank node labels (``_:b1`` … ``_:bN``) were given out

    @property
    def quads(self) -> list[ox.Quad]:
        """The quads as pyoxigraph objects (for debugging and tests; the hot path never builds them)."""
        text = "".join(line + "\n" for line in (*self.ground, *self.blank))
        return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))


_IRI_TERMS: dict[str, str] = {}


def iri_term(iri: str) -> str:
    """``<iri>`` for N-Quads, once the RDF library has accepted the IRI (memoised)."""
    term = _IRI_TERMS.get(iri)
    if term is None:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise Unsupported(f"IRI not accepted by the RDF library: {iri!r}") from exc
        term = "<" + iri + ">"
        if len(_IRI_TERMS) < 20000:
            _IRI_TERMS[iri] = term
    return term


_LANGUAGE_TAGS: dict[str, str] = {}


def _language_suffix(language: str) -> str:
    suffix = _LANGUAGE_TAGS.get(language)
    if suffix is None:
        try:
            ox.Literal("", language=language)
        except ValueError as exc:
            raise Unsupported(f"language tag not accepted by the RDF library: {language!r}") from exc
        suffix = "@" + language
        if len(_LANGUAGE_TAGS) < 1024:
            _LANGUAGE_TAGS[language] = suffix
    return suffix


# Canonical N-Quads string escapes (RDFC-1.0 → RDF 1.2 N-Triples canonical form, as rdf-canonize and
# pyoxigraph write them): ECHAR for \b \t \n \f \r " \\, UCHAR for the other C0 controls and DEL.
# (pyoxigraph also writes U+FFFE and U+FFFF as UCHAR, which the canonical form does not; see
# canonical.py, which undoes it.)
_ECHARS = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_STRING_ESCAPES = {**{chr(c): f"\\u{c:04X}" for c in (*range(0x20), 0x7F)}, **_ECHARS}
_NEEDS_ESCAPE = re.compile('[\x00-\x1f\x7f"\\\\]')


def _escape_char(match: re.Match[str]) -> str:
    return _STRING_ESCAPES[match.group()]


def escape_string(value: str) -> str:
    # isprintable() is False for every C0 control and DEL (and for some other characters, which
    # then take the regular expression path and come out unchanged)
    if value.isprintable() and '"' not in value and "\\" not in value:
        return value
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return _NEEDS_ESCAPE.sub(_escape_char, value)


def string_literal(value: str, datatype: str | None = None) -> str:
    """N-Quads term of a string literal (canonical: no ``^^xsd:string``)."""
    if datatype is None or datatype == XSD_STRING:
        return '"' + escape_string(value) + '"'
    return '"' + escape_string(value) + '"^^' + iri_term(datatype)


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


def literal_term(value: Any, datatype: str | None) -> str:
    """N-Quads term of a JSON scalar (jsonld.js lib/toRdf.js ``_objectToRDF``)."""
    if isinstance(value, str):
        if datatype == XSD_DOUBLE:
            raise Unsupported("string typed as xsd:double")  # jsonld.js re-parses it
        if datatype == RDF_LANGSTRING:
            raise Unsupported("rdf:langString without a language")
        return string_literal(value, datatype)
    if isinstance(value, bool):
        lexical, dt = ("true" if value else "false"), datatype or XSD_BOOLEAN
    elif isinstance(value, int | float):
        lexical, dt = js_number_lexical(value, datatype)
    else:
        raise Unsupported("unexpected scalar")
    if dt == RDF_LANGSTRING:
        raise Unsupported("rdf:langString without a language")
    return string_literal(lexical, dt)


def _string_suffix(definition: TermDefinition | None) -> str | None:
    """What follows ``"value"`` when a JSON string is the value of a term with this definition,
    or None when the general path must decide (it is the same result as
    :meth:`_Walker.property_values` → ``scalar`` → :func:`literal_term` gives for a string)."""
    if definition is None:
        return ""
    if definition.unsupported or definition.context is not None:
        return None
    if "@list" in definition.container or "@graph" in definition.container:
        return None
    datatype = definition.type
    if datatype is None or datatype == "@none" or datatype == XSD_STRING:
        return ""
    if datatype in ("@id", "@vocab", "@json", XSD_DOUBLE, RDF_LANGSTRING):
        return None
    try:
        return "^^" + iri_term(datatype)
    except Unsupported:
        return None


_RDF_TYPE_TERM = "<" + RDF_TYPE + ">"
_RDF_FIRST_TERM = "<" + RDF_FIRST + ">"
_RDF_REST_TERM = "<" + RDF_REST + ">"
_RDF_NIL_TERM = "<" + RDF_NIL + ">"
_RDF_JSON_TERM = "<" + RDF_JSON + ">"
_NO_CONTAINER: frozenset[str] = frozenset()
_VALUE_POSITION_REFUSED = frozenset(
    {"@list", "@set", "@graph", "@included", "@reverse", "@nest", "@index", "@language", "@direction"}
)
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


class _Shape:
    """What a node's keys decide in a context: §5.1.2 steps 7-8 and which keys hold types."""

    __slots__ = ("ctx", "plans", "type_keys")

    def __init__(self, ctx: ActiveContext, type_keys: tuple[str, ...]) -> None:
        self.ctx = ctx
        self.type_keys = type_keys
        self.plans: dict[Any, _NodePlan | None] = {}

    @classmethod
    def make(cls, ctx: ActiveContext, element: Mapping[str, Any], scoped: TermDefinition | None) -> _Shape:
        # step 7: type-scoped contexts do not propagate into nested node objects
        if ctx.previous is not None and not _Walker._only_id(ctx, element):
            ctx = ctx.previous
        # step 8: property-scoped context
        if scoped is not None and scoped.context is not None:
            ctx = ctx.scoped(scoped)
        # step 9: embedded context (the shape is memoised under its key, see _Walker.node)
        if "@context" in element:
            ctx = ctx.derive(element["@context"])
        return cls(ctx, tuple(sorted(ctx.aliases("@type").intersection(element))))


class _NodePlan:
    """A node's plan once its type values are known (steps 11-14 up to the values)."""

    __slots__ = ("blank_types", "ctx", "dropped", "empty", "entries", "id_keys", "type_tails")

    def __init__(self) -> None:
        self.ctx: ActiveContext
        self.id_keys: list[str] = []
        # rdf:type quads: " <rdf:type> <iri>" after the subject; type IRIs that are blank node
        # identifiers are labelled per document (blank_types)
        self.type_tails: list[str] = []
        self.blank_types: list[str] = []
        # (key, ' <predicate> "', '"' + string suffix or None, predicate, term definition): a JSON
        # string value of a key with a string suffix is written as subject + head + value + tail
        self.entries: list[tuple[str, str, str | None, str, TermDefinition | None]] = []
        self.dropped: list[str] = []
        self.empty = False

    @classmethod
    def make(cls, shape: _Shape, element: Mapping[str, Any]) -> _NodePlan | None:
        """The plan, or None when the general path must handle the element (it raises there)."""
        ctx = type_scoped_ctx = shape.ctx
        # step 11: apply type-scoped contexts, keys and values in lexicographic order
        terms = type_scoped_ctx.terms
        for key in shape.type_keys:
            values = element[key]
            values = sorted(values, key=_type_sort_key) if isinstance(values, list) else [values]
            for value in values:
                if not isinstance(value, str):
                    return None
                definition = terms.get(value)
                if definition is not None and definition.context is not None:
                    ctx = ctx.type_scoped(definition)
        plan = cls()
        plan.ctx = ctx
        for key, value in element.items():
            if key == "@context":
                continue  # applied by the shape (step 9)
            expanded, definition, predicate, suffix = ctx.prop(key)
            if predicate is not None:
                tail = None if suffix is None else '"' + suffix
                plan.entries.append((key, f' {predicate} "', tail, predicate, definition))
            elif expanded is None:
                plan.dropped.append(f"invalid property: {key}")
            elif expanded == "@id":
                plan.id_keys.append(key)
            elif expanded == "@type":
                for type_value in value if isinstance(value, list) else (value,):
                    if not isinstance(type_value, str):
                        return None
                    type_iri = type_scoped_ctx.expand_type(type_value)
                    if type_iri is None:
                        plan.dropped.append(f"relative @type reference: {type_value}")
                        continue
                    if type_iri.startswith("_:"):
                        plan.blank_types.append(type_iri)
                    else:
                        plan.type_tails.append(f" {_RDF_TYPE_TERM} {iri_term(type_iri)}")
            else:
                return None  # another keyword, or a blank node predicate
        plan.empty = not plan.type_tails and not plan.blank_types and not plan.entries
        return plan


class _Walker:
    """One walk over a document (JSON-LD 1.1 API §5.1 Expansion fused with §6.2 to RDF).

    Terms are N-Quads strings: ``<iri>``, ``_:bN`` or a literal; each quad becomes a line in
    ``out.ground`` or ``out.blank``.
    """

    __slots__ = ("blank", "blank_labels", "counter", "depth", "dropped", "ground")

    def __init__(self, out: Expansion) -> None:
        self.ground = out.ground
        self.blank = out.blank
        self.dropped = out.dropped
        self.counter = 0
        self.blank_labels: dict[str, str] = {}
        self.depth = 0

    def fresh(self) -> str:
        self.counter += 1
        return f"_:b{self.counter}"

    def blank_node(self, label: str) -> str:
        node = self.blank_labels.get(label)
        if node is None:
            node = self.blank_labels[label] = self.fresh()
        return node

    def iri_or_blank(self, value: str) -> str:
        if value.startswith("_:"):
            return self.blank_node(value)
        return iri_term(value)

    def emit(self, subject: str, predicate: str, obj: str, graph: str | None) -> None:
        if graph is not None:
            self.blank.append(f"{subject} {predicate} {obj} {graph} .")
        elif subject[0] == "_" or obj[0] == "_":
            self.blank.append(f"{subject} {predicate} {obj} .")
        else:
            self.ground.append(f"{subject} {predicate} {obj} .")

    # -- node objects (JSON-LD 1.1 API §5.1.2 steps 7-14, then §6.2 for each entry) --
    def node(
        self,
        ctx: ActiveContext,
        element: Mapping[str, Any],
        graph: str | None,
        scoped: TermDefinition | None,
        top_level: bool,
    ) -> str:
        """The node's quads; returns its subject term.

        Everything decided before the entries are walked (the context after steps 7-11, which
        key is what, the type IRIs, what JSON-LD drops) depends only on the incoming context, the
        property's term definition, the element's keys and its type values, so it is memoised as
        a :class:`_NodePlan` (credentials of one template share a handful of shapes); an embedded
        ``@context`` is part of the shape's key. An element whose plan cannot be made takes the
        general path, which explains what is wrong.
        """
        if type(element) is not dict:
            return self.node_general(ctx, element, graph, scoped, top_level)
        if "@context" in element:
            shape_key: tuple[Any, ...] = (scoped, tuple(element), ctx.cache.key_for(element["@context"]))
        else:
            shape_key = (scoped, tuple(element))
        shape = ctx._shapes.get(shape_key)
        if shape is None:
            shape = _Shape.make(ctx, element, scoped)
            if len(ctx._shapes) < 1024:
                ctx._shapes[shape_key] = shape
        type_values: Any = None
        if shape.type_keys:
            if len(shape.type_keys) == 1:
                type_values = element[shape.type_keys[0]]
                if type(type_values) is list:
                    type_values = tuple(type_values)
            else:
                type_values = tuple(
                    tuple(v) if type(v) is list else v for v in (element[key] for key in shape.type_keys)
                )
            try:
                plan = shape.plans.get(type_values)
            except TypeError:  # an unhashable type value: the general path explains it
                return self.node_general(ctx, element, graph, scoped, top_level)
        else:
            plan = shape.plans.get(None)
        if plan is None:
            plan = _NodePlan.make(shape, element)
            if plan is None:
                return self.node_general(ctx, element, graph, scoped, top_level)
            if len(shape.plans) < 64:
                shape.plans[type_values] = plan
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise Unsupported("nesting too deep")
        node_ctx = plan.ctx
        subject: str | None = None
        for key in plan.id_keys:
            value = element[key]
            if type(value) is not str:
                raise Unsupported("non-string @id")
            iri = node_ctx.expand_id(value)
            if iri is None:
                self.dropped.append(f"relative @id reference: {value}")
                raise Unsupported("relative @id")
            subject = self.iri_or_blank(iri)
        if plan.dropped:
            self.dropped.extend(plan.dropped)
        if top_level and plan.empty:
            self.dropped.append("object with only @id" if subject is not None else "empty object")
            raise Unsupported("free-floating node")
        if subject is None:
            self.counter += 1
            subject = f"_:b{self.counter}"
        if graph is None:
            end = " ."
            sink = self.blank if subject[0] == "_" else self.ground
        else:
            end = f" {graph} ."
            sink = self.blank
        for type_tail in plan.type_tails:
            sink.append(f"{subject}{type_tail}{end}")
        for type_iri in plan.blank_types:
            self.emit(subject, _RDF_TYPE_TERM, self.blank_node(type_iri), graph)
        for key, head, tail, predicate, definition in plan.entries:
            value = element[key]
            # the common case inlined: a JSON string that becomes a literal as it is
            if tail is not None and type(value) is str:
                if not (value.isprintable() and '"' not in value and "\\" not in value):
                    value = escape_string(value)
                sink.append(f"{subject}{head}{value}{tail}{end}")
            else:
                self.property_values(node_ctx, definition, key, value, subject, predicate, graph)
        self.depth -= 1
        return subject

    def node_general(
        self,
        ctx: ActiveContext,
        element: Mapping[str, Any],
        graph: str | None,
        scoped: TermDefinition | None,
        top_level: bool,
    ) -> str:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise Unsupported("nesting too deep")
        # step 7: type-scoped contexts do not propagate into nested node objects
        if ctx.previous is not None and not self._only_id(ctx, element):
            ctx = ctx.previous
        # step 8: property-scoped context
        if scoped is not None and scoped.context is not None:
            ctx = ctx.scoped(scoped)
        # step 9: embedded context
        if "@context" in element:
            ctx = ctx.derive(element["@context"])
        type_scoped_ctx = ctx
        # step 11: apply type-scoped contexts, keys and values in lexicographic order
        type_keys = ctx.aliases("@type").intersection(element)
        if type_keys:
            terms = type_scoped_ctx.terms
            for key in sorted(type_keys):
                values = element[key]
                if isinstance(values, list):
                    if len(values) > 1:
                        values = sorted(values, key=_type_sort_key)
                else:
                    values = (values,)
                for value in values:
                    if not isinstance(value, str):
                        raise Unsupported("non-string @type")
                    definition = terms.get(value)
                    if definition is not None and definition.context is not None:
                        ctx = ctx.type_scoped(definition)
        subject: str | None = None
        types: list[str] = []
        entries: list[tuple[str, TermDefinition | None, str, Any, str | None]] = []
        prop = ctx.prop
        for key, value in element.items():
            if key == "@context":
                continue
            expanded, definition, predicate, suffix = prop(key)
            if predicate is not None:
                entries.append((predicate, definition, key, value, suffix))
            elif expanded is None:
                self.dropped.append(f"invalid property: {key}")
            elif expanded == "@id":
                if not isinstance(value, str):
                    raise Unsupported("non-string @id")
                iri = ctx.expand_iri(value, vocab=False, doc_relative=True)
                if iri is None or not is_absolute_iri(iri):
                    self.dropped.append(f"relative @id reference: {value}")
                    raise Unsupported("relative @id")
                subject = self.iri_or_blank(iri)
            elif expanded == "@type":
                for type_value in value if isinstance(value, list) else (value,):
                    if not isinstance(type_value, str):
                        raise Unsupported("non-string @type")
                    type_iri = type_scoped_ctx.expand_type(type_value)
                    if type_iri is None:
                        self.dropped.append(f"relative @type reference: {type_value}")
                        continue
                    types.append(type_iri)
            elif expanded[0] == "@":
                raise Unsupported(f"keyword {expanded} in node object")
            else:
                raise Unsupported("blank node predicate")
        if top_level and not types and not entries:
            # jsonld.js drops a free-floating node with nothing but @id (safe-mode event)
            self.dropped.append("object with only @id" if subject is not None else "empty object")
            raise Unsupported("free-floating node")
        if subject is None:
            self.counter += 1
            subject = f"_:b{self.counter}"
        for type_iri in types:
            self.emit(subject, _RDF_TYPE_TERM, self.iri_or_blank(type_iri), graph)
        # Quads of this node whose object is a literal go to one list: blank when the subject is a
        # blank node or the quad is in a named graph (always a blank node here).
        sink = self.blank if graph is not None or subject[0] == "_" else self.ground
        end = " ." if graph is None else f" {graph} ."
        escape = escape_string
        for predicate, definition, key, value, suffix in entries:
            # the common case inlined: a JSON string that becomes a literal as it is
            if suffix is not None and type(value) is str:
                sink.append(f'{subject} {predicate} "{escape(value)}"{suffix}{end}')
            else:
                self.property_values(ctx, definition, key, value, subject, predicate, graph)
        self.depth -= 1
        return subject

    @staticmethod
    def _only_id(ctx: ActiveContext, element: Mapping[str, Any]) -> bool:
        # §5.1.2 step 7: keep the context for value objects and bare node references
        if not ctx.aliases("@value").isdisjoint(element):
            return True
        return len(element) == 1 and next(iter(element)) in ctx.aliases("@id")

    def property_values(
        self,
        ctx: ActiveContext,
        definition: TermDefinition | None,
        key: str,
        value: Any,
        subject: str,
        predicate: str,
        graph: str | None,
    ) -> None:
        if definition is not None:
            if definition.unsupported:
                raise Unsupported(f"term {key!r} uses {definition.unsupported}")
            type_mapping = definition.type
            container = definition.container
        else:
            type_mapping = None
            container = _NO_CONTAINER
        if type_mapping == "@json":
            self.emit(subject, predicate, '"' + escape_string(_json_literal(value)) + '"^^' + _RDF_JSON_TERM, graph)
            return
        items = value if isinstance(value, list) else (value,)
        if container:
            if "@list" in container:
                self.emit(subject, predicate, self.list_object(ctx, definition, key, items, graph), graph)
                return
            if "@graph" in container:
                for item in items:
                    if item is None:
                        continue
                    if isinstance(item, list):
                        raise Unsupported("nested array")
                    if not isinstance(item, Mapping):
                        raise Unsupported("non-object in @graph container")
                    graph_name = self.fresh()
                    self.node_or_value(ctx, definition, key, item, graph_name, in_graph_container=True)
                    self.emit(subject, predicate, graph_name, graph)
                return
        for item in items:
            if item is None:
                continue
            if isinstance(item, str):
                # the common case, inlined: a string value (§5.3.2 Value Expansion)
                scalar_ctx, scalar_type = ctx.scalar_plan(key, definition)
                if scalar_type is None:
                    if graph is None and subject[0] != "_":
                        self.ground.append(f'{subject} {predicate} "{escape_string(item)}" .')
                    else:
                        self.blank.append(f'{subject} {predicate} "{escape_string(item)}"{_graph_suffix(graph)} .')
                    continue
                obj = self.scalar(scalar_ctx, scalar_type, item)
            elif type(item) is dict:
                # node_or_value inlined for a JSON object
                value_ctx = ctx
                if definition is not None and definition.context is not None:
                    value_ctx = ctx.scoped(definition)
                if not value_ctx.aliases("@value").isdisjoint(item):
                    obj = self.value_object(value_ctx, item)
                elif not value_ctx.aliases_of_any(_VALUE_POSITION_REFUSED).isdisjoint(item):
                    raise Unsupported("list/set/graph object in value position")
                else:
                    obj = self.node(ctx, item, graph, definition, top_level=False)
            elif isinstance(item, list):
                raise Unsupported("nested array")
            else:
                found = self.node_or_value(ctx, definition, key, item, graph, in_graph_container=False)
                if found is None:
                    continue
                obj = found
            self.emit(subject, predicate, obj, graph)

    def list_object(
        self,
        ctx: ActiveContext,
        definition: TermDefinition | None,
        key: str,
        items: Iterable[Any],
        graph: str | None,
    ) -> str:
        # JSON-LD 1.1 API §6.3 List to RDF Conversion
        objects: list[str] = []
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
            return _RDF_NIL_TERM
        heads = [self.fresh() for _ in objects]
        for index, (head, obj) in enumerate(zip(heads, objects, strict=True)):
            self.emit(head, _RDF_FIRST_TERM, obj, graph)
            rest = heads[index + 1] if index + 1 < len(heads) else _RDF_NIL_TERM
            self.emit(head, _RDF_REST_TERM, rest, graph)
        return heads[0]

    def node_or_value(
        self,
        ctx: ActiveContext,
        definition: TermDefinition | None,
        key: str,
        item: Any,
        graph: str | None,
        *,
        in_graph_container: bool,
    ) -> str | None:
        if type(item) is dict or isinstance(item, Mapping):
            value_ctx = ctx
            if definition is not None and definition.context is not None:
                value_ctx = ctx.scoped(definition)
            if not value_ctx.aliases("@value").isdisjoint(item):
                return self.value_object(value_ctx, item)
            if not value_ctx.aliases_of_any(_VALUE_POSITION_REFUSED).isdisjoint(item):
                raise Unsupported("list/set/graph object in value position")
            return self.node(ctx, item, graph, definition, top_level=in_graph_container)
        if in_graph_container:
            raise Unsupported("scalar in @graph container")
        scalar_ctx, scalar_type = ctx.scalar_plan(key, definition)
        return self.scalar(scalar_ctx, scalar_type, item)

    def scalar(self, ctx: ActiveContext, type_mapping: str | None, value: Any) -> str:
        # JSON-LD 1.1 API §5.3.2 Value Expansion, then §6.2 (ctx: the property-scoped context)
        if isinstance(value, str) and type_mapping in ("@id", "@vocab"):
            iri = ctx.expand_iri(value, vocab=type_mapping == "@vocab", doc_relative=True)
            if iri is None or not is_absolute_iri(iri):
                self.dropped.append(f"relative @id reference: {value}")
                raise Unsupported("relative IRI value")
            return self.iri_or_blank(iri)
        datatype = type_mapping if type_mapping not in (None, "@id", "@vocab", "@none") else None
        return literal_term(value, datatype)

    def value_object(self, ctx: ActiveContext, item: Mapping[str, Any]) -> str:
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
            return '"' + escape_string(_json_literal(value)) + '"^^' + _RDF_JSON_TERM
        if language is not None:
            if datatype is not None or not isinstance(value, str):
                raise Unsupported("invalid language-tagged value")
            if not _LANGUAGE_TAG.match(language):
                raise Unsupported("invalid language tag")
            return '"' + escape_string(value) + '"' + _language_suffix(language)
        if isinstance(value, Mapping | list):
            raise Unsupported("invalid @value")
        return literal_term(value, datatype)


def _graph_suffix(graph: str | None) -> str:
    return "" if graph is None else " " + graph


def _type_sort_key(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _json_literal(value: Any) -> str:
    # JSON-LD 1.1 §10.2 / jsonld.js: the canonical (JCS, RFC 8785) serialisation of the value
    return rfc8785.dumps(value).decode("utf-8")


def to_quads(document: Mapping[str, Any], cache: ContextCache) -> Expansion:
    """N-Quads of ``document`` (a single JSON-LD node object at top level) using cached contexts."""
    if not isinstance(document, Mapping):
        raise Unsupported("top-level value is not an object")
    out = Expansion()
    walker = _Walker(out)
    if "@graph" in document or any(k.startswith("@") and k not in ("@context", "@id", "@type") for k in document):
        raise Unsupported("top-level keyword")
    walker.node(cache.initial, document, None, None, top_level=True)
    out.blank_nodes = walker.counter
    return out


def iter_terms(document: Any) -> Iterable[str]:  # pragma: no cover - debugging helper
    if isinstance(document, Mapping):
        for key, value in document.items():
            yield key
            yield from iter_terms(value)
    elif isinstance(document, list):
        for item in document:
            yield from iter_terms(item)
