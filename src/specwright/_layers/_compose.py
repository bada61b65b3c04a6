"""Compose a layer on a base spec: the result is a :class:`~specwright.Spec` like any other.

Base sections keep their place; an overriding section takes the place of the base section it
replaces (keeping the base's sub-sections, then its own); a disabled section goes with its
sub-sections; every other section of the layer is appended at the top level. Every section
of the result carries :class:`~specwright.Provenance`, and ``Spec.layers`` lists each
layer with its own content hash, so that the composed hash covers every layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from specwright._errors import SpecError
from specwright._layers._rules import check_layer
from specwright._model import (
    Authority,
    EvalPrompt,
    LayerInfo,
    Provenance,
    ReplacedSection,
    Section,
    Spec,
)
from specwright._reader._layer_header import LayerHeader

__all__ = ["compose_layer"]

_MAX_DEPTH = 6


def compose_layer(
    base: Spec, layer: Spec, header: LayerHeader, *, base_info: LayerInfo | None = None
) -> Spec:
    """Compose ``layer`` (its own content and front matter) on ``base``; rules raise SpecError.

    ``base_info`` describes a single-spec base (e.g. its URL and pin); by default it is
    derived from ``base``. A base that is itself composed keeps its own layer list.
    """
    check_layer(base, layer, header)
    if not base.layers:
        base = _as_base_layer(base, base_info or _base_info(base))
    index = len(base.layers)
    context = _Context(base, layer.title or f"layer {index}", index, header)
    replacements, added = context.split(layer.sections)
    sections = tuple(context.rebuild(base.sections, replacements))
    top = base.sections[0].depth if base.sections else 1
    sections += tuple(context.place(s, top, s.authority or header.ceiling) for s in added)
    prompts, tags = _eval_prompts(base, layer, sections)
    info = LayerInfo(
        title=context.layer_title,
        version=layer.version,
        ceiling=header.ceiling,
        content_hash=layer.content_hash(),
        overridden=tuple(named.id for named in header.overrides),
        disabled=tuple(named.id for named in header.disables),
        source=layer.source,
    )
    return Spec(
        title=layer.title,
        version=layer.version,
        description=layer.description or base.description,
        preamble="\n\n".join(p for p in (base.preamble, layer.preamble) if p),
        sections=sections,
        eval_prompts=prompts,
        eval_files=tags,
        source=layer.source,
        layers=(*base.layers, info),
        stray_emphasis=base.stray_emphasis + layer.stray_emphasis,
        slips=base.slips + layer.slips,
    )


def _base_info(base: Spec) -> LayerInfo:
    return LayerInfo(
        title=base.title or "base",
        version=base.version,
        content_hash=base.content_hash(),
        source=base.source,
    )


def _as_base_layer(base: Spec, info: LayerInfo) -> Spec:
    def mark(section: Section) -> Section:
        provenance = Provenance(layer=info.title, layer_index=0, location=section.location)
        children = tuple(mark(child) for child in section.children)
        return section.model_copy(update={"provenance": provenance, "children": children})

    return base.model_copy(
        update={"sections": tuple(mark(s) for s in base.sections), "layers": (info,)}
    )


@dataclass
class _Context:
    base: Spec
    layer_title: str
    index: int
    header: LayerHeader

    def split(self, sections: Iterable[Section]) -> tuple[dict[str, Section], list[Section]]:
        """The layer's overriding sections by id, and the rest of its tree (top level)."""
        overrides = {named.id for named in self.header.overrides}
        replacements: dict[str, Section] = {}

        def keep(section: Section) -> Section | None:
            children = tuple(c for c in map(keep, section.children) if c is not None)
            section = section.model_copy(update={"children": children})
            if section.id in overrides:
                replacements[section.id] = section
                return None
            return section

        kept = [s for s in map(keep, sections) if s is not None]
        return replacements, kept

    def rebuild(
        self, sections: Iterable[Section], replacements: dict[str, Section]
    ) -> Iterable[Section]:
        """The base tree with disabled sections dropped and overridden ones replaced."""
        disabled = {named.id for named in self.header.disables}
        for section in sections:
            if section.id in disabled:
                continue
            kids = tuple(self.rebuild(section.children, replacements))
            new = replacements.get(section.id)
            if new is None:
                yield section.model_copy(update={"children": kids})
                continue
            level = self.base.effective_authority(section.id)
            replaced = ReplacedSection(
                layer=_layer_of(section, self.base), authority=level, location=section.location
            )
            placed = self.place(new, section.depth, new.authority or section.authority, replaced)
            yield placed.model_copy(update={"children": kids + placed.children})

    def place(
        self,
        section: Section,
        depth: int,
        authority: Authority | None,
        replaced: ReplacedSection | None = None,
    ) -> Section:
        """``section`` of the layer at ``depth``, with its provenance (children likewise)."""
        if depth > _MAX_DEPTH:
            where = section.location
            raise SpecError(
                f"section {section.id!r} would sit deeper than level {_MAX_DEPTH} once composed",
                file=where.file if where else self.header.file,
                line=where.line if where else 1,
                hint="nest the layer's sub-sections less deeply",
            )
        provenance = Provenance(
            layer=self.layer_title,
            layer_index=self.index,
            location=section.location,
            replaced=replaced,
        )
        children = tuple(self.place(c, depth + 1, c.authority) for c in section.children)
        update = {"depth": depth, "authority": authority, "provenance": provenance}
        return section.model_copy(update={**update, "children": children})


def _layer_of(section: Section, base: Spec) -> str:
    if section.provenance is not None:
        return section.provenance.layer
    return base.layers[0].title if base.layers else base.title


def _eval_prompts(
    base: Spec, layer: Spec, sections: tuple[Section, ...]
) -> tuple[tuple[EvalPrompt, ...], tuple[str, ...]]:
    """Both layers' eval prompts, tied to the composed sections carrying their tags.

    A base prompt file whose tag no composed section carries any more belonged to a section
    the layer disabled or replaced: it tests a rule that is gone, so it goes too.
    """
    clash = sorted(set(base.eval_files) & set(layer.eval_files))
    if clash:
        theirs = next((p.location for p in layer.eval_prompts if p.tag == clash[0]), None)
        raise SpecError(
            f"eval prompt file {clash[0]}.md exists in the base spec too",
            file=theirs.file if theirs else layer.source or "<layer>",
            line=theirs.line if theirs else 1,
            hint="rename the layer's file and its footnote tag",
        )
    owners: dict[str, str] = {}
    for root in sections:
        for section in root.walk():
            for tag in section.eval_tags:
                owners.setdefault(tag, section.id)
    gone = {p.tag for p in base.eval_prompts if p.section_id is not None} - owners.keys()
    prompts = [p for p in base.eval_prompts if p.tag not in gone] + list(layer.eval_prompts)
    tied = tuple(p.model_copy(update={"section_id": owners.get(p.tag)}) for p in prompts)
    tags = tuple(sorted(t for t in {*base.eval_files, *layer.eval_files} if t not in gone))
    return tied, tags
