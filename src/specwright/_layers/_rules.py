"""The chain-of-command rules a layer must keep; each broken rule is one ``SpecError``.

A layer has a ceiling authority (``developer`` unless its front matter says otherwise). Its
own sections carry at most that level; it may override or disable a base section only when
the base section's effective authority is *below* the ceiling. Root- and system-level
sections, sections at or above the ceiling, and the base's framing sections (no authority
at all) stay as the base wrote them. Errors name the layer's line and the base's line.
"""

from __future__ import annotations

from specwright._errors import SpecError
from specwright._model import Section, SourceLocation, Spec, authority_rank
from specwright._reader._layer_header import LayerHeader, NamedId

__all__ = ["check_layer"]


def check_layer(base: Spec, layer: Spec, header: LayerHeader) -> None:
    """Raise ``SpecError`` at the first rule ``layer`` breaks on ``base``; else return."""
    own = {section.id: section for section in layer.walk()}
    _check_named(base, own, header)
    for section in layer.walk():
        _check_ceiling(section, header)
        if base.get(section.id) is not None:
            _check_replacement(base, section, header)
    for named in header.disables:
        _check_disable(base, named, header)


def _where(location: SourceLocation | None, fallback: str) -> str:
    return f"{location.file}:{location.line}" if location is not None else fallback


def _check_named(base: Spec, own: dict[str, Section], header: LayerHeader) -> None:
    disabled = {named.id for named in header.disables}
    for named in header.overrides:
        if named.id in disabled:
            raise SpecError(
                f"section {named.id!r} is both overridden and disabled",
                file=header.file,
                line=named.line,
                hint="keep it in `overrides:` to replace it, or in `disables:` to drop it",
            )
        if base.get(named.id) is None:
            raise _no_base_section(named, "overrides", header)
        if named.id not in own:
            raise SpecError(
                f"overrides {named.id!r} but this layer has no section {named.id!r}",
                file=header.file,
                line=named.line,
                hint=f"add a heading `{{#{named.id}}}` holding the replacement",
            )
    for named in header.disables:
        if base.get(named.id) is None:
            raise _no_base_section(named, "disables", header)
        if named.id in own:
            raise SpecError(
                f"disables {named.id!r} but this layer also defines it",
                file=header.file,
                line=named.line,
                hint="move it to `overrides:` to replace the base section",
            )


def _no_base_section(named: NamedId, key: str, header: LayerHeader) -> SpecError:
    return SpecError(
        f"{key} {named.id!r}, but the base spec has no such section",
        file=header.file,
        line=named.line,
        hint="name a section id of the base (`specwright show BASE` lists them)",
    )


def _check_ceiling(section: Section, header: LayerHeader) -> None:
    level = section.authority
    if level is None or authority_rank(level) >= authority_rank(header.ceiling):
        return
    where = section.location
    raise SpecError(
        f"section {section.id!r} is {level}-level, above this layer's ceiling "
        f"({header.ceiling}, {header.file}:{header.ceiling_line})",
        file=where.file if where else header.file,
        line=where.line if where else 1,
        hint=f"a {header.ceiling} layer's sections carry {header.ceiling} authority or lower",
    )


def _check_replacement(base: Spec, section: Section, header: LayerHeader) -> None:
    original = base.section(section.id)
    here = section.location
    file, line = (here.file, here.line) if here else (header.file, 1)
    there = _where(original.location, "the base")
    if section.id not in {named.id for named in header.overrides}:
        raise SpecError(
            f"duplicate section id {section.id!r}: the base defines it at {there}",
            file=file,
            line=line,
            hint="list it under `overrides:` to replace the base section, or rename it",
        )
    refusal = _refusal(base, original, header)
    if refusal is not None:
        raise SpecError(
            f"cannot override {section.id!r} ({there}): {refusal}",
            file=file,
            line=line,
            hint=_HINT,
        )


_HINT = "a layer overrides or disables only base sections below its ceiling; add your own"


def _refusal(base: Spec, original: Section, header: LayerHeader) -> str | None:
    """Why ``header``'s layer may not replace or drop ``original``; ``None`` when it may."""
    level = base.effective_authority(original.id)
    if level is None:
        return "it carries no authority level (the base's framing text)"
    if level in ("root", "system"):
        return f"it is {level}-level, and root and system sections are never overridden"
    if authority_rank(level) <= authority_rank(header.ceiling):
        return f"it is {level}-level, at or above this layer's ceiling ({header.ceiling})"
    return None


def _check_disable(base: Spec, named: NamedId, header: LayerHeader) -> None:
    for section in base.section(named.id).walk():
        # Dropping a section drops its sub-sections: each must be droppable on its own.
        refusal = _refusal(base, section, header)
        if refusal is None:
            continue
        what = (
            named.id if section.id == named.id else f"{named.id} (its sub-section {section.id!r})"
        )
        raise SpecError(
            f"cannot disable {what} ({_where(section.location, 'the base')}): {refusal}",
            file=header.file,
            line=named.line,
            hint=_HINT,
        )
