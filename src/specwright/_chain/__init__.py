"""The chain of command: conversations, authority per part, resolution trace, prompt compiler.

Pipeline::

    Conversation ──spans()──► Span (authority per character range)
         │                         │
         │            Interpreter (semantic questions, "undetermined" allowed)
         ▼                         ▼
    resolve(spec, conversation) ─► Resolution (every candidate with status and reason)
         │
         ▼
    compile_prompt(spec, conversation) ─► CompiledPrompt (preamble + spotlighted messages)
"""
