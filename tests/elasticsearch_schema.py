"""Check request bodies against the Elasticsearch 9 REST schema, offline, as far as the schema is at hand.

The official Python client's DSL (`elasticsearch.dsl`, in the `elasticsearch` package pinned by the project)
is generated from the Elasticsearch specification: one class per field type (`field.Text`, `field.Keyword`,
...), per query (`query.MultiMatch`, `query.Bool`, ...) and per query body (`types.MatchQuery`, ...), whose
keyword parameters are the properties the specification allows, annotated with their types (`Literal`
choices included). `problems(...)` walks a body against those classes: unknown field types or query names,
unknown parameters, values of the wrong type or outside their choices.

What it cannot check: the analysis components (token filters, analyzers: the client has no typed classes
for them, so their parameters, e.g. a stemmer's language, are only checked by a real cluster in
tests/test_elasticsearch.py), that a field named in a query exists, and anything the specification leaves
as "any object"."""

import collections.abc
import inspect
import typing
from typing import Any, Literal, Union

from elastic_transport.client_utils import DefaultType
from elasticsearch.dsl import field, function, query, types
from elasticsearch.dsl.document_base import InstrumentedField
from elasticsearch.dsl.utils import AttrDict, DslBase

NAMESPACE = {
    **vars(typing),
    **vars(types),
    **vars(function),
    **vars(field),
    **vars(query),
    "types": types,
    "InstrumentedField": InstrumentedField,
    "DefaultType": DefaultType,
}
SKIPPED = {"self", "args", "kwargs"}
# Body properties whose Python parameter is renamed (a keyword, or a leading underscore).
PYTHON_NAMES = {"from": "from_", "_source": "source"}


def parameters(cls):
    """{name: annotation} of the keyword parameters of a generated class (forward references unresolved)."""
    signature = inspect.signature(cls.__init__)
    return {name: p.annotation for name, p in signature.parameters.items() if name not in SKIPPED}


def resolve(annotation):
    """A forward reference ("types.MatchQuery") evaluated; one to a name this module lacks counts as Any."""
    if isinstance(annotation, str):
        annotation = typing.ForwardRef(annotation)
    if isinstance(annotation, typing.ForwardRef):
        try:
            return eval(annotation.__forward_arg__, NAMESPACE)  # noqa: S307 (the client's own annotations)
        except NameError:
            return Any
    return annotation


def check(value, annotation, path):
    """Problems of `value` against a type annotation of the generated client."""
    annotation = resolve(annotation)
    if annotation is inspect.Parameter.empty:
        return []
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return []
    if origin is Union:
        alternatives = [resolve(a) for a in typing.get_args(annotation)]
        alternatives = [a for a in alternatives if a is not DefaultType]
        if any(isinstance(a, type) and issubclass(a, (AttrDict, DslBase)) for a in alternatives):
            # The client also accepts a plain dict in place of each typed object: the typed one is the schema.
            alternatives = [a for a in alternatives if typing.get_origin(a) not in (dict, collections.abc.Mapping)]
        found = [check(value, alternative, path) for alternative in alternatives]
        if any(not p for p in found):
            return []
        # Report against the alternative of the value's own shape (a list against the list form, ...).
        shaped = [f for f, a in zip(found, alternatives, strict=True) if shape(a) == shape_of(value)] or found
        return min(shaped, key=len)
    if origin is Literal:
        choices = typing.get_args(annotation)
        return [] if value in choices else [f"{path}: {value!r} is not one of {list(choices)}"]
    if annotation is type(None):
        return [] if value is None else [f"{path}: {value!r} should be null"]
    if annotation is bool:
        return [] if isinstance(value, bool) else [f"{path}: {value!r} should be a boolean"]
    if annotation is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{path}: {value!r} is no integer"]
    if annotation is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: {value!r} is no number"]
    if annotation is str or annotation is InstrumentedField:
        return [] if isinstance(value, str) else [f"{path}: {value!r} should be a string"]
    if origin in (list, collections.abc.Sequence):
        if not isinstance(value, list):
            return [f"{path}: {value!r} should be a list"]
        (item,) = typing.get_args(annotation) or (Any,)
        return [problem for n, v in enumerate(value) for problem in check(v, item, f"{path}[{n}]")]
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        if not isinstance(value, dict):
            return [f"{path}: {value!r} should be an object"]
        args = typing.get_args(annotation)
        item = args[1] if len(args) == 2 else Any
        return [problem for k, v in value.items() for problem in check(v, item, f"{path}.{k}")]
    if isinstance(annotation, type) and issubclass(annotation, query.Query):
        return query_problems(value, path)
    if isinstance(annotation, type) and issubclass(annotation, (AttrDict, DslBase)):
        if not isinstance(value, dict) and "query" in parameters(annotation):
            # The specification's shortcut: {"match": {"title": "text"}} stands for {"query": "text"}.
            return check(value, parameters(annotation)["query"], path)
        if not isinstance(value, dict):
            return [f"{path}: {value!r} should be an object ({annotation.__name__})"]
        return params_problems(value, annotation, path)
    return []  # a type the specification leaves open


def shape(annotation):
    origin = typing.get_origin(annotation)
    if origin in (list, collections.abc.Sequence):
        return "list"
    if origin in (dict, collections.abc.Mapping) or (
        isinstance(annotation, type) and issubclass(annotation, (AttrDict, DslBase))
    ):
        return "object"
    return "scalar"


def shape_of(value):
    return "list" if isinstance(value, list) else "object" if isinstance(value, dict) else "scalar"


def params_problems(params, cls, path):
    allowed = parameters(cls)
    if "_field" in allowed and "_value" in allowed:
        # A query keyed by the field it runs on: {"match": {"title": {...}}}.
        if len(params) != 1:
            return [f"{path}: {cls.__name__} takes one field, not {sorted(params)}"]
        ((name, value),) = params.items()
        return check(value, allowed["_value"], f"{path}.{name}")
    found = []
    for name, value in params.items():
        key = PYTHON_NAMES.get(name, name)
        if key not in allowed:
            found.append(f"{path}: {cls.__name__} has no parameter {name!r}")
        else:
            found.extend(check(value, allowed[key], f"{path}.{name}"))
    return found


def query_problems(body, path="query"):
    if not isinstance(body, dict) or len(body) != 1:
        return [f"{path}: a query is an object with one key, not {body!r}"]
    ((name, params),) = body.items()
    try:
        cls = query.Query.get_dsl_class(name)
    except Exception:
        return [f"{path}: no query named {name!r}"]
    if not isinstance(params, dict):
        return [f"{path}.{name}: {params!r} should be an object"]
    return params_problems(params, cls, f"{path}.{name}")


def mapping_problems(properties, path="properties"):
    """Problems of a mapping's `properties`: each field's type and its parameters."""
    found = []
    for name, definition in properties.items():
        here = f"{path}.{name}"
        definition = dict(definition)
        kind = definition.pop("type", "object")
        try:
            cls = field.Field.get_dsl_class(kind)
        except Exception:
            found.append(f"{here}: no field type {kind!r}")
            continue
        for nested in ("properties", "fields"):
            if nested in definition:
                found.extend(mapping_problems(definition.pop(nested), f"{here}.{nested}"))
        found.extend(params_problems(definition, cls, here))
    return found


def body_problems(body, method):
    """Problems of the top-level keys of a request body, against a client method's parameters (the client
    generates one keyword parameter per body property of the endpoint)."""
    allowed = {name for name in inspect.signature(method).parameters if name not in SKIPPED}
    return [f"body: {method.__name__} has no {key!r}" for key in body if PYTHON_NAMES.get(key, key) not in allowed]
