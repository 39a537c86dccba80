"""Byte-level BPE in pure Python that tokenizes exactly like Hugging Face tokenizers'
ByteLevel pre-tokenizer (add_prefix_space=false, use_regex=true) + BPE model.

The GPT-2 split pattern uses \\p{L}, \\p{N} and Oniguruma's \\s, which Python's `re` spells
differently (its \\d, \\w and \\s disagree on e.g. U+2460 or U+001C), so the classes are
built explicitly from the Unicode database.
"""
import heapq
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict

END_OF_TEXT = "<|endoftext|>"


def _char_class(predicate):
    """A regex character class body with ranges of all code points satisfying predicate."""
    parts, start = [], None
    for cp in range(sys.maxunicode + 2):
        inside = cp <= sys.maxunicode and predicate(chr(cp))
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            a, b = re.escape(chr(start)), re.escape(chr(cp - 1))
            parts.append(a if start == cp - 1 else f"{a}-{b}")
            start = None
    return "".join(parts)


LETTER = _char_class(lambda c: unicodedata.category(c).startswith("L"))
NUMBER = _char_class(lambda c: unicodedata.category(c).startswith("N"))
# Oniguruma \s (Unicode): U+0009-U+000D, U+0085 and the Zs/Zl/Zp categories.
SPACE = _char_class(lambda c: c in "\t\n\x0b\x0c\r\x85"
                    or unicodedata.category(c) in ("Zs", "Zl", "Zp"))

# GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
SPLIT_PATTERN = re.compile(
    rf"""'s|'t|'re|'ve|'m|'ll|'d| ?[{LETTER}]+| ?[{NUMBER}]+| ?[^{SPACE}{LETTER}{NUMBER}]+"""
    rf"""|[{SPACE}]+(?![^{SPACE}])|[{SPACE}]+""")


def bytes_to_unicode():
    """GPT-2's reversible map from the 256 bytes to printable unicode characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def pre_tokenize(text):
    """Regex pieces, each mapped byte-wise to GPT-2 unicode characters."""
    return ["".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))
            for piece in SPLIT_PATTERN.findall(text)]


def train(texts, vocab_size):
    """Learn merges until the vocabulary (256 bytes + merges + END_OF_TEXT) has vocab_size tokens."""
    word_counts = Counter()
    for text in texts:
        word_counts.update(pre_tokenize(text))
    vocab = {BYTE_TO_CHAR[b]: b for b in range(256)}
    symbols = [BYTE_TO_CHAR[b] for b in range(256)]
    words = [[vocab[c] for c in w] for w in word_counts]
    counts = list(word_counts.values())
    pair_counts = defaultdict(int)
    where = defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += counts[i]
            where[(a, b)].add(i)
    # Max-heap by count, ties broken by the smaller pair of ids; stale entries skipped lazily.
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)
    merges = []
    while len(vocab) < vocab_size - 1 and heap:
        neg, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -neg or -neg <= 0:
            continue
        a, b = pair
        new_symbol = symbols[a] + symbols[b]
        if new_symbol not in vocab:
            vocab[new_symbol] = len(symbols)
            symbols.append(new_symbol)
        new_id = vocab[new_symbol]
        merges.append((symbols[a], symbols[b]))
        changed = set()
        for i in list(where[pair]):
            w, c = words[i], counts[i]
            for x, y in zip(w, w[1:]):
                pair_counts[(x, y)] -= c
                changed.add((x, y))
            merged = []
            j = 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    merged.append(new_id)
                    j += 2
                else:
                    merged.append(w[j])
                    j += 1
            words[i] = merged
            for x, y in zip(merged, merged[1:]):
                pair_counts[(x, y)] += c
                where[(x, y)].add(i)
                changed.add((x, y))
        del pair_counts[pair]
        for p in changed:
            if p != pair and pair_counts.get(p, 0) > 0:
                heapq.heappush(heap, (-pair_counts[p], p))
    return ByteLevelBpe(vocab, merges)


class ByteLevelBpe:
    def __init__(self, vocab, merges):
        self.vocab = dict(vocab)
        if END_OF_TEXT not in self.vocab:
            self.vocab[END_OF_TEXT] = len(self.vocab)
        self.eot_id = self.vocab[END_OF_TEXT]
        self.merges = list(merges)
        self.ranks = {m: r for r, m in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.cache = {}

    def _bpe(self, word):
        """GPT-2 BPE: repeatedly merge the lowest-ranked adjacent pair (all its occurrences)."""
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            ranked = [(self.ranks.get(p, 1 << 30), i) for i, p in enumerate(zip(parts, parts[1:]))]
            rank, _ = min(ranked)
            if rank == 1 << 30:
                break
            a, b = self.merges[rank]
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and parts[i] == a and parts[i + 1] == b:
                    merged.append(a + b)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        ids = [self.vocab[p] for p in parts]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        """Token ids of plain text (END_OF_TEXT inside text is matched as the special token)."""
        ids = []
        for k, chunk in enumerate(text.split(END_OF_TEXT)):
            if k > 0:
                ids.append(self.eot_id)
            for word in pre_tokenize(chunk):
                ids.extend(self._bpe(word))
        return ids

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            token = self.id_to_token[i]
            if token == END_OF_TEXT:
                out += token.encode("utf-8")
            else:
                out += bytes(CHAR_TO_BYTE[c] for c in token)
        return out.decode("utf-8", errors="replace")

    def to_hf_json(self):
        """tokenizer.json in the Hugging Face tokenizers format."""
        byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                      "use_regex": True}
        model_vocab = {t: i for t, i in self.vocab.items() if t != END_OF_TEXT}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [{"id": self.eot_id, "content": END_OF_TEXT, "single_word": False,
                              "lstrip": False, "rstrip": False, "normalized": False,
                              "special": True}],
            "normalizer": None,
            "pre_tokenizer": byte_level,
            "post_processor": byte_level,
            "decoder": byte_level,
            "model": {"type": "BPE", "dropout": None, "unk_token": None,
                      "continuing_subword_prefix": None, "end_of_word_suffix": None,
                      "fuse_unk": False, "byte_fallback": False,
                      "vocab": model_vocab,
                      "merges": [f"{a} {b}" for a, b in self.merges]},
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_hf_json(), f, ensure_ascii=False, indent=1)

    @staticmethod
    def load(path):
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
        merges = [tuple(m.split(" ")) for m in j["model"]["merges"]]
        vocab = dict(j["model"]["vocab"])
        for t in j["added_tokens"]:
            vocab[t["content"]] = t["id"]
        return ByteLevelBpe(vocab, merges)
