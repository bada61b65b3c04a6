"""Semantic diffs of two specs: what a spec pull request changes, in the spec's own terms."""

from specwright._spec_diff._compare import diff_specs
from specwright._spec_diff._model import CHANGE_KINDS, ChangeKind, SpecChange, SpecDiff, WordSpan

__all__ = ["CHANGE_KINDS", "ChangeKind", "SpecChange", "SpecDiff", "WordSpan", "diff_specs"]
