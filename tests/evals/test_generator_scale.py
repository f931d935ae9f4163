"""The generator makes corpora beyond one letter per council and year (scale benchmarks)."""

from __future__ import annotations

from collections import Counter

from evals.generator import generate_corpus, max_small_letters, render_letter_text


def test_large_corpus_is_deterministic_unique_and_dated_in_order() -> None:
    n = max_small_letters() + 300
    corpus = generate_corpus(n, 11)
    assert len(corpus) == n
    again = generate_corpus(n, 11)
    assert [f.to_dict() for f in corpus[:25]] == [f.to_dict() for f in again[:25]]
    assert [render_letter_text(f) for f in corpus[-5:]] == [render_letter_text(f)
                                                           for f in again[-5:]]
    assert len({f.letter_id for f in corpus}) == n
    assert len({f.file_stem for f in corpus}) == n
    assert {f.year for f in corpus} == {2009, 2010, 2011, 2012, 2013}
    per_council_year = Counter((f.council.formal_name, f.year) for f in corpus)
    assert max(per_council_year.values()) >= 2  # re-visits within a year
    by_council: dict[str, list] = {}
    for f in corpus:
        by_council.setdefault(f.council.formal_name, []).append(f)
    for letters in by_council.values():
        letters.sort(key=lambda f: f.inspection_start)
        for a, b in zip(letters, letters[1:], strict=False):
            assert a.inspection_end <= b.inspection_start  # visits never overlap
        assert all(f.inspection_start.month != 8 for f in letters)
