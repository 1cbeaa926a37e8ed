"""The report's inline style sheet, built from the theme table (light, and dark when the reader prefers it)."""
from __future__ import annotations

from planner.render.theme import FONT, THEMES, Theme


def _palette(theme: Theme) -> str:
    return (f"--bg:{theme.background};--text:{theme.text};--muted:{theme.muted};--panel:{theme.panel};"
            f"--line:{theme.node_line};--bar:{theme.bar};--track:{theme.bar_track};")


CSS = f"""
:root{{{_palette(THEMES["light"])}}}
@media (prefers-color-scheme: dark){{:root{{{_palette(THEMES["dark"])}}}}}
*{{box-sizing:border-box}}
body{{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 {FONT}}}
header,main,footer{{max-width:1400px;margin:0 auto;padding:0 24px}}
header{{padding-top:24px}}
h1{{margin:0;font-size:28px}}
h2{{margin:32px 0 12px;font-size:20px;border-bottom:1px solid var(--line);padding-bottom:4px}}
h3{{margin:20px 0 8px;font-size:16px}}
header p,footer,.note{{color:var(--muted)}}
footer{{padding:24px;font-size:12px}}
nav{{display:flex;flex-wrap:wrap;gap:6px 16px;margin:12px 0 0}}
nav a{{color:inherit}}
code{{font-family:"Liberation Mono",Menlo,Consolas,monospace;font-size:13px}}
table{{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}}
th,td{{text-align:left;padding:4px 8px;border-bottom:1px solid var(--panel);vertical-align:top}}
th{{background:var(--panel);font-weight:600;position:sticky;top:0}}
td.n,th.n{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}
.kv{{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:8px 24px;margin:0}}
.kv div{{background:var(--panel);border-radius:6px;padding:8px 12px}}
.kv dt{{color:var(--muted);font-size:12px}}
.kv dd{{margin:0;font-weight:600}}
.bar{{display:inline-block;width:110px;height:9px;background:var(--track);border-radius:2px;margin-right:6px;
vertical-align:middle;overflow:hidden}}
.bar span{{display:block;height:100%;background:var(--bar)}}
.use{{white-space:nowrap}}
.sw{{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px;
border:1px solid rgba(0,0,0,.15)}}
figure{{margin:16px 0 28px}}
figcaption{{font-weight:600;margin-bottom:6px;display:flex;gap:16px;align-items:baseline}}
figcaption label{{font-weight:400;color:var(--muted);font-size:13px}}
.diagram{{overflow:auto;max-height:85vh;border:1px solid var(--line);border-radius:6px;background:#fff}}
.diagram svg{{display:block}}
figure:has(input.fit:checked) .diagram svg{{width:100%;height:auto}}
details{{margin:6px 0}}
summary{{cursor:pointer;color:var(--muted)}}
.scroll{{max-height:70vh;overflow:auto}}
.cover{{padding:48px 0 24px}}
.cover .kicker,.cover .subtitle{{color:var(--muted);font-size:16px;margin:4px 0}}
.cover h1{{font-size:34px}}
.cover table.control{{width:auto;margin-top:24px;font-size:14px}}
.contents{{columns:2;margin:0;padding:0;list-style:none}}
.contents a{{color:inherit}}
table.log td,table.steps td{{font-size:12px}}
@page{{size:A4;margin:14mm 12mm}}
@page landscape{{size:A4 landscape;margin:10mm}}
@media print{{
:root{{{_palette(THEMES["light"])}}}
body{{font-size:10pt;background:#fff}}
header,main,footer{{max-width:none;padding:0}}
.cover{{height:250mm;display:flex;flex-direction:column;justify-content:center;break-after:page}}
#document-control{{break-after:page}}
h2{{break-before:page;break-after:avoid;margin-top:0}}
#document-control h2{{break-before:auto}}
h3{{break-after:avoid}}
tr,dl.kv div{{break-inside:avoid}}
th{{position:static}}
thead{{display:table-header-group}}
table{{font-size:8.5pt}}
table.log td,table.steps td{{font-size:8pt}}
.scroll,.diagram{{max-height:none;overflow:visible;border:0}}
figcaption label,details,.screen{{display:none}}
#diagrams,#clusters,#decisions,#assumptions,#build-checklist,figure{{page:landscape}}
figure{{break-inside:avoid;margin:0}}
figure+figure{{break-before:page}}
figure .diagram svg{{display:block;width:100%;height:auto;max-height:160mm}}
a{{color:inherit;text-decoration:none}}
}}
"""
