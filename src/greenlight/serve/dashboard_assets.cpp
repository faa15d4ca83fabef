// The dashboard's stylesheet, compiled in so the binary serves every asset itself (no CDN, no fonts to fetch).
#include "greenlight/serve/dashboard.hpp"

namespace greenlight::serve {

namespace {

// Colours are variables so one block switches the page to dark; state colours sit behind words, never alone.
// Under 40rem (phones) every table of class "cards" becomes one card per row, each cell labelled by its
// data-label attribute, so nothing is wider than the screen.
constexpr std::string_view k_stylesheet = R"css(:root {
  color-scheme: light dark;
  --bg: #ffffff;
  --fg: #1f2328;
  --muted: #59636e;
  --border: #d1d9e0;
  --surface: #f6f8fa;
  --link: #0550ae;
  --on-link: #ffffff;
  --good-bg: #dafbe1;
  --good-fg: #116329;
  --warn-bg: #fff8c5;
  --warn-fg: #7d4e00;
  --bad-bg: #ffebe9;
  --bad-fg: #a40e26;
  --neutral-bg: #eef1f4;
  --neutral-fg: #3d444d;
  --muted-bg: #f6f8fa;
  --muted-fg: #6e7781;
  --chart-line: #0969da;
  --chart-grid: #d8dee4;
}

@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117;
    --fg: #e6edf3;
    --muted: #9198a1;
    --border: #3d444d;
    --surface: #151b23;
    --link: #4493f8;
    --on-link: #0d1117;
    --good-bg: #0f3320;
    --good-fg: #7ee787;
    --warn-bg: #3a2d06;
    --warn-fg: #e3b341;
    --bad-bg: #4c1419;
    --bad-fg: #ff8e86;
    --neutral-bg: #262c36;
    --neutral-fg: #d1d7e0;
    --muted-bg: #1c2129;
    --muted-fg: #9198a1;
    --chart-line: #4493f8;
    --chart-grid: #2a313c;
  }
}

*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--link); }
a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible, select:focus-visible {
  outline: 2px solid var(--link);
  outline-offset: 2px;
}

header.site { background: var(--surface); border-bottom: 1px solid var(--border); }
header.site nav {
  max-width: 80rem;
  margin: 0 auto;
  padding: .5rem 1rem;
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: .25rem 1.25rem;
}
header.site .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header.site ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
header.site a[aria-current="page"] { color: var(--fg); font-weight: 700; text-underline-offset: .3em; }

