"""`recon …` command line. JSON on stdout only; logs, progress and errors on stderr."""

from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from recon import pipeline
from recon.errors import BadPairsFile, ReconError
from recon.extract import DEFAULT_EXTRACTOR, EXTRACTORS

log = logging.getLogger("recon")

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 3


def _err(message: str) -> None:
    print(f"recon: error: {message}", file=sys.stderr)


def _progress(i: int, n: int, label: str) -> None:
    if n > 1:
        print(f"[{i}/{n}] {label}", file=sys.stderr)


# -- extract -------------------------------------------------------------------------------
def cmd_extract(args: argparse.Namespace) -> int:
    files: list[str] = args.files
    if len(files) > 1 and not args.output_dir:
        _err("several files need --output-dir DIR (one JSON file per input)")
        return EXIT_INPUT
    if not args.output_dir:
        result = pipeline.extract_document(files[0], side=args.side, extractor=args.extractor)
        print(result.to_json())
        return EXIT_OK
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for i, f in enumerate(files, start=1):
        _progress(i, len(files), Path(f).name)
        try:
            result = pipeline.extract_document(f, side=args.side, extractor=args.extractor)
        except ReconError as e:
            _err(str(e))
            failed += 1
            continue
        (out / f"{Path(f).stem}.json").write_text(result.to_json(), encoding="utf-8")
    return EXIT_INPUT if failed else EXIT_OK


# -- reconcile -----------------------------------------------------------------------------
def _read_pairs(path: str) -> list[tuple[str, str, str]]:
    p = Path(path)
    if not p.exists():
        raise BadPairsFile(f"{p.name}: no such file")
    try:
        with p.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"id", "before", "after"} - set(reader.fieldnames or [])
            if missing:
                raise BadPairsFile(f"{p.name}: missing column(s) {', '.join(sorted(missing))}; "
                                   "the header must be id,before,after")
            rows = []
            for n, row in enumerate(reader, start=2):
                if not row.get("id") or not row.get("before") or not row.get("after"):
                    raise BadPairsFile(f"{p.name}: empty id, before or after", line=n)
                rows.append((row["id"], row["before"], row["after"]))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadPairsFile(f"{p.name}: not a readable UTF-8 CSV file") from e


