"""RDFC-1.0 (URDNA2015) canonical N-Quads of JSON-LD documents, fast and in JSON-LD "safe mode".

Plain ``pyld.jsonld.normalize`` spends most of its time re-processing the type-scoped contexts that VC 2.0 and OB 3.0
give every class (its processed-context cache is keyed by a fresh uuid per context clone, so it never hits), and it
silently drops undefined terms and resolves relative IRIs against ``http://example.org/base/``. Here contexts are
still processed by pyld (so term definitions, ``@protected`` and scoping follow its rules exactly), but each result is
kept on the context it was derived from and reused; the document is then walked once, straight to RDF quads, and
pyld's URDNA2015 labels blank nodes and serializes. Anything that pyld would drop or rewrite raises a
``JsonLdSafeModeError`` subclass naming the JSON path, and JSON-LD features we do not need (``@reverse``, ``@nest``,
index and language maps, ``@graph`` objects, ...) raise ``UnsupportedJsonLdError``; whatever is not refused
canonicalizes byte for byte as plain pyld does (``tests/crypto/test_canonical.py`` checks a corpus).

Thread safety: processed contexts are shared between threads and only added to, under ``_LOCK``; a document's walk
and its URDNA2015 run use only objects of their own call.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from c14n.Canonicalize import canonicalize as json_canonicalize
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from credentials.jsonld.contexts import UnknownContextError, load_context

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+\-.]*:[^\s]*$")
_NODE_KEYWORDS = frozenset({"@id", "@type", "@context"})
_VALUE_KEYWORDS = frozenset({"@value", "@type", "@language", "@context"})
_MAX_ROOTS = 256  # distinct top-level @context values kept; a document's own inline context should not grow memory


class JsonLdSafeModeError(ValueError):
    """The document would not be signed as written: pyld would drop or rewrite part of it."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}")


class UndefinedTermError(JsonLdSafeModeError):
    """A property or type is not defined by the document's contexts."""

    def __init__(self, path: str, term: str, kind: str = "property"):
        self.term = term
        super().__init__(path, f"{kind} {term!r} is not defined by the document's @context")


class RelativeIriError(JsonLdSafeModeError):
    """An @id, or a value that the context says is an IRI, is not an absolute IRI."""

    def __init__(self, path: str, value: str):
        self.value = value
        super().__init__(path, f"{value!r} is not an absolute IRI (relative IRIs are refused)")


class InvalidValueError(JsonLdSafeModeError):
    """A value that JSON-LD expansion would drop or that is malformed."""


class UnsupportedJsonLdError(JsonLdSafeModeError):
    """The document uses a JSON-LD feature this canonicalizer does not implement."""


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    # 'static' lets pyld's resolver keep the parsed context instead of re-hashing it on every call.
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url), "tag": "static"}


_PROCESSOR = jsonld.JsonLdProcessor()
_OPTIONS: dict[str, Any] = {
    "base": "",
    "processingMode": "json-ld-1.1",
    "documentLoader": _loader,
    "contextResolver": ContextResolver({}, _loader),
}
_LOCK = threading.Lock()


def _unwrap_unknown_context(error: BaseException) -> None:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnknownContextError):
            raise cause from error
        cause = cause.__cause__ or getattr(cause, "cause", None)


class _Term:
    """What one key means in one active context (looked up once, then reused)."""

    __slots__ = ("container", "iri", "language", "predicate", "scoped", "type")

    def __init__(self, active: dict[str, Any], key: str):
        value = jsonld.JsonLdProcessor.get_context_value
        self.iri = _PROCESSOR._expand_iri(active, key, vocab=True)
        self.predicate = {"type": "IRI", "value": self.iri}
        self.type = value(active, key, "@type")
        self.container = jsonld.JsonLdProcessor.arrayify(value(active, key, "@container"))
        self.scoped = value(active, key, "@context")
        self.language = value(active, key, "@language")
        mapping = active["mappings"].get(key)
        if (mapping and mapping.get("reverse")) or value(active, key, "@direction") is not None:
            self.iri = "@reverse"  # reported as unsupported by the walker


