"""Times Microsoft Presidio's AnalyzerEngine on pii-bench records and writes its predictions.

    python presidio_bench.py MODEL_DIR OUT_DIR FILE.jsonl...

For each file: pattern-only mode (Presidio's predefined pattern recognizers, no NLP
recognizer) and spaCy mode (the full default registry with en_core_web_sm loaded from
MODEL_DIR) on the same sample (the first records up to 1 MB, at most 300 records), timed
after a warm-up. Prints `RESULT <file> presidio-<mode> <MB> <seconds> <MB/s> <findings>` and
writes OUT_DIR/<file>.presidio.jsonl (spaCy mode, every record) for score.py.
"""
import json
import os
import sys
import time

# No network: tldextract (used by the e-mail and URL recognizers) must use its bundled list.
os.environ.setdefault("TLDEXTRACT_CACHE", os.path.join(os.path.dirname(sys.argv[2] if len(sys.argv) > 2 else "."), "tldextract-cache"))
import tldextract  # noqa: E402

_orig = tldextract.TLDExtract.__init__


def _offline(self, *a, **k):
    k["suffix_list_urls"] = ()
    _orig(self, *a, **k)


tldextract.TLDExtract.__init__ = _offline
tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract()

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry  # noqa: E402
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine, SpacyNlpEngine  # noqa: E402


class NoNlp(NlpEngine):
    """An NLP engine that does nothing: Presidio runs its pattern recognizers only."""

    def load(self):
        pass

    def is_loaded(self):
        return True

    def process_text(self, text, language):
        return NlpArtifacts(entities=[], tokens=[], tokens_indices=[], lemmas=[],
                            nlp_engine=self, language=language)

    def process_batch(self, texts, language, batch_size=1, n_process=1, **kwargs):
        for t in texts:
            yield t, self.process_text(t, language)

    def is_stopword(self, word, language):
        return False

    def is_punct(self, word, language):
        return False

    def get_supported_entities(self):
        return []

    def get_supported_languages(self):
        return ["en"]


def pattern_engine():
    from presidio_analyzer.pattern_recognizer import PatternRecognizer

    full = RecognizerRegistry()
    full.load_predefined_recognizers()
    reg = RecognizerRegistry(supported_languages=["en"])
    for r in full.recognizers:
        if isinstance(r, PatternRecognizer):
            reg.add_recognizer(r)
    return AnalyzerEngine(registry=reg, nlp_engine=NoNlp(), supported_languages=["en"])


def spacy_engine(model_dir):
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model_dir}])
    nlp.load()
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


def load(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def timed(engine, texts):
    for t in texts[:5]:
        engine.analyze(text=t, language="en")
    start = time.perf_counter()
    n = 0
    for t in texts:
        n += len(engine.analyze(text=t, language="en"))
    return time.perf_counter() - start, n


def main():
    model_dir, out_dir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    engines = {"pattern-only": pattern_engine(), "spacy": spacy_engine(model_dir)}
    for path in files:
        recs = load(path)
        sample, size = [], 0
        for r in recs:
            if size >= 1_000_000 or len(sample) >= 300:
                break
            sample.append(r["text"])
            size += len(r["text"].encode("utf-8"))
        name = os.path.basename(path)
        for mode, engine in engines.items():
            secs, n = timed(engine, sample)
            mb = size / 1e6
            print(f"RESULT {name} presidio-{mode} {mb:.3f} {secs:.3f} {mb / secs:.4f} {n}", flush=True)
        with open(os.path.join(out_dir, name.replace(".jsonl", ".presidio.jsonl")), "w") as f:
            for r in recs:
                res = engines["spacy"].analyze(text=r["text"], language="en")
                spans = [{"start": x.start, "end": x.end, "entity_type": x.entity_type} for x in res]
                f.write(json.dumps({"id": r["id"], "spans": spans}) + "\n")


if __name__ == "__main__":
    main()