def cmd_reconcile(args: argparse.Namespace) -> int:
    if args.pairs:
        if not args.output_dir:
            _err("--pairs needs --output-dir DIR")
            return EXIT_INPUT
        pairs = _read_pairs(args.pairs)
        out = Path(args.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        failed = 0
        for i, (case_id, before, after) in enumerate(pairs, start=1):
            _progress(i, len(pairs), case_id)
            try:
                report = pipeline.reconcile_documents(before, after, extractor=args.extractor)
            except ReconError as e:
                _err(f"{case_id}: {e}")
                failed += 1
                continue
            safe_id = "".join(c if c.isalnum() or c in "-_." else "_" for c in case_id)
            (out / f"{safe_id}.json").write_text(report.to_json(), encoding="utf-8")
        return EXIT_INPUT if failed else EXIT_OK
    if not args.before or not args.after:
        _err("give BEFORE and AFTER files, or --pairs PAIRS.csv --output-dir DIR")
        return EXIT_INPUT
    report = pipeline.reconcile_documents(args.before, args.after, during=args.during, extractor=args.extractor)
    if args.format == "html":
        print(pipeline.render_html(report))
    elif args.format == "fiche":
        print(pipeline.render_fiche(report))
    elif args.format == "fhir":
        print(pipeline.reconciliation_bundle_json(report))
    else:
        print(report.to_json())
    return EXIT_OK


# -- letter, demo ----------------------------------------------------------------------------
def cmd_letter(args: argparse.Namespace) -> int:
    stay = pipeline.load_stay(args.stay) if args.stay else None
    report = pipeline.reconcile_documents(args.before, args.after, during=args.during, extractor=args.extractor)
    path = pipeline.write_letter(report, args.output, stay=stay)
    print(f"letter written: {path}", file=sys.stderr)
    return EXIT_OK


def example_paths() -> tuple[Path, Path]:
    base = resources.files("recon.examples")
    return Path(str(base.joinpath("ordonnance_ville.txt"))), Path(str(base.joinpath("ordonnance_sortie.txt")))


def cmd_demo(args: argparse.Namespace) -> int:
    before, after = example_paths()
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = pipeline.reconcile_documents(before, after)
    report_path = out / "report.json"
    report_path.write_text(report.to_json(), encoding="utf-8")
    stay = pipeline.example_stay()
    letter_path = pipeline.write_letter(report, out / "letter.html", stay=stay)
    pdf_path = pipeline.write_letter(report, out / "letter.pdf", stay=stay)
    fhir_path = pipeline.write_letter(report, out / "letter.fhir.json", stay=stay)
    s = report.summary
    print(
        f"Reconciled {len(report.before.medications)} usual and {len(report.after.medications)} hospital lines: "
        f"{s['unchanged']} unchanged, {s['modified']} modified, {s['substituted']} substituted, "
        f"{s['suspended']} suspended, {s['stopped']} stopped, {s['added']} added "
        f"({s['needs_review']} to review).",
        file=sys.stderr,
    )
    print(f"report: {report_path.resolve()}")
    print(f"letter: {letter_path.resolve()}")
    print(f"letter (PDF): {pdf_path.resolve()}")
    print(f"letter (FHIR): {fhir_path.resolve()}")
    return EXIT_OK


# -- drugs, reference -------------------------------------------------------------------------
def cmd_drugs_search(args: argparse.Namespace) -> int:
    import json

    from recon.link import default_linker

    result = default_linker().link(" ".join(args.query), limit=args.limit)
    cands = result.candidates or ([(result.entry, result.score)] if result.entry else [])
    rows = [{"name": e.name, "kind": e.kind, "atc": e.atc, "substances": list(e.substances), "score": s}
            for e, s in cands[: args.limit]]
    print(json.dumps({"query": " ".join(args.query), "method": result.method, "results": rows},
                     ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_reference_info(args: argparse.Namespace) -> int:
    import json

    from recon.reference import default_reference
    from recon.reference.store import reference_path

    ref = default_reference()
    stored = reference_path()
    print(json.dumps({"source": ref.source, "version": ref.version, **ref.stats(),
                      "stored_file": str(stored) if stored.exists() else None}, indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_reference_import(args: argparse.Namespace) -> int:
    import json

    from recon.reference.store import import_bdpm

    path, report = import_bdpm(args.folder, args.output)
    print(json.dumps({"stored_file": str(path), **report}, indent=2, ensure_ascii=False, default=str))
    return EXIT_OK


def cmd_reference_update(args: argparse.Namespace) -> int:
    import json

    from recon.reference.update import update_reference

    path, report = update_reference(args.source, output=args.output)
    print(json.dumps({"stored_file": str(path), **report}, indent=2, ensure_ascii=False, default=str))
    return EXIT_OK


def cmd_reference_reset(args: argparse.Namespace) -> int:
    from recon.reference.store import reference_path, remove_stored_reference

    removed = remove_stored_reference()
    print(f"{'removed' if removed else 'no stored reference at'} {reference_path()}; the embedded reference is used",
          file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from pydantic import ValidationError

    from api.settings import Settings

    os.environ["RECON_HOST"] = args.host  # the app's settings (in every worker) see the same interface
    try:
        settings = Settings()
    except ValidationError as e:
        _err("; ".join(str(err["msg"]).removeprefix("Value error, ") for err in e.errors()))
        return EXIT_INPUT
    if not settings.auth_configured:
        print(f"recon: no API key and no OIDC configured: the API listens on {args.host} (loopback) only",
              file=sys.stderr)
    print(f"Recon API on http://{args.host}:{args.port} ({args.workers} worker(s), "
          f"{'authentication required' if settings.auth_configured else 'no authentication'})", file=sys.stderr)
    uvicorn.run("api.main:app", host=args.host, port=args.port, workers=args.workers, log_level="warning",
                access_log=False, server_header=False)
    return EXIT_OK


# -- parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recon", description="Medication reconciliation (conciliation médicamenteuse).")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details on stderr")
    p.add_argument("--extractor", dest="global_extractor", choices=list(EXTRACTORS), default=None,
                   help="extraction method for every command (also accepted after the command)")
    sub = p.add_subparsers(dest="command", required=True)

    def add_extractor(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--extractor", default=None, choices=list(EXTRACTORS),
                        help=f"extraction method (default: {DEFAULT_EXTRACTOR})")

    e = sub.add_parser("extract", help="medication lines of one or more documents (.pdf, .txt)")
    e.add_argument("files", nargs="+", metavar="FILE")
    e.add_argument("--side", choices=["city", "hospital", "unknown"], default="unknown")
    e.add_argument("--format", choices=["json"], default="json")
    e.add_argument("--output-dir", metavar="DIR", help="write DIR/<file stem>.json for each FILE")
    add_extractor(e)
    e.set_defaults(func=cmd_extract)

    r = sub.add_parser("reconcile", help="compare the usual treatment (BEFORE) with the hospital's (AFTER)")
    r.add_argument("before", nargs="?", metavar="BEFORE")
    r.add_argument("after", nargs="?", metavar="AFTER")
    r.add_argument("--pairs", metavar="PAIRS.csv", help="CSV with columns id,before,after")
    r.add_argument("--output-dir", metavar="DIR", help="with --pairs: write DIR/<id>.json")
    r.add_argument("--format", choices=["json", "html", "fiche", "fhir"], default="json",
                   help="json (contract), html (liaison letter), fiche (HAS reconciliation sheet), fhir (R4 Bundle)")
    r.add_argument("--during", metavar="DURING", help="the hospital's last treatment during the stay (at discharge)")
    add_extractor(r)
    r.set_defaults(func=cmd_reconcile)

    lt = sub.add_parser("letter", help="discharge liaison letter from BEFORE and AFTER")
    lt.add_argument("before", metavar="BEFORE")
    lt.add_argument("after", metavar="AFTER")
    lt.add_argument("--output", required=True, metavar="PATH",
                    help="letter.html, letter.pdf or letter.json (FHIR R4 document Bundle): the suffix chooses")
    lt.add_argument("--during", metavar="DURING", help="the hospital's last treatment during the stay")
    lt.add_argument("--stay", metavar="STAY.json",
                    help="stay metadata: patient, doctors, dates, reason, summary, pending results, follow-up")
    add_extractor(lt)
    lt.set_defaults(func=cmd_letter)

    d = sub.add_parser("demo", help="run the whole job on the bundled fictional examples")
    d.add_argument("--output-dir", default="out", metavar="DIR")
    d.set_defaults(func=cmd_demo)

    drugs = sub.add_parser("drugs", help="search the drug reference")
    dsub = drugs.add_subparsers(dest="drugs_command", required=True)
    ds = dsub.add_parser("search", help="brand or DCI name, typos allowed")
    ds.add_argument("query", nargs="+")
    ds.add_argument("--limit", type=int, default=5)
    ds.set_defaults(func=cmd_drugs_search)

    ref = sub.add_parser("reference", help="the drug reference in use")
    rsub = ref.add_subparsers(dest="reference_command", required=True)
    ri = rsub.add_parser("info", help="source, version and counts")
    ri.set_defaults(func=cmd_reference_info)
    rim = rsub.add_parser("import", help="build the full reference from the ANSM's BDPM files in DIR")
    rim.add_argument("folder", metavar="DIR")
    rim.add_argument("--output", metavar="FILE", help="where to store it (default: Recon's data folder)")
    rim.set_defaults(func=cmd_reference_import)
    ru = rsub.add_parser("update", help="download the BDPM files and import them (or from a folder / file:// URL)")
    ru.add_argument("source", nargs="?", metavar="SOURCE", help="folder, file:// URL or http(s) base URL")
    ru.add_argument("--output", metavar="FILE")
    ru.set_defaults(func=cmd_reference_update)
    rr = rsub.add_parser("reset", help="forget the imported reference and use the embedded one")
    rr.set_defaults(func=cmd_reference_reset)
    from recon.batch import add_subcommand as add_batch

    add_batch(sub, add_extractor)  # `recon batch DIR|pairs.csv --output-dir OUT [--scheduler ADDR]`
    sv = sub.add_parser("serve", help="start the HTTP API")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    sv.set_defaults(func=cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "extractor"):
        args.extractor = args.extractor or args.global_extractor or DEFAULT_EXTRACTOR
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="recon: %(levelname)s: %(message)s")
    try:
        return int(args.func(args))
    except ReconError as e:
        _err(str(e))
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # stdout closed early (`| head`): not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush at exit
        return 141
    except Exception as e:
        if os.environ.get("RECON_DEBUG"):
            raise
        _err(f"[E999] internal error ({type(e).__name__}); set RECON_DEBUG=1 for details")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
