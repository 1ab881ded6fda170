"""Language-model files and versions: GGUF's keys and tables (``gguf_format``) and a
GGUF file's header read without loading it (``gguf_header``), the identity of a model version
(``identity``), registering trained versions and filing the trainer's candidate
(``registry``), the trainer run as a subprocess (``trainer_job``) and the vocabulary of its
progress events, which the trainer writes and the app reads (``trainer_events``).

Stands on ``store`` and below; the engine and the desk use it; ``training`` imports
``trainer_events``.
"""
