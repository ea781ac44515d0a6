"""A spaCy 3.7 named-entity recogniser for the shop's entities, trained from scratch offline.

No Rasa imports: the Rasa component (custom_components/spacy_entity_extractor.py)
hands this module plain texts and character spans.

    model = SpacyNer.train([("黑色M码还有吗", [(0, 2, "color"), (2, 4, "size")]), ...],
                           SpacyNerConfig(epochs=30), dictionary_paths=["data/jieba"])
    model.predict("白色L码呢")   # -> [EntitySpan(start=0, end=2, label="color", ...), ...]
    model.save(directory); SpacyNer.load(directory)

The pipeline is ``spacy.blank("zh")`` with the jieba segmenter and one ``ner`` (greedy)
or ``beam_ner`` (beam search, which gives per-entity confidences) component over
spaCy's hash-embedding CNN. Nothing is downloaded: no vectors, no pretrained weights.

**Pattern features.** Optional named regular expressions (the pipeline's regexes and
lookup tables, as Rasa's RegexFeaturizer gives them to the CRF) become one more input
of the encoder: a ``shop_patterns`` component before the NER marks every token that
overlaps a match with the names that matched (in ``token.tag_``, unused otherwise in a
blank pipeline), and the embedding hashes that tag beside the word, its first
character, its last three and its shape. A product the annotations never showed but a
lookup table lists is then still recognisable. Training with patterns:
``SpacyNer.train(examples, config, patterns=[("product", "(羽绒服|卫衣)"), ...])``.

**Tokens.** spaCy's Chinese tokenizer calls ``jieba.cut``. Here it gets a private
``jieba.Tokenizer`` loaded with the same user dictionary files as the pipeline's
JiebaTokenizer (data/jieba), copied into the saved model, so

- the model segments exactly like the Rasa pipeline it sits in (the shop's words, e.g.
  防晒衣 or M码, stay one token, which is also what the data checker enforces for
  entity spans), and
- loading a model never changes how anything else in the process tokenizes, and a
  saved model segments the same in any process (its dictionary travels with it).
  That matters beyond tidiness: jieba adds a word's frequency to its total on every
  ``load_userdict``, so the process-wide jieba of a process that loaded the shop
  dictionary twice (trained and then loaded a Rasa model) cuts some texts differently
  (多少钱 becomes one word). Loaded once here, the words are those of a served model.

The cost is a second copy of jieba's main dictionary in memory (about 40-60 MB).

**Spans that do not fall on token boundaries** are widened to the tokens that contain
them (``doc.char_span(..., alignment_mode="expand")``) for training, rather than being
dropped or turned into "missing" tags: with the shop dictionary loaded this is rare
(the data checker rejects it), and a widened span still teaches the label. The model
predicts whole tokens, so such an entity can only ever be predicted widened; exact-span
scores count that as a miss. Overlapping spans (possible in Rasa's format, impossible
in spaCy's ``doc.ents``) keep the longest; :attr:`SpacyNer.training_report` counts both.
A span without a letter or digit (emoji, punctuation) is never an entity, in training
or prediction.

**Bounds.** Texts longer than ``max_chars`` characters are cut to their first
``max_chars`` characters before tokenising (training and prediction alike), so one huge
message costs at most that much work; entities after the cut are not found.
Empty or whitespace-only texts give no entities without running the model.
"""
from __future__ import annotations

import json
import logging
import random
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from spacy.language import Language

logger = logging.getLogger(__name__)

PathLike = Union[str, Path]
Span = Tuple[int, int, str]
Pattern = Tuple[str, str]  # (name, regular expression)

SETTINGS_FILE = "shop_spacy_ner.json"
PIPELINE_DIR = "spacy"
DICTIONARY_DIR = "jieba"
FORMAT_VERSION = 1
PATTERNS_PIPE = "shop_patterns"


class EntitySpan(NamedTuple):
    """One predicted entity.

    start, end: character offsets into the text passed in (end exclusive, Python ``str``
    indices, i.e. code points: an emoji counts as one character).
    label: the entity name (e.g. ``"color"``). text: ``text[start:end]``.
    confidence: probability mass of the beam parses containing this span (0-1) for a
    beam model; ``None`` for a greedy model, which has no probabilities to give.
    """

    start: int
    end: int
    label: str
    text: str
    confidence: Optional[float]