main { max-width: 80rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; line-height: 1.3; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; overflow-wrap: anywhere; }
p { overflow-wrap: anywhere; }
small, .note, figcaption { color: var(--muted); font-size: .875rem; }
.empty { color: var(--muted); font-style: italic; }
.id, code, pre, kbd { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
code { font-size: .9em; overflow-wrap: anywhere; }
pre {
  margin: .5rem 0;
  padding: .75rem;
  max-width: 100%;
  overflow-x: auto;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: 6px;
  font-size: .85rem;
  line-height: 1.45;
  tab-size: 4;
}

.badge {
  display: inline-block;
  padding: 0 .55em;
  border: 1px solid currentColor;
  border-radius: 1em;
  font-size: .85em;
  font-weight: 600;
  line-height: 1.5;
  white-space: nowrap;
  vertical-align: baseline;
}
.tone-good { background: var(--good-bg); color: var(--good-fg); }
.tone-warn { background: var(--warn-bg); color: var(--warn-fg); }
.tone-bad { background: var(--bad-bg); color: var(--bad-fg); }
.tone-neutral { background: var(--neutral-bg); color: var(--neutral-fg); }
.tone-muted { background: var(--muted-bg); color: var(--muted-fg); border-style: dashed; }
.relative.overdue { color: var(--bad-fg); font-weight: 600; }

.table-box { max-width: 100%; overflow-x: auto; border: 1px solid var(--border); border-radius: 6px; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: .45rem .65rem; text-align: left; vertical-align: top; border-bottom: 1px solid var(--border); }
th { background: var(--surface); color: var(--muted); font-size: .85rem; font-weight: 600; white-space: nowrap; }
td { overflow-wrap: anywhere; }
tbody tr:last-child td { border-bottom: 0; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td pre { max-width: 40rem; }

form.filters {
  display: flex;
  flex-wrap: wrap;
  align-items: flex-end;
  gap: .75rem;
  margin: 0 0 1rem;
  padding: .75rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: 6px;
}
.field { display: flex; flex: 1 1 9rem; flex-direction: column; gap: .2rem; min-width: 0; max-width: 16rem; }
.field label { color: var(--muted); font-size: .85rem; }
input, select, button {
  font: inherit;
  max-width: 100%;
  padding: .35rem .5rem;
  color: var(--fg);
  background: var(--bg);
  border: 1px solid var(--border);
  border-radius: 6px;
}
button { color: var(--on-link); background: var(--link); border-color: var(--link); font-weight: 600; cursor: pointer; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; }

dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .3rem 1.25rem; margin: 0 0 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }

details.failure { margin: .5rem 0; padding: .35rem .75rem; border: 1px solid var(--border); border-radius: 6px; }
details summary { cursor: pointer; overflow-wrap: anywhere; }
details.failure .suite { color: var(--muted); }
details.failure .test { font-weight: 600; }

ul.files, ul.urls { padding-left: 1.25rem; }
ul.files li, ul.urls li { overflow-wrap: anywhere; margin: .15rem 0; }

nav.paging { display: flex; flex-wrap: wrap; gap: 1.25rem; margin: 1rem 0; }
nav.spool-files ul { list-style: none; margin: 0 0 1rem; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
nav.spool-files a {
  display: inline-block;
  padding: .2rem .65rem;
  border: 1px solid var(--border);
  border-radius: 6px;
  text-decoration: none;
}
nav.spool-files a[aria-current="page"] { color: var(--on-link); background: var(--link); border-color: var(--link); }

figure { margin: 0 0 1rem; }
svg.chart { display: block; width: 100%; height: auto; max-height: 22rem; }
svg.chart .grid { stroke: var(--chart-grid); stroke-width: 1; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .line { fill: none; stroke: var(--chart-line); stroke-width: 2; }
svg.chart .point { stroke: var(--bg); stroke-width: 1.5; }
svg.chart .point.tone-good { fill: var(--good-fg); }
svg.chart .point.tone-warn { fill: var(--warn-fg); }
svg.chart .point.tone-bad { fill: var(--bad-fg); }
svg.chart .point.tone-neutral, svg.chart .point.tone-muted { fill: var(--neutral-fg); }
svg.chart text { fill: var(--muted); font-size: 14px; }
svg.chart .axis-label { fill: var(--fg); }

@media (max-width: 40rem) {
  main { padding: .75rem; }
  h1 { font-size: 1.3rem; }
  .table-box { overflow-x: visible; border: 0; border-radius: 0; }
  table.cards thead {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { margin: 0 0 .75rem; padding: .35rem 0; border: 1px solid var(--border); border-radius: 6px; }
  table.cards td { position: relative; min-height: 1.9rem; padding: .2rem .75rem .2rem 8.25rem; border-bottom: 0; }
  table.cards td::before {
    content: attr(data-label);
    position: absolute;
    left: .75rem;
    width: 7rem;
    color: var(--muted);
    font-size: .85rem;
    overflow-wrap: anywhere;
  }
  table.cards td.number { text-align: left; }
  td pre { max-width: 100%; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dd { margin-bottom: .5rem; }
  .field { max-width: none; }
}

@media print {
  header.site, form.filters, nav.paging { display: none; }
}
)css";

}  // namespace

std::string_view dashboard_stylesheet() {
    return k_stylesheet;
}

}  // namespace greenlight::serve
