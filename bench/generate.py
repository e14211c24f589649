"""Synthetic synthdoc projects for benchmarks: claims, source texts and a bibliography with realistic
names — shared family names, and several works by one author in one year — at any size.

Family names follow a long tail: half of the authors carry one of 30 common names (Nguyen,
Santoso, Smith …, the first ones most often), the rest rarer names made of syllables. Each
synthesis point gathers claims from two to four sources, as a literature review's points do.

    python bench/generate.py DIR --claims 1000 --refs 300 [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

COMMON = ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Santoso", "Wijaya", "Pratama", "Siregar", "Nasution",
          "Hidayat", "Saputra", "Kusuma", "Lubis", "Harahap", "Smith", "Brown", "Garcia", "Kim", "Lee",
          "Rahman", "Hassan", "Tan", "Lim", "Wong", "Reyes", "Cruz", "Sato", "Suzuki", "Müller"]
GIVEN = ["Ayu", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita", "Hadi", "Indah", "Joko", "Van An", "Thi Mai",
         "Minh", "Anh", "John", "Maria", "Wei", "Siti", "Nur", "Rizki"]
WORDS = ["migrasi", "perdagangan", "orang", "korban", "perlindungan", "koordinasi", "kebijakan", "hukum",
         "regional", "kerja", "sama", "organisasi", "internasional", "pencegahan", "pemulihan", "penegakan",
         "masyarakat", "ekonomi", "pendidikan", "kemiskinan", "perbatasan", "pekerja", "rekrutmen",
         "sindikat", "data", "laporan", "program", "nasional", "daerah"]
SYLLABLES = ["su", "har", "to", "wi", "ra", "di", "ma", "ka", "sa", "pu", "tra", "lim", "bu", "ji", "na", "ti",
             "ya", "sen", "gi", "ko", "ran", "ha", "mo", "re"]
THEMES = [f"tema-{i}" for i in range(1, 11)]


def family_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choices(COMMON, weights=[1 / (i + 1) for i in range(len(COMMON))])[0]
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


# A generated claim filed under no point: a chapter prints its own wording (a point's claims show the point's).
_UNPOINTED = re.compile(r'\{"id": "c\d+", "kind": "finding", "themes": \["[^"]+"\], "says": \{"id": "')


def wording_anchor(claims_text: str) -> str:
    """The text of a generated claims file just before the wording of its first claim that backs no
    point: what a benchmark's wording edit goes after, so that the edit shows in the chapter."""
    found = _UNPOINTED.search(claims_text)
    if not found:
        raise ValueError("the generated claims file has no claim without a point")
    return found.group(0)


def generate(root: Path, claims: int, refs: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    (root / "sources").mkdir(parents=True, exist_ok=True)
    entries = []
    authors = [(family_name(rng), rng.choice(GIVEN)) for _ in range(max(2, refs // 3))]
    for i in range(refs):
        family, given = authors[i % len(authors)] if i % 4 else rng.choice(authors)
        year = 2015 + (i * 7) % 10 if i % 5 else 2020  # many works in one year, some by one author
        entries.append({"id": f"ref{i:05d}", "type": "article-journal",
                        "author": [{"family": family, "given": given}],
                        "title": sentence(rng, 6).rstrip("."), "container-title": "Jurnal Hubungan Internasional",
                        "issued": {"date-parts": [[year]]}, "volume": str(1 + i % 20),
                        "page": f"{i % 90 + 1}-{i % 90 + 15}",
                        "language": "id-ID"})
    (root / "refs.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    per_source: dict[int, list[int]] = {}
    for c in range(claims):
        per_source.setdefault(c % refs, []).append(c)
    points = [f"titik-{i}" for i in range(1, max(20, claims // 30) + 1)]
    points_of: dict[int, list[str]] = {}
    for point in points:
        for r in rng.sample(range(refs), k=min(refs, rng.randint(2, 4))):
            points_of.setdefault(r, []).append(point)
    for r, members in per_source.items():
        sentences = [sentence(rng, 12) for _ in members]
        (root / "sources" / f"ref{r:05d}.md").write_text("## 1.1 Temuan\n\n" + " ".join(sentences) + "\n",
                                                          encoding="utf-8")
        items = []
        for c, text in zip(members, sentences, strict=True):
            items.append({"id": f"c{c}", "kind": "finding", "themes": [THEMES[c % 10]],
                          **({"point": rng.choice(points_of[r])} if c % 3 == 0 and r in points_of else {}),
                          "says": {"id": text, "en": text}, "short": {"id": text[:30], "en": text[:30]},
                          "quote": text, "at": {"section": "1.1"}})
        (root / "sources" / f"ref{r:05d}.yaml").write_text(json.dumps(
            {"source": f"ref{r:05d}", "text": f"ref{r:05d}.md", "claims": items}, ensure_ascii=False), encoding="utf-8")
    config = {
        "title": "Benchmark", "bibliography": "refs.json", "lang": "id", "style": "apa",
        "themes": [{"id": t, "title": {"id": t, "en": t}} for t in THEMES],
        "points": [{"id": p, "theme": THEMES[i % 10], "says": {"id": f"Pernyataan {p}.", "en": f"Statement {p}."}}
                   for i, p in enumerate(points)],
        "documents": [{"id": "chapter", "template": "synthesis.md.j2", "title": "Bab", "formats": ["html", "docx"]}],
    }
    (root / "synthdoc.yaml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--refs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.dir, args.claims, args.refs, args.seed))
