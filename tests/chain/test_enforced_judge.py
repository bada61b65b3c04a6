"""With --enforce the model under test gets the compiled request, but the judge grades the
scenario as written plus the answer, never our preamble or isolation markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput, get_model

from specwright import Spec
from specwright._eval._task import compliance_task
from tests.eval.conftest import eval_spec, honest_grader, output, target_fn


def _grader_prompts(spec: Spec, tmp_path: Path, *, enforce: bool) -> list[str]:
    prompts: list[str] = []

    def grade(
        inputs: list[ChatMessage], tools: Any, choice: Any, config: GenerateConfig
    ) -> ModelOutput:
        prompts.append(inputs[-1].text)
        return output(honest_grader(inputs[-1].text.split("## TRANSCRIPT", 1)[1]))

    seen: list[str] = []

    def target(
        inputs: list[ChatMessage], tools: Any, choice: Any, config: GenerateConfig
    ) -> ModelOutput:
        seen.append(inputs[0].text)
        return target_fn(inputs, tools, choice, config)

    logs = inspect_eval(
        compliance_task(spec, grader="mockllm/grader", enforce=enforce),
        model=get_model("mockllm/model", custom_outputs=target),
        model_roles={"grader": get_model("mockllm/grader", custom_outputs=grade)},
        display="none",
        log_dir=str(tmp_path),
    )
    assert logs[0].status == "success", logs[0].error
    if enforce:
        assert all(text.startswith("# Chain of command") for text in seen)
    return sorted(prompts)


def test_enforced_judge_sees_the_scenario_as_written(tmp_path: Path) -> None:
    spec = eval_spec()
    plain = _grader_prompts(spec, tmp_path / "plain", enforce=False)
    enforced = _grader_prompts(spec, tmp_path / "enforced", enforce=True)
    assert enforced and all("Chain of command" not in p for p in enforced)
    assert all("<<<untrusted:" not in p for p in enforced)
    assert [len(p) for p in enforced] == [len(p) for p in plain]
