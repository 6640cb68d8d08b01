"""`aid audit …`: the auditor's commands. They open the store read-only and never write."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from commands.audit import tree
from commands.cli import options as o
from commands.language.words import N_, _, current, message, moment, say
from commands.output.publish import statement_json
from commands.output.render import echo_json, emit, save
from ledger.errors import BadInput
from ledger.phrases import Money, Phrase, said
from ledger.store.access import EventLog, open_log
from ledger.ward import names
from projections.audit.public import (
    read_statement,
    readable,
    stream_statement,
    taken_now,
    verification,
)

if TYPE_CHECKING:
    from commands.output.workbook import Table as Sheet
    from projections.audit.signatures import Signatures
    from projections.audit.tamper import Digest, Verification
    from projections.audit.trace import Tracer


class DigestFormat(str, Enum):
    text = "text"
    json = "json"


class StatementFormat(str, Enum):
    table = "table"
    csv = "csv"
    html = "html"
    json = "json"


audit_app = typer.Typer(help="Audit the ledger: tamper evidence, checks, reconciliation, "
                             "donor trace, public statement (công khai). Read-only.",
                        no_args_is_help=True)




def _open(db: Path | None) -> EventLog:
    return open_log(o.address(db))


def _ward_name(log: EventLog) -> str:
    return next((r.data.get("name", "") for r in log.read() if r.name == names.OPENED), "")


@audit_app.command("digest")
def digest(fmt: Annotated[DigestFormat, typer.Option("--format", help="Output format.")]
           = DigestFormat.text, output: o.Output = None, db: o.Db = None) -> None:
    """Print the ledger's digest (ward, events, head link): keep it outside the ledger."""
    from projections.store import ward_zone

    log = _open(db)
    try:
        checked = verification(log)
        ward = _ward_name(log)
        zone = ward_zone(log) if not checked.problems else ""
    finally:
        log.close()
    if checked.problems:
        for problem in checked.problems[:SHOWN]:
            typer.echo(message(problem.text))
        typer.echo(say("aid: no digest: the ledger's chain is broken at position {checked}; see "
                       "`aid audit verify`",
                       checked=checked.first_bad()), err=True)
        raise typer.Exit(1)
    found = checked.digest(ward, taken_now())
    shown = moment(found.taken, current(), zone)  # for people: on the ward's clock, as the
    # statement shows it; JSON keeps the UTC stamp
    if output is not None:
        save(output, _digest_tables(found, shown))
    elif fmt is DigestFormat.json:
        typer.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(message(found.text(shown)))


FIELDS = [("field", N_("field")), ("value", N_("value"))]


DIGEST_FIELDS = {"ward": N_("ward"), "events": N_("events"), "position": N_("position"),
                 "head": N_("head"), "taken": N_("taken"), "algorithm": N_("algorithm"),
                 "ok": N_("ok"), "first bad position": N_("first bad position"),
                 "statement": N_("statement")}


