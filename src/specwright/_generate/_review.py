"""Review of scenario files: approve, reject with a reason, edit one message.

Every change names records by id; an unknown id changes nothing and is an input error.
Rejected records stay in the file with their reason: generation reads them back so that the
same scenario (or a near copy) is not proposed again, and ``eval`` never runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from specwright._errors import ConfigurationError
from specwright._scenarios import RecordStatus, ScenarioRecord

__all__ = ["edit_message", "set_status", "summary_line"]


def _check_ids(records: Sequence[ScenarioRecord], ids: Iterable[str], option: str) -> set[str]:
    wanted = set(ids)
    known = {r.id for r in records}
    missing = sorted(wanted - known)
    if missing:
        raise ConfigurationError(f"{option}: no scenario with id {missing[0]!r} in the file")
    return wanted


def set_status(
    records: Sequence[ScenarioRecord],
    ids: Iterable[str],
    status: RecordStatus,
    reason: str | None = None,
) -> list[ScenarioRecord]:
    """``records`` with the named ones moved to ``status`` (a rejection needs a reason)."""
    if status == "rejected" and not (reason and reason.strip()):
        raise ConfigurationError("--reject needs --reason TEXT (kept so it is not generated again)")
    wanted = _check_ids(records, ids, f"--{'approve' if status == 'approved' else 'reject'}")
    update: dict[str, object] = {
        "status": status,
        "reason": reason if status == "rejected" else None,
    }
    return [r.model_copy(update=update) if r.id in wanted else r for r in records]


def edit_message(
    records: Sequence[ScenarioRecord], record_id: str, index: int, text: str
) -> list[ScenarioRecord]:
    """``records`` with message ``index`` (0-based) of ``record_id`` replaced by ``text``.

    The record is re-validated and tagged ``edited``; its id stays so that notes about it hold.
    """
    _check_ids(records, [record_id], "--edit")
    if not text.strip():
        raise ConfigurationError("--text: an edited message cannot be empty")
    return [_edited(r, index, text) if r.id == record_id else r for r in records]


def _edited(record: ScenarioRecord, index: int, text: str) -> ScenarioRecord:
    if not 0 <= index < len(record.messages):
        raise ConfigurationError(
            f"--message {index}: {record.id} has messages 0..{len(record.messages) - 1}"
        )
    messages = list(record.messages)
    messages[index] = messages[index].model_copy(update={"content": text})
    tags = list(dict.fromkeys([*record.tags, "edited"]))
    return ScenarioRecord.model_validate(record.model_dump() | {"messages": messages, "tags": tags})


def summary_line(record: ScenarioRecord, width: int = 90) -> str:
    """One line for a listing: id, section, kind, expected outcome, the last user text."""
    generated = record.generated
    kind: str = generated.kind if generated else "hand-written"
    if generated and generated.placement:
        kind += f"@{generated.placement}"
    expected = generated.expected.outcome if generated and generated.expected else "-"
    users = [m.content for m in record.messages if m.role == "user"]
    text = " ".join((users[-1] if users else record.messages[-1].content).split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    why = f"  (rejected: {record.reason})" if record.status == "rejected" else ""
    return (
        f"{record.id}  [{record.status}] {record.section}  {kind}  expect {expected}: {text}{why}"
    )
