"""Compute gold for the themes suite from labels.jsonl + letters.jsonl + specs.py; write dev.jsonl/test.jsonl; validate."""
import json, os, sys, re, collections, datetime
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from specs import DEV, TEST

SUITE = os.path.dirname(HERE)
# A second dev batch, written later by two other helpers who had read neither the code nor the
# first batch (one JSON spec per line: kind, q, themes, pol, sections, where, unit, empty).
def _specs(name):
    out = []
    for line in open(os.path.join(HERE, f"{name}_specs.jsonl"), encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            d.setdefault("sub", name); d.setdefault("themes", []); out.append(d)
    return out
# Later dev batches, each by another helper (dev3: short Slack fragments with follow-ups in
# "history"; dev4: two conditions, negative framings, follow-ups), one spec file each.
LATER = [(name, _specs(name)) for name in ("dev2", "dev3", "dev4", "dev5")
         if os.path.exists(os.path.join(HERE, f"{name}_specs.jsonl"))]

labels = [json.loads(l) for l in open(os.path.join(SUITE, "labels.jsonl"))]
letters = [json.loads(l) for l in open(os.path.join(SUITE, "letters.jsonl"))]
texts = {l["source"]: open(os.path.join(SUITE, "letters", l["source"])).read() for l in letters}
THEMES = set(re.findall(r"^\| ([a-z_]+) \|", open(os.path.join(HERE, "theme_ids.md")).read(), re.M)) - {"id"}
SHORT = {
 "Leeds City Council": "Leeds", "London Borough of Camden": "Camden", "Norfolk County Council": "Norfolk",
 "Nottinghamshire County Council": "Nottinghamshire", "Blackburn with Darwen Borough Council": "Blackburn with Darwen",
 "Hertfordshire County Council": "Hertfordshire", "Birmingham City Council": "Birmingham", "Lancashire County Council": "Lancashire",
 "East Sussex County Council": "East Sussex", "Buckinghamshire County Council": "Buckinghamshire",
 "London Borough of Tower Hamlets": "Tower Hamlets", "Leicestershire County Council": "Leicestershire",
 "Northamptonshire County Council": "Northamptonshire", "Sheffield City Council": "Sheffield", "Cornwall Council": "Cornwall",
 "Derby City Council": "Derby", "Royal Borough of Kingston upon Thames": "Kingston upon Thames", "Wiltshire Council": "Wiltshire",
 "Salford City Council": "Salford", "Stockport Metropolitan Borough Council": "Stockport", "Suffolk County Council": "Suffolk",
 "Plymouth City Council": "Plymouth", "Gateshead Council": "Gateshead", "Wolverhampton City Council": "Wolverhampton",
 "London Borough of Hackney": "Hackney", "Cumbria County Council": "Cumbria", "Bristol City Council": "Bristol",
 "Medway Council": "Medway", "North Yorkshire County Council": "North Yorkshire", "Warrington Borough Council": "Warrington",
}
POL = {"concern": {"development", "priority"}, "strength": {"satisfactory", "strength"},
       "any": {"satisfactory", "strength", "development", "priority"}}
NUMW = {0: "no areas for priority action", 1: "one area for priority action", 2: "two areas for priority action"}
by_auth = collections.Counter(l["authority"] for l in letters)

errors = []
def err(m): errors.append(m)

# ---- validate labels/letters
for l in labels:
    if l["text"] not in texts[l["source"]]: err(f"label text not in letter: {l['source']}: {l['text'][:60]}")
    for t in l["themes"]:
        if t not in THEMES: err(f"unknown theme {t}")
for l in letters:
    t = texts[l["source"]]
    for k in ("inspection_dates", "signatory", "authority"):
        if l[k] not in t: err(f"{k} not in {l['source']}")
    if NUMW[l["n_priority"]] not in t: err(f"n_priority wording not in {l['source']}")
    if sum(1 for x in labels if x["source"] == l["source"] and x["section"] == "priority") != l["n_priority"]:
        err(f"n_priority mismatch {l['source']}")

def letter_line(l):
    d = datetime.date.fromisoformat(l["letter_date"]); return f"{d.day} {d.strftime('%B %Y')}"

def struct_ok(l, w):
    y = int(l["inspection_month"][:4])
    if "year" in w and y not in (w["year"] if isinstance(w["year"], list) else [w["year"]]): return False
    if "imonth" in w and l["inspection_month"] != w["imonth"]: return False
    if "imonth_m" in w and l["inspection_month"][5:] != w["imonth_m"]: return False
    if "lmonth" in w and l["letter_date"][:7] != w["lmonth"]: return False
    if "lmonth_m" in w and l["letter_date"][5:7] != w["lmonth_m"]: return False
    if "signatory" in w and l["signatory"] != w["signatory"]: return False
    if "npri" in w and l["n_priority"] not in (w["npri"] if isinstance(w["npri"], list) else [w["npri"]]): return False
    if "twice" in w and (by_auth[l["authority"]] == 2) != w["twice"]: return False
    if "one_day" in w and (" and " not in l["inspection_dates"]) != w["one_day"]: return False
    if "authority" in w and l["authority"] != w["authority"]: return False
    return True

def struct_quotes(l, w):
    q = []
    if any(k in w for k in ("year", "imonth", "imonth_m", "twice", "one_day")): q.append(l["inspection_dates"])
    if any(k in w for k in ("lmonth", "lmonth_m")): q.append(letter_line(l))
    if "signatory" in w: q.append(l["signatory"])
    if "npri" in w: q.append(NUMW[l["n_priority"]])
    return [{"source": l["source"], "quote": x} for x in q]

def compute(spec):
    themes = spec.get("themes", [])
    pol = spec.get("pol")
    secs = set(spec["sections"]) if spec.get("sections") else (POL[pol] if pol else POL["any"])
    w = spec.get("where", {})
    matched, quotes = [], []
    for l in letters:
        if not struct_ok(l, w): continue
        if themes:
            f = [x for x in labels if x["source"] == l["source"] and x["section"] in secs and set(x["themes"]) & set(themes)]
            if spec.get("all_themes") and not all(any(t in x["themes"] for x in f) for t in themes): f = []
            if spec.get("negated"):  # "which councils were NOT criticised for X": letters with none
                if f: continue
                quotes += struct_quotes(l, w)
                matched.append(l)
                continue
            if not f: continue
            quotes += [{"source": x["source"], "quote": x["text"]} for x in f]
        else:
            quotes += struct_quotes(l, w)
        matched.append(l)
    return matched, quotes

def make(spec, i, split):
    kind = spec["kind"]
    matched, quotes = compute(spec)
    auths = sorted({l["authority"] for l in matched}, key=lambda a: min(x["source"] for x in matched if x["authority"] == a))
    auths = sorted(auths)
    o = {"id": f"{split}-{i:03d}", "kind": kind, "subkind": spec["sub"], "question": spec["q"], "history": spec.get("history", []),
         "gold_sources": sorted(l["source"] for l in matched), "key_facts": [], "gold_quotes": quotes,
         "expect_abstain": False, "expected_authorities": None, "expected_count": None,
         "themes": spec.get("themes", []), "polarity": spec.get("pol")}
    if kind in ("list", "count"):
        o["expected_authorities"] = auths
        n = len(auths) if spec.get("unit") == "councils" else len(matched)
        o["expected_count"] = n
        o["key_facts"] = [SHORT[a] for a in auths] if kind == "list" else [str(n)]
    else:  # compare / timeline
        if len(matched) != 2 or len(auths) != 1: err(f"{o['id']}: compare needs both letters of one council, got {o['gold_sources']}")
        o["key_facts"] = spec.get("facts", [])
        if spec.get("expect"):  # sanity: expected sections per letter for the compare
            for src, want in spec["expect"].items():
                got = {x["section"] for x in labels if x["source"] == src and set(x["themes"]) & set(spec["themes"])}
                if got != set(want): err(f"{o['id']}: {src} sections {got} != {want}")
    if spec.get("empty") and o["gold_sources"]: err(f"{o['id']} should be empty: {o['gold_sources']}")
    if not spec.get("empty") and not o["gold_sources"]: err(f"{o['id']} unexpectedly empty")
    for q in o["gold_quotes"]:
        if q["quote"] not in texts[q["source"]]: err(f"{o['id']}: quote not verbatim")
    for t in o["themes"]:
        if t not in THEMES: err(f"{o['id']}: bad theme {t}")
    return o

out = {}
SPLITS = [("dev", DEV), ("test", TEST), *LATER]
for split, specs in SPLITS:
    rows = [make(s, i + 1, split) for i, s in enumerate(specs)]
    out[split] = rows
    with open(os.path.join(SUITE, f"{split}.jsonl"), "w") as f:
        for r in rows: f.write(json.dumps(r, ensure_ascii=False) + "\n")

# no question text in both splits; no near-duplicate signature (kind, themes, polarity, where) across splits
qd = {r["question"].lower().strip() for split, _ in SPLITS if split != "test" for r in out[split]}
for r in out["test"]:
    if r["question"].lower().strip() in qd: err(f"duplicate question across splits: {r['question']}")
def sig(s): return (s["kind"], tuple(sorted(s.get("themes", []))), s.get("pol"), tuple(sorted(s.get("sections", []))), json.dumps(s.get("where", {}), sort_keys=True), s.get("unit"))
ds = {sig(s) for s in DEV}
for s in TEST:
    if sig(s) in ds: err(f"same condition in dev and test: {s['q']}")
for split, specs in (("dev", DEV), ("test", TEST)):
    c = collections.Counter(sig(s) for s in specs)
    for k, v in c.items():
        if v > 1: err(f"{split}: condition repeated {k}")

# re-parse
for split, _ in SPLITS:
    for line in open(os.path.join(SUITE, f"{split}.jsonl")): json.loads(line)

print("== questions per kind / subkind")
for split, _ in SPLITS:
    rows = out[split]
    print(split, len(rows), dict(collections.Counter(r["kind"] for r in rows)))
    print("   ", dict(sorted(collections.Counter(r["subkind"] for r in rows).items())))
    print("    empty answers:", sum(1 for r in rows if r["kind"] in ("list", "count") and r["expected_count"] == 0),
          " with theme:", sum(1 for r in rows if r["themes"]))
print("== letters with each theme (any section) / concern / strength")
tl = collections.defaultdict(set); tc = collections.defaultdict(set); ts = collections.defaultdict(set)
for x in labels:
    for t in x["themes"]:
        tl[t].add(x["source"])
        (tc if x["section"] in POL["concern"] else ts)[t].add(x["source"])
for t in sorted(THEMES, key=lambda t: -len(tl[t])):
    print(f"  {t:32s} {len(tl[t]):3d}  concern {len(tc[t]):3d}  strength {len(ts[t]):3d}")
print(f"themes covered: {sum(1 for t in THEMES if tl[t])}/{len(THEMES)}; letters {len(letters)}; findings {len(labels)}")
if errors:
    print("ERRORS:"); [print("  ", e) for e in errors]; sys.exit(1)
print("all checks passed")
