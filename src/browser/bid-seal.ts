/**
 * The bidder's page script (/tenders/:ocid/bid, src/modules/bids/bid.pages.ts): seals every envelope
 * on this device with the same library as `contracta bid seal` (docs/SEALING.md), uploads the
 * ciphertexts and encrypted shares, commits the version and shows the signed receipt after checking
 * that it attests exactly what was sealed here (as `contracta bid submit` does). The envelope keys
 * exist only inside `sealEnvelope`; the platform receives ciphertexts, encrypted shares and manifests
 * (LCSP DA 17ª: nobody may access the bids before the deadline). Texts come from the page
 * (`data-texts`), in its language.
 */
import { parseReceiptFile, type BidReceipt } from '../modules/bids/receipt.rules.js';
import { sealEnvelope } from '../modules/sealing/envelope.seal.js';
import { isEnvelopeLetter } from '../modules/sealing/manifest.rules.js';
import { makeOffer, OFFER_FILE_NAME, offerBytes } from '../modules/sealing/offer.rules.js';
import type {
  EnvelopeLetter,
  PlainFile,
  SealedEnvelope,
  SealingCustodian,
  SealingTarget,
} from '../modules/sealing/sealing.types.js';
import { DomainError } from '../platform/errors.js';
import { ApiError, api } from './api.js';
import { byId } from './dom.js';

type Texts = {
  target: string;
  sealing: string;
  uploading: string;
  committing: string;
  done: string;
  failed: string;
  noLots: string;
  tooManyLots: string;
  noFiles: string;
  price: string;
  fileName: string;
  receiptMismatch: string;
  network: string;
  unexpected: string;
  noTarget: string;
  manifest: string;
  file: string;
  share: string;
  replace: string;
  envelopes: Record<string, string>;
  errors: Record<string, string>;
};

/** A problem to list in the error summary, linked to its field when it has one. */
type Problem = { field?: string; message: string };

class Refused extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

/** Fills `{{name}}` placeholders (the page's texts keep them for the script). */
function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/**
 * A price in euros excluding VAT as typed (comma or point as decimal separator, no thousands
 * separators), normalised to the offer's form "1234.56"; null when it is not a price.
 */
export function normalisePrice(text: string): string | null {
  const s = text.replace(/[\s\u00a0]/g, '').replace(/€$/, '');
  const m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const int = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  if (int.length > 13) return null;
  return `${int}.${(m[2] ?? '').padEnd(2, '0')}`;
}

