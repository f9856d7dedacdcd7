"""Read a versioned JSON document that ``highlights`` wrote (see :mod:`highlights._schema`)."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ..errors import DocumentError

__all__ = ["read_document", "field", "number"]


def read_document(path: str | os.PathLike[str], *, schema: str, versions: Collection[int],
                  what: str) -> dict[str, Any]:
    """The JSON object in ``path``, checked to be ``schema`` in one of ``versions``.

    Parameters
    ----------
    path : path-like
        The file.
    schema : str
        The expected ``"schema"`` field.
    versions : collection of int
        The ``"schema_version"`` values this reader understands.
    what : str
        How messages name the document ("a highlights result").

    Raises
    ------
    DocumentError
        If ``path`` is not a file, is not JSON, not an object, another schema, or a
        version this reader does not know.
    """
    p = Path(path)
    if not p.is_file():
        raise DocumentError(f"{str(p)!r} does not exist or is not a file.", path=str(p))
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DocumentError(f"{str(p)!r} is not a text file; expected {what} "
                            f"(JSON, schema {schema!r}).", path=str(p)) from None
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{str(p)!r} is not JSON ({exc.msg}, line {exc.lineno}); "
                            f"expected {what} (schema {schema!r}).", path=str(p)) from None
    if not isinstance(doc, dict):
        raise DocumentError(f"{str(p)!r} holds a JSON {type(doc).__name__}, not {what} "
                            f"(schema {schema!r}).", path=str(p))
    found = doc.get("schema")
    if found != schema:
        named = f"schema {found!r}" if found is not None else "no \"schema\" field"
        raise DocumentError(f"{str(p)!r} is not {what}: it has {named}, expected {schema!r}.",
                            path=str(p))
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version not in versions:
        newest = max(versions)
        hint = (" It was written by a newer version of highlights; upgrade to read it."
                if isinstance(version, int) and version > newest else "")
        raise DocumentError(f"{str(p)!r}: {schema} schema_version {version!r} is not one this "
                            f"version reads ({', '.join(map(str, sorted(versions)))}).{hint}",
                            path=str(p))
    return doc


def field(doc: Mapping[str, Any], key: str, kinds: type | tuple[type, ...], *, where: str,
          path: str, optional: bool = False) -> Any:
    """``doc[key]`` checked to be of ``kinds`` (None allowed when ``optional``)."""
    if key not in doc or doc[key] is None:
        if optional:
            return None
        raise DocumentError(f"{path!r}: {where} has no {key!r}.", path=path)
    value = doc[key]
    bad_bool = isinstance(value, bool) and bool not in (
        kinds if isinstance(kinds, tuple) else (kinds,))
    if not isinstance(value, kinds) or bad_bool:
        raise DocumentError(f"{path!r}: {where}'s {key!r} must be "
                            f"{_kind_names(kinds)}; got {value!r}.", path=path)
    return value


def number(doc: Mapping[str, Any], key: str, *, where: str, path: str,
           optional: bool = False) -> float | None:
    """``doc[key]`` as a finite float (None when ``optional`` and absent)."""
    value = field(doc, key, (int, float), where=where, path=path, optional=optional)
    if value is None:
        return None
    if not math.isfinite(value):
        raise DocumentError(f"{path!r}: {where}'s {key!r} must be a finite number; "
                            f"got {value!r}.", path=path)
    return float(value)


def _kind_names(kinds: type | tuple[type, ...]) -> str:
    names = {int: "a number", float: "a number", str: "a string", list: "a list",
             dict: "an object", bool: "true or false"}
    seq = kinds if isinstance(kinds, tuple) else (kinds,)
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in seq))
