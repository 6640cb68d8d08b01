"""`aid sync` (a ward's ledger into the district's store) and `aid district …` (its reports).

The ward's own commands never touch the network: only these do, and only when asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from commands.cli import options as o
from commands.language.words import N_, _, current, message, moment, say, utc_moment
from commands.output.render import emit
from ledger.errors import BadInput, Refused
from ledger.phrases import Phrase
from ledger.store.access import EventLog, open_log

if TYPE_CHECKING:
    from ledger.district.sync import Status

To = Annotated[Optional[str], typer.Option(
    "--to", envvar="AID_DISTRICT_URL", metavar="URL",
    help="The district's PostgreSQL store (default: $AID_DISTRICT_URL).", show_default=False)]
Url = Annotated[Optional[str], typer.Option(
    "--url", envvar="AID_DISTRICT_URL", metavar="URL",
    help="The district's PostgreSQL store (default: $AID_DISTRICT_URL).", show_default=False)]
From = Annotated[Optional[str], typer.Option(
    "--from", help="First business date (default: the beginning).", show_default=False)]
Until = Annotated[Optional[str], typer.Option(
    "--to", help="Last business date (default: today).", show_default=False)]

district_app = typer.Typer(help="The district's reports over every synced ward (quận): wards, "
                                "stock, cash, coverage, duplicates, statement. Read-only.",
                           no_args_is_help=True)




def sync(to: To = None,
         show_status: Annotated[bool, typer.Option(
             "--status", help="Only say how far behind the district is; send nothing.")]
         = False,
         batch: Annotated[int, typer.Option(
             "--batch", min=1, max=10_000, help="Events per transaction.")] = 5_000,
         db: o.Db = None) -> None:
    """Send the ward's new entries to the district's store, checked link by link (đồng bộ)."""
    from ledger.district import sync as syncing

    url = syncing.district_url(to)
    log = open_log(o.address(db))
    try:
        if show_status:
            from projections.store import ward_zone

            _status(syncing.status(log, url), ward_zone(log))
            return
        code, sent, head = syncing.sync(log, url, batch, told=lambda part: typer.echo(say(
            "sent positions {first:,}–{last:,} ({count:,} events)",
            first=part.first, last=part.last, count=part.count)), verify=verified,
            fold=folder(), witnessed=_witnessed)  # witnessed: issue 26
    finally:
        log.close()
    if sent:
        typer.echo(say("ward {code}: sent {count:,} events; the district holds it up to "
                       "position {head:,}", code=code, count=sum(s.count for s in sent),
                       head=head))
    else:
        typer.echo(say("ward {code}: the district is up to date (position {head:,})",
                       code=code, head=head))


def verified(log: EventLog, held: int, upto: int,
             each: Callable[[bytes], None] | None = None) -> str | None:
    """The ward's ledger checked up to `upto` before anything is sent: every link, and every
    seal with the keys the ward declared (`aid audit verify`'s own checks, in one read; `each`
    hears each row's encoded bytes). A finding past `held` (what the district already holds)
    refuses the sync with its position; returns the ledger's first declared key (the one the
    district binds the code to)."""
    from ledger.trust.seal_bytes import MAX_SEALED, SEAL_TOPIC
    from projections.audit.signatures import SignatureCheck, head_findings
    from projections.audit.tamper import verify

    seals = SignatureCheck()
    with log.snapshot():
        rows = seals.watch(log.stored(upto=upto), log.rows_before_first(SEAL_TOPIC, MAX_SEALED))
        chain = verify(rows, log.links(upto=upto), each=each, gapless=log.gapless)
        signed = seals.finish()
        signed.problems.extend(head_findings(signed, log.link_at))
    found = sorted((p for p in [*chain.problems, *signed.problems] if p.position > held),
                   key=lambda problem: problem.position)
    if found:
        raise Refused("this ledger does not verify ({finding}); nothing was sent: run `aid audit "
                      "verify`, and restore the ledger from a backup", finding=found[0].text)
    return signed.keys[0].key if signed.keys else None


def folder():  # type: ignore[no-untyped-def]
    """The district's read models, folded in each batch's transaction (issue #27)."""
    from projections.district import Folder

    return Folder()


@contextmanager
def _district(url: str | None) -> Iterator[tuple[Any, list[tuple[str, str, str]]]]:
    """(the district, [(code, name, table prefix)] of every ward it holds)."""
    from ledger.district.sync import District

    district = District(url)
    try:
        wards = district.wards()
        if not wards:
            raise BadInput("the district's store holds no ward yet: run `aid sync --to URL` "
                           "in each ward")
        yield district, wards
    finally:
        district.close()


def _models(url: str | None) -> Iterator[Any]:
    """Each ward's stored read models, one ward at a time, newer rows folded first."""
    from projections.district import stored_models

    with _district(url) as (district, wards):
        yield from stored_models(district.connection, wards)


def _witnessed(found: Any) -> None:
    """Issue 26: what the district witnessed at this sync (commands/audit/witness.py)."""
    from commands.audit.witness import told_witnessed

    told_witnessed(found)


def _status(found: Status, zone: str) -> None:
    """What `aid sync --status` says; when the district last synced, on the ward's clock
    (`zone`), as the ward's statement says a moment."""
    if found.other is not None:
        typer.echo(say("aid: the district binds ward {code} to another ledger (identity "
                       "{other}); this ledger's identity is {identity}: if it is the genuine "
                       "ward {code}, the district admits it with `aid district admit`",
                       code=found.code, other=found.other[:16] + "…",
                       identity=found.identity), err=True)
        raise typer.Exit(1)
    if found.district_head == 0:
        typer.echo(say("ward {code}: not synced yet; {behind:,} events to send",
                       code=found.code, behind=found.behind))
    else:
        synced = moment(found.synced.isoformat(), current(), zone) if found.synced else "-"
        typer.echo(say("ward {code}: the district holds up to position {district:,} (synced "
                       "{synced}), this ledger up to {ward:,}: {behind:,} events behind",
                       code=found.code, district=found.district_head, synced=synced,
                       ward=found.ward_head, behind=found.behind))
    if found.older:
        typer.echo(say("aid: this ledger is an older copy of ward {code}: the district holds "
                       "more of it; sync from the ledger with the latest entries",
                       code=found.code), err=True)
        raise typer.Exit(1)
    if found.departs:
        typer.echo(say("aid: this ledger departs from the district's copy of ward {code} at "
                       "position {position} (a fork); see docs/district.md",
                       code=found.code, position=found.departs), err=True)
        raise typer.Exit(1)


def _zones(district: Any) -> dict[str, str]:
    """Each ward's clock, as far as the district's copy of it says (a ward not folded yet: none)."""
    from ledger.district.models import DistrictModels

    return DistrictModels(district.connection).zones()


def _when(stamp: str | None, zone: str | None) -> str:
    """When a ward synced or was witnessed, for people: on the ward's own clock, as `aid sync
    --status` says it there (the same sync reads as the same day), else plainly in UTC."""
    if not stamp:
        return "-"
    return moment(stamp, current(), zone) if zone else utc_moment(stamp, current())


def _period(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    first, last = o.as_of(start), o.as_of(end)
    if first and last and first > last:
        raise BadInput("--from {first} is after --to {last}", first=first, last=last)
    return first, last


@district_app.command("wards")
def wards(url: Url = None, fmt: o.FormatOption = o.Format.table,
          output: o.Output = None) -> None:
    """The wards the district holds: code, name, last position and when each last synced."""
    from ledger.district.sync import District

    district = District(url)
    try:
        rows = district.registry()
        zones = _zones(district) if fmt.value == "table" else {}
    finally:
        district.close()
    if fmt.value == "table":  # JSON and CSV keep the ISO timestamp, in UTC
        rows = [{**row, "synced": _when(row["synced"], zones.get(row["ward"]))} for row in rows]
    emit(rows, fmt.value, [("ward", N_("ward")), ("name", N_("name")),
                           ("position", N_("position")), ("synced", N_("synced"))],
         empty=N_("the district's store holds no ward yet"), output=output, sheet=N_("Wards"))


@district_app.command("admit")
def admit(code: Annotated[str, typer.Argument(help="The ward's code in the district.")],
          identity: Annotated[str, typer.Option(
              "--identity", metavar="HEX",
              help="The identity of the ledger to admit as this ward (64 hex digits, as `aid "
                   "sync` prints it when the district refuses it).")],
          url: Url = None) -> None:
    """Admit a ledger as ward CODE when another ledger holds the code (a squatter, or a ward
    that had to start a new ledger): its next `aid sync` sets the other copy aside. Admitting
    the ledger that holds the code withdraws an admission made by mistake."""
    from ledger.district.sync import District
    from ledger.values.inputs import ward_code

    code, identity = ward_code(code), identity.strip().lower()
    district = District(url)
    try:
        bound, changed = district.admit(code, identity)
    finally:
        district.close()
    if not changed:
        typer.echo(say("ward {code} is already bound to that ledger", code=code))
    elif bound == identity:
        typer.echo(say("ward {code}: the admission of another ledger is withdrawn; the ledger "
                       "{identity} keeps the code and syncs as before", code=code,
                       identity=identity[:16] + "…"))
    elif bound is None:
        typer.echo(say("ward {code}: the district admits only the ledger {identity} at its "
                       "first sync", code=code, identity=identity[:16] + "…"))
    else:
        typer.echo(say("ward {code}: the district admits the ledger {identity}; at its next "
                       "`aid sync` the copy of ledger {bound} is set aside", code=code,
                       identity=identity[:16] + "…", bound=bound[:16] + "…"))


@district_app.command("rebuild")
def rebuild(url: Url = None) -> None:
    """Recompute the district's read models of every ward from its synced copy, and name any
    difference from the stored ones (exit 1 if there was one; they are replaced either way)."""
    from projections import district

    differed = []
    with _district(url) as (found, wards):
        for code, _name, prefix in wards:
            try:
                differences = district.rebuild(found.connection, code, prefix)
            except Refused as refused:  # a broken copy: said, and the other wards go on
                differed.append(code)
                typer.echo(f"aid: {message(refused)}", err=True)
                continue
            if differences:
                differed.append(code)
                typer.echo(say("ward {code}: the stored read models differed from its events: "
                               "{what}; rebuilt", code=code,
                               what=Phrase.join(", ", differences)), err=True)
    typer.echo(say(N_("rebuilt the read models of {count} ward") if len(wards) == 1 else
                   N_("rebuilt the read models of {count} wards"), count=len(wards)))
    if differed:
        raise typer.Exit(1)


item_app = typer.Typer(help="The district's item catalogue: which ward item codes are the same "
                            "goods, so `aid district stock --total` adds them up.",
                       no_args_is_help=True)
district_app.add_typer(item_app, name="item")


@item_app.command("map")
def item_map(mapping: Annotated[str, typer.Argument(
                 metavar="WARD:ITEM=DISTRICT_ITEM",
                 help="A ward's item code and the district's item it is, e.g. P1:GAO=RICE.")],
             url: Url = None) -> None:
    """Count ward WARD's item ITEM as the district's item DISTRICT_ITEM (kept in the district's
    database; the wards' ledgers are not touched)."""
    from ledger.district.models import DistrictModels
    from ledger.district.sync import District
    from ledger.values.inputs import code as item_code
    from ledger.values.inputs import ward_code

    source, equals, target = mapping.partition("=")
    ward, colon, item = source.partition(":")
    if not (equals and colon and ward.strip() and item.strip() and target.strip()):
        raise BadInput("write the mapping as WARD:ITEM=DISTRICT_ITEM (e.g. P1:GAO=RICE), not "
                       "'{text}'", text=mapping[:80])
    ward, item, target = ward_code(ward), item_code(item.strip()), item_code(target.strip())
    found = District(url)
    try:
        catalogue = _catalogue(found)
        _known_ward_item(catalogue, ward, item)
        models = DistrictModels(found.connection)
        before = models.item_map()
        _no_case_twin(target, {*(t for pair, t in before.items() if pair != (ward, item)),
                               *(c for items in catalogue.values() for c in items)})
        models.map_item(ward, item, target)
        units = _units(catalogue, models.item_map(), ward, item, target)
    finally:
        found.close()
    typer.echo(say("district item {target}: counts ward {ward}'s {item}", target=target,
                   ward=ward, item=item))
    if before.get((ward, item), target) != target:
        typer.echo(say("(it counted as district item {old} until now)",
                       old=before[(ward, item)]))
    if units is not None:
        typer.echo(say("aid: warning: ward {ward} counts {item} in {unit}, other wards count "
                       "{target} in {other}: `aid district stock --total` lists them apart, "
                       "one line per unit", ward=ward, item=item, unit=units[0], target=target,
                       other=units[1]), err=True)


def _no_case_twin(target: str, known: set[str]) -> None:
    """Refuse a district item that differs only in case from one the district counts already:
    `gạo` beside `GẠO` would be two lines of the same rice in every total."""
    twins = sorted(code for code in known
                   if code != target and code.casefold() == target.casefold())
    if twins:
        raise BadInput("district item {target} differs only in case from {twin}, which the "
                       "district already counts: write {twin}", target=target, twin=twins[0])


def _catalogue(district: Any) -> dict[str, dict[str, Any]]:
    """Each synced ward's declared items, by ward code."""
    from projections.district import stored_models

    return {model.code: model.books.state["items"]
            for model in stored_models(district.connection, district.wards())}


def _known_ward_item(catalogue: dict[str, dict[str, Any]], ward: str, item: str) -> None:
    """Refuse a mapping of a ward the district does not hold, or of an item that ward never
    declared (a typo would map nothing, without a word), naming the nearest."""
    from ledger.phrases import either
    from ledger.values.inputs import known
    from ledger.values.text import nearest

    if ward not in catalogue:
        raise BadInput("the district holds no ward {ward}; did you mean {close}? (a ward joins "
                       "at its first `aid sync`)", ward=ward,
                       close=either(nearest(ward, catalogue) or sorted(catalogue)[:5]))
    known(item, catalogue[ward], N_("item"))


def _units(catalogue: dict[str, dict[str, Any]], mapping: dict[tuple[str, str], str],
           ward: str, item: str, target: str) -> tuple[str, str] | None:
    """(the ward item's unit, another unit the district item is counted in) when they differ:
    a mapping of rice in kg onto noodles in packets is a slip worth a word."""
    mine, others = None, set()
    for code_of_ward, items in catalogue.items():
        for code, declared in items.items():
            if (code_of_ward, code) == (ward, item):
                mine = declared["unit"]
            elif mapping.get((code_of_ward, code), code) == target:
                others.add(declared["unit"])
    different = sorted(others - {mine})
    return (mine, different[0]) if mine is not None and different else None


@item_app.command("list")
def item_list(url: Url = None, fmt: o.FormatOption = o.Format.table,
              output: o.Output = None) -> None:
    """The district's item catalogue: each ward item code and the district item it counts as."""
    from ledger.district.models import DistrictModels
    from ledger.district.sync import District

    found = District(url)
    try:
        mapping = DistrictModels(found.connection).item_map()
    finally:
        found.close()
    rows = [{"ward": ward, "item": item, "district_item": target}
            for (ward, item), target in sorted(mapping.items())]
    emit(rows, fmt.value, [("ward", N_("ward")), ("item", N_("item")),
                           ("district_item", N_("district item"))],
         empty=N_("the district's catalogue maps no item yet"), output=output,
         sheet=N_("Item catalogue"))


STOCK = [("ward", N_("ward")), ("location", N_("location")), ("item", N_("item")),
         ("name", N_("name")), ("quantity", N_("quantity")), ("unit", N_("unit"))]
TOTAL = [("item", N_("item")), ("name", N_("name")), ("quantity", N_("quantity")),
         ("unit", N_("unit")), ("wards", N_("wards"))]


@district_app.command("stock")
def stock(url: Url = None, total: Annotated[bool, typer.Option(
              "--total", help="One line per item: the district's total over all wards.")]
          = False, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
          output: o.Output = None) -> None:
    """What every ward has left, per ward, location and item (or per item with --total)."""
    from ledger.district.models import DistrictModels
    from projections import district

    when = o.as_of(as_of)
    with _district(url) as (found, wards):
        rows = [{"ward": model.code, **row}
                for model in district.stored_models(found.connection, wards)
                for row in model.books.planned(as_of=when, today=o.on(None))]
        mapping = DistrictModels(found.connection).item_map() if total else {}
    if total:
        totals, unmapped = district.mapped_total(rows, mapping)
        emit(totals, fmt.value, TOTAL, empty=N_("no stock"), output=output,
             sheet=N_("Stock, district total"))
        if unmapped:
            typer.echo(say("aid: note: item codes the district's catalogue does not map (each "
                           "counted under its own code): {codes}; map them with `aid district "
                           "item map WARD:ITEM=DISTRICT_ITEM`", codes=", ".join(unmapped)),
                       err=True)
    else:
        emit(rows, fmt.value, STOCK, empty=N_("no stock"), output=output, sheet=N_("Stock"))


@district_app.command("cash")
def cash(url: Url = None, as_of: o.AsOf = None, fmt: o.FormatOption = o.Format.table,
         output: o.Output = None) -> None:
    """Every ward's cash book and the district's total (their sum)."""
    from projections import district

    when = o.as_of(as_of)
    from commands.output.columns import CASH_LINES

    books = {model.code: model.books.cash(when) for model in _models(url)}
    # bank fees only once a ward recorded one (a ward's `aid cash` shows them then too)
    shown = [line for line in district.CASH_LINES
             if line != "fees" or any("fees" in book for book in books.values())]
    books["total"] = {line: sum(book.get(line, 0) for book in books.values())
                      for line in shown}
    if fmt.value == "json" and output is None:  # each ward's book as its own `aid cash` says
        emit(books, "json")
        return
    rows = [{"ward": code, **{line: book.get(line, 0) for line in shown}}
            for code, book in books.items()]
    if fmt.value != "csv":
        rows[-1]["ward"] = _("district total")
    lines = [(line, CASH_LINES.get(line, line)) for line in shown]
    emit(rows, fmt.value, [("ward", N_("ward")), *lines], output=output, money=shown,
         sheet=N_("Cash book"))


@district_app.command("coverage")
def coverage(url: Url = None, start: From = None, end: Until = None,
             fmt: o.FormatOption = o.Format.table, output: o.Output = None) -> None:
    """Households registered and served, per ward, group and tier (codes only)."""
    from projections import district

    first, last = _period(start, end)
    with _district(url) as (found, wards):
        codes = list(district.catch_up_all(found.connection, wards))
        rows = district.coverage_rows(found.connection, codes, first, last)
    emit(rows, fmt.value, [("ward", N_("ward")), ("group", N_("group")), ("tier", N_("tier")),
                           ("households", N_("households")), ("served", N_("served"))],
         empty=N_("no households"), output=output, sheet=N_("Coverage"))


@district_app.command("duplicates")
def duplicates(url: Url = None, start: From = None, end: Until = None,
               fmt: o.FormatOption = o.Format.table, output: o.Output = None) -> None:
    """Households served by two wards in the period, matched by the keyed pseudonym of their ID
    number only (never by household code or name). Exit 1 when there is any."""
    from commands.output.render import emit_stream
    from projections import district

    first, last = _period(start, end)
    people = fmt.value == "table"  # JSON and CSV keep "id"
    found_any = False
    with _district(url) as (found, wards):
        codes = list(district.catch_up_all(found.connection, wards))

        def rows() -> Iterator[dict[str, Any]]:
            nonlocal found_any
            for row in district.duplicate_rows(found.connection, codes, first, last):
                found_any = True
                yield {**row, "match": _(MATCHED_BY[row["match"]])} if people else row
        emit_stream(rows(), fmt.value, [
            ("match", N_("match")), ("key", N_("key")), ("wards", N_("wards")),
            ("households", N_("households")), ("first", N_("first")), ("last", N_("last"))],
            empty=N_("no household was served by two wards"), output=output,
            sheet=N_("Served by two wards"))
    if found_any:
        raise typer.Exit(1)


MATCHED_BY = {"id": N_("ID number (keyed)")}  # how `duplicates` matched two wards' households
STATEMENT = [("ward", N_("ward")), ("name", N_("name")), ("donations", N_("donations")),
             ("received", N_("received")), ("spent", N_("spent")),
             ("handouts", N_("hand-outs")), ("households", N_("households")),
             ("given", N_("given")), ("packed", N_("packed")), ("balance", N_("balance")),
             ("events", N_("events")), ("head", N_("digest head"))]


@district_app.command("statement")
def statement(url: Url = None, start: From = None, end: Until = None,
              fmt: o.FormatOption = o.Format.table, output: o.Output = None) -> None:
    """The district's public statement (công khai): each ward's donations, hand-outs and cash
    for the period, and the digest head of the ledger it was computed from."""
    from commands.output.progress import progress
    from ledger.district.models import DistrictModels, copy_log
    from projections.audit.tamper import verify
    from projections.district import caught_up, statement_line

    first, last = _period(start, end)
    rows, broken = [], []
    with _district(url) as (district, wards), progress(
            sum(ward["position"] for ward in district.registry()),
            _("checking every ward's chain")) as advance:
        for code, name, prefix in wards:
            model = caught_up(district.connection, code, prefix)
            counts = DistrictModels(district.connection).statement_counts(code, first, last)
            row = statement_line(model, counts, name, first, last)
            log = copy_log(district.connection, prefix)
            with log.snapshot():  # the server checks the copy; where it finds a break,
                held = log.chain_holds(model.position)  # the walk names the first one
                checked = None if held else verify(log.encoded(upto=model.position),
                                                   log.links(upto=model.position))
            events, _last, head = held or (checked.events, None, checked.head)
            rows.append({**row, "events": events, "head": head})
            if checked is not None and checked.problems:
                broken.append((code, checked.first_bad()))
            advance(model.position)
    columns = STATEMENT
    if any("fees" in row for row in rows):  # bank fees: once a ward recorded one
        for row in rows:
            row.setdefault("fees", 0)
        spent = [name for name, _word in STATEMENT].index("spent")
        columns = [*STATEMENT[:spent + 1], ("fees", N_("bank fees")), *STATEMENT[spent + 1:]]
    emit(rows, fmt.value, columns, output=output,
         money=("received", "spent", "fees", "given", "packed", "balance"),
         sheet=N_("District statement"))
    for code, position in broken:
        typer.echo(say("aid: warning: the district's copy of ward {code} has a broken chain at "
                       "position {position}; see `aid audit verify` with AID_WARD={code}",
                       code=code, position=position), err=True)
    if broken:
        raise typer.Exit(1)


@district_app.command("checkpoints")
def checkpoints(url: Url = None, fmt: o.FormatOption = o.Format.table) -> None:
    """Every ward checkpoint the district witnessed at sync (size, root, co-signed)."""
    from ledger.district import witness
    from ledger.district.sync import District

    district = District(url)
    people = fmt.value == "table"  # JSON and CSV keep the ISO timestamp, in UTC
    try:
        rows = witness.listing(district.connection)
        zones = _zones(district) if people else {}
    finally:
        district.close()
    if fmt.value == "json":
        emit(rows, "json")
        return
    shown = [{**row, "root": row["root"][:16] + "…", "witnessed": _when(
        row["witnessed"], zones.get(row["ward"])) if people else row["witnessed"]}
             for row in rows]
    emit(shown, fmt.value, CHECKPOINTS, empty=N_("the district has witnessed no checkpoint yet"))


@district_app.command("cosign")
def cosign(url: Url = None, key: Annotated[Optional[Path], typer.Option(
        "--key", metavar="FILE", help="The district's witness key (default: "
                                      "AID_WITNESS_KEY_FILE); keep it on the district's "
                                      "machine, never a ward's.", show_default=False)] = None
           ) -> None:
    """Co-sign, on the district's machine, the ward checkpoints syncs checked without the
    district's key: each checked again against the district's own copy of the ward's events
    (exit 1 naming any it does not co-sign)."""
    from ledger.district import witness
    from ledger.district.models import copy_log

    private = witness.load_key(key) if key is not None else witness.district_key()
    if private is None:
        raise BadInput("give the district's witness key: --key FILE or AID_WITNESS_KEY_FILE "
                       "(made once with `aid actor key init --key-file FILE`)")
    refused, cosigned = [], 0
    with _district(url) as (district, wards):
        for code, _name, prefix in wards:
            done, said_no = witness.cosign_held(district.connection,
                                                copy_log(district.connection, prefix), code,
                                                private)
            for found in done:
                _witnessed(found)
            refused += said_no
            cosigned += len(done)
    if not cosigned and not refused:  # said, not silence: the run did look
        typer.echo(_("nothing to co-sign: every checkpoint the wards' syncs checked is "
                     "co-signed already"))
    for error in refused:
        typer.echo(f"aid: {message(error)}", err=True)
    if refused:
        raise typer.Exit(1)


CHECKPOINTS = [("ward", N_("ward")), ("size", N_("events")), ("root", N_("root")),
           ("cosigned", N_("co-signed")), ("witnessed", N_("witnessed"))]
