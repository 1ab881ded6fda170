"""A GGUF written by training.convert reads back into the checkpoint it was converted from:
the same tokens, the same logits, and whether the model writes fact slots."""

from __future__ import annotations


def test_a_gguf_reads_back_into_the_checkpoint_it_was_converted_from(
    tiny_model, tiny_gguf, tmp_path
):
    from transformers import AutoTokenizer

    from tests.training.helpers import hf_logits, letter_tokens, max_diff
    from training.from_gguf import checkpoint_from_gguf

    source = tiny_model(tie_embeddings=True)
    back = checkpoint_from_gguf(tiny_gguf("f32", tie_embeddings=True), tmp_path / "back")
    tokens = letter_tokens(source, 200)
    assert (
        AutoTokenizer.from_pretrained(back)(
            AutoTokenizer.from_pretrained(source).decode(tokens[1:])
        ).input_ids
        == tokens
    )
    assert max_diff(hf_logits(back, tokens), hf_logits(source, tokens)) < 1e-4


def test_a_slot_writing_model_read_back_from_its_gguf_still_writes_slots(tiny_model, tmp_path):
    import shutil

    from training.convert import convert
    from training.from_gguf import checkpoint_from_gguf
    from training.tokenizer import mark_fact_slots, writes_fact_slots

    source = tmp_path / "source"
    shutil.copytree(tiny_model(tie_embeddings=True), source)
    mark_fact_slots(source)
    convert(source, tmp_path / "slots.gguf", outtype="f32")
    assert writes_fact_slots(checkpoint_from_gguf(tmp_path / "slots.gguf", tmp_path / "back"))
    plain = tmp_path / "plain"
    shutil.copytree(tiny_model(tie_embeddings=True), plain)
    convert(plain, tmp_path / "plain.gguf", outtype="f32")
    assert not writes_fact_slots(checkpoint_from_gguf(tmp_path / "plain.gguf", tmp_path / "b2"))