class _Context:
    """A processed pyld active context plus the contexts derived from it, so each is processed only once."""

    __slots__ = ("active", "children", "previous", "terms")

    def __init__(self, active: dict[str, Any], previous: _Context | None):
        self.active = active
        self.previous = previous
        self.children: dict[Any, tuple[Any, _Context]] = {}
        self.terms: dict[str, _Term] = {}

    def term(self, key: str) -> _Term:
        term = self.terms.get(key)
        if term is None:
            with _LOCK:
                term = self.terms.setdefault(key, _Term(self.active, key))
        return term

    def child(self, local: Any, *, propagate: bool = True, override: bool = False, key: Any = None) -> _Context:
        """The context after processing ``local`` on this one; ``key`` identifies ``local`` (default: its id)."""
        cache_key = (id(local) if key is None else key, propagate, override)
        entry = self.children.get(cache_key)
        # The entry keeps ``local`` alive, so an id-based key cannot be reused by another object.
        if entry is not None and (key is not None or entry[0] is local):
            return entry[1]
        with _LOCK:
            try:
                active = _PROCESSOR._process_context(
                    self.active, local, _OPTIONS, override_protected=override, propagate=propagate
                )
            except jsonld.JsonLdError as error:
                _unwrap_unknown_context(error)
                raise
            context = _Context(active, self._wrap_previous(active.get("previousContext")))
            self.children[cache_key] = (local, context)
        return context

    def _wrap_previous(self, previous: dict[str, Any] | None) -> _Context | None:
        if previous is None:
            return None
        if previous is self.active:
            return self
        if self.previous is not None and previous is self.previous.active:
            return self.previous
        return _Context(previous, None)


_INITIAL = _Context(_PROCESSOR._get_initial_context(_OPTIONS), None)


def _document_context(context: _Context, local: Any) -> _Context:
    key = "json:" + json.dumps(local, sort_keys=True)
    if context is _INITIAL and len(_INITIAL.children) >= _MAX_ROOTS and (key, True, False) not in _INITIAL.children:
        # Documents with their own inline contexts must not grow the cache without bound.
        with _LOCK:
            _INITIAL.children.clear()
    return context.child(local, key=key)


def _literal(value: Any, datatype: str | None, language: str | None) -> dict[str, Any]:
    # The same lexical forms as pyld's _object_to_rdf, so both sides hash the same bytes.
    if isinstance(value, bool):
        text, datatype = ("true" if value else "false"), datatype or XSD + "boolean"
    elif jsonld._is_double(value):
        text, datatype = jsonld._canonicalize_double(value), datatype or XSD + "double"
    elif datatype == XSD + "double":
        try:
            text = jsonld._canonicalize_double(float(value))
        except (ValueError, TypeError):
            text = value
    elif jsonld._is_integer(value) and abs(value) >= 1e21:
        text, datatype = jsonld._canonicalize_double(value), datatype or XSD + "double"
    elif jsonld._is_integer(value):
        text, datatype = str(int(value)), datatype or XSD + "integer"
    elif language is not None:
        return {"type": "literal", "value": value, "datatype": RDF + "langString", "language": language}
    else:
        text, datatype = value, datatype or XSD + "string"
    return {"type": "literal", "value": text, "datatype": datatype}


def _json_literal(value: Any) -> dict[str, Any]:
    return {"type": "literal", "value": json_canonicalize(value).decode("utf-8"), "datatype": RDF + "JSON"}


