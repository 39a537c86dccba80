"""The training corpus: Debian's `fortunes` package, one document per fortune.

Each category file (no extension) holds fortunes separated by lines that are exactly "%".
Every 20th fortune (global order: categories sorted by name, fortunes in file order) is
held out for validation; each document remembers its category for the expert analysis.
"""
import os
from dataclasses import dataclass

FORTUNE_DIR = "/usr/share/games/fortunes"
# translate-me holds Latin phrases; every other category is English.
EXCLUDED_CATEGORIES = {"translate-me"}
VALIDATION_EVERY = 20


@dataclass(frozen=True)
class Fortune:
    category: str
    text: str


def categories(fortune_dir=FORTUNE_DIR):
    names = [n for n in sorted(os.listdir(fortune_dir))
             if "." not in n and n not in EXCLUDED_CATEGORIES
             and os.path.isfile(os.path.join(fortune_dir, n))]
    if not names:
        raise FileNotFoundError(f"no fortune category files in {fortune_dir}")
    return names


def read_fortunes(fortune_dir=FORTUNE_DIR):
    """All fortunes in a fixed order: categories sorted by name, fortunes in file order."""
    fortunes = []
    for category in categories(fortune_dir):
        with open(os.path.join(fortune_dir, category), encoding="utf-8") as f:
            lines = f.read().split("\n")
        current = []
        for line in lines + ["%"]:
            if line == "%":
                text = "\n".join(current).strip("\n")
                if text.strip():
                    fortunes.append(Fortune(category, text))
                current = []
            else:
                current.append(line.rstrip())
    return fortunes


def split(fortunes):
    """(train, validation): every VALIDATION_EVERY-th fortune goes to validation."""
    train = [f for i, f in enumerate(fortunes) if i % VALIDATION_EVERY != VALIDATION_EVERY - 1]
    val = [f for i, f in enumerate(fortunes) if i % VALIDATION_EVERY == VALIDATION_EVERY - 1]
    return train, val
