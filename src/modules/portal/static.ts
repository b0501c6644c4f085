/**
 * The portal's only stylesheet. Colours were chosen for WCAG 2.1 AA contrast (4.5:1 for text)
 * against white; focus is always visible.
 */
export const APP_CSS = `
:root { --ink: #1b1b1b; --muted: #4a4a4a; --brand: #0b4f8a; --brand-dark: #083a66; --danger: #a4161a; --line: #c8c8c8; --bg-soft: #f3f5f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--brand); }
a:hover { color: var(--brand-dark); }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: 1rem; }
.site-header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 4px solid var(--brand); }
.brand { margin: 0; font-weight: 700; font-size: 1.25rem; }
.brand a { text-decoration: none; color: var(--ink); }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
nav a[aria-current] { font-weight: 700; }
.languages span[aria-current] { font-weight: 700; }
.signed-in { margin: 0; color: var(--muted); }
main { max-width: 70rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
main:focus { outline: none; }
.site-footer { border-top: 1px solid var(--line); padding: 1rem 1.5rem; color: var(--muted); }
.lead { font-size: 1.15rem; }
.cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
.cards li { border: 1px solid var(--line); padding: 1rem; border-radius: 4px; }
.cards h2 { margin-top: 0; font-size: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .5rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--bg-soft); }
.field { margin: 0 0 1rem; }
label, legend { display: block; font-weight: 600; margin-bottom: .25rem; }
.checkbox { display: flex; gap: .5rem; align-items: center; }
.checkbox label { font-weight: 400; margin: 0; }
input[type=text], input[type=email], input[type=password], input[type=number], select { font: inherit; padding: .4rem .5rem; border: 2px solid var(--ink); border-radius: 0; min-width: min(28rem, 100%); }
fieldset { border: 1px solid var(--line); padding: 1rem; margin: 0 0 1rem; }
button { font: inherit; background: var(--brand); color: #fff; border: 0; padding: .5rem 1rem; cursor: pointer; border-radius: 2px; }
button:hover { background: var(--brand-dark); }
button.link { background: none; color: var(--brand); padding: 0; text-decoration: underline; }
button.danger { background: var(--danger); }
form.inline { display: inline; }
.hint { color: var(--muted); margin: 0 0 .25rem; }
.error { color: var(--danger); font-weight: 600; margin: 0 0 .25rem; }
.field-error input { border-color: var(--danger); }
.error-summary { border: 4px solid var(--danger); padding: 1rem; margin-bottom: 1.5rem; }
.error-summary h2 { margin-top: 0; font-size: 1.2rem; }
.error-summary a { color: var(--danger); font-weight: 600; }
.notice { border-left: 6px solid var(--brand); background: var(--bg-soft); padding: .75rem 1rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.secret { word-break: break-all; }
code.json { font-size: .85rem; word-break: break-all; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.context-switcher { display: flex; gap: .5rem; align-items: center; }
.context-switcher label { margin: 0; }
.context-switcher select { min-width: 12rem; }
.sub-nav { margin: 0 0 1rem; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; }
.filters .field { margin: 0; }
details summary { cursor: pointer; }
/* Custodian key page (custody.pages.ts) and opening page (opening.pages.ts) */
a.button { display: inline-block; background: var(--brand); color: #fff; padding: .5rem 1rem; border-radius: 2px; text-decoration: none; }
a.button:hover { background: var(--brand-dark); color: #fff; }
#keygen button:disabled, .opening-stage button:disabled { background: var(--muted); cursor: wait; }
input[type=file] { font: inherit; }
.opening-stage { border-top: 1px solid var(--line); padding-top: .5rem; }
ul.plain { list-style: none; margin: 0; padding: 0; }
/* Bid page (bid.pages.ts, src/browser/bid-seal.ts) */
#bid-form button:disabled { background: var(--muted); cursor: wait; }
#bid-form .envelope legend { font-size: 1.1rem; }
#bid-progress:empty { display: none; }
#bid-progress { font-weight: 600; }
ul.hashes { padding-left: 1.25rem; }
ul.hashes code.hash, #bid-result code, table.receipts code { word-break: break-all; }
/* Committee workspace (evaluation.pages.ts) and the public evaluation section */
.evaluation-nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0 0 1rem; padding: 0; }
.evaluation-nav a[aria-current] { font-weight: 700; }
.decision, .judgement-bid { border-top: 1px solid var(--line); padding-top: .5rem; margin-top: 1rem; }
.decision form { margin: .5rem 0 1rem; }
.decision fieldset.grounds { border: 1px solid var(--line); padding: .5rem 1rem; }
.criterion { margin: 0 0 1.5rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.flag { color: var(--danger); }
`;
