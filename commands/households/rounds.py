"""Distribution rounds: open, plan, sheet, apply, status, close (đợt phát quà)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from commands.cli import options as o
from commands.households import recipients
from commands.language.words import N_, _, current, day, entry_span, say
from commands.output.columns import STATUS_COLUMNS, goods
from commands.output.outflow import (
    OUTFLOW_COLUMNS,
    outflow_page,
    outflow_total,
    shown_rows,
    total_row,
)
from commands.output.outflow import place as outflow_place
from commands.output.render import emit, save
from ledger.phrases import Phrase
from ledger.values.inputs import MAX_QUANTITY, pairs, whole

# the policies in Vietnamese, as the help and the plan name them (with or without the marks)
POLICY_NAMES = {"theo muc uu tien": "tiered", "chia deu": "equal", "theo nhan khau": "per-capita"}


class SheetFormat(str, Enum):
    csv = "csv"
    html = "html"




def open_round(
        code: str,
        source: Annotated[str, typer.Option("--from", help="Location whose stock is shared.")],
        bundle: Annotated[Optional[list[str]], typer.Option(
            "--bundle", help="Bundle code to share, repeatable.")] = None,
        item: Annotated[Optional[list[str]], typer.Option(
            "--item", help="Loose item code to share (needs --ration), repeatable.")] = None,
        policy: Annotated[str, typer.Option(
            "--policy", metavar="<tiered|equal|per-capita>",
            help="tiered (theo mức ưu tiên): tiers strictly in order; per-capita (theo nhân "
                 "khẩu): by size, no tiers; equal (chia đều): one share each.")] = "tiered",
        cap: Annotated[Optional[str], typer.Option(
            "--cap", help="At most this many units of each item per household.")] = None,
        persons_per_bundle: Annotated[str, typer.Option(
            "--persons-per-bundle", help="One bundle per this many people.")] = "4",
        ration: Annotated[Optional[list[str]], typer.Option(
            "--ration", help="CODE=QTY units per person of a loose item, repeatable.")] = None,
        group: recipients.Groups = None, tier: recipients.Tiers = None,
        top_up: Annotated[bool, typer.Option(
            "--top-up", help="Also plan households another open round holds by its "
                             "reservation, up to this round's targets less what it gives "
                             "them (without it they are left out, and the plan says so).")]
        = False,
        floor: Annotated[Optional[str], typer.Option(
            "--floor", help="Every eligible household first gets this many units of each "
                            "item (or its target, if less), before tiers count.")] = None,
        db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Open a round: what to share, from where, by which policy, for whom."""
    from commands.recording.writing import record
    from ledger.ward.rounds import POLICIES, unknown_policy
    from ledger.ward.rounds import open_round as open_it

    limit = whole(cap, "--cap", minimum=0, maximum=MAX_QUANTITY) if cap is not None else None
    per_bundle = whole(persons_per_bundle, "--persons-per-bundle", maximum=MAX_QUANTITY)
    least = whole(floor, "--floor", minimum=0, maximum=MAX_QUANTITY) if floor is not None else 0
    rations = pairs(ration or [], "--ration")
    ranks = recipients.chosen_tiers(tier)
    if group:
        _known_groups(db, group)
    chosen = o.spoken(policy, POLICY_NAMES)
    if chosen not in POLICIES:  # refused here, quoting it as typed
        raise unknown_policy(policy)
    record(db, lambda ledger: open_it(ledger, code, source, bundle or [], item or [], chosen,
                                      limit, per_bundle, rations, group or [], ranks, o.on(on),
                                      o.actor(actor), top_up, least))