def labelled(pairs: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """field/value rows for people: each field named in the reader's language."""
    return [{"field": Phrase(DIGEST_FIELDS.get(k, k)), "value": v} for k, v in pairs]


def _digest_tables(found: Digest, taken: str) -> list[Sheet]:
    """The digest as field/value rows (numbers as numbers; `taken` as people read it), and its
    checkpoints if it has any."""
    fields = labelled((k, taken if k == "taken" else v) for k, v in found.to_json().items()
                      if k != "checkpoints")
    tables = [(N_("digest"), fields, FIELDS)]
    if found.checkpoints:
        tables.append((N_("checkpoints"), [{"position": p, "link": link}
                                           for p, link in sorted(found.checkpoints.items())],
                       [("position", N_("position")), ("link", N_("link"))]))
    return tables


@audit_app.command("verify")
def verify(digests: Annotated[Optional[list[str]], typer.Option(
        "--digest", metavar="FILE|TEXT",
        help="A saved digest: a file, or its text or JSON (repeatable).",
        show_default=False)] = None, output: o.Output = None, db: o.Db = None,
        keys: Annotated[Optional[list[str]], typer.Option(
            "--key", metavar="KEY",
            help="A key id you hold from outside the ledger (the treasurer's, as `aid actor key "
                 "init` printed it): it must be declared here (repeatable).",
            show_default=False)] = None,
        checkpoints: tree.CheckpointOption = None, vkeys: tree.VkeyOption = None) -> None:
    """Recompute the chain of links; check saved digests are prefixes of the ledger, that
    every event is signed by a declared actor's key, that the stored read models and the
    ward's snapshots are what the events give, and that checkpoints held outside
    (--checkpoint, with the ward's key held outside: --vkey) are of this history."""
    from projections.audit import snapshots
    from projections.audit.models import compare
    from projections.audit.public import check_history
    from projections.audit.tamper import Digest

    saved = [Digest.parse(_digest_text(value)) for value in digests or []]
    given = tree.verifier_keys(vkeys)
    if given and not checkpoints:
        raise BadInput("--vkey checks a checkpoint held outside the ledger: give it with "
                       "--checkpoint")
    for key in keys or ():
        if not re.fullmatch(r"[0-9a-f]{16}", key.strip().lower()):
            raise BadInput("--key takes a key id, 16 hexadecimal digits as `aid actor key init` "
                           "and `aid audit verify` print it, not '{key}'", key=key[:80])
    log = _open(db)
    try:
        ward = _ward_name(log) if saved else ""
        for item in saved:
            if item.ward and item.ward != ward:
                raise BadInput("that digest is of ward {ward}, this ledger holds ward {ours}: "
                               "pass this ledger's own digest", ward=item.ward, ours=ward)
        _on_the_wards_clock(log, saved)
        with log.snapshot():
            history = check_history(log, saved, keys or ())
        models = compare(log) + snapshots.compare(log)
        held = tree.held_checkpoints(log, checkpoints, given)  # issue 26: held outside
    finally:
        log.close()
    checked, signed, stored_tree = history.checked, history.signed, history.tree
    chain_ok = not checked.problems
    checked.problems.extend(signed.problems)  # counted and ordered with the chain's findings
    checked.problems.extend(models)
    checked.problems.extend(stored_tree)
    if output is not None:
        save(output, _verification_tables(checked, signed, chain_ok))
    else:
        _print_verification(checked, signed, chain_ok)
    tree.report_checkpoints(held, not checked.ok)  # issue 26
    if not checked.ok:
        count = (len(checked.problems) + sum(1 for _, p in checked.digests if p is not None)
                 + sum(1 for ok, _text in held if not ok))  # checkpoints not held count too
        where = say("in {output}", output=output) if output is not None else _("above")
        told = (N_("aid: the ledger was altered: first bad position {position} ({count} findings "
                   "{where})") if count > 1 else
                N_("aid: the ledger was altered: first bad position {position} ({count} finding "
                   "{where})"))
        typer.echo(say(told, position=checked.first_bad(), count=count, where=where), err=True)
        raise typer.Exit(1)


SHOWN = 50  # findings listed one by one; the count says how many more


def _print_verification(checked: Verification, signed: Signatures, chain_ok: bool) -> None:
    typer.echo(say("{events} events up to position {position}, head {head}",
                   events=checked.events, position=checked.position, head=checked.head))
    for problem in checked.problems[:SHOWN]:
        typer.echo(message(problem.text))
    if len(checked.problems) > SHOWN:
        typer.echo(say("… and {count} more positions", count=len(checked.problems) - SHOWN))
    if chain_ok:
        typer.echo(_(ALL_MATCH))
    for _kind, text in _digest_findings(checked) + _signature_findings(signed):
        typer.echo(message(text))


def _on_the_wards_clock(log: EventLog, saved: list[Any]) -> None:
    """When each digest was taken, as `aid audit digest` showed it: on the ward's clock."""
    from projections.store import ward_zone

    taken = [item for item in saved if re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]+Z", item.taken)]
    if taken:
        zone = ward_zone(log)
        for item in taken:
            item.shown = moment(item.taken, current(), zone)


ALL_MATCH = N_("every event matches the link stored with it")


def _digest_findings(checked: Verification) -> list[tuple[int | None, Phrase]]:
    """(position, text) for each saved digest: where it departs, or how far the ledger grew."""
    return [(None, Phrase(N_("{digest}: ok, the ledger extends it by {events} event")
                          if checked.events - item.events == 1 else
                          N_("{digest}: ok, the ledger extends it by {events} events"),
                          digest=item.label(), events=checked.events - item.events))
            if problem is None else (problem.position, problem.text)
            for item, problem in checked.digests]


def _signature_findings(signed: Signatures) -> list[tuple[int | None, Phrase]]:
    """What the seals say (their failures are among the problems): from where on the ledger is
    signed, and every key with where it was declared, so an auditor can check the first key's
    id against the treasurer's (it is trusted on first use)."""
    if signed.began is None and signed.declarations:  # the findings above say why
        return [(None, Phrase(N_("signatures: no event is signed by a valid seal, though "
                                 "{count} signing keys are declared here"),
                              count=signed.declarations))]
    if signed.began is None:
        return [(None, Phrase(N_("signatures: no event is signed (no actor's key is declared; "
                                 "`aid actor key init` and `aid actor add` begin signing)")))]
    told = [(signed.began, Phrase(N_("signatures: {signed} events signed from position "
                                     "{began}; {unsigned} events before it unsigned (written "
                                     "before signing began)"),
                                  signed=signed.signed, began=signed.began,
                                  unsigned=signed.unsigned_before))]
    for key in signed.keys:
        text = (Phrase(N_("key {key}: {actor}, declared at position {declared}"),
                       key=key.key, actor=key.actor, declared=key.declared)
                if key.revoked is None else
                Phrase(N_("key {key}: {actor}, declared at position {declared}, revoked at "
                          "position {revoked}"), key=key.key, actor=key.actor,
                       declared=key.declared, revoked=key.revoked))
        told.append((key.declared, text))
    return told


def _verification_tables(checked: Verification, signed: Signatures,
                         chain_ok: bool) -> list[Sheet]:
    """A summary sheet and every finding (none left out, unlike the screen's first 50)."""
    summary = labelled([("events", checked.events), ("position", checked.position),
                        ("head", checked.head), ("ok", checked.ok),
                        ("first bad position", checked.first_bad())])
    found = [(p.position, p.text) for p in checked.problems]
    if chain_ok:
        found.insert(0, (None, Phrase(ALL_MATCH)))
    found += _digest_findings(checked) + _signature_findings(signed)
    findings = [{"position": p, "finding": text} for p, text in found]
    return [(N_("verification"), summary, FIELDS),
            (N_("findings"), findings, [("position", N_("position")), ("finding", N_("finding"))])]


def _digest_text(value: str) -> str:
    """--digest takes a file name or the digest itself."""
    path = Path(value)
    if "\n" not in value and not value.lstrip().startswith("{") and len(value) < 4096:
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise BadInput("cannot read {value}: {error}", value=value,
                               error=said(error)) from None
        if value.endswith((".json", ".txt")):
            raise BadInput("no digest file {value}", value=value)
    return value


@audit_app.command("check")
def check(fmt: o.FormatOption = o.Format.table, output: o.Output = None,
          db: o.Db = None) -> None:
    """Re-check every ledger rule over the whole history; list all failures (exit 1 if any)."""
    from projections.audit import snapshots
    from projections.audit.check import RULES
    from projections.audit.check import check as check_all
    from projections.audit.models import compare
    from projections.events import entry_reader, ward_events

    log = _open(db)
    try:
        entries, failures = check_all(ward_events(log.stored()), entry_reader(log))
        failures += [{"entry": None, "position": p.position, "on": None,
                      "rule": RULES["read model"], "problem": p.text}
                     for p in compare(log) + snapshots.compare(log)]
    finally:
        log.close()
    columns = [("entry", N_("entry number")), ("on", N_("on")), ("rule", N_("rule")),
               ("problem", N_("problem"))]
    if output is not None:
        emit(failures, fmt.value, columns, output=output, sheet=N_("Ledger check"))
    if fmt.value == "json" and output is None:
        emit({"entries": entries, "failures": failures}, "json")
    elif failures and output is None:
        emit(failures, fmt.value, columns)
    elif not failures:
        typer.echo(say("no failures: {entries} entries checked", entries=entries))
    if failures:
        told = (N_("aid: audit check found {count} failures") if len(failures) > 1
                else N_("aid: audit check found {count} failure"))
        typer.echo(say(told, count=len(failures)), err=True)
        raise typer.Exit(1)


GOODS_COLUMNS = [("location", N_("location")), ("item", N_("item")), ("donated", N_("donated")),
                 ("bought", N_("bought")), ("transferred_in", N_("moved in")),
                 ("packing_in", N_("packing in")), ("found", N_("found")),
                 ("other_in", N_("other in")), ("in", N_("= in")), ("given", N_("given")),
                 ("transferred_out", N_("moved out")), ("packing_out", N_("packing out")),
                 ("lost", N_("lost")), ("other_out", N_("other out")), ("out", N_("= out")),
                 ("on_hand", N_("on hand"))]


@audit_app.command("reconcile")
def reconcile(as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
              output: o.Output = None,
              bank: Annotated[Optional[str], typer.Option(
                  "--bank", help="Instead: this bank account's book and statement side by "
                                 "side per day (exit 1 listing every difference).",
                  show_default=False)] = None,
              db: o.Db = None) -> None:
    """Goods and cash: in = out + on hand, per item and location (exit 1 if not)."""
    from projections.audit.reconcile import reconcile as reconcile_all
    from projections.events import ward_events

    if bank is not None:
        from commands.bank import reconcile_bank

        reconcile_bank(bank, o.as_of(as_of), fmt.value, output, db)
        return
    log = _open(db)
    try:
        result = reconcile_all(readable(ward_events(log.stored())), o.as_of(as_of))
    finally:
        log.close()
    goods = result["goods"]
    shown = [c for c in GOODS_COLUMNS
             if not c[0].startswith("other") or any(r[c[0]] for r in goods)]
    from commands.output.columns import CASH_LINES
    from ledger.phrases import Phrase

    people = output is not None or fmt.value == "table"  # CSV keeps the codes
    cash = [{"cash": Phrase(CASH_LINES.get(k, k)) if people else k, "đồng": v}
            for k, v in result["cash"].items()]
    if output is not None:
        save(output, [(N_("goods"), goods, shown),
                      (N_("cash"), cash, [("cash", N_("cash")), ("đồng", N_("đồng"))],
                       ("đồng",))])
    elif fmt.value == "json":
        emit(result, "json")
    else:
        emit(goods, fmt.value, shown, empty=N_("no goods moved"))
        typer.echo("")
        emit(cash, fmt.value, money=("đồng",))
    for failure in result["failures"]:
        typer.echo(say("aid: reconcile: {failure}", failure=failure), err=True)
    if result["failures"]:
        raise typer.Exit(1)


@audit_app.command("trace")
def trace(entry: Annotated[int, typer.Argument(help="The donation's entry id.")],
          fmt: o.FormatOption = o.Format.table, output: o.Output = None,
          db: o.Db = None) -> None:
    """Where a donation's goods and cash went, first in first out: households by code and
    group, what is still held, what was lost."""
    from projections.audit.trace import donation, trace_donation
    from projections.events import ward_events

    log = _open(db)
    try:
        tracer = trace_donation(readable(ward_events(log.stored())), entry)
    finally:
        log.close()
    story = donation(tracer, entry)
    if not story:
        raise _not_a_donation(tracer, entry)
    if fmt.value == "json" and output is None:
        emit(story, "json")
        return
    if fmt.value == "csv" and output is None:
        emit(story["flows"], "csv", FLOW_COLUMNS)
        return
    shown = {part: [_trace_words(row) for row in story[part]]
             for part in ("summary", "groups", "flows")}  # people read these: words, not codes
    if output is not None:
        fees = any("fees" in row for row in story["summary"])  # a column only where fees took some
        summary = [c for c in TRACE_SUMMARY if fees or c[0] != "fees"]
        save(output, [(N_("summary"), shown["summary"], summary),
                      (N_("by group"), shown["groups"], GROUP_COLUMNS),
                      (N_("flows"), shown["flows"], FLOW_COLUMNS)])
        return
    donor = (say("{donor} (anonymous)", donor=story["donor"]) if story["anonymous"]
             else f"{story['donor']} ({story['donor_name']})")
    told = (N_("Donation entry {entry} on {on} from {donor} into {location}, receipt {receipt}")
            if story["receipt"] else
            N_("Donation entry {entry} on {on} from {donor} into {location}"))
    typer.echo(say(told, entry=entry, on=story["on"], donor=donor, location=story["location"],
                   receipt=story["receipt"]))
    books = tracer.books
    for row in story["summary"]:
        cash = row["item"] == "cash"
        unit = "" if cash else books.describe(row["item"])[1]
        amount = Money if cash else int  # đồng written as the reader writes them ("1.000 ₫")
        parts = [say("{given:,} to {households} households in {groups} groups",
                     given=amount(row["given"]), households=row["households"],
                     groups=row["groups"])]
        parts += [say(part, count=amount(row[k])) for k, part in TRACE_PARTS if row.get(k)]
        if cash:
            typer.echo("  " + say("{donated:,} đồng cash: {parts}", donated=row["donated"],
                                  parts=", ".join(parts)))
            continue
        typer.echo("  " + say("{donated:,} {unit} {item}: {parts}", donated=row["donated"],
                              unit=unit, item=row["item"], parts=", ".join(parts)))
    typer.echo("\n" + _("Handed out, by group:"))
    emit(shown["groups"], "table", GROUP_COLUMNS, empty=N_("nothing handed out yet"))
    typer.echo("\n" + _("Every part of it:"))
    emit(shown["flows"], "table", FLOW_COLUMNS)


def _trace_words(row: dict[str, Any]) -> dict[str, Any]:
    """A trace row for people: the ward fund's "cash" and where a part went in words."""
    from projections.audit.trace import CASH

    shown = dict(row)
    if shown.get("item") == CASH:
        shown["item"] = Phrase(N_("cash"))
        for key in CASH_FIGURES:  # đồng, written as money ("1.000 ₫")
            if type(shown.get(key)) is int:
                shown[key] = Money(shown[key])
    if shown.get("to") in WENT:
        shown["to"] = Phrase(WENT[shown["to"]])
    return shown


CASH_FIGURES = ("quantity", "donated", "given", "held", "lost", "spent", "fees", "other")
WENT = {"given": N_("given"), "held": N_("still held"), "lost": N_("lost"), "spent": N_("spent"),
        "fees": N_("bank fees"), "other": N_("other")}
TRACE_SUMMARY = [("item", N_("item")), ("donated", N_("donated")), ("given", N_("given")),
                 ("held", N_("still held")), ("lost", N_("lost")), ("spent", N_("spent")),
                 ("fees", N_("bank fees")), ("other", N_("other")),
                 ("households", N_("households")), ("groups", N_("groups"))]
GROUP_COLUMNS = [("group", N_("group")), ("item", N_("item")), ("quantity", N_("quantity")),
                 ("households", N_("households"))]
TRACE_PARTS = (("held", N_("{count:,} still held")), ("lost", N_("{count:,} lost or spoiled")),
               ("spent", N_("{count:,} spent on purchases")),
               ("fees", N_("{count:,} paid in bank fees")), ("other", N_("{count:,} other")))
FLOW_COLUMNS = [("item", N_("item")), ("quantity", N_("quantity")), ("to", N_("went")),
                ("entry", N_("entry number")), ("on", N_("on")), ("location", N_("location")),
                ("recipient", N_("recipient")), ("group", N_("group")), ("via", N_("in bundle")),
                ("packed_in", N_("packed in entry"))]


def _not_a_donation(tracer: Tracer, entry: int) -> BadInput:
    """Why `entry` has no story (the tracer knows the kind of the asked entry)."""
    kind = tracer.kinds.get(entry)
    if entry in tracer.annulled and kind == "donate":
        return BadInput("donation entry {entry} was reversed: none of it is left to trace",
                        entry=entry)
    if entry not in tracer.kinds:
        return BadInput("there is no entry {entry}; see `aid history` for entry ids", entry=entry)
    from projections.history import not_a_donation

    return not_a_donation(entry, kind)


@audit_app.command("statement")
def statement(start: Annotated[Optional[str], typer.Option(
                  "--from", help="First business date (default: the beginning).",
                  show_default=False)] = None,
              end: Annotated[Optional[str], typer.Option(
                  "--to", help="Last business date (default: today).", show_default=False)]
              = None,
              fmt: Annotated[StatementFormat, typer.Option("--format", help="Output format.")]
              = StatementFormat.table,
              output: Annotated[Optional[Path], typer.Option(
                  "--output", "-o", metavar="FILE.html|FILE.pdf|FILE.xlsx",
                  help="Write the printable page (with charts; .pdf needs Chromium) or a "
                       "workbook with a sheet per section.", show_default=False)] = None,
              db: o.Db = None) -> None:
    """The public statement (công khai): donors, totals, hand-outs by group, purchases, stock
    and cash left, charts, and the digest head. Households by code and group only."""
    from commands.output import publish

    first, last = o.as_of(start), o.as_of(end)
    if first and last and first > last:
        raise BadInput("--from {first} is after --to {last}", first=first, last=last)
    if output is not None and output.suffix.lower() not in (".html", ".htm", ".pdf", ".xlsx"):
        raise BadInput("--output {output}: write a .html, .pdf or .xlsx file", output=output)
    workbook = output is not None and output.suffix.lower() == ".xlsx"
    page = (output is not None and not workbook) or fmt is StatementFormat.html
    if workbook or page:
        _statement_whole(first, last, output, workbook, page, db)
        return
    log = _open(db)
    try:
        with log.snapshot():
            sheet, checked, fold = stream_statement(log, first, last)
            held = (tree.statement_checkpoint(log, checked) if fmt is not StatementFormat.csv
                    else None)
    finally:
        log.close()
    try:  # printed from the spool, after the ledger is closed
        digest = checked.digest(sheet["ward"], taken_now())
        if fmt is StatementFormat.json:
            echo_json(statement_json(sheet, digest, held))
        elif fmt is StatementFormat.table:
            publish.as_table(sheet, digest, held)
        else:
            publish.as_csv(sheet, digest)
    finally:
        fold.close()
    _warn_broken(checked)


def _statement_whole(first: str | None, last: str | None, output: Path | None,
                     workbook: bool, page: bool, db: Path | None) -> None:
    """The statement as a workbook or a printed page, built in memory (the page's charts and
    the workbook's sheets take every row at once)."""
    from commands.output import publish

    language = current()
    log = _open(db)
    try:
        with log.snapshot():
            sheet, pictures, checked = read_statement(log, first, last, charts=page)
            held = tree.statement_checkpoint(log, checked) if page else None  # issue 26
    finally:
        log.close()
    digest = checked.digest(sheet["ward"], taken_now())
    if workbook:  # a sheet per section, then the digest to check it by
        about = labelled([("statement", publish.header(sheet)), ("events", digest.events),
                          ("position", digest.position), ("head", digest.head),
                          ("taken", moment(digest.taken, language, sheet["timezone"]))])
        # numbers as numbers; the moment on the ward's clock, as the printed statement says it
        save(output, [(s.title, list(publish.with_total(s)), s.columns, publish.MONEY)
                      for s in sheet["sections"]] + [(N_("Digest"), about, FIELDS)])
    else:
        html = publish.as_page(sheet, digest, pictures, language, held,
                               checked.first_bad() if checked.problems else None)
        if output is None:
            typer.echo(html, nl=False)
        else:
            from commands.output.printing import save as print_page

            typer.echo(print_page(html, output))
    _warn_broken(checked)


def _warn_broken(checked: Verification) -> None:
    if checked.problems:
        typer.echo(say("aid: warning: the ledger's chain is broken at position {checked}; see "
                       "`aid audit verify`",
                       checked=checked.first_bad()), err=True)
        raise typer.Exit(1)


audit_app.command("checkpoint")(tree.checkpoint_command)  # Merkle checkpoints (issue 26)
audit_app.command("consistency")(tree.consistency)
