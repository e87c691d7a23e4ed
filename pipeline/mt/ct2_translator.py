"""The CTranslate2 translator: the torch backend's interface, run by CTranslate2.

It tokenizes with the snapshot's own files (:mod:`pipeline.mt.marian_vocab`:
MarianTokenizer's ids, which the torch backend feeds too), hands every
sentence of a call to ``ctranslate2.Translator.translate_batch`` at once
(CTranslate2 sorts and sub-batches them itself), and decodes the pieces
back as the torch backend decodes ids. The generation settings are those the
torch backend uses, read from the same files
(:func:`pipeline.mt.translator.snapshot_generation`), mapped to CTranslate2's
names by :func:`decoding_options`. Neither ``torch`` nor ``transformers`` is
imported, and ``ctranslate2`` only when a sentence is to be translated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import ConfigError, ModelError, threads
from pipeline.mt.ct2_convert import check_conversion, ct2_installed, require_ct2
from pipeline.mt.marian_vocab import MarianVocab, load_marian_vocab
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.translator import GenerationSettings, input_limit, snapshot_generation

__all__ = ["Ct2Options", "Ct2Translator", "decoding_options", "load_ct2_translator"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ct2Options:
    """How CTranslate2 runs.

    Attributes:
        quantization: which converted model (``int8``, ``float32``...).
        intra_threads: threads per batch; 0 suits the machine (see ``_threads``).
        inter_threads: batches translated in parallel; 0 suits the machine.
        max_batch_size: largest batch CTranslate2 runs at once, in ``batch_type`` units.
            32 sentences ran 1.5x batches of 1024 tokens at beam 4 on 2 cores
            (``python -m bench.ct2_bench --part calls``, 2,000 sentences).
        batch_type: ``tokens`` or ``examples``.
        tokens_per_call: most source tokens the stage hands CTranslate2 in one call
            (length-sorted; it re-batches them itself): few large calls keep Python
            out of the loop, and a bound in tokens keeps a call's memory from growing
            with the number or length of segments (one longer segment gets a call alone).
            At beam 4, 2,000 sentences: 2,048 tokens peaked at 593 MiB, 8,192 at 726,
            32,768 at 807 (the direct script, one call: 863), at the same speed.
    """

    quantization: str = "int8"
    intra_threads: int = 0
    inter_threads: int = 0
    max_batch_size: int = 32
    tokens_per_call: int = 4096
    batch_type: str = "examples"


def decoding_options(
    generate: dict[str, Any], forced_eos: bool, suppress: list[list[str]] | None = None
) -> dict[str, Any]:
    """Map ``generate`` keyword arguments to ``translate_batch``'s.

    Hugging Face counts the end token in ``max_new_tokens`` when the model
    forces it at the last step (OPUS-MT's generation config does): at most
    ``max_new_tokens - 1`` words and ``</s>``. CTranslate2's
    ``max_decoding_length`` counts words only, so it is one less there; the
    same holds for ``min_new_tokens``. Marian's decoder start token (``<pad>``)
    needs no option: the converted model starts from its zero embedding, and
    neither does ``bad_words_ids: [[<pad>]]``: the converter drops ``<pad>`` from
    the vocabulary, so it cannot be generated. Other bad words are suppressed.

    CTranslate2 scores each step over its vocabulary without ``<pad>`` and
    finishes a hypothesis at the length limit without scoring ``</s>``, which is
    what ``renormalize_logits: true`` (opus-mt-vi-en) does in transformers; with
    ``false`` (opus-mt-zh-en) torch adds the forced ``</s>``'s log-probability, so
    beams that reach the limit may rank differently there.

    Args:
        generate: ``num_beams``, ``max_new_tokens`` and optionally
            ``min_new_tokens``, ``repetition_penalty``, ``no_repeat_ngram_size``,
            ``length_penalty``.
        forced_eos: whether the generation config forces ``</s>`` at the end.
        suppress: token sequences never to generate (bad words other than ``<pad>``).
    """
    words = generate["max_new_tokens"] - (1 if forced_eos else 0)
    options = {
        "beam_size": generate["num_beams"],
        "max_decoding_length": max(1, words),
        "min_decoding_length": min(generate.get("min_new_tokens") or 0, max(1, words)),
        "repetition_penalty": generate.get("repetition_penalty", 1.0),
        "no_repeat_ngram_size": generate.get("no_repeat_ngram_size", 0),
    }
    if "length_penalty" in generate:
        options["length_penalty"] = generate["length_penalty"]
    if suppress:
        options["suppress_sequences"] = suppress
    return options


class Ct2Translator:
    """A converted MarianMT model run by CTranslate2 (the ``Translator`` interface).

    Build it with :func:`load_ct2_translator`; the constructor only stores. The
    name, settings, limit and token counts come from the snapshot's files;
    ``ctranslate2`` is imported and the model loaded on the first
    :meth:`translate_batch`, so a run the cache answers whole loads nothing.

    Args:
        model: the resolved snapshot (id, revision, folder).
        converted: the converted model's folder.
        vocab: the snapshot's tokenizer (:mod:`pipeline.mt.marian_vocab`).
        decoding: ``translate_batch`` keywords (see :func:`decoding_options`).
        options: quantization, threads and batching.
        device: the requested device (``auto``, ``cpu`` or ``cuda``), resolved on loading.
        source: the file the generation defaults came from.
    """

    def __init__(
        self,
        model: ResolvedModel,
        converted: Path,
        vocab: MarianVocab,
        decoding: dict[str, Any],
        options: Ct2Options,
        device: str,
        source: str = "",
    ) -> None:
        self.model_id = model.model_id
        self.revision = model.revision
        self.name = model.name
        self.backend = f"ct2-{options.quantization}"
        # CTranslate2 re-batches by tokens inside one call (max_batch_size): the stage
        # hands it length-sorted calls of up to this many source tokens instead of its own
        # batches.
        self.tokens_per_call = options.tokens_per_call
        # the sentences of one of its batches: calls hold whole batches (batching.plan_calls)
        self.batch_examples = options.max_batch_size if options.batch_type == "examples" else 0
        self.max_tokens = input_limit(model.folder, vocab.model_max_length)
        self._converted = converted
        self._vocab = vocab
        self._decoding = decoding
        self._options = options
        self._device = device
        self._source = source
        # the threads it may use, taken now: languages running at once each build their
        # model inside threads.shared_by, but load it later, in a worker thread
        self._cores = threads.budget()
        self._translator: Any = None

    def settings(self) -> dict[str, Any]:
        """The effective decoding settings (part of the cache key) and their defaults' file."""
        return {**self._decoding, "defaults_from": self._source}

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts with the model's tokenizer (``</s>`` included, no truncation)."""
        return [len(ids) for ids in self._vocab.encode_batch(texts)]

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        """Source pieces of each text, ending in ``</s>``, as the torch backend feeds them."""
        return [self._vocab.tokens(ids) for ids in self._vocab.encode_batch(texts)]

    def detokenize(self, pieces: list[list[str]]) -> list[str]:
        """Text of each hypothesis, decoded as the torch backend decodes ids."""
        return [self._vocab.decode(self._vocab.target_ids(p)) for p in pieces]

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate texts in one CTranslate2 call; the output keeps their order."""
        return self.submit_batch(texts)()

    def submit_batch(self, texts: list[str]) -> Callable[[], list[str]]:
        """Queue texts with CTranslate2 (``asynchronous``); the returned call waits for them.

        CTranslate2's workers take the queued batches of every call in turn, so with
        the next call queued before this one's results are decoded they never wait
        for Python between calls.
        """
        if not texts:
            return list
        results = self._loaded().translate_batch(
            self.tokenize(texts),
            max_batch_size=self._options.max_batch_size,
            batch_type=self._options.batch_type,
            asynchronous=True,
            **self._decoding,
        )
        return lambda: self.detokenize([r.result().hypotheses[0] for r in results])

    def _loaded(self) -> Any:
        """The ``ctranslate2.Translator``, loaded on first use."""
        if self._translator is None:
            self._translator = _load(self._converted, self._device, self._options, self._cores)
        return self._translator


def _threads(device: str, intra: int, inter: int, cores: int) -> tuple[int, int]:
    """Threads per batch and batches in parallel; 0 means "suit the machine".

    On CPUs, batches in parallel with one core each beat all cores on one batch:
    on 2 cores at beam 4, 1 x 2 ran 9.98 sentences/s against 6.43 for 2 x 1
    (bench/ct2_bench.py). So the default runs up to 4 batches at once and splits
    the cores among them. A GPU runs one batch at a time.
    """
    if device == "cuda":
        return intra or 1, inter or 1
    if not inter:
        inter = max(1, cores // intra) if intra else min(cores, 4)
    return intra or max(1, cores // inter), inter


def _device(requested: str, ctranslate2: Any) -> str:
    """``cuda`` when asked for, or for ``auto`` when CTranslate2 sees a GPU; else ``cpu``."""
    gpus = ctranslate2.get_cuda_device_count()
    if requested == "cuda" and not gpus:
        raise ConfigError("--device cuda: CTranslate2 sees no CUDA GPU (use auto or cpu)")
    return "cuda" if requested == "cuda" or (requested == "auto" and gpus) else "cpu"


def _compute_type(device: str, quantization: str) -> str:
    """int8 weights run int8_float16 on a GPU and float16 otherwise; CPU keeps the model's."""
    if device == "cuda":
        return "int8_float16" if quantization.startswith("int8") else "float16"
    return "default"


def _suppressed(generate: dict[str, Any], vocab: MarianVocab) -> list[list[str]]:
    """Bad words as token sequences, without ``[<pad>]`` (not in the converted vocabulary)."""
    bad = [ids for ids in generate.get("bad_words_ids") or [] if ids != [vocab.pad_id]]
    return [vocab.tokens(ids) for ids in bad]


def _load(converted: Path, requested: str, options: Ct2Options, cores: int) -> Any:
    """Load the converted model with CTranslate2 on the requested device.

    Raises:
        ModelError: the package missing, or a model it cannot load.
        ConfigError: ``cuda`` asked for without a GPU.
    """
    ctranslate2 = require_ct2()
    device = _device(requested, ctranslate2)
    threads, parallel = _threads(device, options.intra_threads, options.inter_threads, cores)
    try:
        translator = ctranslate2.Translator(
            str(converted),
            device=device,
            compute_type=_compute_type(device, options.quantization),
            intra_threads=threads,
            inter_threads=parallel,
        )
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(f"{converted}: cannot load ({exc})") from exc
    log.info("loaded %s on %s, %d x %d threads", converted, device, parallel, threads)
    return translator


def load_ct2_translator(
    model: ResolvedModel, settings: GenerationSettings, options: Ct2Options, converted: Path
) -> Ct2Translator:
    """A translator of a converted model, checked to be made from ``model``'s revision.

    Reads the snapshot's tokenizer and generation files; the converted model
    itself loads when the translator first translates.

    Args:
        model: the resolved snapshot (its tokenizer and generation config are used).
        settings: generation settings, as given to the torch backend.
        options: quantization, threads, batching.
        converted: the converted model's folder.

    Raises:
        ModelError: package missing, no converted model, a revision mismatch, or
            unreadable snapshot files.
    """
    if not ct2_installed():
        require_ct2()  # raises, naming the package to install
    if not converted.is_dir():
        raise ModelError(f"{converted}: no converted model; run `parallax models convert` first")
    check_conversion(converted, model.revision)
    vocab = load_marian_vocab(model.folder)
    generate, source = snapshot_generation(model.folder, settings)
    forced = generate.get("forced_eos_token_id") is not None
    decoding = decoding_options(generate, forced, _suppressed(generate, vocab))
    log.info("%s with ct2 (%s): %s", model.name, converted, decoding)
    return Ct2Translator(model, converted, vocab, decoding, options, settings.device, source)
