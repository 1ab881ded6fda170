"""Language-model files and versions: a GGUF file's header read without loading it
(``gguf_header``), the identity of a model version (``identity``), the registry of versions and
which is the default (``registry``) and the trainer run as a subprocess (``trainer_job``).

Stands on ``store`` and below; the engine and the desk use it.
"""
