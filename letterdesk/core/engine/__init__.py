"""The engine: a prompt in, a letter's text out as a stream of typed chunks.

``types`` is its vocabulary (settings, decoding options, chunks, errors, the ``LetterModel``
interface); ``local`` runs llama.cpp in a ``worker`` process (``protocol``: the typed
messages between them); ``server`` talks to an
OpenAI-compatible server; ``factory`` picks one; ``constrained`` holds the logits processors
(fact slots, lists, numbers) the worker applies; ``backend_info`` says what the llama.cpp
build can do. Stands on ``models`` and below, never on the store (the caller records a
model's identity); generation and the GUI use it.
"""
