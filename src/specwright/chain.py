"""The chain of command's extension surface: spans, grants, interpreters and registries.

``specwright`` (the top level) holds what most users need to resolve and compile a
conversation: :func:`specwright.resolve`, :func:`specwright.compile_prompt` and their
results. This module is for those who extend or inspect the chain itself:

- **spans**: :func:`split_conversation` cuts a conversation into :class:`Span` objects
  (:data:`SpanKind`), the parts that carry authority or none; :class:`PartMeta` and
  :data:`PartMark` say where a part came from (quoted, retrieved);
- **candidates and grants**: a :class:`Resolution` lists :class:`Candidate` instructions with a
  :data:`CandidateStatus`; a :class:`Delegation` grants an untrusted source authority;
- **interpreters**: the :class:`Interpreter` protocol answers the questions structure cannot
  (:data:`SpanClass`, :data:`Override`, :data:`Grant`, :data:`Capability`, all with
  ``"undetermined"``), returning :class:`Annotations` with :class:`RelationNote` objects;
  :class:`DeterministicInterpreter` and :class:`LLMInterpreter` are the built-ins; register your
  own with the :func:`interpreter` decorator and build one by name with
  :func:`create_interpreter`;
- **token counters**: the :class:`TokenCounter` protocol, :class:`ApproxTokenCounter`,
  :class:`TiktokenCounter`, the :func:`token_counter` decorator and
  :func:`create_token_counter`.

Everything here is public and documented in ``docs/chain.md``; the modules it comes from
(``specwright._chain.*``) are private.
"""

from __future__ import annotations

from specwright._chain._authority import Span, SpanKind, split_conversation
from specwright._chain._candidates import (
    Candidate,
    CandidateStatus,
    SectionCandidate,
    SpanCandidate,
)
from specwright._chain._conversation import PartMark, PartMeta
from specwright._chain._delegation import Delegation
from specwright._chain._fields import DroppedField
from specwright._chain._interpreter import (
    Annotations,
    Capability,
    DeterministicInterpreter,
    Grant,
    Interpreter,
    Override,
    RelationNote,
    SpanClass,
    create_interpreter,
    interpreter,
)
from specwright._chain._limits import ConversationLimits
from specwright._chain._llm_interpreter import LLMInterpreter
from specwright._chain._refs import AnyRef, MessageRef, Ref, SectionRef, ToolRef, parse_ref
from specwright._chain._relevance import Bm25Index
from specwright._chain._spec_index import SectionCost, SpecIndex
from specwright._chain._tokens import (
    ApproxTokenCounter,
    TiktokenCounter,
    TokenCounter,
    create_token_counter,
    token_counter,
)
from specwright._public import claim as _claim

__all__ = [
    "Annotations",
    "AnyRef",
    "ApproxTokenCounter",
    "Bm25Index",
    "Candidate",
    "CandidateStatus",
    "Capability",
    "ConversationLimits",
    "Delegation",
    "DeterministicInterpreter",
    "DroppedField",
    "Grant",
    "Interpreter",
    "LLMInterpreter",
    "MessageRef",
    "Override",
    "PartMark",
    "PartMeta",
    "Ref",
    "RelationNote",
    "SectionCandidate",
    "SectionCost",
    "SectionRef",
    "Span",
    "SpanCandidate",
    "SpanClass",
    "SpanKind",
    "SpecIndex",
    "TiktokenCounter",
    "TokenCounter",
    "ToolRef",
    "create_interpreter",
    "create_token_counter",
    "interpreter",
    "parse_ref",
    "split_conversation",
    "token_counter",
]

_claim(globals(), __all__, __name__)