@dataclass(frozen=True)
class SpacyNerConfig:
    """Training settings. Every field has a working default; invalid values raise ValueError.

    epochs: passes over the training examples (>= 1).
    batch_size: examples per update (>= 1).
    dropout: dropout rate during training, in [0, 1).
    learning_rate: Adam learning rate (> 0).
    width: width of the token vectors of the CNN encoder (>= 8).
    depth: number of CNN layers (>= 1); each widens the context by one token per side.
    embed_size: rows of each hash-embedding table (>= 100).
    beam_width: 1 trains spaCy's greedy ``ner``; > 1 trains ``beam_ner`` with that beam,
      which gives confidences and is slower to train and to run.
    max_chars: texts are cut to this many characters (>= 1).
    random_seed: seeds spaCy/thinc/numpy and the example shuffling.
    segmenter: ``"jieba"`` (words, as the Rasa pipeline sees them) or ``"char"`` (every
      character a token: every span aligns, no dictionary is used).
    case_sensitive: whether pattern features match case-sensitively (Rasa's
      RegexFeaturizer option of the same name; the shop's config says false).
    """

    epochs: int = 30
    batch_size: int = 16
    dropout: float = 0.2
    learning_rate: float = 0.001
    width: int = 96
    depth: int = 4
    embed_size: int = 2000
    # beam search: per-entity confidences for the same accuracy as greedy on the shop's
    # data (dev split of data/nlu, 3 seeds: 0.81-0.84 beam 4 vs 0.77-0.86 greedy)
    beam_width: int = 4
    max_chars: int = 512
    random_seed: int = 42
    segmenter: str = "jieba"
    case_sensitive: bool = False

    def __post_init__(self) -> None:
        checks = {
            "epochs": self.epochs >= 1,
            "batch_size": self.batch_size >= 1,
            "dropout": 0.0 <= self.dropout < 1.0,
            "learning_rate": self.learning_rate > 0,
            "width": self.width >= 8,
            "depth": self.depth >= 1,
            "embed_size": self.embed_size >= 100,
            "beam_width": self.beam_width >= 1,
            "max_chars": self.max_chars >= 1,
            "segmenter": self.segmenter in ("jieba", "char"),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid SpacyNerConfig value(s): "
                             + ", ".join(f"{n}={getattr(self, n)!r}" for n in bad))

    def to_dict(self) -> Dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Dict[str, object]) -> "SpacyNerConfig":
        """Build from a mapping; unknown keys raise ValueError (a typo must not be ignored)."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown SpacyNerConfig key(s): {sorted(unknown)}")
        return cls(**values)


@dataclass
class TrainingReport:
    """What happened to the training spans: counts of examples and spans."""

    examples: int = 0
    spans: int = 0
    widened: int = 0          # not on token boundaries, widened to whole tokens
    dropped_overlap: int = 0  # overlapped a longer span
    dropped_invalid: int = 0  # empty, out of range, whitespace only or after max_chars
    labels: List[str] = field(default_factory=list)
    pattern_names: List[str] = field(default_factory=list)  # names of the pattern features


def _dictionary_files(paths: Iterable[PathLike]) -> List[Path]:
    """Every file of each directory (as JiebaTokenizer loads them), or the file itself.

    Hidden files are skipped, as JiebaTokenizer's glob skips them. Files load in sorted
    order; JiebaTokenizer takes the directory's listing order, which only matters when
    two files give one word different frequencies (the shop's do not).
    """
    files: List[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"jieba dictionary not found: {path}")
    return files


def _jieba_segmenter(dictionary_files: Sequence[Path]):
    """A private jieba.Tokenizer with the user dictionaries loaded (see module docstring)."""
    import jieba

    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    for path in dictionary_files:
        segmenter.load_userdict(str(path))
    return segmenter


def _blank_pipeline(segmenter: str):
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})


class PatternTagger:
    """spaCy component: ``token.tag_`` = sorted names of the patterns whose matches overlap it.

    Overlap, not containment, as Rasa's RegexFeaturizer marks tokens: a lookup entry
    inside a longer jieba word (铸铁 in 铸铁锅) still marks that word. Tokens no pattern
    touches keep an empty tag. Texts are searched whole, so callers bound their length.
    """

    def __init__(self, name: str = PATTERNS_PIPE) -> None:
        self.name = name
        self.patterns: List[Pattern] = []
        self.case_sensitive = False
        self._compiled: List[Tuple[str, "re.Pattern[str]"]] = []

    def configure(self, patterns: Sequence[Pattern], case_sensitive: bool) -> None:
        """Set the (name, regex) patterns; raises ValueError for a regex that does not compile."""
        flags = 0 if case_sensitive else re.IGNORECASE
        compiled = []
        for name, pattern in patterns:
            try:
                compiled.append((str(name), re.compile(pattern, flags)))
            except re.error as error:
                raise ValueError(f"pattern {name!r} is not a valid regular expression: {error}") from None
        self.patterns = [(str(n), str(p)) for n, p in patterns]
        self.case_sensitive = bool(case_sensitive)
        self._compiled = compiled

    def __call__(self, doc):
        names: List[set] = [set() for _ in doc]
        for name, regex in self._compiled:
            for match in regex.finditer(doc.text):
                if match.end() == match.start():
                    continue  # an empty match marks nothing
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                for token in span if span is not None else ():
                    names[token.i].add(name)
        for token, found in zip(doc, names):
            if found:
                token.tag_ = "|".join(sorted(found))
        return doc

    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "patterns.json").write_text(json.dumps(
            {"patterns": self.patterns, "case_sensitive": self.case_sensitive}, ensure_ascii=False),
            encoding="utf-8")

    def from_disk(self, path, exclude=()) -> "PatternTagger":
        data = json.loads((Path(path) / "patterns.json").read_text(encoding="utf-8"))
        self.configure([tuple(p) for p in data["patterns"]], data["case_sensitive"])
        return self


@Language.factory(PATTERNS_PIPE)
def _make_pattern_tagger(nlp, name: str) -> PatternTagger:
    # registered at import so that spacy.load() can rebuild a saved pipeline
    return PatternTagger(name)


def _ner_factory(config: SpacyNerConfig, with_patterns: bool) -> Tuple[str, Dict[str, object]]:
    # spaCy's default NER encoder (HashEmbedCNN.v2) spelt out, so the pattern tag can be
    # one more hashed attribute; without patterns it is that default model exactly
    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"] + (["TAG"] if with_patterns else [])
    rows = [config.embed_size] + [config.embed_size // 2] * 3 + ([64] if with_patterns else [])
    model = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {
                "@architectures": "spacy.MultiHashEmbed.v2",
                "width": config.width,
                # PREFIX/SUFFIX: first character and last three characters of each word,
                # Chinese morphology the hash of the whole word would hide (…色, …码, …鞋)
                "attrs": attrs,
                "rows": rows,
                "include_static_vectors": False,
            },
            "encode": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": config.width,
                "depth": config.depth,
                "window_size": 1,
                "maxout_pieces": 3,
            },
        },
    }
    if config.beam_width > 1:
        return "beam_ner", {"model": model, "beam_width": config.beam_width}
    return "ner", {"model": model}


def _has_word_character(text: str) -> bool:
    """True when text holds a letter (Chinese characters included) or a digit.

    Every entity the shop knows does (names, colours, sizes, numbers); a span of only
    emoji, punctuation or control characters is noise, never an entity.
    """
    return any(ch.isalnum() for ch in text)


def _trim(text: str, start: int, end: int) -> Tuple[int, int]:
    """Shrink a span so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class SpacyNer:
    """A trained spaCy NER pipeline plus the settings and dictionary it was trained with.

    Build with :meth:`train` or :meth:`load`; use :meth:`predict` / :meth:`predict_many`.
    """

    def __init__(self, nlp, config: SpacyNerConfig, dictionary_files: Sequence[Path] = (),
                 report: Optional[TrainingReport] = None) -> None:
        self.nlp = nlp
        self.config = config
        self.dictionary_files = [Path(p) for p in dictionary_files]
        self.training_report = report or TrainingReport()
        self._ner_name = "ner" if "ner" in nlp.pipe_names else None
        if config.segmenter == "jieba":
            # replace the process-wide jieba spaCy picked up by our own (module docstring)
            nlp.tokenizer.jieba_seg = _jieba_segmenter(self.dictionary_files)

    @property
    def labels(self) -> List[str]:
        """Entity labels the model can predict, sorted."""
        if self._ner_name is None:
            return []
        return sorted(self.nlp.get_pipe(self._ner_name).labels)

    # ------------------------------------------------------------------ training
    @classmethod
    def train(cls, examples: Sequence[Tuple[str, Sequence[Span]]],
              config: Optional[SpacyNerConfig] = None,
              dictionary_paths: Iterable[PathLike] = (),
              patterns: Sequence[Pattern] = ()) -> "SpacyNer":
        """Train on (text, [(start, end, label), ...]) examples.

        Offsets are character offsets into text, end exclusive. Examples without spans
        are kept: they teach the model what is *not* an entity. dictionary_paths are
        jieba user dictionary files or directories of them (every file loaded, as
        Rasa's JiebaTokenizer does); ignored with ``segmenter="char"``. patterns are
        (name, regular expression) pairs whose matches become token features (module
        docstring); names need not be entity labels.

        Raises ValueError when no example has a usable span (nothing to learn) or a
        pattern does not compile, and FileNotFoundError for a missing dictionary path.
        Same examples, patterns, config and seed give the same model.
        """
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        config = config or SpacyNerConfig()
        files = _dictionary_files(dictionary_paths) if config.segmenter == "jieba" else []
        fix_random_seed(config.random_seed)
        nlp = _blank_pipeline(config.segmenter)
        if patterns:
            nlp.add_pipe(PATTERNS_PIPE).configure(patterns, config.case_sensitive)
        factory, factory_config = _ner_factory(config, with_patterns=bool(patterns))
        nlp.add_pipe(factory, name="ner", config=factory_config)
        model = cls(nlp, config, files)

        report = TrainingReport()
        train_examples = []
        for text, spans in examples:
            text = (text or "")[: config.max_chars]
            if not text.strip():
                continue
            reference = model.nlp.make_doc(text)
            # the NER reads the predicted side: it must carry the pattern tags, as in use
            predicted = model._before_ner(model.nlp.make_doc(text))
            train_examples.append(Example(predicted, model._aligned(reference, spans, report)))
        report.examples = len(train_examples)
        report.pattern_names = sorted({name for name, _ in patterns})
        report.labels = sorted({ent.label_ for ex in train_examples for ent in ex.reference.ents})
        if not report.labels:
            raise ValueError("no training example has a usable entity span; nothing to learn")
        if report.widened or report.dropped_overlap or report.dropped_invalid:
            logger.info("spaCy NER training spans: %d widened to token boundaries, %d dropped "
                        "(overlap), %d dropped (invalid)", report.widened, report.dropped_overlap,
                        report.dropped_invalid)

        optimizer = model.nlp.initialize(lambda: train_examples)
        optimizer.learn_rate = config.learning_rate
        order = random.Random(config.random_seed)
        for epoch in range(config.epochs):
            order.shuffle(train_examples)
            losses: Dict[str, float] = {}
            for batch in minibatch(train_examples, size=config.batch_size):
                model.nlp.update(batch, drop=config.dropout, sgd=optimizer, losses=losses)
            logger.debug("spaCy NER epoch %d loss %.3f", epoch + 1, losses.get("ner", 0.0))
        model.training_report = report
        return model

    def _before_ner(self, doc):
        """Run the components in front of the NER (the pattern tagger, if any) on doc."""
        for name, component in self.nlp.pipeline:
            if name == self._ner_name:
                break
            doc = component(doc)
        return doc

    def _aligned(self, doc, spans: Sequence[Span], report: TrainingReport):
        """doc with ents set from character spans, widened to tokens, overlaps resolved."""
        from spacy.util import filter_spans

        text = doc.text
        candidates = []
        for start, end, label in spans:
            report.spans += 1
            start, end = _trim(text, int(start), int(end)) if 0 <= start < end <= len(text) else (0, 0)
            if start >= end or not label:
                report.dropped_invalid += 1
                continue
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                span = doc.char_span(start, end, label=label, alignment_mode="expand")
                report.widened += 1
            if span is None or not _has_word_character(span.text):
                report.dropped_invalid += 1
                continue
            candidates.append(span)
        kept = filter_spans(candidates)  # longest first, then earliest
        report.dropped_overlap += len(candidates) - len(kept)
        doc.ents = kept  # every other token is explicitly outside any entity
        return doc

    # ---------------------------------------------------------------- prediction
    def predict(self, text: str) -> List[EntitySpan]:
        """Entities of one text, in order of position. See :meth:`predict_many`."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str], batch_size: int = 64) -> List[List[EntitySpan]]:
        """Entities of each text (one list per text, in position order).

        Offsets refer to the text as passed in. Only the first ``max_chars`` characters
        are read; empty or whitespace-only texts (and ``None``) give ``[]``.
        """
        results: List[List[EntitySpan]] = [[] for _ in texts]
        work = [(i, (t or "")[: self.config.max_chars]) for i, t in enumerate(texts)]
        work = [(i, t) for i, t in work if t.strip()]
        if not work or self._ner_name is None:
            return results
        ner = self.nlp.get_pipe(self._ner_name)
        for chunk in range(0, len(work), batch_size):
            part = work[chunk:chunk + batch_size]
            docs = [self._before_ner(self.nlp.make_doc(t)) for _, t in part]
            scores: List[Optional[Dict[Tuple[int, int, str], float]]] = [None] * len(docs)
            if self.config.beam_width > 1:
                beams = ner.predict(docs)
                ner.set_annotations(docs, beams)
                scores = ner.scored_ents(beams)
            else:
                docs = list(ner.pipe(docs))
            for (index, _), doc, score in zip(part, docs, scores):
                results[index] = [
                    EntitySpan(ent.start_char, ent.end_char, ent.label_, ent.text,
                               None if score is None
                               else round(min(1.0, score.get((ent.start, ent.end, ent.label_), 0.0)), 4))
                    for ent in doc.ents
                    if _has_word_character(ent.text)
                ]
        return results

    def tokens(self, text: str) -> List[str]:
        """The model's tokens of text (whitespace dropped), as it reads them."""
        return [t.text for t in self.nlp.make_doc((text or "")[: self.config.max_chars])
                if not t.is_space]

    # ------------------------------------------------------------- persistence
    def save(self, directory: PathLike) -> None:
        """Write the model into directory (created if missing): spaCy's own to_disk
        files under ``spacy/``, the jieba dictionaries under ``jieba/``, settings as JSON."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.nlp.to_disk(directory / PIPELINE_DIR)
        dictionaries = directory / DICTIONARY_DIR
        dictionaries.mkdir(exist_ok=True)
        names = []
        for number, path in enumerate(self.dictionary_files):
            # numbered in load order (a later entry overrides an earlier one) so two files
            # of the same name from different folders both survive; read before writing so
            # saving over the directory a model was loaded from works
            name = f"{number:03d}.txt"
            content = path.read_bytes()
            (dictionaries / name).write_bytes(content)
            names.append(name)
        (directory / SETTINGS_FILE).write_text(json.dumps({
            "format_version": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "dictionaries": names,
            "training_report": asdict(self.training_report),
        }, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: PathLike) -> "SpacyNer":
        """Read a model written by :meth:`save`.

        Raises FileNotFoundError when directory holds no saved model and ValueError for
        a model saved in an unknown format version.
        """
        import spacy

        directory = Path(directory)
        settings_path = directory / SETTINGS_FILE
        if not settings_path.is_file():
            raise FileNotFoundError(f"no saved spaCy NER model in {directory}")
        settings = json.loads(settings_path.read_text(encoding="utf-8"))
        if settings.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unknown spaCy NER model format {settings.get('format_version')!r}")
        config = SpacyNerConfig.from_dict(settings["config"])
        nlp = spacy.load(directory / PIPELINE_DIR)
        files = [directory / DICTIONARY_DIR / name for name in settings["dictionaries"]]
        return cls(nlp, config, files, TrainingReport(**settings.get("training_report", {})))