/** The name rules of the manifest (manifest.rules.ts assertValidFileName), checked before sealing. */
function badFileName(name: string): boolean {
  const control = [...name].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');
  return (
    name.length === 0 || name.length > 255 || /[/\\]/.test(name) || control || name === '.' || name === '..'
  );
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The sealing target the published notice froze (`notice.sealing`), or null if it has none. */
function targetOf(ocid: string, notice: unknown): SealingTarget | null {
  const s = isObj(notice) ? notice.sealing : undefined;
  if (!isObj(s) || typeof s.quorum !== 'number' || !Array.isArray(s.custodians)) return null;
  const custodians: SealingCustodian[] = s.custodians.flatMap((c) =>
    isObj(c) && typeof c.index === 'number' && typeof c.recipient === 'string'
      ? [{ index: c.index, keyId: typeof c.keyId === 'string' ? c.keyId : '', recipient: c.recipient }]
      : [],
  );
  return { ocid, quorum: s.quorum, custodians };
}

type Sealed = { envelope: EnvelopeLetter; sealed: SealedEnvelope; ciphertexts: Blob[] };

function setup(form: HTMLFormElement): void {
  const texts = JSON.parse(form.dataset.texts ?? '{}') as Texts;
  const ocid = form.dataset.ocid ?? '';
  const companyId = form.dataset.company ?? '';
  const formula = form.dataset.formula ?? '';
  const maxLots = form.dataset.maxLots ? Number(form.dataset.maxLots) : null;
  const envelopes = (form.dataset.envelopes ?? '').split(',').filter(isEnvelopeLetter);
  const summary = byId<HTMLDivElement>('bid-errors');
  const progress = byId<HTMLParagraphElement>('bid-progress');
  const button = byId<HTMLButtonElement>('bid-submit');
  const lotBoxes = [...form.querySelectorAll<HTMLInputElement>('input[name="lot"]')];
  const label = (e: string) => texts.envelopes[e] ?? e;
  let downloadUrl: string | null = null;

  // A price is asked only for the lots chosen (the offer prices exactly the lots of the bid).
  const syncPrices = () => {
    for (const box of lotBoxes) {
      const field = document.getElementById(`price-field-${box.value}`);
      if (field) field.hidden = !box.checked;
    }
  };
  for (const box of lotBoxes) box.addEventListener('change', syncPrices);
  syncPrices();
  form.hidden = false;

  const say = (text: string) => {
    progress.textContent = text;
  };

  const showProblems = (problems: Problem[]) => {
    for (const p of problems) {
      if (p.field) document.getElementById(p.field)?.setAttribute('aria-invalid', 'true');
    }
    const ul = summary.querySelector('ul');
    if (!ul) return;
    ul.replaceChildren(
      ...problems.map((p) => {
        const li = document.createElement('li');
        if (p.field) {
          const a = document.createElement('a');
          a.href = `#${p.field}`;
          a.textContent = p.message;
          li.append(a);
        } else {
          li.textContent = p.message;
        }
        return li;
      }),
    );
    summary.hidden = false;
    summary.focus();
  };

  /** Everything the form says, checked before anything is sealed. */
  const readForm = () => {
    const problems: Problem[] = [];
    const lots = lotBoxes
      .filter((b) => b.checked)
      .map((b) => Number(b.value))
      .sort((a, b) => a - b);
    if (lots.length === 0) problems.push({ field: lotBoxes[0]?.id ?? 'lots', message: texts.noLots });
    if (maxLots !== null && lots.length > maxLots) {
      problems.push({
        field: lotBoxes[0]?.id ?? 'lots',
        message: fill(texts.tooManyLots, { count: maxLots }),
      });
    }
    const files = new Map<EnvelopeLetter, File[]>();
    for (const e of envelopes) {
      const input = byId<HTMLInputElement>(`files-${e}`);
      const chosen = [...(input.files ?? [])];
      // The formula envelope always holds offer.json; every other envelope needs a file.
      if (chosen.length === 0 && e !== formula) {
        problems.push({ field: input.id, message: fill(texts.noFiles, { envelope: label(e) }) });
      }
      const seen = new Set<string>();
      for (const f of chosen) {
        if (badFileName(f.name) || seen.has(f.name) || (e === formula && f.name === OFFER_FILE_NAME)) {
          problems.push({
            field: input.id,
            message: fill(texts.fileName, { envelope: label(e), name: f.name }),
          });
        }
        seen.add(f.name);
      }
      files.set(e, chosen);
    }
    // After the files: the summary lists problems in the order of the fields (the prices are last).
    const prices = new Map<number, string>();
    if (formula) {
      for (const lot of lots) {
        const input = document.getElementById(`price-${lot}`) as HTMLInputElement | null;
        const price = normalisePrice(input?.value ?? '');
        if (price === null) problems.push({ field: `price-${lot}`, message: fill(texts.price, { n: lot }) });
        else prices.set(lot, price);
      }
    }
    if (problems.length) throw new Refused(problems);
    return { lots, prices, files };
  };

  const showReceipt = (receipt: BidReceipt, answer: unknown, sealed: Sealed[]) => {
    byId('r-version').textContent = String(receipt.version);
    byId('r-sequence').textContent = String(receipt.sequence);
    const madrid = new Intl.DateTimeFormat(document.documentElement.lang || 'ca', {
      dateStyle: 'medium',
      timeStyle: 'medium',
      timeZone: 'Europe/Madrid',
    }).format(new Date(receipt.receivedAt));
    byId('r-received').textContent = `${receipt.receivedAt} · ${madrid} (Europe/Madrid)`;
    byId('r-lots').textContent = receipt.lots.join(', ');
    byId('r-bid').textContent = receipt.bidId;
    byId('r-key').textContent = receipt.keyId;
    const list = byId<HTMLDivElement>('r-envelopes');
    list.replaceChildren(
      ...receipt.envelopes.flatMap((e) => {
        const h = document.createElement('h3');
        h.textContent = label(e.envelope);
        const names = sealed.find((s) => s.envelope === e.envelope)?.sealed.manifest.files ?? [];
        const ul = document.createElement('ul');
        ul.className = 'hashes';
        const item = (caption: string, hash: string) => {
          const li = document.createElement('li');
          const code = document.createElement('code');
          code.className = 'hash';
          code.textContent = hash;
          li.append(`${caption}: `, code);
          return li;
        };
        ul.append(
          item(texts.manifest, e.manifestSha256),
          ...e.files.map((hash, i) =>
            item(fill(texts.file, { name: names[i]?.name ?? String(i + 1) }), hash),
          ),
          ...e.shares.map((hash, i) => item(fill(texts.share, { n: i + 1 }), hash)),
        );
        return [h, ul];
      }),
    );
    // The file exactly as the API answered it: `contracta receipt verify` checks its signature.
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(answer)], { type: 'application/json' }));
    const link = byId<HTMLAnchorElement>('r-download');
    link.href = downloadUrl;
    link.download = `receipt-${ocid}-v${receipt.version}.json`;
    const result = byId<HTMLElement>('bid-result');
    result.hidden = false;
    // The list below was rendered before this submission; "no bid yet" is no longer true.
    const none = document.getElementById('no-receipts');
    if (none) none.hidden = true;
    byId('bid-result-h').focus();
  };

  const submit = async () => {
    const { lots, prices, files } = readForm();
    say(texts.target);
    const tender = await api<{ notice?: unknown }>('GET', `/tenders/${encodeURIComponent(ocid)}`);
    const target = targetOf(ocid, tender.notice);
    if (!target) throw new Refused([{ message: texts.noTarget }]);
    // Replacing keeps the bid's id (one bid per company and tender; the last version counts).
    const bidId = form.dataset.bid || crypto.randomUUID();

    const sealed: Sealed[] = [];
    for (const envelope of envelopes) {
      const plain: PlainFile[] = (files.get(envelope) ?? []).map((f) => ({
        name: f.name,
        content: f.stream(),
      }));
      if (envelope === formula) {
        const offer = makeOffer({
          ocid,
          bidId,
          lots: lots.map((lot) => ({ lot, price: prices.get(lot) ?? '', values: [] })),
        });
        plain.push({ name: OFFER_FILE_NAME, content: offerBytes(offer) });
      }
      const ciphertexts: Blob[] = [];
      // Each ciphertext is kept (as a Blob, which the browser may spill to disk) until its SHA-256,
      // which the upload address names, is known from the manifest.
      const result = await sealEnvelope(
        { target, bidId, lots, envelope, files: plain },
        async (f, stream) => {
          say(fill(texts.sealing, { envelope: label(envelope), file: f.position + 1, files: plain.length }));
          ciphertexts[f.position] = await new Response(stream).blob();
        },
      );
      sealed.push({ envelope, sealed: result, ciphertexts });
    }

    const bidPath = `/tenders/${encodeURIComponent(ocid)}/bids/${bidId}`;
    const pieces = sealed.flatMap((s) => [
      ...s.sealed.manifest.files.map((f, i) => ({ sha256: f.sha256, bytes: s.ciphertexts[i] as Blob })),
      ...s.sealed.shares.map((x) => ({
        sha256: x.sha256,
        bytes: new Blob([x.ciphertext as Uint8Array<ArrayBuffer>]),
      })),
    ]);
    for (const [i, piece] of pieces.entries()) {
      say(fill(texts.uploading, { n: i + 1, total: pieces.length }));
      await api('PUT', `${bidPath}/blobs/${piece.sha256}?companyId=${encodeURIComponent(companyId)}`, {
        bytes: piece.bytes,
      });
    }
    say(texts.committing);
    const answer = await api<unknown>('POST', `${bidPath}/versions`, {
      json: { companyId, lots, envelopes: sealed.map((s) => ({ manifest: s.sealed.manifest })) },
    });
    // From now on this page replaces this bid, whatever the checks below find.
    form.dataset.bid = bidId;
    button.textContent = texts.replace;
    const parsed = parseReceiptFile(answer);
    const receipt = parsed.ok ? parsed.file.receipt : null;
    const expected = sealed.map((s) => ({
      envelope: s.envelope,
      manifestSha256: s.sealed.manifestSha256,
      files: s.sealed.manifest.files.map((f) => f.sha256),
      shares: s.sealed.manifest.shares.map((x) => x.sha256),
    }));
    // The receipt must attest exactly what was sealed here (the CLI's check, bid.cli.ts bidSubmit).
    if (
      receipt?.kind !== 'contracta.bid-receipt' ||
      receipt.bidId !== bidId ||
      receipt.ocid !== ocid ||
      receipt.company.id !== companyId ||
      receipt.lots.join(',') !== lots.join(',') ||
      JSON.stringify(receipt.envelopes) !== JSON.stringify(expected)
    ) {
      throw new Refused([{ message: texts.receiptMismatch }]);
    }
    showReceipt(receipt, answer, sealed);
    say(fill(texts.done, { sequence: receipt.sequence, version: receipt.version }));
  };

  /** A failure in words: the server's stable code, a local check, or the network. */
  const problemsOf = (err: unknown): Problem[] => {
    if (err instanceof Refused) return err.problems;
    if (err instanceof ApiError || err instanceof DomainError) {
      // The company's bid already exists under another id (a lost answer): replace that one next time.
      const details = err.details as { bidId?: unknown } | undefined;
      if (err.code === 'CONFLICT' && typeof details?.bidId === 'string') form.dataset.bid = details.bidId;
      return [{ message: texts.errors[err.code] ?? fill(texts.unexpected, { code: err.code }) }];
    }
    if (err instanceof TypeError) return [{ message: texts.network }];
    return [{ message: fill(texts.unexpected, { code: err instanceof Error ? err.name : 'ERROR' }) }];
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    summary.hidden = true;
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    byId<HTMLElement>('bid-result').hidden = true;
    button.disabled = true;
    submit()
      .catch((err: unknown) => {
        say(texts.failed);
        showProblems(problemsOf(err));
      })
      .finally(() => {
        button.disabled = false;
      });
  });
}

const form = document.getElementById('bid-form');
if (form instanceof HTMLFormElement) setup(form);
