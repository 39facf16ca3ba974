"""The black/gray content engine: normalisation with a map back to the original, the lexicon
and its variants, a compiled automaton, the trained model, and contact extraction.

`engine.default_engine().assess(texts)` is the entry point; `services/content.py` holds the
use cases (scan a file or the store, export, take-down requests, train)."""
