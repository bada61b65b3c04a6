"""``specwright init``: a lint-clean company overlay on a chosen base, to edit from.

The scaffold holds one section at each level a company layer usually writes (developer,
user, guideline), each with a GOOD/BAD example, and one eval prompt file. Ids and the eval
tag start with the company's slug, so they never clash with the base's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from specwright._errors import ConfigurationError
from specwright._model import Spec

__all__ = ["Scaffold", "relative_base", "scaffold_overlay"]

_TEMPLATE = """\
---
title: @NAME@ assistant
version: "0.1"
description: @NAME@'s own rules, layered on @BASE_TITLE@.
@EXTENDS@ceiling: developer
---

# @NAME@ rules {#@SLUG@ authority=developer}

These sections are @NAME@'s, as the developer of the assistant. They sit below every root \
and system rule of the base spec; `specwright show` marks which layer each section comes from.

## Stay within @NAME@'s product {#@SLUG@_scope authority=developer}

Help with @NAME@'s product and account questions; decline other errands briefly and say \
what the assistant can help with[^@TAG@].

**Example**: an errand outside the product

~~~xml
<developer>
You are @NAME@'s support assistant.
</developer>
<user>
Can you write my cover letter?
</user>
<comparison>
<assistant> <!-- GOOD -->
I can only help with @NAME@'s product and your account. Is there something there I can do for you?
</assistant>
<assistant> <!-- BAD: leaves the product's scope -->
Sure! Here is a cover letter for a marketing role.
</assistant>
</comparison>
~~~

## Answer in the customer's language {#@SLUG@_language authority=user}

Reply in the language the customer writes in. A customer may ask for another language.

**Example**: a question in Spanish

~~~xml
<user>
¿Puedo cambiar mi contraseña?
</user>
<comparison>
<assistant> <!-- GOOD -->
Sí: abre Ajustes, elige Seguridad y pulsa Cambiar contraseña.
</assistant>
<assistant> <!-- BAD: ignores the customer's language -->
Yes: open Settings, choose Security and press Change password.
</assistant>
</comparison>
~~~

## Keep answers short {#@SLUG@_brevity authority=guideline}

Lead with the answer; add detail only when the customer asks for it.

**Example**: a simple question

~~~xml
<user>
Do you ship to Canada?
</user>
<comparison>
<assistant> <!-- GOOD -->
Yes, we ship to Canada.
</assistant>
<assistant> <!-- BAD: buries the answer -->
Great question! Shipping is a complex topic with many factors to consider. [...] So yes, we do.
</assistant>
</comparison>
~~~
"""

_EVAL_TEMPLATE = """\
Examples for [^@TAG@] in Stay within @NAME@'s product:

**Example**: an unrelated request

~~~xml
<developer>
You are @NAME@'s support assistant.
</developer>
<user>
Plan my holiday in Lisbon.
</user>
~~~
"""


@dataclass(frozen=True)
class Scaffold:
    """What ``init`` writes: file name → text."""

    files: dict[str, str]


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "company_" + slug
    return slug


def scaffold_overlay(name: str, base: Spec, extends: str, sha256: str | None = None) -> Scaffold:
    """The overlay's files for company ``name`` on ``base`` (``extends`` as written)."""
    slug = _slug(name)
    taken = sorted(i for i in (s.id for s in base.walk()) if i == slug or i.startswith(slug + "_"))
    if taken:
        raise ConfigurationError(
            f"the base already has section ids starting with {slug!r} ({taken[0]}): "
            "pass another --name"
        )
    tag = next(f"{slug[:8]}{n}" for n in range(1, 1000) if f"{slug[:8]}{n}" not in base.eval_files)
    pin = f"sha256: {sha256}\n" if sha256 else ""
    values = {
        "@NAME@": name,
        "@SLUG@": slug,
        "@TAG@": tag,
        "@BASE_TITLE@": base.title or "the base spec",
        "@EXTENDS@": f"extends: {_yaml_scalar(extends)}\n{pin}",
    }
    spec_text, eval_text = _TEMPLATE, _EVAL_TEMPLATE
    for key, value in values.items():
        spec_text = spec_text.replace(key, value)
        eval_text = eval_text.replace(key, value)
    return Scaffold({"model_spec.md": spec_text, f"examples/{tag}.md": eval_text})


def _yaml_scalar(value: str) -> str:
    import yaml

    return yaml.safe_dump(value, default_style=None, width=10**6).removesuffix("\n...\n").strip()


def relative_base(base: str, target: Path) -> str:
    """``base`` as ``extends:`` should say it: a URL as given, a path relative to ``target``."""
    if "://" in base:
        return base
    return Path(os.path.relpath(Path(base).resolve(), target.resolve())).as_posix()
