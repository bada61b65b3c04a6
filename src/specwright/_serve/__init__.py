"""The gateway: ``specwright serve`` applies the chain of command to live model traffic.

OpenAI Chat Completions and Anthropic Messages share one pipeline; :mod:`._apis` holds what
differs between them (adapters, upstream path and headers, usage, error shapes).

Pipeline per request::

    client ──POST /v1/chat/completions──► _app (auth, size limit, JSON, the API's adapter)
        │     or /v1/messages                │
        │                                    │ resolve(spec, conversation)
        │                                    │ enforce: compile_prompt → compiled messages
        │                                    ▼ observe: the request unchanged
        │                                 _upstream (aiohttp pool, retries before the first byte)
        ◄──── response (streamed chunk by chunk) + x-specwright-decision-id ────┘
                                             │
                       PendingDecision ──► _writer (batched, off the hot path) ──► decisions table

Needs the ``serve`` extra (Starlette, uvicorn, aiohttp) and SQLAlchemy for the store.
"""
