"""Discrepancies of kind wording: one named speaker's words about one thing, differing across sources."""

from api.shape import alias_key
from api.web.queries.discrepancies import _about_one_thing, said
from tests.conftest import conforms, get_all, get_json


def wordings(client, query=""):
    return {d["id"]: d for d in get_all(client, f"/api/v1/discrepancies?kind=wording&page_size=500&{query}")}


def test_the_words_said_are_those_inside_quotation_marks():
    assert said("“We will win,” the minister said, adding “soon.”") == "We will win, soon."
    assert said('The mayor said "the bridge is closed" on Monday.') == "the bridge is closed"
    assert said("The mayor said the bridge was closed.") == "The mayor said the bridge was closed."
    # A paragraph that continues a quotation opens it again without closing the first.
    assert alias_key(said("“One two.\n\n“Three four,” she said.")) == alias_key(said("“One two, three four.”"))


def test_statements_about_one_thing_are_those_whose_entities_hold_each_others():
    said_ = [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}]
    about = {"a": {"bridge", "city"}, "b": {"bridge"}, "c": {"harbour"}, "d": {"harbour", "ships"}}
    groups = _about_one_thing(said_, about)
    assert [[s["id"] for s in g] for g in groups] == [["a", "b"], ["c", "d"]]
    assert [[s["id"] for s in g] for g in _about_one_thing(said_, {})] == [["a"], ["b"], ["c"], ["d"]]


def test_every_wording_difference_holds_of_its_records(client, spec):
    body = get_json(client, "/api/v1/discrepancies?kind=wording&page_size=100")
    conforms(spec, "DiscrepancyList", body)
    found = wordings(client)
    assert found
    statements = {s["id"]: s for s in get_all(client, "/api/v1/statements?page_size=500")}
    by_quote = {(s["source"]["id"], s["quote"]["start"]): s for s in statements.values()}
    for ident, d in found.items():
        kind, record, speaker = ident.split(":")
        assert (kind, record) == ("wording", d["record"]["id"]) and d["relation"] is None
        assert len(d["variants"]) >= 2 and len({s["id"] for v in d["variants"] for s in v["sources"]}) >= 2
        assert {v["value"]["entity"]["id"] for v in d["variants"]} == {speaker}
        # Versions differ in the words said; within one, every quote says the same words.
        keys = [{alias_key(said(q["text"])) for q in v["quotes"]} for v in d["variants"]]
        assert all(len(k) == 1 for k in keys) and len({k.pop() for k in keys}) == len(keys), ident
        if d["record"]["type"] == "entity":
            for v in d["variants"]:
                for q in v["quotes"]:
                    statement = by_quote[q["source"], q["start"]]
                    assert statement["speaker"]["id"] == speaker
                    assert record in {a["id"] for a in statement["about"]}, (ident, statement["id"])
        else:
            event = get_json(client, f"/api/v1/events/{record}")
            credited = {(c["source"]["id"], c["quote"]["start"]) for c in event["citations"] if c["attribution"]}
            assert all((q["source"], q["start"]) in credited for v in d["variants"] for q in v["quotes"])


def test_byrnes_words_for_the_paths_and_umerovs_warning(client):
    byrne = wordings(client, "entity=joe-byrne")["wording:north-korean-army:joe-byrne"]
    words = [" ".join(q["text"] for q in v["quotes"]) for v in byrne["variants"]]
    assert [("routes" in w, "corridors" in w) for w in words] == [(True, False), (False, True)]
    umerov = wordings(client, "entity=kim-jong-un")["wording:kim-jong-un:rustem-umerov"]
    assert len(umerov["variants"]) == 3 == len({s["id"] for v in umerov["variants"] for s in v["sources"]})
    # Words are not numbers: a relation filter leaves them out, a metric filter too.
    assert not wordings(client, "relation=compatible") and not wordings(client, "metric=troops-deployed")