class _Walker:
    """Turns one document into RDF quads in pyld's dataset shape, refusing what expansion would drop."""

    def __init__(self) -> None:
        self.graphs: dict[str, list[dict[str, Any]]] = {"@default": []}
        self.seen: set[Any] = set()
        self.labels: dict[str, dict[str, str]] = {}
        self.count = 0

    def blank(self, label: str | None = None) -> dict[str, str]:
        # Labels in the document map to fresh ones, so they cannot collide with the ones made here.
        if label is not None and label in self.labels:
            return self.labels[label]
        self.count += 1
        node = {"type": "blank node", "value": f"_:b{self.count}"}
        if label is not None:
            self.labels[label] = node
        return node

    def emit(self, graph: str, subject: dict, predicate: dict, obj: dict, key: Any) -> None:
        # pyld's node map keeps one copy of equal values of a property; ``key`` is its notion of equal.
        if key is not None:
            key = (graph, subject["value"], predicate["value"], key)
            if key in self.seen:
                return
            self.seen.add(key)
        self.graphs.setdefault(graph, []).append({"subject": subject, "predicate": predicate, "object": obj})

    def iri(self, context: _Context, value: str, path: str, *, vocab: bool = False) -> dict[str, str]:
        expanded = _PROCESSOR._expand_iri(context.active, value, vocab=vocab)
        if not isinstance(expanded, str) or expanded.startswith("@"):
            raise InvalidValueError(path, f"{value!r} is not an IRI")
        if expanded.startswith("_:"):
            return self.blank(expanded)
        if not _ABSOLUTE_IRI.match(expanded) and context.active.get("@base") is not None:
            expanded = _PROCESSOR._expand_iri(context.active, value, vocab=vocab, base="")
        if not _ABSOLUTE_IRI.match(expanded):
            raise RelativeIriError(path, value)
        return {"type": "IRI", "value": expanded}

    def node(self, context: _Context, key: str | None, element: dict, path: str, graph: str) -> tuple[dict, Any]:
        if not element:
            raise InvalidValueError(path, "an empty object would be dropped")
        scoped = context.term(key).scoped if key is not None else None
        if context.previous is not None:
            # A type-scoped context does not reach nested nodes, except value objects and bare references.
            revert = True
            if len(element) <= 2 and "@context" not in element:
                for name in element:
                    expanded = context.term(name).iri
                    if expanded == "@value" or (expanded == "@id" and len(element) == 1):
                        revert = False
            if revert:
                context = context.previous
        if scoped is not None:
            context = context.child(scoped, override=True)
        if "@context" in element:
            context = _document_context(context, element["@context"])
        type_context = context
        types: list[tuple[str, str]] = []
        for name in sorted(element):
            if context.term(name).iri != "@type":
                continue
            values = element[name] if isinstance(element[name], list) else [element[name]]
            for value in values:
                if not isinstance(value, str):
                    raise InvalidValueError(f"{path}.{name}", "a type must be a string")
                types.append((name, value))
        for _, value in sorted(types, key=lambda pair: pair[1]):
            local = type_context.term(value).scoped
            if local is not None and local is not False:
                context = context.child(local, propagate=False)
        terms = [(name, context.term(name)) for name in element]
        if any(term.iri == "@value" for _, term in terms):
            return self.value_object(context, type_context, element, terms, path)
        subject = None
        for name, term in terms:
            if term.iri == "@id":
                if not isinstance(element[name], str):
                    raise InvalidValueError(f"{path}.{name}", "@id must be a string")
                subject = self.iri(context, element[name], f"{path}.{name}")
        subject = subject or self.blank()
        rdf_type = {"type": "IRI", "value": RDF + "type"}
        for name, value in types:
            expanded = _PROCESSOR._expand_iri(type_context.active, value, vocab=True)
            if not isinstance(expanded, str) or not _ABSOLUTE_IRI.match(expanded):
                raise UndefinedTermError(f"{path}.{name}", value, "type")
            self.emit(graph, subject, rdf_type, {"type": "IRI", "value": expanded}, ("@id", expanded))
        for name, term in terms:
            if term.iri in _NODE_KEYWORDS:
                continue
            if isinstance(term.iri, str) and term.iri.startswith("@"):
                raise UnsupportedJsonLdError(f"{path}.{name}", f"{term.iri} is not supported")
            if not isinstance(term.iri, str) or not _ABSOLUTE_IRI.match(term.iri):
                raise UndefinedTermError(path, name)
            self.property(context, name, term, element[name], subject, f"{path}.{name}", graph)
        return subject, ("@id", subject["value"])

    def value_object(self, context: _Context, type_context: _Context, element: dict, terms: list, path: str):
        datatype = language = None
        value = None
        for name, term in terms:
            if term.iri not in _VALUE_KEYWORDS:
                raise InvalidValueError(f"{path}.{name}", "a value object may hold only @value, @type, @language")
            if term.iri == "@value":
                value = element[name]
            elif term.iri == "@language":
                if not isinstance(element[name], str):
                    raise InvalidValueError(f"{path}.{name}", "@language must be a string")
                language = element[name].lower()
            elif term.iri == "@type":
                expanded = _PROCESSOR._expand_iri(type_context.active, element[name], vocab=True)
                if not isinstance(expanded, str) or not (expanded == "@json" or _ABSOLUTE_IRI.match(expanded)):
                    raise UndefinedTermError(f"{path}.{name}", str(element[name]), "type")
                datatype = expanded
        if datatype == "@json":
            obj = _json_literal(value)
            return obj, ("@json", obj["value"])
        if value is None or isinstance(value, (dict, list)):
            raise InvalidValueError(path, "@value must be a string, number or boolean")
        if language is not None and (datatype is not None or not isinstance(value, str)):
            raise InvalidValueError(path, "@language needs a string @value and no @type")
        return _literal(value, datatype, language), ("@value", value, datatype, language)

    def item(self, context: _Context, key: str, item: Any, path: str, graph: str) -> tuple[dict, Any]:
        if isinstance(item, dict):
            return self.node(context, key, item, path, graph)
        if isinstance(item, list):
            raise UnsupportedJsonLdError(path, "arrays of arrays are not supported")
        term = context.term(key)
        if isinstance(item, str) and term.type in ("@id", "@vocab"):
            obj = self.iri(context, item, path, vocab=term.type == "@vocab")
            return obj, ("@id", obj["value"])
        datatype = language = None
        if term.type not in (None, "@id", "@vocab", "@none"):
            datatype = term.type
        elif isinstance(item, str):
            language = term.language
        return _literal(item, datatype, language), ("@value", item, datatype, language)

    def property(self, context: _Context, key: str, term: _Term, value: Any, subject: dict, path: str, graph: str):
        if value is None:
            return  # an explicit null means "no value" in JSON-LD
        if term.type == "@json":
            obj = _json_literal(value)
            self.emit(graph, subject, term.predicate, obj, ("@json", obj["value"]))
            return
        if any(kind in term.container for kind in ("@language", "@index", "@id", "@type")):
            raise UnsupportedJsonLdError(path, f"the {term.container} container of {key!r} is not supported")
        term_context = context.child(term.scoped, override=True) if term.scoped is not None else context
        items = value if isinstance(value, list) else [value]
        objects = []
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]" if isinstance(value, list) else path
            if item is None:
                raise InvalidValueError(item_path, "null in an array would be dropped")
            if "@graph" in term.container:
                named = self.blank()
                obj, _ = self.item(term_context, key, item, item_path, named["value"])
                if obj["type"] == "literal":
                    raise InvalidValueError(item_path, "a graph container needs node objects")
                objects.append((named, ("@id", named["value"])))
            else:
                objects.append(self.item(term_context, key, item, item_path, graph))
        if "@list" in term.container:
            self.emit(graph, subject, term.predicate, self.rdf_list(objects, graph), None)
            return
        for obj, key_ in objects:
            self.emit(graph, subject, term.predicate, obj, key_)

    def rdf_list(self, objects: list[tuple[dict, Any]], graph: str) -> dict:
        rest = {"type": "IRI", "value": RDF + "nil"}
        first_p, rest_p = {"type": "IRI", "value": RDF + "first"}, {"type": "IRI", "value": RDF + "rest"}
        for obj, _ in reversed(objects):
            cell = self.blank()
            self.emit(graph, cell, first_p, obj, None)
            self.emit(graph, cell, rest_p, rest, None)
            rest = cell
        return rest


def canonicalize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, refusing anything pyld would drop or rewrite."""
    if not isinstance(document, dict):
        raise UnsupportedJsonLdError("$", "the document must be a JSON object")
    walker = _Walker()
    walker.node(_INITIAL, None, document, "$", "@default")
    return URDNA2015().main(walker.graphs, {"format": "application/n-quads"})