def _known_groups(db: Path | None, groups: list[str]) -> None:
    """Refuse a --group that no household of the register belongs to (a typo would otherwise
    open a round that serves nobody), naming the nearest groups."""
    from ledger.errors import BadInput
    from ledger.phrases import N_ as said
    from ledger.phrases import Phrase, either
    from ledger.values.text import clean, fold, nearest

    known = {h["group"] for h in o.load_drive(db).register.households.values() if h["group"]}
    folded = {fold(g) for g in known}
    for wanted in groups:
        if clean(wanted) and fold(wanted) not in folded:
            close = nearest(wanted, known)
            hint = Phrase(said("; did you mean {close}?"), close=either(close)) if close else ""
            raise BadInput("no household is in group '{group}'{hint} (see `aid recipient "
                           "list`)", group=clean(wanted), hint=hint)


def _plan(db: Path | None, code: str, fresh: bool = False) -> tuple[Any, dict[str, Any]]:
    from ledger.values.inputs import code as clean_code
    from projections.households.rounds import plan as plan_of

    drive = o.load_drive(db)
    return drive, plan_of(drive, clean_code(code, "round code"), fresh=fresh)


def plan(code: str, fmt: o.FormatOption = o.Format.table, output: o.Output = None,
         fresh: Annotated[bool, typer.Option(
             "--fresh", help="Plan from the register as it is now, even when the round "
                             "reserved its plan from the register as it was then (what `aid "
                             "round reserve` would hold instead).")] = False,
         db: o.Db = None) -> None:
    """The round's allocation and its fairness figures, from the ledger as it is now."""
    _, result = _plan(db, code, fresh)
    columns = PLAN_COLUMNS
    if output is not None:
        figures = result["figures"]
        save(output, [(N_("plan"), result["allocations"], columns),
                      (N_("items"), [{"item": k, **v} for k, v in figures["items"].items()],
                       ITEM_FIGURES),
                      (N_("tiers"), [{"tier": int(k), **v} for k, v in figures["tiers"].items()],
                       TIER_FIGURES)])
        return
    if fmt.value == "json":
        typer.echo(_json(result))
        return
    if fmt.value == "csv":
        emit(result["allocations"], "csv", columns)
        for line in _figure_lines(result):
            typer.echo(f"# {line}", err=True)
        return
    typer.echo(_heading(result) + "\n")
    _plan_table(result["allocations"], columns)
    typer.echo("")
    _print_figures(result)
    if result["allocations"] and not result["closed"]:
        typer.echo("\n" + say("To record it: aid round apply {round} --plan {plan}",
                              round=result["round"], plan=result["plan"][:12]))


def _plan_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> None:
    """The table `emit` prints (tabulate's "simple" layout, numbers grouped and right-aligned,
    text left-aligned), built column by column with each distinct cell formatted and measured
    once: 100,000 allocation rows print in a fraction of tabulate's time (bench_rounds.py)."""
    if not rows:
        emit(rows, "table", columns, empty=N_("nothing allocated"))
        return
    from commands.output.render import _cell, _width_function

    width = _width_function()
    keys = [key for key, _title in columns]
    titles = [_(title) for _key, title in columns]
    cells: list[list[str]] = []
    widths, numeric = [], []
    for key, title in zip(keys, titles):
        values = [row[key] for row in rows]
        formatted = {v: _cell(v).strip() for v in set(values)}
        measured = {text: width(text) for text in formatted.values()}
        column = [formatted[v] for v in values]
        is_number = all(type(v) is int for v in formatted)
        most = max(max(measured.values()), width(title) + 2)
        pad = str.rjust if is_number else str.ljust
        cells.append([pad(text, most - (measured[text] - len(text))) for text in column])
        widths.append(most)
        numeric.append(is_number)
    head = [(str.rjust if n else str.ljust)(t, w - (width(t) - len(t)))
            for t, w, n in zip(titles, widths, numeric)]
    lines = ["  ".join(head).rstrip(), "  ".join("-" * w for w in widths).rstrip()]
    lines += ["  ".join(line).rstrip() for line in zip(*cells)]
    typer.echo("\n".join(lines))


