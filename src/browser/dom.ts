/** DOM helpers the page scripts share: element lookup, the server-rendered texts, error summaries. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

/**
 * A text the server rendered for the script in the page's language (`<template id="script-messages">`
 * with one `[data-key]` element per text); `{name}` placeholders are filled from `values`.
 */
export function message(key: string, values: Record<string, string | number> = {}): string {
  const template = document.getElementById('script-messages');
  const p =
    template instanceof HTMLTemplateElement
      ? template.content.querySelector(`[data-key="${CSS.escape(key)}"]`)
      : null;
  let text = p?.textContent ?? key;
  for (const [name, value] of Object.entries(values)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

export type FieldProblem = { field: string; text: string };

/**
 * The error summary (WCAG 3.3.1): the problems listed in `box` with links to their fields, and each
 * field's own message (`#<name>-error`, `#<name>-field`) next to it. `fields` are the inputs the
 * form has; those with a hint (`#<name>-hint`) keep it in their description.
 */
export function showFieldErrors(
  box: HTMLElement,
  fields: readonly { name: string; hint: boolean }[],
  problems: readonly FieldProblem[],
): void {
  box.replaceChildren();
  for (const { name, hint } of fields) {
    const input = byId<HTMLInputElement>(name);
    const err = byId(`${name}-error`);
    const problem = problems.find((p) => p.field === name);
    err.hidden = !problem;
    err.textContent = problem?.text ?? '';
    byId(`${name}-field`).classList.toggle('field-error', Boolean(problem));
    const described = [hint ? `${name}-hint` : '', problem ? `${name}-error` : ''].filter(Boolean).join(' ');
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    if (described) input.setAttribute('aria-describedby', described);
    else input.removeAttribute('aria-describedby');
  }
  if (problems.length === 0) return;
  const summary = document.createElement('div');
  summary.className = 'error-summary';
  summary.id = 'error-summary';
  summary.setAttribute('role', 'alert');
  summary.tabIndex = -1;
  const h = document.createElement('h2');
  h.textContent = message('errorTitle');
  const ul = document.createElement('ul');
  for (const p of problems) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${p.field}`;
    a.textContent = p.text;
    li.append(a);
    ul.append(li);
  }
  summary.append(h, ul);
  box.append(summary);
  summary.focus();
}
