"""The review of a stored report over HTTP: qualifications, corrected links, validation, the reviewed
sheet and letter, several usual-treatment documents, the audit trail — and the web page's files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.storage.schema import audit_log
from tests.api.conftest import ADMIN, ALICE, BOB, app_of, bearer
from tests.review.test_review import AFTER, BEFORE

PHARMACY = "Historique de dispensation\nKARDEGIC 75 mg : 1 sachet le midi\nROSUVASTATINE 10 mg cp : 1 cp le soir\n"


def _store(client: TestClient, *befores: str, who: str = ALICE) -> dict[str, Any]:
    files = [("before", (f"source-{i}.txt", text.encode(), "text/plain"))
             for i, text in enumerate(befores or (BEFORE,))]
    files.append(("after", ("sortie.txt", AFTER.encode(), "text/plain")))
    r = client.post("/v1/reconcile?store=true", files=files, headers=bearer(who))
    assert r.status_code == 201, r.text
    return r.json()


def _line(report: dict[str, Any], status: str) -> str:
    return next(ln["id"] for ln in report["lines"] if ln["status"] == status)


def _qualify(client: TestClient, rid: str, line: str, body: dict[str, Any], who: str = ALICE) -> Any:
    return client.put(f"/v1/reports/{rid}/lines/{line}/qualification", json=body, headers=bearer(who))


def test_a_report_from_several_usual_treatment_documents(client: TestClient, contract: Callable) -> None:
    report = _store(client, BEFORE, PHARMACY)
    before = report["before"]
    assert [d["name"] for d in before["sources"]] == ["source-0.txt", "source-1.txt"]
    docs = {m["drug_text"].upper(): m["document"] for m in before["medications"]}
    assert docs == {"ROSUVASTATINE": 1, "AMLODIPINE": 1, "STILNOX": 1, "KARDEGIC": 2}
    rosuva = next(m for m in before["medications"] if m["drug_text"].upper() == "ROSUVASTATINE")
    assert rosuva["also_in"] == [2]  # in both sources: listed once
    sources = report["context"]["sources"]
    assert [d["name"] for d in sources["before"]] == ["source-0.txt", "source-1.txt"]
    page = sources["before"][1]["pages"][0]
    kardegic = next(m for m in before["medications"] if m["drug_text"].upper() == "KARDEGIC")
    start, end = kardegic["span"]
    assert page["text"][start - page["start"]:end - page["start"]].startswith("KARDEGIC 75 mg")
    listed = sorted(ln["before"] for ln in report["lines"] if ln["before"])
    assert listed == sorted(m["id"] for m in before["medications"])  # every line kept, once
    contract({k: v for k, v in report.items() if k not in ("id", "created_at", "expires_at", "context")},
             "reconciliation")


def test_the_stays_last_treatment_explains_the_discharge_lines(client: TestClient) -> None:
    from recon.reconcile.engine import DURING_KEPT_NOTE

    files = [("before", ("ville.txt", BEFORE.encode(), "text/plain")),
             ("after", ("sortie.txt", AFTER.encode(), "text/plain")),
             ("during", ("sejour.txt", AFTER.encode(), "text/plain"))]
    with_stay = client.post("/v1/reconcile?store=true", files=files, headers=bearer(ALICE)).json()
    modified = next(ln for ln in with_stay["lines"] if ln["status"] == "modified")
    assert DURING_KEPT_NOTE in (modified["note"] or "")  # the change was made during the stay and kept
    without = _store(client)
    assert DURING_KEPT_NOTE not in (next(ln for ln in without["lines"] if ln["status"] == "modified")["note"] or "")


def test_page_images_of_the_uploaded_pdfs(client: TestClient) -> None:
    import io

    from PIL import Image

    from tests.pdfgen import text_to_pdf

    files = [("before", ("ville.pdf", text_to_pdf(BEFORE), "application/pdf")),
             ("before", ("pharmacie.txt", PHARMACY.encode(), "text/plain")),
             ("after", ("sortie.pdf", text_to_pdf(AFTER), "application/pdf"))]
    report = client.post("/v1/reconcile?store=true", files=files, headers=bearer(ALICE)).json()
    rid = report["id"]
    page = report["context"]["sources"]["before"][0]["pages"][0]
    assert report["context"]["sources"]["before"][0]["media_type"] == "application/pdf"
    med = next(m for m in report["before"]["medications"] if m["drug_text"].upper() == "STILNOX")
    boxes = [b for b in page["boxes"] if b[0] < med["span"][1] and b[1] >= med["span"][0]]
    assert len(boxes) == 1 and boxes[0][2] < boxes[0][4] and boxes[0][3] < boxes[0][5]
    r = client.get(f"/v1/reports/{rid}/documents/before/1/pages/1", headers=bearer(ALICE))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    ppp = float(r.headers["x-pixels-per-point"])
    image = Image.open(io.BytesIO(r.content))
    assert abs(image.width / ppp - 595) < 2  # an A4 page, 595 points wide
    assert client.get(f"/v1/reports/{rid}/documents/before/1/pages/1", headers=bearer(BOB)).status_code == 404
    assert client.get(f"/v1/reports/{rid}/documents/before/2/pages/1", headers=bearer(ALICE)).status_code == 404
    bad = client.get(f"/v1/reports/{rid}/documents/before/1/pages/9", headers=bearer(ALICE))
    assert bad.status_code == 422 and bad.json()["code"] == "E104"


def test_qualify_every_divergence_then_validate(client: TestClient) -> None:
    report = _store(client)
    rid = report["id"]
    review = client.get(f"/v1/reports/{rid}/review", headers=bearer(ALICE)).json()
    divergent = [ln["id"] for ln in report["lines"] if ln["status"] != "unchanged"]
    assert review["pending"] == divergent and review["validation"] is None

    early = client.post(f"/v1/reports/{rid}/validation", headers=bearer(ALICE))
    assert early.status_code == 409 and "not qualified" in early.json()["detail"]

    stopped = _line(report, "stopped")
    r = _qualify(client, rid, stopped, {"qualification": "unintentional", "error_type": "omission",
                                        "comment": "reprise à discuter"})
    assert r.status_code == 200
    q = next(x for x in r.json()["qualifications"] if x["line_id"] == stopped)
    assert (q["qualification"], q["error_type"], q["by"]) == ("unintentional", "omission", "alice")
    for line in r.json()["pending"]:
        assert _qualify(client, rid, line, {"qualification": "documented", "comment": "CR d'hospitalisation"}
                        ).status_code == 200

    done = client.post(f"/v1/reports/{rid}/validation", headers=bearer(ALICE))
    assert done.status_code == 200 and done.json()["validation"]["by"] == "alice"
    # the review is closed
    assert _qualify(client, rid, stopped, {"qualification": "undocumented"}).status_code == 409
    assert client.post(f"/v1/reports/{rid}/validation", headers=bearer(ALICE)).status_code == 409
    kinds = [d["kind"] for d in client.get(f"/v1/reports/{rid}/review", headers=bearer(ALICE)).json()["history"]]
    assert kinds == ["qualify"] * len(divergent) + ["validate"]

    fiche = client.get(f"/v1/reports/{rid}/fiche", headers=bearer(ALICE))
    assert fiche.status_code == 200 and fiche.headers["content-type"].startswith("text/html")
    assert "Conciliation validée par alice" in fiche.text and "Type d'erreur : omission" in fiche.text
    letter = client.post("/v1/letters", json={"report_id": rid}, headers=bearer(ALICE)).text
    assert "brouillon" not in letter and "divergence non intentionnelle (omission) signalée" in letter


def test_a_validated_report_can_be_reopened_with_a_reason(client: TestClient) -> None:
    report = _store(client)
    rid = report["id"]
    assert client.post(f"/v1/reports/{rid}/reopening", json={"reason": "pas validée"},
                       headers=bearer(ALICE)).status_code == 409  # nothing to reopen
    for line in [ln["id"] for ln in report["lines"] if ln["status"] != "unchanged"]:
        _qualify(client, rid, line, {"qualification": "undocumented"})
    assert client.post(f"/v1/reports/{rid}/validation", headers=bearer(ALICE)).status_code == 200
    assert client.post(f"/v1/reports/{rid}/reopening", json={"reason": "courrier du médecin traitant"},
                       headers=bearer(BOB)).status_code == 404
    assert client.post(f"/v1/reports/{rid}/reopening", json={"reason": ""},
                       headers=bearer(ALICE)).status_code == 422
    r = client.post(f"/v1/reports/{rid}/reopening", json={"reason": "courrier du médecin traitant"},
                    headers=bearer(ALICE))
    assert r.status_code == 200 and r.json()["validation"] is None
    assert r.json()["history"][-1]["payload"] == {"reason": "courrier du médecin traitant"}
    stopped = _line(report, "stopped")
    assert _qualify(client, rid, stopped, {"qualification": "unintentional", "error_type": "omission"}
                    ).status_code == 200  # open again
    again = client.post(f"/v1/reports/{rid}/validation", headers=bearer(ALICE))
    assert again.status_code == 200 and again.json()["validation"]["by"] == "alice"


def test_the_list_of_ones_own_reports(client: TestClient) -> None:
    first = _store(client)
    second = _store(client, BEFORE, PHARMACY)
    _store(client, who=BOB)
    listed = client.get("/v1/reports", headers=bearer(ALICE)).json()["reports"]
    assert [r["id"] for r in listed] == [second["id"], first["id"]]  # newest first, alice's only
    assert listed[0]["before"] == "source-0.txt + source-1.txt" and listed[0]["after"] == "sortie.txt"
    assert listed[1]["validated"] is False and listed[1]["divergences"] == 3
    assert len(client.get("/v1/reports?limit=1", headers=bearer(ALICE)).json()["reports"]) == 1
    assert client.get("/v1/reports").status_code == 401


def test_a_stored_report_can_be_deleted_by_its_owner(client: TestClient) -> None:
    from tests.pdfgen import text_to_pdf

    files = [("before", ("ville.pdf", text_to_pdf(BEFORE), "application/pdf")),
             ("after", ("sortie.txt", AFTER.encode(), "text/plain"))]
    rid = client.post("/v1/reconcile?store=true", files=files, headers=bearer(ALICE)).json()["id"]
    report = client.get(f"/v1/reports/{rid}", headers=bearer(ALICE)).json()
    _qualify(client, rid, _line(report, "stopped"), {"qualification": "undocumented"})
    assert client.delete(f"/v1/reports/{rid}", headers=bearer(BOB)).status_code == 404
    assert client.delete(f"/v1/reports/{rid}", headers=bearer(ALICE)).status_code == 204
    assert client.get(f"/v1/reports/{rid}", headers=bearer(ALICE)).status_code == 404
    assert client.delete(f"/v1/reports/{rid}", headers=bearer(ALICE)).status_code == 404
    storage = app_of(client).state.runtime.storage
    assert storage.decisions(rid) == [] and storage.original(rid, "before", 1) is None
    with storage.engine.connect() as conn:
        actions = [(r.actor, r.action) for r in conn.execute(select(audit_log).where(audit_log.c.resource == rid))]
    assert ("alice", "delete") in actions and storage.verify_audit().ok


def test_bad_qualifications_are_refused_with_a_code(client: TestClient) -> None:
    report = _store(client)
    rid, stopped = report["id"], _line(report, "stopped")
    r = _qualify(client, rid, stopped, {"qualification": "unintentional"})
    assert r.status_code == 422 and r.json()["code"] == "E422"
    same = next((ln["id"] for ln in report["lines"] if ln["status"] == "unchanged"), None)
    if same is not None:
        assert _qualify(client, rid, same, {"qualification": "documented"}).status_code == 422
    r = _qualify(client, rid, "l99", {"qualification": "undocumented"})
    assert r.status_code == 404
    modified = _line(report, "modified")  # no reason written: "documented" needs the comment to say where
    r = _qualify(client, rid, modified, {"qualification": "documented"})
    assert r.status_code == 422 and "where it is documented" in r.json()["detail"]
    r = _qualify(client, rid, modified, {"qualification": "undocumented", "pair": "m1>m9"})
    assert r.status_code == 409 and "reload" in r.json()["detail"]
    r = client.put(f"/v1/reports/{rid}/lines/{stopped}/qualification", content=b"documented",
                   headers={**bearer(ALICE), "Content-Type": "text/plain"})
    assert r.status_code == 415


def test_only_the_owner_or_an_admin_reviews(client: TestClient) -> None:
    report = _store(client)
    rid, stopped = report["id"], _line(report, "stopped")
    assert client.get(f"/v1/reports/{rid}/review", headers=bearer(BOB)).status_code == 404
    assert _qualify(client, rid, stopped, {"qualification": "undocumented"}, who=BOB).status_code == 404
    assert client.post(f"/v1/reports/{rid}/validation", headers=bearer(BOB)).status_code == 404
    assert client.get(f"/v1/reports/{rid}/fiche", headers=bearer(BOB)).status_code == 404
    assert _qualify(client, rid, stopped, {"qualification": "undocumented"}, who=ADMIN).status_code == 200
    assert client.get(f"/v1/reports/{rid}/review").status_code == 401


def test_a_corrected_link_is_stored_and_reconciles_again(client: TestClient) -> None:
    report = _store(client)
    rid = report["id"]
    sub = next(ln for ln in report["lines"] if ln["status"] == "substituted")
    r = client.post(f"/v1/reports/{rid}/links", json={"side": "before", "medication": sub["before"],
                                                      "name": "atorvastatine"}, headers=bearer(ALICE))
    assert r.status_code == 200, r.text
    line = next(ln for ln in r.json()["lines"] if ln["before"] == sub["before"])
    assert line["status"] == "unchanged"
    stored = client.get(f"/v1/reports/{rid}", headers=bearer(ALICE)).json()
    med = next(m for m in stored["before"]["medications"] if m["id"] == sub["before"])
    assert med["atc"] == "C10AA05" and med["link"]["chosen_by"] == "alice"
    review = client.get(f"/v1/reports/{rid}/review", headers=bearer(ALICE)).json()
    assert review["links"][0]["previous"] == "rosuvastatine" and review["links"][0]["name"] == "atorvastatine"
    bad = client.post(f"/v1/reports/{rid}/links", json={"side": "before", "medication": sub["before"],
                                                        "name": "zzqxw"}, headers=bearer(ALICE))
    assert bad.status_code == 422 and bad.json()["code"] == "E109"
    missing = client.post(f"/v1/reports/{rid}/links", json={"side": "after", "medication": "m99",
                                                            "name": "atorvastatine"}, headers=bearer(ALICE))
    assert missing.status_code == 422 and missing.json()["code"] == "E108"


def test_link_corrections_at_the_same_time_are_both_kept(client: TestClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    report = _store(client)
    rid = report["id"]
    meds = {m["drug_text"].upper(): m["id"] for m in report["before"]["medications"]}
    asks = [{"side": "before", "medication": meds["ROSUVASTATINE"], "name": "atorvastatine"},
            {"side": "before", "medication": meds["STILNOX"], "name": "zopiclone"}]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda body: client.post(f"/v1/reports/{rid}/links", json=body,
                                                         headers=bearer(ALICE)), asks))
    assert [a.status_code for a in answers] == [200, 200]
    stored = client.get(f"/v1/reports/{rid}", headers=bearer(ALICE)).json()
    chosen = {m["id"]: m["link"].get("chosen_by") for m in stored["before"]["medications"]}
    assert chosen[meds["ROSUVASTATINE"]] == "alice" and chosen[meds["STILNOX"]] == "alice"


def test_the_letter_takes_the_pharmacists_comment_as_reason(client: TestClient) -> None:
    report = _store(client)
    rid = report["id"]
    modified = next(ln for ln in report["lines"] if ln["status"] == "modified")
    assert not modified["reason"]
    before = client.post("/v1/letters", json={"report_id": rid}, headers=bearer(ALICE)).text
    assert "motif à préciser" in before
    _qualify(client, rid, modified["id"], {"qualification": "documented", "comment": "TA mal contrôlée (courrier)"})
    letter = client.post("/v1/letters", json={"report_id": rid}, headers=bearer(ALICE))
    assert letter.status_code == 200 and "TA mal contrôlée (courrier)" in letter.text
    assert "brouillon (conciliation non validée)" in letter.text  # not validated yet


def test_decisions_show_the_pharmacists_name_from_the_identity_provider(client: TestClient,
                                                                        make_token: Callable[..., str]) -> None:
    token = make_token("f3a1-uuid", extra={"name": "Dr Claire Exemple"})
    report = _store(client, who=token)
    rid = report["id"]
    r = _qualify(client, rid, _line(report, "stopped"), {"qualification": "undocumented"}, who=token)
    assert r.status_code == 200
    assert r.json()["qualifications"][0]["by"] == "Dr Claire Exemple"
    storage = app_of(client).state.runtime.storage
    assert storage.decisions(rid)[0].actor == "oidc:f3a1-uuid"  # the audit keeps the stable id


def test_every_decision_is_audited_in_the_chain(client: TestClient) -> None:
    report = _store(client)
    rid, stopped = report["id"], _line(report, "stopped")
    assert _qualify(client, rid, stopped, {"qualification": "undocumented"}).status_code == 200
    assert _qualify(client, rid, stopped, {"qualification": "undocumented"}, who=BOB).status_code == 404
    storage = app_of(client).state.runtime.storage
    with storage.engine.connect() as conn:
        rows = [(r.actor, r.action, r.outcome) for r in conn.execute(select(audit_log).where(
            audit_log.c.resource == rid).order_by(audit_log.c.seq))]
    assert ("alice", "qualify", "ok") in rows and ("bob", "read", "denied") in rows
    assert storage.verify_audit().ok


def test_the_web_page_is_served_without_external_resources(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert '<html lang="fr">' in page.text and "http" not in page.text.replace('href="/static', "")
    for name, kind in (("app.js", "javascript"), ("app.css", "text/css")):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200 and kind in asset.headers["content-type"]
        assert "https://" not in asset.text and "http://" not in asset.text
    assert client.get("/static/../main.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404
