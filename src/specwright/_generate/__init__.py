"""Scenario generation (``specwright generate``): spec-grounded drafts for review, then eval.

The generator is any OpenAI-compatible model called through the official SDK
(:mod:`._client`); prompts are built from the spec (:mod:`._prompts`); replies are parsed
strictly (:mod:`._parse`) into draft records per kind (:mod:`._kinds`); near-duplicates go
(:mod:`._dedupe`); :mod:`._review` moves drafts to approved or rejected; :mod:`._adaptive`
searches near failures of a target model.
"""

from __future__ import annotations