PLAN_COLUMNS = [("recipient", N_("recipient")), ("tier", N_("tier")), ("size", N_("size")),
                ("item", N_("item")), ("target", N_("target")), ("quantity", N_("quantity")),
                ("handed", N_("handed"))]
ITEM_FIGURES = [("item", N_("item")), ("stock", N_("stock")), ("handed", N_("handed")),
                ("to_hand", N_("to hand")), ("left", N_("left")), ("targets", N_("targets")),
                ("min_fill", N_("min fill"))]
TIER_FIGURES = [("tier", N_("tier")), ("label", N_("label")), ("eligible", N_("eligible")),
                ("full", N_("fully met")), ("partial", N_("partly met")),
                ("nothing", N_("got nothing")), ("excluded", N_("excluded"))]


def _json(result: dict[str, Any]) -> str:
    """Indented JSON with one allocation per line: readable, and fast for 100,000 lines."""
    import json

    head = json.dumps({k: v for k, v in result.items() if k != "allocations"},
                      ensure_ascii=False, indent=2)
    # one C-encoder call for all rows; "}, {" only occurs between rows (codes have no spaces)
    rows = json.dumps(result["allocations"], ensure_ascii=False)[1:-1].replace("}, {", "},\n    {")
    listed = f"[\n    {rows}\n  ]" if rows else "[]"
    return f'{head.removesuffix(chr(10) + "}")},\n  "allocations": {listed}\n}}'


def _heading(result: dict[str, Any]) -> str:
    state = say("closed {day}", day=result["closed"]) if result["closed"] else _("open")
    return say("Round {round} · from {location} on {on} · policy {policy} · {state} · plan {plan}",
               round=result["round"], location=result["location"], on=result["on"],
               policy=_(result["policy"]), state=state, plan=result["plan"][:12])


def _print_figures(result: dict[str, Any]) -> None:
    figures = result["figures"]
    emit([{"item": k, **v} for k, v in figures["items"].items()], "table", ITEM_FIGURES)
    typer.echo("")
    emit([{"tier": int(k), **v} for k, v in figures["tiers"].items()], "table", TIER_FIGURES)
    typer.echo("")
    for line in _figure_lines(result):
        typer.echo(line)


