"""The log contract is typed both ways: written from models, validated when read back."""

from __future__ import annotations

from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model

from specwright import ConfigurationError, Spec
from specwright._eval._logs import SCORER_NAME, run_from_log
from specwright._eval._task import compliance_task
from specwright._results import RunMetadata, SampleMetadata, ScoreMetadata
from tests.eval.conftest import grader_from, honest_grader, target_fn


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> EvalLog:
    from tests.eval.conftest import eval_spec

    spec: Spec = eval_spec()
    (log,) = inspect_eval(
        compliance_task(spec, grader="mockllm/grader"),
        model=get_model("mockllm/model", custom_outputs=target_fn),
        model_roles={
            "grader": get_model("mockllm/grader", custom_outputs=grader_from(honest_grader))
        },  # type: ignore[arg-type]
        display="none",
        log_dir=str(tmp_path_factory.mktemp("logs")),
    )
    assert log.status == "success", log.error
    return log


def _score_meta(log: EvalLog, index: int = 0) -> dict[str, Any]:
    samples = log.samples or []
    metadata = (samples[index].scores or {})[SCORER_NAME].metadata
    assert metadata is not None
    return metadata


def test_what_is_written_is_exactly_the_typed_records(log: EvalLog) -> None:
    samples = log.samples or []
    assert set((log.eval.metadata or {})["specwright"]) == set(RunMetadata.model_fields)
    assert set(samples[0].metadata) == set(SampleMetadata.model_fields)
    assert set(_score_meta(log)) == set(ScoreMetadata.model_fields)
    run = run_from_log(log)
    assert run.finished and run.run_id == log.eval.task_id and run.n_scored == 4


def test_a_mistyped_score_field_is_one_line_naming_sample_and_field(log: EvalLog) -> None:
    broken = log.model_copy(deep=True)
    _score_meta(broken)["compliant"] = "maybe"
    with pytest.raises(ConfigurationError) as caught:
        run_from_log(broken)
    message = str(caught.value)
    assert "bad score metadata: compliant" in message and "sample " in message
    assert "\n" not in message


def test_missing_sample_fields_and_run_metadata_are_named(log: EvalLog) -> None:
    broken = log.model_copy(deep=True)
    del (broken.samples or [])[1].metadata["section_id"]
    with pytest.raises(ConfigurationError, match="bad sample metadata: section_id"):
        run_from_log(broken)
    foreign = log.model_copy(deep=True)
    foreign.eval.metadata = {}
    with pytest.raises(ConfigurationError, match="not a specwright eval log"):
        run_from_log(foreign)


def test_keys_from_a_newer_writer_are_ignored_and_new_keys_default(log: EvalLog) -> None:
    newer = log.model_copy(deep=True)
    _score_meta(newer)["judge_version"] = 2
    older = log.model_copy(deep=True)
    for sample in older.samples or []:
        meta = (sample.scores or {})[SCORER_NAME].metadata or {}
        meta.pop("whole_spec_tokens")
        meta.pop("grader_prompt_tokens")
    assert run_from_log(newer).samples == run_from_log(log).samples
    old = run_from_log(older)
    # Without the estimates, the whole-spec figure falls back to what was measured.
    assert old.whole_spec_grader_tokens == old.grader_tokens == run_from_log(log).grader_tokens
