"""Bibliographies and documents made to collide under CSL disambiguation, for the differential test
of the citation fast path: shared family names, given names with the same initials, one author's
several works in one year, particles, institutions, works without names or dates, long author
lists behind "et al.", and citations of every shape pandoc knows."""

from __future__ import annotations

import random
from typing import Any

# Families in clusters: co-authors come from one cluster, so a bibliography falls into several groups
# that disambiguation treats independently — and a few citations join two of them.
CLUSTERS = [["Nguyen", "Tran"], ["Santoso", "Wijaya"], ["Smith", "Dijk"], ["Lee", "Li"]]
GIVENS = ["John", "Jane", "Joko", "Ayu", "Anh", "Budi", "Mai Thi", "J. R."]
INSTITUTIONS = ["International Organization for Migration", "ASEAN Secretariat", "Smith Institute"]
WORDS = ["trafficking", "migration", "protection", "victims", "border", "labour", "policy", "ASEAN",
         "Smith", "regional", "cooperation", "law"]


def _person(rng: random.Random, family: str) -> dict[str, str]:
    name = {"family": family, "given": rng.choice(GIVENS)}
    if family == "Dijk" and rng.random() < 0.5:
        name["non-dropping-particle"] = "van"
    return name


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize()


def bibliography(rng: random.Random, n: int) -> list[dict[str, Any]]:
    people = [[_person(rng, rng.choice(families)) for _ in range(max(2, n // 8))] for families in CLUSTERS]
    items = []
    for i in range(n):
        item: dict[str, Any] = {"id": f"k{i:03d}", "type": rng.choice(["book", "article-journal", "report"]),
                                "title": _title(rng), "publisher": "Penerbit"}
        cluster = rng.choice(people)
        roll = rng.random()
        if roll < 0.07:
            pass  # no names: the title stands in
        elif roll < 0.12:
            item["author"] = [{"literal": rng.choice(INSTITUTIONS)}]
        elif roll < 0.2:
            item["author"] = [{"family": f"Solo{i}", "given": rng.choice(GIVENS)}]  # a name no one shares
        elif roll < 0.26:
            item["editor"] = [rng.choice(cluster)]
        else:
            item["author"] = [rng.choice(cluster) for _ in range(rng.choice([1, 1, 1, 2, 3, 4, 6]))]
        if rng.random() > 0.08:
            item["issued"] = {"date-parts": [[rng.choice([2019, 2020, 2020, 2021])]]}
        if item["type"] == "article-journal":
            item["container-title"] = rng.choice(["Jurnal HI", "Global Policy"])
        items.append(item)
    return items


def _family(item: dict[str, Any]) -> str:
    names = item.get("author") or item.get("editor") or [{}]
    return names[0].get("family", "")


def document(rng: random.Random, items: list[dict[str, Any]], paragraphs: int) -> str:
    keys = [item["id"] for item in items]
    cluster_of = {f: n for n, families in enumerate(CLUSTERS) for f in families}
    by_cluster: dict[int, list[str]] = {}
    for item in items:
        by_cluster.setdefault(cluster_of.get(_family(item), -1), []).append(item["id"])
    partner = {key: members for members in by_cluster.values() for key in members}

    def cite() -> str:
        roll = rng.random()
        a = rng.choice(keys)
        b = rng.choice(partner[a] if rng.random() < 0.9 else keys)  # now and then, two groups in one citation
        if roll < 0.4:
            return f"[@{a}, hlm. {rng.randint(1, 9)}]"
        if roll < 0.55:
            return f"[@{a}]"
        if roll < 0.7:
            return f"[@{a}; @{b}]" if a != b else f"[@{a}]"
        if roll < 0.8:
            return f"@{a}"
        if roll < 0.88:
            return f"[-@{a}, bab 2]"
        return f"[lihat @{a}, hlm. 4; @{b}]" if a != b else f"[lihat @{a}]"

    blocks = ["# Pendahuluan"]
    for p in range(paragraphs):
        sentences = [f"Kalimat {p}.{s} {cite()}." for s in range(rng.randint(1, 3))]
        if rng.random() < 0.2:
            sentences.append(f"Catatan.^[Lihat {cite()}.]")
        blocks.append(" ".join(sentences))
    blocks.append("| Sumber | Temuan |\n|---|---|\n" + "\n".join(f"| {cite()} | x |" for _ in range(3)))
    blocks.append("# Daftar Pustaka")
    return "\n\n".join(blocks) + "\n"