def _figure_lines(result: dict[str, Any]) -> list[str]:
    f = result["figures"]
    if f["eligible"]:
        served = say("households served: {served} of {eligible} eligible ({percent}%)",
                     served=f["served"], eligible=f["eligible"],
                     percent=f["served"] * 100 // f["eligible"])
    else:
        served = say("households served: {served} of {eligible} eligible", served=f["served"],
                     eligible=f["eligible"])
    lines = [served,
             say("Gini of value per person: {gini}", gini=f["gini"] or _(NOT_APPLICABLE)),
             say("minimum fill ratio: {ratio}", ratio=f["min_fill"] or _(NOT_APPLICABLE)),
             say("units to a lower tier while a higher tier was short: {units}",
                 units=f["lower_tier_while_unmet"]),
             say("left over: {left}",
                 left=", ".join(f"{k} {v}" for k, v in f["left"].items()) or "-")]
    if result.get("floor"):
        lines.append(say("floor: every eligible household first gets {floor} of each item (or "
                         "its target, if less)", floor=result["floor"]))
    counted = f.get("received_before")
    if counted:
        rounds = list(counted["rounds"])  # "round R1", "rounds R1, R2": one msgid for each
        sources = ([say("round {round}", round=rounds[0])] if len(rounds) == 1 else
                   [say("rounds {rounds}", rounds=", ".join(rounds))] if rounds else [])
        if counted["given"]["count"]:
            sources.append(say("{count} hand-outs by aid give ({value:,} đồng)",
                               **counted["given"]))
        if counted["pickups"]["count"]:
            sources.append(say("{count} shop pick-ups ({value:,} đồng)", **counted["pickups"]))
        lines.append(say("received before: {households} households, counted from {sources}",
                         households=counted["households"],
                         sources="; ".join(sources) or "-"))
    return lines + [say("note: {note}", note=note) for note in result["notes"]]


NOT_APPLICABLE = N_("n/a")


def sheet(code: str,
          fmt: Annotated[SheetFormat, typer.Option(
              "--format", help="csv or html, printed (--output's suffix decides its format).")]
          = SheetFormat.html,
          output: Annotated[Optional[Path], typer.Option(
              "--output", "-o", metavar="FILE.html|FILE.pdf|FILE.csv|FILE.xlsx",
              help="Write the page (.pdf needs Chromium), the CSV or a workbook instead of "
                   "printing.", callback=_sheet_file, show_default=False)] = None,
          db: o.Db = None) -> None:
    """The signed receipt list (danh sách ký nhận) to print on A4, with a column to sign."""
    from commands.output import receipt_sheet as receipts
    from ledger.values.inputs import code as clean_code
    from projections.households.rounds import sheet as sheet_of

    kind = output.suffix.lower().lstrip(".") if output is not None else fmt.value
    language = current()
    drive = o.load_drive(db)
    o.revealed(drive.register)  # the sheet is one of two places that show names
    data = sheet_of(drive, clean_code(code, "round code"))
    if kind == "xlsx":
        count = receipts.as_workbook(data, language, output)
        typer.echo(say("wrote {count:,} rows to {output}", count=count, output=output))
        return
    if kind == "csv":
        text = receipts.as_csv(data)
    else:
        text = receipts.as_page(data, language)
    if output is None:
        typer.echo(text, nl=False)
        return
    if kind == "csv":
        from commands.output.printing import writing

        with writing(output):
            output.write_text(text, encoding="utf-8")
        told = say("wrote {output}", output=output)
    else:
        from commands.output.printing import save as print_page

        told = print_page(text, output)
    typer.echo(say("{told} ({count} households)", told=told, count=len(data["lines"])))


SHEET_FILES = (".html", ".htm", ".pdf", ".csv", ".xlsx")


def _sheet_file(path: Path | None) -> Path | None:
    """Refuse an --output the sheet cannot be written as, before anything is read."""
    if path is not None and path.suffix.lower() not in SHEET_FILES:
        raise typer.BadParameter(say("'{name}' must end in .html, .pdf, .csv or .xlsx",
                                     name=path.name))
    return path


def apply(code: str,
          only: Annotated[Optional[list[str]], typer.Option(
              "--only", help="Only this household, repeatable.")] = None,
          skip: Annotated[Optional[list[str]], typer.Option(
              "--except", help="Not this household (absent today), repeatable.")] = None,
          expected: Annotated[Optional[str], typer.Option(
              "--plan", help="The plan hash you checked (from `aid round plan`); refused if "
                             "the plan has changed since.")] = None,
          db: o.Db = None, actor: o.Actor = None,
          on: Annotated[Optional[str], typer.Option(
              "--on", help="Date handed out (default: the round's date).")] = None) -> None:
    """Record the plan's hand-outs, one per household, in one atomic step."""
    from ledger.ward.rounds import apply_plan

    day = o.on(on) if on else None
    applied, entries = _write_plan(db, code, lambda ledger, planner: apply_plan(
        ledger, code, planner, only or [], skip or [], day, o.actor(actor), expected))
    span = entry_span(entries)
    told = (N_("recorded {span}: {count} hand-outs of round {round} (plan {plan})")
            if len(entries) > 1
            else N_("recorded {span}: {count} hand-out of round {round} (plan {plan})"))
    typer.echo(say(told, span=span, count=len(entries), round=applied.round,
                   plan=applied.digest[:12]))


def _write_plan(db: Path | None, code: str, write: Any) -> Any:
    """Run `write(ledger, planner)`, where `planner` recomputes the round's plan from the
    ledger as it is when saving, then bring the read models up to date."""
    from commands.recording.writing import refresh
    from ledger.store.access import open_ledger
    from projections.households.rounds import handouts

    def planner():
        drive, result = _plan(db, code)
        return handouts(result, drive.round(result["round"])["bundles"])

    ledger = open_ledger(o.address(db))
    try:
        result = write(ledger, planner)
    finally:
        ledger.close()
    refresh(o.address(db))
    return result


def reserve(code: str,
            expected: Annotated[str, typer.Option(
                "--plan", help="The plan hash you checked (from `aid round plan`).",
                show_default=False)],
            db: o.Db = None, actor: o.Actor = None) -> None:
    """Hold what the confirmed plan hands out, from the round's date: no other round,
    hand-out, transfer or pick-up may take it until the round hands it out or is closed."""
    from ledger.values.inputs import code as clean_code
    from ledger.ward.rounds import reserve_round
    from projections.households.rounds import to_reserve

    def planner():  # from the register as it is now: reserving again re-plans
        return to_reserve(o.load_drive(db), clean_code(code, "round code"), expected)

    plan, held = _write_plan(db, code, lambda ledger, _planner: reserve_round(
        ledger, code, planner, expected, o.actor(actor)))
    typer.echo(say("round {round} holds {goods} (plan {plan})", round=plan.round,
                   goods=goods(held) or "-", plan=plan.digest[:12]))


def status(code: str, fmt: o.FormatOption = o.Format.table, output: o.Output = None,
           db: o.Db = None) -> None:
    """Planned against handed out, and who has not received yet."""
    from projections.households.rounds import round_status

    result = round_status(o.load_drive(db), code)
    if fmt.value == "json" and output is None:
        emit(result, "json")
        return
    rows = [{"recipient": h["recipient"], "tier": h["tier"], "size": h["size"],
             "planned": goods(h["planned"]), "handed": goods(h["handed"]),
             "status": h["status"]} for h in result["households"]]
    if fmt.value == "csv" and output is None:
        emit(rows, "csv")
        return
    columns = STATUS_COLUMNS
    if any("change" in h for h in result["households"]):  # marked in the rows people read
        columns = STATUS_COLUMNS + [("now", N_("in the register now"))]
        rows = [{**row, "now": _register_now(h)} for row, h in zip(rows, result["households"])]
    if output is not None:  # a workbook is read by people: the status in words
        emit([{**row, "status": Phrase(row["status"])} for row in rows], "table",
             columns, output=output, sheet=N_("Planned and handed out"))
        return
    state = say("closed {day}", day=result["closed"]) if result["closed"] else _("open")
    typer.echo(say("Round {round} · from {location} on {on} · {state} · plan {plan}",
                   round=result["round"], location=result["location"], on=result["on"],
                   state=state, plan=result["plan"][:12]) + "\n")
    shown = [{**row, "status": _(row["status"])} for row in rows]  # CSV keeps the machine word
    emit(shown, "table", columns, empty=N_("nothing planned"))
    waiting = result["not_received"]
    if waiting:
        told = say("{received:,} of {count:,} households received; not yet: {waiting}",
                   received=result["received"], count=len(rows), waiting=", ".join(waiting))
    else:
        told = say("{received:,} of {count:,} households received; none waiting",
                   received=result["received"], count=len(rows))
    typer.echo("\n" + told)
    for note in result.get("notes", ()):
        typer.echo(say("note: {note}", note=note))


def _register_now(home: dict[str, Any]) -> str:
    """What changed in the register since the round saw a household ("tier 3, outside the
    round"), or "" when nothing did."""
    if "change" not in home:
        return ""
    now = home["now"]
    said = [say("tier {tier}", tier=now["tier"]) if key == "tier" else
            say("{size} people", size=now["size"]) if key == "size" else
            now["group"] if key == "group" else  # its name says it is a group: "Tổ 5"
            _(N_("excluded") if now[key] else N_("included")) if key == "excluded" else
            _(N_("forgotten")) for key in now if key != "forgotten" or now[key]]
    if not home["in_round"]:
        said.append(_("outside the round"))
    return ", ".join(said)


def close(code: str, db: o.Db = None, actor: o.Actor = None, on: o.On = None) -> None:
    """Close a round; stock not handed out stays at its location."""
    from commands.recording.writing import record
    from ledger.errors import BadInput
    from ledger.values.inputs import code as clean_code
    from ledger.ward.rounds import close_round

    day, name = o.on(on), clean_code(code, N_("round code"))
    handed = [when for (round_code, _who, _goods, _cash, when)
              in o.load_drive(db).log.handouts.values() if round_code == name]
    if handed and day < max(handed):  # a close dated before its own hand-outs
        raise BadInput("round {name} handed out on {last}: close it on that day or later, not "
                       "{on}", name=name, last=max(handed), on=day)
    record(db, lambda ledger: close_round(ledger, code, day, o.actor(actor)))




SUMMARY_COLUMNS = [("recipient", N_("recipient")), ("group", N_("group")), ("tier", N_("tier")),
                   ("size", N_("size")), ("rounds", N_("rounds")), ("target", N_("target")),
                   ("planned", N_("planned")), ("received", N_("received")),
                   ("fill", N_("fill"))]
SUMMARY_TIERS = [("tier", N_("tier")), ("label", N_("label")), ("households", N_("households")),
                 ("nothing", N_("got nothing")), ("min_fill", N_("min fill"))]


def summary(round_code: Annotated[Optional[list[str]], typer.Option(
                "--round", help="A round to count, repeatable (default: every round).")] = None,
            fmt: o.FormatOption = o.Format.table, output: o.Output = None,
            db: o.Db = None) -> None:
    """Cumulative figures over rounds: each household's total (đồng), the Gini of value per
    person, the minimum fill ratio per tier, priority households (tiers 0-1) with nothing."""
    from ledger.values.inputs import code as clean_code
    from projections.households.rounds import summary as summary_of

    result = summary_of(o.load_drive(db), [clean_code(r, "round code") for r in round_code or []])
    rows = [{k: v for k, v in row.items() if k != "goods"} | {"goods": goods(row["goods"])}
            for row in result["rows"]]
    tiers = [{"tier": int(k), **v} for k, v in result["tiers"].items()]
    if output is not None:
        save(output, [(N_("summary"), rows, SUMMARY_COLUMNS + [("goods", N_("goods"))],
                       ("target", "planned", "received")),
                      (N_("tiers"), tiers, SUMMARY_TIERS)])
        return
    if fmt.value == "json":
        emit(result, "json")
        return
    if fmt.value == "csv":
        emit(rows, "csv", SUMMARY_COLUMNS + [("goods", N_("goods"))])
        return
    typer.echo((say("Rounds {rounds} · cumulative", rounds=", ".join(result["rounds"]))
                if result["rounds"] else _("No round yet")) + "\n")
    emit(rows, "table", SUMMARY_COLUMNS, empty=N_("nothing planned"),
         money=("target", "planned", "received"))
    typer.echo("")
    emit(tiers, "table", SUMMARY_TIERS)
    typer.echo("")
    for line in _summary_lines(result):
        typer.echo(line)


def _summary_lines(result: dict[str, Any]) -> list[str]:
    nothing = result["priority_with_nothing"]
    codes = " (" + ", ".join(nothing) + ")" if nothing else ""
    # the figures are of the plans (a closed round's plan is what it handed out): they hold
    # for open rounds too; what was received so far is said beside them
    return [say("households the plans serve: {served} of {eligible} eligible; received so far: "
                "{received}", served=result["served"], eligible=result["households"],
                received=result["households_received"]),
            say("cumulative Gini of value per person, as planned: {gini}",
                gini=result["gini"] or _(NOT_APPLICABLE)),
            say("priority households (tiers 0-1) the plans give nothing: {count}{codes}",
                count=len(nothing), codes=codes)]


OUTFLOW_FILES = (".html", ".htm", ".pdf", ".csv", ".xlsx")


def _outflow_file(path: Path | None) -> Path | None:
    if path is not None and path.suffix.lower() not in OUTFLOW_FILES:
        raise typer.BadParameter(say("'{name}' must end in .html, .pdf, .csv or .xlsx",
                                     name=path.name))
    return path


def outflow(code: str,
            fmt: Annotated[str, typer.Option(
                "--format", help="table, csv, json or html (--output's suffix decides its "
                                 "format).")] = "table",
            output: Annotated[Optional[Path], typer.Option(
                "--output", "-o", metavar="FILE.html|FILE.pdf|FILE.csv|FILE.xlsx",
                help="Write the page (.pdf needs Chromium), the CSV or a workbook.",
                callback=_outflow_file, show_default=False)] = None,
            db: o.Db = None) -> None:
    """The round's public outflow statement (công khai đợt phát) for the notice board: what
    each household received, by code, group and tier; no names."""
    from ledger.errors import BadInput
    from ledger.values.inputs import code as clean_code
    from projections.households.rounds import outflow as outflow_of

    kind = output.suffix.lower().lstrip(".") if output is not None else fmt
    if output is None and kind not in ("table", "csv", "json", "html"):
        raise BadInput("--format must be table, csv, json or html, not '{fmt}' (a PDF or a "
                       "workbook is written with -o FILE.pdf or -o FILE.xlsx)",
                       fmt=o.typed_format(fmt))
    result = outflow_of(o.load_drive(db), clean_code(code, "round code"))
    rows = [{**row, "goods": goods(row["goods"])} for row in result["rows"]]  # codes: the CSV
    if kind == "json":
        emit(result, "json")
        return
    if kind == "xlsx":  # goods by name and unit, the total row last, as on the page
        shown = shown_rows(result) + ([total_row(result)] if result["rows"] else [])
        emit(shown, "table", OUTFLOW_COLUMNS, output=output, money=("cash", "value"),
             sheet=N_("Round outflow"))
        return
    if kind == "csv":
        if output is None:
            emit(rows, "csv", OUTFLOW_COLUMNS)
            return
        import csv
        import io

        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([key for key, _title in OUTFLOW_COLUMNS])
        writer.writerows([[row[key] for key, _title in OUTFLOW_COLUMNS] for row in rows])
        from commands.output.printing import writing

        with writing(output):
            output.write_text(text.getvalue(), encoding="utf-8")
        typer.echo(say("wrote {output}", output=output))
        return
    if kind == "table":
        typer.echo(_outflow_heading(result) + "\n")
        emit(shown_rows(result), "table", OUTFLOW_COLUMNS, empty=N_("nothing handed out yet"),
             money=("cash", "value"))
        typer.echo("\n" + outflow_total(result, current()))
        return
    text = outflow_page(result, current())
    if output is None:
        typer.echo(text, nl=False)
        return
    from commands.output.printing import save as print_page

    typer.echo(print_page(text, output))


def _outflow_heading(result: dict[str, Any]) -> str:
    return say("Public outflow statement of round {round} · {ward} · from {location} on {on}",
               round=result["round"], ward=result["ward"], location=outflow_place(result),
               on=day(result["on"], current()))


# ---- the groups of `aid` this module holds ------------------------------------------------------

round_app = typer.Typer(help="Distribution rounds: share scarce stock fairly (đợt phát quà).",
                        no_args_is_help=True)
round_app.command("open")(open_round)
round_app.command("plan")(plan)
round_app.command("reserve")(reserve)
round_app.command("sheet")(sheet)
round_app.command("apply")(apply)
round_app.command("status")(status)
round_app.command("close")(close)
round_app.command("summary")(summary)
round_app.command("outflow")(outflow)
