/** dashboard.css: the pages' only style sheet besides uPlot's (no inline styles: the CSP forbids them). */
export const DASHBOARD_CSS = String.raw`
:root { --bg: #f5f6f8; --panel: #fff; --ink: #1f2430; --muted: #6b7280; --line: #e3e6ea; --accent: #2f6fdd;
  --ok: #2f9e6e; --bad: #d64545; --warn: #c27c0e; --lock: #8e3bbd; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .masked { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; background: #f7f8fa; padding: 8px; border-radius: 6px; max-height: 320px; overflow: auto; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 10px 24px; background: #1f2a3c; color: #fff; }
.brand { color: #fff; font-weight: 700; letter-spacing: .2px; }
.top nav { display: flex; gap: 4px; }
.top nav a { color: #c9d3e3; padding: 6px 10px; border-radius: 6px; }
.top nav a.active, .top nav a:hover { background: #33425c; color: #fff; text-decoration: none; }
.picker { margin-left: auto; display: flex; gap: 12px; align-items: center; color: #c9d3e3; font-size: 13px; }
.picker select { margin-left: 4px; }
.js .picker button { display: none; }
select, input, button, .button { font: inherit; border: 1px solid #c9ced6; border-radius: 6px; padding: 4px 8px; background: #fff; color: var(--ink); }
button, .button { cursor: pointer; background: #f1f3f6; }
button:hover, .button:hover { background: #e6e9ee; text-decoration: none; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
main { padding: 16px 24px 32px; max-width: 1480px; margin: 0 auto; }
h1 { font-size: 22px; margin: 4px 0 16px; }
h2 { font-size: 15px; margin: 0 0 10px; }
h3 { font-size: 13px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .4px; }
footer { color: var(--muted); font-size: 12px; padding: 0 24px 24px; max-width: 1480px; margin: 0 auto; }
.muted { color: var(--muted); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin-bottom: 16px; overflow-x: auto; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.grid2 > .panel { margin-bottom: 0; }
.grid2 + .panel, .grid2 { margin-bottom: 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-bottom: 16px; }
.tile { display: flex; flex-direction: column; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px 6px; color: var(--ink); border-top: 3px solid var(--accent); }
a.tile:hover { text-decoration: none; border-color: #b8c2d0; }
.tile-success { border-top-color: var(--ok); } .tile-failure { border-top-color: var(--bad); }
.tile-lockout { border-top-color: var(--lock); } .tile-ips { border-top-color: var(--warn); } .tile-findings { border-top-color: #e0a100; }
.tile-label { color: var(--muted); font-size: 12.5px; }
.tile-value { font-size: 26px; font-weight: 650; margin: 2px 0 4px; }
.spark { display: block; height: 38px; }
.chart { margin: 0; min-height: 200px; }
table.data { border-collapse: collapse; width: 100%; }
table.data th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 6px 8px; white-space: nowrap; }
table.data td { border-bottom: 1px solid #f0f1f4; padding: 5px 8px; vertical-align: top; }
table.data tr:hover td { background: #fafbfc; }
table.events { font-size: 13px; }
table.events td { white-space: nowrap; }
table.events td:nth-last-child(4) { white-space: normal; min-width: 180px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; color: #39404d; }
td.barcell { position: relative; min-width: 120px; }
td.barcell meter { width: 70px; height: 8px; margin-right: 8px; vertical-align: middle; }
meter::-webkit-meter-bar { background: #eef1f5; border: 0; border-radius: 4px; height: 8px; }
meter::-webkit-meter-optimum-value { background: var(--accent); border-radius: 4px; }
meter.bad::-webkit-meter-optimum-value { background: var(--bad); }
tr.city td:first-child { padding-left: 26px; color: #444b57; }
tr.country td { font-weight: 600; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11.5px; font-weight: 600; background: #eef1f5; color: #414958; }
.kind-success, .st-ok, .st-resolved, .cov-complete { background: #e1f4ea; color: #1d6b47; }
.kind-failure, .st-failed, .cov-gap, .sev-high, .sev-critical { background: #fbe4e4; color: #a32626; }
.kind-logout { background: #e6eef9; color: #2c4f86; }
.sev-medium, .st-partial, .st-acknowledged, .st-interrupted { background: #fdf0d9; color: #8a5a00; }
.sev-low, .sev-info { background: #e6eef9; color: #2c4f86; }
.masked { color: #8a5a00; background: #fdf6e7; padding: 0 4px; border-radius: 4px; }
.heat { display: grid; gap: 2px; font-size: 11px; color: var(--muted); }
.heat-row { display: grid; grid-template-columns: 34px repeat(24, 1fr); gap: 2px; align-items: center; }
.heat .cell { height: 26px; border-radius: 3px; background: #f0f2f5; }
.heat-bad .h1 { background: #fde4dc; } .heat-bad .h2 { background: #fbcdbd; } .heat-bad .h3 { background: #f8b39c; }
.heat-bad .h4 { background: #f4977c; } .heat-bad .h5 { background: #ee7b5e; } .heat-bad .h6 { background: #e35f45; }
.heat-bad .h7 { background: #d24533; } .heat-bad .h8 { background: #b93024; } .heat-bad .h9 { background: #951d17; }
.heat-ok .h1 { background: #dcf2e6; } .heat-ok .h2 { background: #bfe6d0; } .heat-ok .h3 { background: #9fd8b8; }
.heat-ok .h4 { background: #7fc9a0; } .heat-ok .h5 { background: #5fb988; } .heat-ok .h6 { background: #43a773; }
.heat-ok .h7 { background: #2f9462; } .heat-ok .h8 { background: #217d51; } .heat-ok .h9 { background: #146440; }
.heat-note { margin: 10px 0 0; font-size: 12.5px; }
.heat-legend { display: flex; gap: 6px; align-items: center; margin-top: 8px; font-size: 11px; color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: end; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; margin-bottom: 10px; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 3px; }
.filters select { max-width: 220px; }
.exports { margin: 0 0 10px; color: var(--muted); font-size: 13px; }
.pager { display: flex; gap: 16px; justify-content: flex-end; padding-top: 10px; }
.tabs { display: flex; gap: 6px; margin-bottom: 12px; }
.tabs a { padding: 4px 10px; border-radius: 14px; background: #e9ecf1; color: #39404d; }
.tabs a.active { background: var(--accent); color: #fff; }
form.inline { display: inline; margin-right: 4px; }
.notice { padding: 10px 12px; border-radius: 8px; background: #eef3fc; border: 1px solid #cfdcf3; }
.notice.warn { background: #fdf3e1; border-color: #f0d6a6; }
.notice.ok { background: #e9f6ef; border-color: #bfe3cf; }
.person { display: flex; justify-content: space-between; align-items: start; gap: 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; margin-bottom: 16px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
.health .muted { font-weight: 400; font-size: 13px; margin-left: 6px; }
.uplot { font-family: inherit; }
.uplot .u-legend { font-size: 12px; }
`;
