"""Pieces of Graphviz HTML-like labels shared by the views: chips, bars, grids and the legend."""
from __future__ import annotations

import html

from planner.render.theme import INK, Scale, Theme


def esc(text: object) -> str:
    """Text escaped for an HTML-like label."""
    return html.escape(str(text), quote=True)


def bar(share: float, width: int, theme: Theme, height: int = 8) -> str:
    """A utilisation bar: a one-row table with the used share filled."""
    used = max(0, min(width, round(share * width)))
    cells = []
    if used:
        cells.append(f'<TD WIDTH="{used}" HEIGHT="{height}" FIXEDSIZE="TRUE" BGCOLOR="{theme.bar}"></TD>')
    if width - used:
        cells.append(f'<TD WIDTH="{width - used}" HEIGHT="{height}" FIXEDSIZE="TRUE" BGCOLOR="{theme.bar_track}"></TD>')
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>{"".join(cells)}</TR></TABLE>'


def chip(colour: str, text: str, scale: Scale, ident: str = "", width: int = 0, size: float = 0, note: str = "",
         outline: str = "", strike: bool = False) -> str:
    """A coloured cell with dark text (a VM, a role, a network); `note` a second, smaller line, `outline` a
    coloured border (an HA group), `strike` the text struck through (a failed VM)."""
    attrs = f' ID="{esc(ident)}"' if ident else ""
    if width:
        attrs += f' WIDTH="{width}"'
    if outline:
        attrs += f' BORDER="2" COLOR="{outline}"'
    body = f"<S>{esc(text)}</S>" if strike else esc(text)
    if note:
        body += f'<BR/><FONT POINT-SIZE="{(size or scale.small) - 1:g}">{esc(note)}</FONT>'
    return (f'<TD BGCOLOR="{colour}"{attrs} CELLPADDING="3"><FONT COLOR="{INK}" POINT-SIZE="{size or scale.small}">'
            f'{body}</FONT></TD>')


def blank(scale: Scale, width: int = 0) -> str:
    """An empty cell the size of a chip (keeps rows of boxes the same height)."""
    size = f' WIDTH="{width}"' if width else ""
    return f'<TD{size} CELLPADDING="3"><FONT POINT-SIZE="{scale.small}"> </FONT></TD>'


def grid(cells: list[str], columns: int, spacing: int = 2) -> str:
    """Cells laid out `columns` to a row, as a borderless table (empty string when no cells)."""
    if not cells:
        return ""
    cells = cells + ["<TD></TD>"] * (-len(cells) % columns)
    rows = ["<TR>" + "".join(cells[i:i + columns]) + "</TR>" for i in range(0, len(cells), columns)]
    return (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="{spacing}" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>")


def legend(entries: list[tuple[str, str]], notes: list[str], theme: Theme, scale: Scale, columns: int = 6) -> str:
    """The legend (a table for the heading): colour swatches with names, then notes ('' when empty)."""
    if not entries and not notes:
        return ""
    columns = max(1, min(columns, len(entries)))
    swatches = [f'<TD BGCOLOR="{colour}" WIDTH="16" HEIGHT="11" FIXEDSIZE="TRUE"></TD>'
                f'<TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}">{esc(name)}</FONT></TD>'
                for name, colour in entries]
    swatches += ['<TD></TD><TD></TD>'] * (-len(swatches) % columns)
    rows = ["<TR>" + "".join(swatches[i:i + columns]) + "</TR>" for i in range(0, len(swatches), columns)]
    parts = []  # the swatches in a table of their own, so the notes below do not stretch their columns
    if rows:
        parts.append(f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
                     f'{"".join(rows)}</TABLE></TD></TR>')
    if notes:
        lines = "".join(f'{esc(text)}<BR ALIGN="LEFT"/>' for text in notes)  # a line each: the legend stays narrow
        parts.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">'
                     f'{lines}</FONT></TD></TR>')
    return (f'<TABLE BORDER="1" COLOR="{theme.node_line}" BGCOLOR="{theme.node}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="2" STYLE="ROUNDED">{"".join(parts)}</TABLE>')


def note(title: str, detail: str, theme: Theme, scale: Scale) -> str:
    """A dashed box for something outside the design (tenants, the Internet, tenant networks)."""
    return (f'<<TABLE BORDER="1" STYLE="ROUNDED,DASHED" COLOR="{theme.node_line}" CELLBORDER="0" CELLPADDING="4">'
            f'<TR><TD><B>{esc(title)}</B></TD></TR><TR><TD><FONT POINT-SIZE="{scale.small}" COLOR="{theme.muted}">'
            f'{esc(detail)}</FONT></TD></TR></TABLE>>')
