"""What a rebuild of one document does not do again, or more than once: counted, not timed (watch rebuilds
after every save; work that grows with the claims times the frames, or is redone for each claim, made a
1,000-claim project's save → HTML 3-4 × slower)."""

from __future__ import annotations

import json

from synthdoc.build import manifest
from synthdoc.build.pipeline import check_project
from synthdoc.core.project import load_project
from synthdoc.render.document import render_document


def chapter_context(root):
    inputs, _ = check_project(load_project(root / "synthdoc.yaml"))
    doc = next(d for d in inputs.project.documents if d.id == "tinjauan-pustaka")
    return render_document(inputs, doc)[1]


def test_the_documents_quote_frames_are_written_once_in_its_context_digest(example, monkeypatch):
    ctx = chapter_context(example)
    frames = ctx.claims[0]._reported  # the document's quote frames: every claim's view holds the same mapping
    assert len(frames) > 10 and all(view._reported is frames for view in ctx.claims)
    hashed: list[bytes] = []
    real = manifest.digest
    monkeypatch.setattr(manifest, "digest", lambda value: hashed.append(value) or real(value))
    before = manifest.context_digest(ctx, {})
    assert hashed[-1].decode("utf-8").count(json.dumps(frames, ensure_ascii=False)) == 1
    # ... and they are still what the digest is of: another frame is another context
    ref = next(iter(frames))
    frames[ref] += " Lain."
    assert manifest.context_digest(ctx, {}) != before
