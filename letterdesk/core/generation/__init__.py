"""Drafting a letter: the case rendered as the model reads it in the model's chat
template (``prompts``) and writing, regenerating and storing a draft (``draft``).

Stands on ``engine``, ``facts`` and below; the desk, evaluation, the commands and the GUI use
it.
"""
